"""The LLM agent against a fake OpenAI-compatible server on loopback: the wire format, tool calls,
and failures that must hand off instead of stranding the customer."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from mostrador.inbox.models import Inbox
from tests.conftest import customer_says

from .conftest import ai_texts, conversation, run_jobs
from .fakes import completion

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_agent_replies_with_the_prompt_history_and_fields(agent_api, llm, llm_inbox):
    llm.script = [completion("¡Hola Cliente-1! ¿Qué repuesto buscas?")]
    conv_id = customer_says(llm_inbox.pk, "hola, necesito un foco")["conversation_id"]
    run_jobs()
    assert ai_texts(agent_api, conv_id) == ["¡Hola Cliente-1! ¿Qué repuesto buscas?"]
    message = agent_api.get(f"/conversations/{conv_id}/messages").json_body["items"][-1]
    assert message["author_kind"] == "ai" and message["status"] in ("queued", "sent")
    # Still the AI's turn: an AI reply never ends the customer's wait.
    assert conversation(agent_api, conv_id)["state"] == "with_ai"

    request = llm.requests[0]
    assert request["path"] == "/v1/chat/completions"
    assert request["headers"]["Authorization"] == "Bearer sk-test-123"
    body = request["json"]
    assert body["model"] == "gpt-test"
    assert body["messages"][0]["role"] == "system"
    assert body["messages"][0]["content"].startswith("Eres el asistente de Repuestos Ñuñoa.")
    assert body["messages"][-1] == {"role": "user", "content": "hola, necesito un foco"}
    names = {t["function"]["name"] for t in body["tools"]}
    assert names == {"handoff_to_human", "set_field", "add_tag"}  # resolve only where allowed


def test_tool_calls_take_effect_and_the_summary_reaches_the_seller(agent_api, llm, llm_inbox):
    llm.script = [
        completion(tool_calls=[("set_field", {"name": "patente", "value": "BCDF12"}), ("add_tag", {"tag": "foco"})]),
        completion(tool_calls=[("handoff_to_human", {"reason": "Pide descuento por volumen",
                                                      "summary": "Quiere 10 focos traseros para una flota."})]),
    ]
    conv_id = customer_says(llm_inbox.pk, "quiero 10 focos para mi flota, patente BCDF12")["conversation_id"]
    run_jobs()
    conv = conversation(agent_api, conv_id)
    assert conv["fields"] == {"patente": "BCDF12"}
    assert conv["tags"] == ["foco"]
    assert conv["state"] == "pending"
    assert conv["handoff"]["reason"] == "Pide descuento por volumen"
    assert conv["handoff"]["wants"] == "Quiere 10 focos traseros para una flota."
    assert conv["handoff"]["fields"] == {"patente": "BCDF12"}
    # The second call carried the tool results back, answering each call by its id.
    second = llm.requests[1]["json"]["messages"]
    assert [m["tool_call_id"] for m in second if m["role"] == "tool"] == ["call_0", "call_1"]


def test_resolve_is_offered_and_works_only_where_the_inbox_allows(agent_api, admin_api, llm, llm_inbox):
    admin_api.patch(f"/inboxes/{llm_inbox.pk}", {"settings": {"ai_can_resolve": True}})
    llm.script = [completion("¡De nada!", tool_calls=[("resolve", {})])]
    conv_id = customer_says(llm_inbox.pk, "eso era todo, gracias")["conversation_id"]
    run_jobs()
    assert "resolve" in {t["function"]["name"] for t in llm.requests[0]["json"]["tools"]}
    assert conversation(agent_api, conv_id)["state"] == "resolved"


@pytest.mark.parametrize(
    "script, cause",
    [
        ([(500, {"error": {"message": "overloaded"}})] * 3, "error"),
        ([("sleep", 3, completion("tarde"))] * 2, "timeout"),
        ([completion("")], "empty"),
        ([{"unexpected": True}], "error"),
    ],
)
def test_a_failing_agent_hands_off_with_the_reason(agent_api, llm, llm_inbox, script, cause):
    llm.script = list(script)
    conv_id = customer_says(llm_inbox.pk, "hola")["conversation_id"]
    run_jobs()
    for seconds in (1, 3):  # a 5xx is tried again after 0.5 s and 1 s, as jobs of their own
        with time_machine.travel(timezone.now() + timedelta(seconds=seconds), tick=True):
            run_jobs()
    conv = conversation(agent_api, conv_id)
    assert conv["state"] == "pending"
    assert conv["handoff"]["cause"] == cause
    assert conv["handoff"]["reason"]
    assert ai_texts(agent_api, conv_id) == []


def test_a_rate_limit_is_retried_as_a_later_job(agent_api, llm, llm_inbox):
    llm.script = [(429, {"error": {"message": "Rate limit reached"}}), completion("Hola, ¿en qué te ayudo?")]
    conv_id = customer_says(llm_inbox.pk, "hola")["conversation_id"]
    run_jobs()
    # The agents' lane is not held by a sleep: the turn waits as a job of its own.
    assert ai_texts(agent_api, conv_id) == [] and len(llm.requests) == 1
    with time_machine.travel(timezone.now() + timedelta(seconds=1), tick=True):
        run_jobs()
    assert ai_texts(agent_api, conv_id) == ["Hola, ¿en qué te ayudo?"]


def test_the_ai_never_speaks_after_a_person_took_the_turn(agent_api, admin_api, bot_api, llm, llm_inbox):
    # With `next_wait` the AI gets the customer's next wait (the default keeps it quiet all case).
    admin_api.patch(f"/inboxes/{llm_inbox.pk}", {"settings": {"ai_after_person": "next_wait"}})
    llm.default = completion("Respuesta tardía de la IA")
    conv_id = customer_says(llm_inbox.pk, "hola")["conversation_id"]
    # A seller answers before the AI's job runs.
    agent_api.post(f"/conversations/{conv_id}/messages", {"text": "Hola, te atiendo yo"})
    run_jobs()
    assert ai_texts(agent_api, conv_id) == []
    refused = bot_api.post(f"/conversations/{conv_id}/messages", {"text": "¿Te ayudo?"})
    assert refused.status_code == 409 and refused.json_body["code"] == "not_ai_turn"
    # The customer starts a new wait: the AI has its turn again.
    customer_says(llm_inbox.pk, "¿tienen stock?")
    run_jobs()
    assert ai_texts(agent_api, conv_id) == ["Respuesta tardía de la IA"]


def test_by_default_the_ai_yields_to_people_for_the_rest_of_the_case(agent_api, bot_api, llm, llm_inbox):
    llm.default = completion("¡Hola! Soy el asistente.")
    conv_id = customer_says(llm_inbox.pk, "hola")["conversation_id"]
    run_jobs()
    agent_api.post(f"/conversations/{conv_id}/messages", {"text": "Te cotizo: $25.000"})
    # "Sí, resérvalo": the seller's sale goes on, the bot does not greet again.
    conv = customer_says(llm_inbox.pk, "Sí, resérvalo")["conversation"]
    run_jobs()
    assert conv["state"] == "pending" and conv["ai_enabled"] is False
    assert ai_texts(agent_api, conv_id) == ["¡Hola! Soy el asistente."]
    refused = bot_api.post(f"/conversations/{conv_id}/messages", {"text": "¿Algo más?"})
    assert refused.status_code == 409 and refused.json_body["code"] == "not_ai_turn"
    # The case ends; the customer's next case starts with the inbox's AI on again.
    agent_api.post(f"/conversations/{conv_id}/resolve")
    conv = customer_says(llm_inbox.pk, "Hola de nuevo")["conversation"]
    assert conv["state"] == "with_ai" and conv["ai_enabled"] is True


def test_ai_and_automation_messages_never_start_an_ai_turn(agent_api, bot_api, llm, llm_inbox):
    llm.default = completion("eco")
    conv_id = customer_says(llm_inbox.pk, "hola")["conversation_id"]
    run_jobs()
    assert len(llm.requests) == 1
    assert bot_api.post(f"/conversations/{conv_id}/messages", {"text": "otro mensaje de la IA"}).status_code == 201
    run_jobs()
    assert len(llm.requests) == 1


def test_the_api_key_is_write_only_and_stored_encrypted(admin_api, llm_inbox):
    shown = admin_api.get(f"/inboxes/{llm_inbox.pk}").json_body
    assert "sk-test-123" not in str(shown)
    assert "ai_api_key" in shown["secrets_set"]
    stored = Inbox.objects.get(pk=llm_inbox.pk).secrets["ai_api_key"]
    assert stored != "sk-test-123" and "sk-test" not in stored
    assert Inbox.objects.get(pk=llm_inbox.pk).secret("ai_api_key") == "sk-test-123"


def test_bad_agent_settings_are_refused_whole(admin_api, llm_inbox):
    bad = admin_api.patch(f"/inboxes/{llm_inbox.pk}", {"settings": {"ai_agent": {"kind": "llm", "model": "x"}}})
    assert bad.status_code == 422 and "base_url" in bad.json_body["detail"]
    bad = admin_api.patch(f"/inboxes/{llm_inbox.pk}", {"settings": {"ai_agent": {
        "kind": "routes", "routes": [{"key": "a", "title": "A", "questions": [{"field": "x", "prompt": "?", "validate": "dni"}]}]}}})
    assert bad.status_code == 422 and "validate" in bad.json_body["detail"]
    assert admin_api.get(f"/inboxes/{llm_inbox.pk}").json_body["settings"]["ai_agent"]["kind"] == "llm"
