"""CSAT and NPS: sent as a system message when a case closes; an answer is stored on the case and
never reopens the chat; anything else reopens it as usual."""

from __future__ import annotations

import copy
import time

import pytest

from mostrador.inbox.actions.inboxes import create_inbox, update_inbox
from tests.conftest import customer_says, integration_api
from tests.whatsapp.conftest import fixture, graph, post_webhook, run_jobs, wa_inbox  # noqa: F401 (fixtures)

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def surveyed(agent):
    box = create_inbox("Encuestas", "api", {"csat_enabled": True})
    box.members.add(agent)
    return box


def closed_case(api, conv_id):
    return api.get("/cases", conversation_id=conv_id, state="closed").json_body["items"][0]


def answered_and_resolved(api, inbox_id, who="cliente-1"):
    conv_id = customer_says(inbox_id, "hola", who=who)["conversation_id"]
    api.post(f"/conversations/{conv_id}/messages", {"text": "¡Hola! Listo, te lo envío hoy."})
    api.post(f"/conversations/{conv_id}/resolve")
    return conv_id


def test_a_csat_answer_is_stored_and_does_not_reopen(agent_api, surveyed):
    conv_id = answered_and_resolved(agent_api, surveyed.pk)
    survey = agent_api.get(f"/conversations/{conv_id}/messages").json_body["items"][-1]
    assert survey["author_kind"] == "system" and "1" in survey["text"] and "5" in survey["text"]
    answer = customer_says(surveyed.pk, " 5 ")
    assert answer["conversation"]["state"] == "resolved"
    assert closed_case(agent_api, conv_id)["csat"] == 5
    # A comment after the score is kept with it, and reopens the chat as any message does.
    again = customer_says(surveyed.pk, "Muy rápidos, gracias")
    assert again["conversation"]["state"] == "pending"
    case = closed_case(agent_api, conv_id)
    assert case["csat"] == 5 and case["survey_comment"] == "Muy rápidos, gracias"
    summary = agent_api.get("/reports/summary").json_body
    assert summary["csat"] == {"responses": 1, "avg": 5.0, "satisfied_share": 1.0}


def test_a_number_out_of_range_is_a_normal_message(agent_api, surveyed):
    conv_id = answered_and_resolved(agent_api, surveyed.pk)
    out = customer_says(surveyed.pk, "7")
    assert out["conversation"]["state"] == "pending"
    assert closed_case(agent_api, conv_id)["csat"] is None


def test_no_survey_twice_nor_after_a_chat_nobody_answered(agent_api, surveyed):
    conv_id = customer_says(surveyed.pk, "hola")["conversation_id"]
    agent_api.post(f"/conversations/{conv_id}/resolve")  # nobody answered this case
    assert [m["author_kind"] for m in agent_api.get(f"/conversations/{conv_id}/messages").json_body["items"]] == ["customer"]
    agent_api.post(f"/conversations/{conv_id}/resolve")
    assert len(agent_api.get(f"/conversations/{conv_id}/messages").json_body["items"]) == 1


def test_nps_is_scored_from_promoters_and_detractors(agent_api, admin_api, surveyed):
    admin_api.patch(f"/inboxes/{surveyed.pk}", {"settings": {"csat_enabled": False, "nps_enabled": True}})
    for who, score in (("a", "10"), ("b", "9"), ("c", "3"), ("d", "7")):
        answered_and_resolved(agent_api, surveyed.pk, who=who)
        assert customer_says(surveyed.pk, score, who=who)["conversation"]["state"] == "resolved"
    assert agent_api.get("/reports/summary").json_body["nps"] == {"responses": 4, "score": 25.0}


def test_whatsapp_offers_the_scale_as_a_list_and_a_tap_is_the_answer(agent_api, wa_inbox, graph):
    update_inbox(wa_inbox, raw_settings={"csat_enabled": True})
    note = copy.deepcopy(fixture("text"))
    note["entry"][0]["changes"][0]["value"]["messages"][0]["timestamp"] = str(int(time.time()))
    assert post_webhook(note).status_code == 200
    run_jobs()
    conv_id = agent_api.get("/conversations", state="pending").json_body["items"][0]["id"]
    agent_api.post(f"/conversations/{conv_id}/messages", {"text": "Listo"})
    agent_api.post(f"/conversations/{conv_id}/resolve")
    run_jobs()
    survey = [r["json"] for r in graph.requests if r["json"] and r["json"].get("type") == "interactive"][-1]
    rows = survey["interactive"]["action"]["sections"][0]["rows"]
    assert [r["id"] for r in rows] == [f"csat:{n}" for n in range(1, 6)]
    tap = copy.deepcopy(fixture("button_reply"))
    message = tap["entry"][0]["changes"][0]["value"]["messages"][0]
    message.update(id="wamid.CSAT4", timestamp=str(int(time.time())), type="interactive")
    message["interactive"] = {"type": "list_reply", "list_reply": {"id": "csat:4", "title": "4 · Buena"}}
    message.pop("context", None)
    assert post_webhook(tap).status_code == 200
    run_jobs()
    assert agent_api.get(f"/conversations/{conv_id}").json_body["state"] == "resolved"
    assert closed_case(agent_api, conv_id)["csat"] == 4


@pytest.mark.parametrize(("language", "expected"), [("en", "How would you rate"), ("en-GB", "How would you rate"),
                                                    ("pt-BR", "¿Cómo calificarías"), ("", "¿Cómo calificarías")])
def test_the_survey_speaks_the_contacts_language(agent_api, surveyed, language, expected):
    body = {"contact": {"external_id": "c-lang", "name": "Ana", "language": language}, "text": "hola"}
    conv_id = integration_api(surveyed.pk).post(f"/inboxes/{surveyed.pk}/messages", body).json_body["conversation_id"]
    agent_api.post(f"/conversations/{conv_id}/messages", {"text": "Listo"})
    agent_api.post(f"/conversations/{conv_id}/resolve")
    survey = agent_api.get(f"/conversations/{conv_id}/messages").json_body["items"][-1]
    assert survey["author_kind"] == "system" and expected in survey["text"]


def test_a_language_tag_that_is_not_one_is_refused(agent_api, surveyed):
    body = {"contact": {"external_id": "c-bad", "language": "<script>"}, "text": "hola"}
    assert agent_api.post(f"/inboxes/{surveyed.pk}/messages", body).status_code == 422


@pytest.mark.parametrize(("text", "score", "comment"), [
    ("5, muy amables", 5, "muy amables"), ("4/5 - tardaron un poco", 4, "tardaron un poco"), ("3", 3, ""), ("5!", 5, ""),
])
def test_a_score_with_its_reason_in_one_message_is_the_answer(agent_api, surveyed, text, score, comment):
    conv_id = answered_and_resolved(agent_api, surveyed.pk)
    assert customer_says(surveyed.pk, text)["conversation"]["state"] == "resolved"
    case = closed_case(agent_api, conv_id)
    assert (case["csat"], case["survey_comment"] or "") == (score, comment)


def test_a_message_long_after_the_score_is_a_new_question_not_its_reason(agent_api, surveyed):
    from datetime import timedelta

    import time_machine
    from django.utils import timezone

    with time_machine.travel(timezone.now(), tick=False) as clock:
        conv_id = answered_and_resolved(agent_api, surveyed.pk)
        customer_says(surveyed.pk, "5")
        clock.shift(timedelta(minutes=11))
        assert customer_says(surveyed.pk, "Otra consulta: ¿y el foco?")["conversation"]["state"] == "pending"
    case = closed_case(agent_api, conv_id)
    assert case["csat"] == 5 and case["survey_comment"] is None
