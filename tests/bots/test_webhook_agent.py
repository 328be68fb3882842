"""The webhook agent against a real local receiver: signed events, answers through the API with
a bot token, and silence after a hand-off or a person's reply."""

from __future__ import annotations

import hashlib
import hmac

import pytest
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from tests.conftest import customer_says, later

from .conftest import ai_texts, conversation, run_jobs

pytestmark = pytest.mark.django_db(transaction=True)


def signed_correctly(request, secret="whsec-test") -> bool:
    expected = "sha256=" + hmac.new(secret.encode(), request["raw"], hashlib.sha256).hexdigest()
    return hmac.compare_digest(request["headers"]["X-Mostrador-Signature-256"], expected)


def test_events_are_signed_and_the_agent_answers_through_the_api(agent_api, bot_api, receiver, webhook_inbox):
    conv_id = customer_says(webhook_inbox.pk, "hola, ¿tienen espejos?")["conversation_id"]
    run_jobs()
    [started] = receiver.requests
    assert signed_correctly(started)
    assert started["headers"]["X-Mostrador-Event"] == "turn.started"
    event = started["json"]
    assert event["conversation"]["id"] == conv_id and event["conversation"]["state"] == "with_ai"
    assert [m["text"] for m in event["messages"]] == ["hola, ¿tienen espejos?"]
    assert event["turn"]["deadline"]

    assert bot_api.post(f"/conversations/{conv_id}/messages", {"text": "Sí, ¿para qué auto?"}).status_code == 201
    customer_says(webhook_inbox.pk, "un Corolla 2018")
    run_jobs()
    assert [r["json"]["type"] for r in receiver.requests] == ["turn.started", "message.created"]
    assert receiver.requests[1]["json"]["message"]["text"] == "un Corolla 2018"
    assert all(signed_correctly(r) for r in receiver.requests)

    handed = bot_api.post(f"/conversations/{conv_id}/handoff", {"reason": "Quiere precio mayorista"})
    assert handed.json_body["state"] == "pending"
    run_jobs()
    assert receiver.requests[-1]["json"]["type"] == "turn.ended"
    assert receiver.requests[-1]["json"]["reason"] == "handoff"
    # No more turns until the customer starts a new wait: the agent's late reply is refused.
    late = bot_api.post(f"/conversations/{conv_id}/messages", {"text": "¿Sigues ahí?"})
    assert late.status_code == 409 and late.json_body["code"] == "not_ai_turn"
    assert ai_texts(agent_api, conv_id) == ["Sí, ¿para qué auto?"]


def test_after_a_person_replies_the_agent_gets_nothing_until_the_next_wait(agent_api, admin_api, receiver, webhook_inbox):
    admin_api.patch(f"/inboxes/{webhook_inbox.pk}", {"settings": {"ai_after_person": "next_wait"}})
    conv_id = customer_says(webhook_inbox.pk, "hola")["conversation_id"]
    run_jobs()
    agent_api.post(f"/conversations/{conv_id}/messages", {"text": "Hola, soy Ana"})
    run_jobs()
    assert [r["json"]["type"] for r in receiver.requests] == ["turn.started", "turn.ended"]
    assert receiver.requests[-1]["json"]["reason"] == "person_replied"
    customer_says(webhook_inbox.pk, "gracias Ana, otra consulta")
    run_jobs()
    assert receiver.requests[-1]["json"]["type"] == "turn.started"


def test_an_unreachable_agent_is_retried_then_hands_off(agent_api, receiver, webhook_inbox):
    receiver.default = (503, {"error": "down"})
    conv_id = customer_says(webhook_inbox.pk, "hola")["conversation_id"]
    for _ in range(8):
        # Retries wait with backoff; run them now instead of sleeping.
        DBTaskResult.objects.filter(status="READY", task_path__endswith="deliver_event").update(run_after=timezone.now())
        run_jobs(1)
    assert len([r for r in receiver.requests if r["json"]["type"] == "turn.started"]) == 5
    conv = conversation(agent_api, conv_id)
    assert conv["state"] == "pending"
    assert conv["handoff"]["cause"] == "error" and "503" in conv["handoff"]["reason"]


def test_a_silent_agent_times_out_into_pending_and_is_told(agent_api, admin_api, receiver, webhook_inbox):
    admin_api.patch(f"/inboxes/{webhook_inbox.pk}", {"settings": {"ai_window_seconds": 1}})
    conv_id = customer_says(webhook_inbox.pk, "hola")["conversation_id"]
    run_jobs()
    assert conversation(agent_api, conv_id)["state"] == "with_ai"
    with later(1.2):
        run_jobs()
        # The agent accepted the turn but never answered: pending, and it hears its turn is over.
        assert conversation(agent_api, conv_id)["state"] == "pending"
    assert [r["json"]["type"] for r in receiver.requests] == ["turn.started", "turn.ended"]
    assert receiver.requests[-1]["json"]["reason"] == "window_ended"
