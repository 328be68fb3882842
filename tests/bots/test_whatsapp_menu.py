"""The routes bot on WhatsApp: its menu goes out as reply buttons, and a tapped button or a tapped
side answer comes back through the webhook as a choice."""

from __future__ import annotations

import copy
import time

import pytest

from mostrador.inbox.actions.inboxes import update_inbox
from tests.whatsapp.conftest import fixture, graph, post_webhook, wa_inbox  # noqa: F401 (fixtures)

from .conftest import ROUTES, conversation, run_jobs

pytestmark = pytest.mark.django_db(transaction=True)


def customer_message(wamid: str, *, text: str | None = None, button: tuple[str, str] | None = None) -> dict:
    """A notification as Meta sends it, now, for a text or a tapped reply button."""
    body = copy.deepcopy(fixture("text" if text is not None else "button_reply"))
    message = body["entry"][0]["changes"][0]["value"]["messages"][0]
    message["id"] = wamid
    message["timestamp"] = str(int(time.time()))
    message.pop("context", None)
    if text is not None:
        message["text"]["body"] = text
    else:
        message["interactive"]["button_reply"] = {"id": button[0], "title": button[1]}
    return body


def sent_bodies(graph) -> list[dict]:
    return [r["json"] for r in graph.requests if r["json"] and r["path"].endswith("/messages") and r["json"].get("type")]


def test_menu_as_buttons_and_taps_come_back_as_choices(agent_api, wa_inbox, graph, ventas):
    update_inbox(wa_inbox, raw_settings={"ai_enabled": True, "ai_agent": ROUTES})
    assert post_webhook(customer_message("wamid.M1", text="Hola")).status_code == 200
    run_jobs()
    menu = sent_bodies(graph)[-1]
    assert menu["type"] == "interactive"
    assert menu["interactive"]["type"] == "button"
    buttons = menu["interactive"]["action"]["buttons"]
    assert [b["reply"] for b in buttons] == [
        {"id": "route:cotizar", "title": "Cotizar repuesto"},
        {"id": "route:despacho", "title": "Estado de despacho"},
    ]

    post_webhook(customer_message("wamid.M2", button=("route:cotizar", "Cotizar repuesto")))
    run_jobs()
    assert sent_bodies(graph)[-1]["text"]["body"] == "¿Cuál es la patente del vehículo?"
    post_webhook(customer_message("wamid.M3", text="BCDF12"))
    post_webhook(customer_message("wamid.M4", text="1HGCM82633A004352"))
    run_jobs()
    side = sent_bodies(graph)[-1]
    assert side["interactive"]["body"]["text"] == "¿Lado izquierdo o derecho?"
    assert [b["reply"]["id"] for b in side["interactive"]["action"]["buttons"]] == ["answer:izquierdo", "answer:derecho"]

    post_webhook(customer_message("wamid.M5", button=("answer:derecho", "Derecho")))
    run_jobs()
    conv_id = agent_api.get("/conversations", state="pending").json_body["items"][0]["id"]
    conv = conversation(agent_api, conv_id)
    assert conv["fields"] == {"patente": "BCDF12", "chasis": "1HGCM82633A004352", "lado": "derecho"}
    assert conv["handoff"]["route"] == "cotizar"
