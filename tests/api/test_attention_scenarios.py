"""DESIGN.md section 2, driven only through the REST API, with short AI windows."""

from mostrador.inbox.models import ConversationEvent, EventKind
from tests.conftest import customer_says, later


def state(api, conv_id):
    return api.get(f"/conversations/{conv_id}").json_body["state"]


def test_customer_message_with_ai_off_is_pending_at_once(agent_api, inbox):
    out = customer_says(inbox.pk, "Hola, ¿tienen pastillas de freno?")
    conv = out["conversation"]
    assert conv["state"] == "pending"
    assert conv["waiting_since"] is not None
    listed = agent_api.get("/conversations", state="pending").json_body["items"]
    assert [c["id"] for c in listed] == [conv["id"]]
    assert listed[0]["last_message"]["text"] == "Hola, ¿tienen pastillas de freno?"


def test_agent_reply_leaves_pending_and_customer_starts_a_new_wait(agent_api, inbox):
    conv_id = customer_says(inbox.pk, "hola")["conversation_id"]
    sent = agent_api.post(f"/conversations/{conv_id}/messages", {"text": "¡Hola! ¿En qué te ayudo?"})
    assert sent.status_code == 201
    assert sent.json_body["author_kind"] == "agent" and sent.json_body["direction"] == "out"
    assert state(agent_api, conv_id) == "awaiting_customer"
    assert agent_api.get("/conversations", state="pending").json_body["items"] == []
    customer_says(inbox.pk, "quiero cotizar")
    assert state(agent_api, conv_id) == "pending"


def test_ai_window_runs_out_to_the_second(agent_api, bot_api, ai_inbox):
    conv = customer_says(ai_inbox.pk, "Quiero un espejo para Mazda 3")["conversation"]
    assert conv["state"] == "with_ai"
    waiting_since = conv["waiting_since"]
    bot_reply = bot_api.post(f"/conversations/{conv['id']}/messages", {"text": "¿Me das la patente?"})
    assert bot_reply.json_body["author_kind"] == "ai"
    # An AI reply neither ends the wait nor stretches the window.
    after_ai = agent_api.get(f"/conversations/{conv['id']}").json_body
    assert after_ai["state"] == "with_ai" and after_ai["waiting_since"] == waiting_since
    assert [c["id"] for c in agent_api.get("/conversations", state="with_ai").json_body["items"]] == [conv["id"]]
    with later(2.05):
        after = agent_api.get(f"/conversations/{conv['id']}").json_body
    assert after["state"] == "pending"
    assert after["waiting_since"] == waiting_since


def test_handoff_is_pending_at_once_and_keeps_the_wait(agent_api, bot_api, ai_inbox):
    conv = customer_says(ai_inbox.pk, "necesito un repuesto")["conversation"]
    response = bot_api.post(f"/conversations/{conv['id']}/handoff", {"reason": "pide precio especial"})
    assert response.status_code == 200
    assert response.json_body["state"] == "pending"
    assert response.json_body["waiting_since"] == conv["waiting_since"]
    event = ConversationEvent.objects.get(conversation_id=conv["id"], kind=EventKind.HANDOFF)
    assert event.data["reason"] == "pide precio especial"
    assert (event.from_state, event.to_state) == ("with_ai", "pending")


def test_people_cannot_hand_off(agent_api, ai_inbox):
    conv_id = customer_says(ai_inbox.pk, "hola")["conversation_id"]
    # Programs read the API: a refusal's detail is English whatever language the request asks.
    agent_api.headers["HTTP_ACCEPT_LANGUAGE"] = "es"
    response = agent_api.post(f"/conversations/{conv_id}/handoff", {"reason": "x"})
    assert response.status_code == 403 and response.json_body == {
        "detail": "Hand-off is how an AI agent gives the turn to people.", "code": "bot_only",
    }


def test_resolve_survey_and_customer_reopens(agent_api, inbox):
    conv_id = customer_says(inbox.pk, "hola")["conversation_id"]
    assert agent_api.post(f"/conversations/{conv_id}/resolve").json_body["state"] == "resolved"
    assert agent_api.get("/conversations", state="resolved").json_body["items"][0]["id"] == conv_id
    customer_says(inbox.pk, "gracias")
    assert state(agent_api, conv_id) == "pending"


def test_ai_message_never_reopens_and_never_ends_a_wait(agent_api, bot_api, inbox):
    conv_id = customer_says(inbox.pk, "hola")["conversation_id"]
    agent_api.post(f"/conversations/{conv_id}/resolve")
    bot_api.post(f"/conversations/{conv_id}/messages", {"text": "¿Algo más?"})
    assert state(agent_api, conv_id) == "resolved"


def test_ai_speaking_first_leaves_the_chat_needing_a_person(agent_api, bot_api, inbox):
    conv_id = customer_says(inbox.pk, "hola")["conversation_id"]
    agent_api.post(f"/conversations/{conv_id}/messages", {"text": "hola!"})
    assert state(agent_api, conv_id) == "awaiting_customer"
    bot_api.post(f"/conversations/{conv_id}/messages", {"text": "¿Te ayudo con algo más?"})
    assert state(agent_api, conv_id) == "pending"


def test_manual_reopen_needs_work_now(agent_api, ai_inbox):
    conv_id = customer_says(ai_inbox.pk, "hola")["conversation_id"]
    agent_api.post(f"/conversations/{conv_id}/resolve")
    reopened = agent_api.post(f"/conversations/{conv_id}/reopen").json_body
    # Reopened by a person: pending at once, the AI does not get the turn back.
    assert reopened["state"] == "pending"
    assert agent_api.post(f"/conversations/{conv_id}/reopen").status_code == 409


def test_ai_toggle_while_waiting(agent_api, inbox):
    conv_id = customer_says(inbox.pk, "hola")["conversation_id"]
    on = agent_api.post(f"/conversations/{conv_id}/ai", {"enabled": True}).json_body
    assert on["ai_enabled"] and on["state"] == "with_ai"
    off = agent_api.post(f"/conversations/{conv_id}/ai", {"enabled": False}).json_body
    assert not off["ai_enabled"] and off["state"] == "pending"


def test_system_messages_change_nothing(agent_api, inbox):
    from mostrador.inbox import actions
    from mostrador.inbox.models import Conversation

    conv_id = customer_says(inbox.pk, "hola")["conversation_id"]
    agent_api.post(f"/conversations/{conv_id}/resolve")
    conv = Conversation.objects.get(pk=conv_id)
    actions.send_message(conv, actions.Actor.system(), actions.OutboundContent(text="¿Cómo te atendimos?"))
    assert state(agent_api, conv_id) == "resolved"


def test_notes_and_reading_never_change_state(agent_api, inbox):
    conv_id = customer_says(inbox.pk, "hola")["conversation_id"]
    assert agent_api.get(f"/conversations/{conv_id}/messages").status_code == 200
    note = agent_api.post(f"/conversations/{conv_id}/notes", {"text": "cliente frecuente"})
    assert note.status_code == 201
    assert state(agent_api, conv_id) == "pending"
    assert [n["text"] for n in agent_api.get(f"/conversations/{conv_id}/notes").json_body["items"]] == ["cliente frecuente"]


def test_ai_cannot_resolve_unless_the_inbox_allows(admin_api, bot_api, agent_api, inbox):
    conv_id = customer_says(inbox.pk, "hola")["conversation_id"]
    refused = bot_api.post(f"/conversations/{conv_id}/resolve")
    assert refused.status_code == 403 and refused.json_body["code"] == "ai_cannot_resolve"
    admin_api.patch(f"/inboxes/{inbox.pk}", {"settings": {"ai_can_resolve": True}})
    assert bot_api.post(f"/conversations/{conv_id}/resolve").json_body["state"] == "resolved"


def test_every_change_writes_an_event_row(agent_api, inbox, agent):
    conv_id = customer_says(inbox.pk, "hola")["conversation_id"]
    agent_api.post(f"/conversations/{conv_id}/messages", {"text": "hola"})
    agent_api.post(f"/conversations/{conv_id}/resolve")
    agent_api.post(f"/conversations/{conv_id}/reopen")
    agent_api.post(f"/conversations/{conv_id}/assign", {"user_id": agent.pk})
    agent_api.post(f"/conversations/{conv_id}/tags", {"tags": ["frenos"]})
    rows = list(ConversationEvent.objects.filter(conversation_id=conv_id).order_by("id"))
    # Cases keep their own rows beside these (opened with the first message, closed on resolve,
    # opened again on reopen).
    assert [e.kind for e in rows if e.kind.startswith("case_")] == ["case_opened", "case_closed", "case_opened"]
    events = [e for e in rows if not e.kind.startswith("case_")]
    assert [(e.kind, e.from_state, e.to_state) for e in events] == [
        ("message", "awaiting_customer", "pending"),
        ("message", "pending", "awaiting_customer"),
        ("resolved", "awaiting_customer", "resolved"),
        ("reopened", "resolved", "pending"),
        ("assigned", "pending", "pending"),
        ("tagged", "pending", "pending"),
    ]
    assert events[2].actor == agent and events[0].actor_kind == "customer"
