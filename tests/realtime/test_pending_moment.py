"""The moment a chat becomes pending is a real event: a durable timer records it and tells browsers."""

import pytest

from mostrador.inbox.models import ConversationEvent, EventKind, Message
from mostrador.jobs.runner import run_due_jobs
from tests.conftest import customer_says, later


@pytest.mark.django_db(transaction=True)
def test_ai_window_end_is_recorded_and_published(agent_api, ai_inbox, published):
    conv_id = customer_says(ai_inbox.pk, "hola")["conversation_id"]
    first = published()
    assert {e["type"] for e in first} == {"conversation.changed", "message.created"}
    assert any(e["type"] == "conversation.changed" and e["state"] == "with_ai" for e in first)
    run_due_jobs()
    assert not ConversationEvent.objects.filter(kind=EventKind.AI_WINDOW_ENDED).exists()  # not due yet
    with later(2.05):
        run_due_jobs()
    event = ConversationEvent.objects.get(conversation_id=conv_id, kind=EventKind.AI_WINDOW_ENDED)
    assert (event.from_state, event.to_state) == ("with_ai", "pending")
    assert {"type": "conversation.changed", "conversation_id": conv_id, "inbox_id": ai_inbox.pk, "state": "pending", "reason": "ai_window_ended"} in published()


@pytest.mark.django_db(transaction=True)
def test_a_stale_timer_changes_nothing_after_a_person_answers(agent_api, ai_inbox):
    conv_id = customer_says(ai_inbox.pk, "hola")["conversation_id"]
    agent_api.post(f"/conversations/{conv_id}/messages", {"text": "¡Hola! Te atiendo yo."})
    with later(2.05):
        run_due_jobs()
    assert not ConversationEvent.objects.filter(kind=EventKind.AI_WINDOW_ENDED).exists()
    assert agent_api.get(f"/conversations/{conv_id}").json_body["state"] == "awaiting_customer"


@pytest.mark.django_db(transaction=True)
def test_outbound_messages_are_delivered_by_a_durable_job(agent_api, inbox, published):
    conv_id = customer_says(inbox.pk, "hola")["conversation_id"]
    sent = agent_api.post(f"/conversations/{conv_id}/messages", {"text": "hola"}).json_body
    assert sent["status"] == "queued"
    run_due_jobs()
    assert Message.objects.get(pk=sent["id"]).status == "sent"
    assert any(e["type"] == "message.updated" and e["status"] == "sent" for e in published())
    run_due_jobs()  # running again never sends twice
    assert Message.objects.get(pk=sent["id"]).status == "sent"


@pytest.mark.django_db(transaction=True)
def test_nothing_is_published_when_the_transaction_rolls_back(inbox, published):
    from django.db import transaction

    from mostrador.inbox import actions

    published()
    with pytest.raises(RuntimeError):
        with transaction.atomic():
            actions.receive_customer_message(inbox, actions.InboundMessage(contact_external_id="z", text="hola"))
            raise RuntimeError("boom")
    assert published() == []
    assert Message.objects.count() == 0
