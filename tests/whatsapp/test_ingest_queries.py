"""Storing a burst costs a fixed number of queries, however many customers wrote in it: every
subscriber of the domain hooks (cases, assignment, the AI's timers…) reads and writes for the
whole batch at once. A field the hooks read but the locked conversation rows left out, or a job
queued per chat, would cost a query per chat, and ingest throughput with it."""

from __future__ import annotations

import json
import time

import pytest
from django.db import OperationalError, connection
from django.test.utils import CaptureQueriesContext
from django_tasks_db.models import DBTaskResult

from mostrador.inbox.actions.inboxes import update_inbox
from mostrador.inbox.models import ConversationEvent, EventKind, Message
from mostrador.intake.jobs import drain, store
from mostrador.jobs.runner import run_due_jobs
from tests.conftest import later

from .conftest import PHONE_NUMBER_ID, fixture

pytestmark = pytest.mark.django_db(transaction=True)


def burst(customers: range, round_: int) -> bytes:
    """One notification carrying a text from each of these customers, sent just now."""
    note = fixture("text")
    value = note["entry"][0]["changes"][0]["value"]
    template = value["messages"][0]
    value["contacts"] = [{"profile": {"name": f"Cliente {k}"}, "wa_id": f"5691000{k:04d}"} for k in customers]
    value["messages"] = [
        {**template, "from": f"5691000{k:04d}", "id": f"wamid.BURST.{round_}.{k}", "timestamp": str(int(time.time()))} for k in customers
    ]
    return json.dumps(note).encode()


def queries_to_store(customers: range, round_: int) -> int:
    store("whatsapp", burst(customers, round_), account=PHONE_NUMBER_ID)
    with CaptureQueriesContext(connection) as queries:
        assert drain() == 1
    return len(queries)


@pytest.mark.parametrize(
    "inbox_settings",
    [{}, {"assignment": "round_robin"}, {"assignment": "balanced"}, {"ai_enabled": True}],
    ids=["plain", "round-robin", "balanced", "with-ai"],
)
def test_a_burst_costs_the_same_queries_for_few_or_many_customers(wa_inbox, agent, inbox_settings):
    update_inbox(wa_inbox, raw_settings=inbox_settings)
    agent.availability = "online"
    agent.save(update_fields=["availability"])
    # New customers (new contacts, chats and cases), then the same customers again (open chats).
    few, many = range(3), range(100, 130)
    few_new, many_new = queries_to_store(few, 0), queries_to_store(many, 1)
    few_again, many_again = queries_to_store(few, 2), queries_to_store(many, 3)
    assert Message.objects.filter(direction="in").count() == 66
    assert many_new == few_new
    assert many_again == few_again


def test_a_burst_handed_to_the_ai_shares_one_timer_and_each_chat_turns_pending(wa_inbox, agent_api):
    update_inbox(wa_inbox, raw_settings={"ai_enabled": True, "ai_window_seconds": 2})
    store("whatsapp", burst(range(5), 0), account=PHONE_NUMBER_ID)
    assert drain() == 1
    timers = DBTaskResult.objects.filter(task_path__endswith="end_ai_windows", status="READY")
    assert timers.count() == 1
    chats = agent_api.get("/conversations", state="with_ai").json_body["items"]
    assert len(chats) == 5
    answered = chats[0]["id"]
    assert agent_api.post(f"/conversations/{answered}/messages", {"text": "Te atiendo yo."}).status_code == 201
    run_due_jobs()
    assert not ConversationEvent.objects.filter(kind=EventKind.AI_WINDOW_ENDED).exists()  # not due yet
    with later(2.05):
        run_due_jobs()
        ended = set(ConversationEvent.objects.filter(kind=EventKind.AI_WINDOW_ENDED).values_list("conversation_id", flat=True))
        assert ended == {chat["id"] for chat in chats[1:]}
        assert {c["id"] for c in agent_api.get("/conversations", state="pending").json_body["items"]} == ended
        assert agent_api.get(f"/conversations/{answered}").json_body["state"] == "awaiting_customer"


def test_a_chat_whose_window_cannot_end_is_tried_again_alone(wa_inbox, monkeypatch):
    from mostrador.inbox import actions

    update_inbox(wa_inbox, raw_settings={"ai_enabled": True, "ai_window_seconds": 2})
    store("whatsapp", burst(range(3), 0), account=PHONE_NUMBER_ID)
    assert drain() == 1
    ids, deadline = DBTaskResult.objects.get(task_path__endswith="end_ai_windows", status="READY").args_kwargs["args"][:2]
    real = actions.expire_ai_window

    def flaky(conversation_id, at):
        if conversation_id == ids[0]:
            raise OperationalError("the connection was lost")
        return real(conversation_id, at)

    monkeypatch.setattr(actions, "expire_ai_window", flaky)

    def ended():
        return set(ConversationEvent.objects.filter(kind=EventKind.AI_WINDOW_ENDED).values_list("conversation_id", flat=True))

    with later(2.05):
        run_due_jobs()
        assert ended() == set(ids[1:])
        retry = DBTaskResult.objects.get(task_path__endswith="end_ai_windows", status="READY")
        assert retry.args_kwargs["args"] == [[ids[0]], deadline, 2]
        monkeypatch.undo()
    with later(30):
        run_due_jobs()
        assert ended() == set(ids)
