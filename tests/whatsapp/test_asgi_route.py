"""The webhook as the ASGI server reaches it: `mostrador.asgi` sends POSTs straight to the
WhatsApp route, past Django's middleware. The same answers as through Django, and concurrent
notifications are each stored before their 200."""

from __future__ import annotations

import asyncio
import json

import httpx
import pytest

from mostrador.asgi import application
from mostrador.connectors.whatsapp.connector import signature_of
from mostrador.intake.models import InboundLog, LogState

from .conftest import APP_SECRET, PHONE_NUMBER_ID, fixture, run_jobs

pytestmark = pytest.mark.django_db(transaction=True)


async def post(body: bytes, signature: str | None) -> httpx.Response:
    headers = {"Content-Type": "application/json"}
    if signature is not None:
        headers["X-Hub-Signature-256"] = signature
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=application), base_url="http://testserver") as client:
        return await client.post("/webhooks/whatsapp", content=body, headers=headers)


def test_the_asgi_route_answers_like_the_view(wa_inbox, agent_api):
    body = json.dumps(fixture("text")).encode()
    assert asyncio.run(post(body, None)).status_code == 401
    assert asyncio.run(post(body, "sha256=" + "0" * 64)).status_code == 403
    assert InboundLog.objects.count() == 0
    junk = b'{"object": "page"}'
    refused = asyncio.run(post(junk, signature_of(APP_SECRET, junk)))
    assert refused.status_code == 400 and refused.json()["code"] == "malformed_notification"
    huge = b"{" + b" " * (1024 * 1024 + 10) + b"}"
    assert asyncio.run(post(huge, signature_of(APP_SECRET, huge))).status_code == 413

    accepted = asyncio.run(post(body, signature_of(APP_SECRET, body)))
    assert accepted.status_code == 200 and accepted.json() == {"status": "received"}
    # Kept with the number it is for, so pumps can share the work by number.
    assert list(InboundLog.objects.filter(state=LogState.RECEIVED).values_list("account", flat=True)) == [PHONE_NUMBER_ID]
    run_jobs()
    assert agent_api.get("/conversations", state="pending").json_body["items"][0]["last_message"]["text"]


def test_concurrent_notifications_are_all_stored_before_their_answer(wa_inbox, monkeypatch):
    from mostrador.intake import jobs, webhook

    # Those that wait while one INSERT commits go in the next, a bounded number at a time.
    monkeypatch.setattr(webhook, "MOST_PER_INSERT", 5)
    inserts = []

    def counted(items):
        inserts.append(len(items))
        jobs.store_many(items)

    monkeypatch.setattr(webhook, "store_many", counted)
    bodies = []
    for i in range(12):
        note = fixture("text")
        note["entry"][0]["changes"][0]["value"]["messages"][0]["id"] = f"wamid.CONCURRENT{i}"
        bodies.append(json.dumps(note).encode())

    async def burst():
        return await asyncio.gather(*(post(b, signature_of(APP_SECRET, b)) for b in bodies))

    answers = asyncio.run(burst())
    assert [a.status_code for a in answers] == [200] * 12
    assert set(InboundLog.objects.filter(state=LogState.RECEIVED).values_list("account", flat=True)) == {PHONE_NUMBER_ID}
    assert InboundLog.objects.filter(state=LogState.RECEIVED).count() == 12
    assert sum(inserts) == 12 and max(inserts) <= 5 and len(inserts) > 1
    # Each kept whole, as the pump reads it.
    kept = InboundLog.objects.order_by("received_at", "pk")
    assert sorted(bytes(log.body) for log in kept) == sorted(bodies)
    assert {(log.channel, log.problem, log.attempts, log.processed_at) for log in kept} == {("whatsapp", "", 0, None)}
    assert all(log.received_at.tzinfo is not None for log in kept)


def test_more_notifications_than_one_insert_holds_are_refused_whole():
    from mostrador.intake.jobs import MOST_PER_INSERT, store_many

    with pytest.raises(ValueError):
        store_many([("whatsapp", b"{}", "1")] * (MOST_PER_INSERT + 1))
    assert InboundLog.objects.count() == 0
    store_many([("whatsapp", b"{}", "1")] * MOST_PER_INSERT)
    assert InboundLog.objects.filter(state=LogState.RECEIVED).count() == MOST_PER_INSERT


def test_a_batch_that_fails_is_processed_one_notification_at_a_time(wa_inbox, agent_api, monkeypatch):
    from mostrador.intake import apply
    from tests.whatsapp.conftest import post_webhook

    def broken(channel, entries):
        raise RuntimeError("a bug in bulk ingest")

    monkeypatch.setattr(apply, "process_batch", broken)
    for i in range(3):
        note = fixture("text")
        note["entry"][0]["changes"][0]["value"]["messages"][0]["id"] = f"wamid.ALONE{i}"
        assert post_webhook(note).status_code == 200
    run_jobs()
    # Nothing is lost: each notification went through on its own.
    assert set(InboundLog.objects.values_list("state", flat=True)) == {LogState.PROCESSED}
    items = agent_api.get("/conversations", state="pending").json_body["items"]
    messages = agent_api.get(f"/conversations/{items[0]['id']}/messages").json_body["items"]
    assert {m["external_id"] for m in messages} == {"wamid.ALONE0", "wamid.ALONE1", "wamid.ALONE2"}


def test_a_database_outage_is_a_503_so_meta_sends_it_again(wa_inbox, agent_api, monkeypatch):
    from django.db import OperationalError

    from mostrador.intake import webhook
    from tests.whatsapp.conftest import post_webhook

    def down(*args, **kwargs):
        raise OperationalError("the database is restarting")

    body = json.dumps(fixture("text")).encode()
    signature = signature_of(APP_SECRET, body)
    with monkeypatch.context() as patch:
        patch.setattr(webhook, "store_many", down)
        patch.setattr(webhook, "store", down)
        refused = asyncio.run(post(body, signature))
        through_django = post_webhook(body)
    assert refused.status_code == 503 and refused.json()["code"] == "unavailable"
    assert through_django.status_code == 503 and through_django.json()["code"] == "unavailable"
    assert InboundLog.objects.count() == 0
    # Meta sends it again once we are back: stored and delivered, once.
    assert asyncio.run(post(body, signature)).status_code == 200
    run_jobs()
    assert agent_api.get("/conversations", state="pending").json_body["items"][0]["last_message"]["text"]
