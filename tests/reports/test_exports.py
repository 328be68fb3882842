"""Exports of cases, messages and events: pages with cursors through the API that add up to the
streamed CSV, in key order, holding only what the reader may see."""

from __future__ import annotations

import csv
import io

import pytest

from mostrador.inbox.actions.inboxes import create_inbox
from tests.conftest import customer_says

pytestmark = pytest.mark.django_db(transaction=True)


def all_pages(api, kind, **params) -> list[dict]:
    rows, cursor = [], None
    while True:
        body = api.get(f"/exports/{kind}", limit=3, **({"cursor": cursor} if cursor else {}), **params).json_body
        rows += body["items"]
        cursor = body["next_cursor"]
        if cursor is None:
            return rows


def test_pages_add_up_to_the_streamed_csv_and_obey_visibility(agent, agent_api, admin_api, inbox):
    hidden = create_inbox("Otra tienda", "api", {})
    for n in range(4):
        conv = customer_says(inbox.pk, f"hola {n}", who=f"c{n}")["conversation_id"]
        agent_api.post(f"/conversations/{conv}/messages", {"text": f"respuesta {n}"})
        agent_api.post(f"/conversations/{conv}/resolve")
    customer_says(hidden.pk, "no me ve la vendedora", who="x")

    messages = all_pages(agent_api, "messages")
    assert [m["text"] for m in messages] == [t for n in range(4) for t in (f"hola {n}", f"respuesta {n}")]
    assert [m["id"] for m in messages] == sorted(m["id"] for m in messages)
    everything = all_pages(admin_api, "messages")
    assert len(everything) == 9 and everything[-1]["text"] == "no me ve la vendedora"

    response = agent_api.get("/exports/messages", format="csv")
    assert response["Content-Type"].startswith("text/csv")
    streamed = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert [row["text"] for row in streamed] == [m["text"] for m in messages]
    assert [int(row["id"]) for row in streamed] == [m["id"] for m in messages]

    cases = all_pages(agent_api, "cases", inbox_id=inbox.pk)
    assert len(cases) == 4 and all(c["close_reason"] == "resolved" for c in cases)
    events = all_pages(agent_api, "events")
    assert {"message", "resolved", "case_opened", "case_closed"} <= {e["kind"] for e in events}
    assert agent_api.get("/exports/secrets").status_code == 404
    assert agent_api.get("/exports/cases", cursor="abc").status_code == 422
