"""Cases through the REST API with a controlled clock: they open with the customer's first
message, close on resolve or on the customer's silence after a person had the last word, and
measure themselves as things happen (DESIGN.md section 3)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
import time_machine

from mostrador.inbox.actions.inboxes import create_inbox
from mostrador.jobs.runner import run_due_jobs
from tests.conftest import customer_says

T0 = datetime(2026, 3, 2, 13, 0, tzinfo=timezone.utc)  # 10:00 in Santiago

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def clock():
    with time_machine.travel(T0, tick=False) as traveller:
        yield traveller


@pytest.fixture
def shop(agent):
    box = create_inbox("Tienda", "api", {"wait_target_seconds": 60, "case_close_after_seconds": 120})
    box.members.add(agent)
    return box


@pytest.fixture
def ai_shop(agent):
    box = create_inbox("Con IA", "api", {"ai_enabled": True, "ai_window_seconds": 300, "case_close_after_seconds": 120})
    box.members.add(agent)
    return box


def later(clock, seconds: float) -> None:
    clock.shift(timedelta(seconds=seconds))


def cases_of(api, conv_id: int) -> list[dict]:
    return api.get("/cases", conversation_id=conv_id).json_body["items"]


def test_a_person_answers_and_resolves_with_a_reason(clock, agent_api, shop):
    conv_id = customer_says(shop.pk, "¿Tienen pastillas de freno?")["conversation_id"]
    [case] = cases_of(agent_api, conv_id)
    assert case["state"] == "open" and case["opened_at"] == T0.isoformat()
    later(clock, 90)
    agent_api.post(f"/conversations/{conv_id}/messages", {"text": "Sí, para qué auto?"})
    later(clock, 30)
    customer_says(shop.pk, "Yaris 2018")
    later(clock, 45)
    agent_api.post(f"/conversations/{conv_id}/messages", {"text": "Quedan dos, $25.000"})
    later(clock, 10)
    resolved = agent_api.post(f"/conversations/{conv_id}/resolve", {"reason": "cotización"})
    assert resolved.status_code == 200
    [case] = cases_of(agent_api, conv_id)
    assert case["state"] == "closed" and case["close_reason"] == "resolved" and case["reason"] == "cotización"
    assert case["first_response_seconds"] == 90 and case["first_human_response_seconds"] == 90
    assert case["queue_seconds"] == 90 + 45  # pending in both waits, until the person answered
    assert case["end_to_end_seconds"] == 120  # to the customer's last message
    assert case["interactions"] == 3  # customer → us → customer → us
    assert case["handled_by"] == "people" and case["closed_by_id"] is not None
    summary = agent_api.get("/reports/summary").json_body
    assert summary["cases_closed"] == 1
    assert summary["response_time_people"] == {"count": 2, "avg": 67.5, "p50": 45, "p90": 90}
    assert summary["customer_response_time"]["count"] == 1 and summary["customer_response_time"]["p50"] == 30
    # Resolving again changes nothing.
    agent_api.post(f"/conversations/{conv_id}/resolve")
    assert cases_of(agent_api, conv_id)[0]["closed_at"] == case["closed_at"]


def test_the_ai_answers_then_hands_off(clock, agent_api, bot_api, ai_shop):
    conv_id = customer_says(ai_shop.pk, "Necesito un espejo")["conversation_id"]
    later(clock, 20)
    bot_api.post(f"/conversations/{conv_id}/messages", {"text": "¿Patente?"})
    later(clock, 40)
    bot_api.post(f"/conversations/{conv_id}/handoff", {"reason": "pide precio"})
    later(clock, 100)
    agent_api.post(f"/conversations/{conv_id}/messages", {"text": "Hola, te cotizo"})
    [case] = cases_of(agent_api, conv_id)
    assert case["first_response_seconds"] == 20 and case["first_human_response_seconds"] == 160
    assert case["queue_seconds"] == 100  # pending from the hand-off to the person's answer
    assert case["handled_by"] == "ai_then_people"
    later(clock, 5)
    agent_api.post(f"/conversations/{conv_id}/resolve")
    summary = agent_api.get("/reports/summary").json_body
    assert summary["response_time_ai"]["p50"] == 20 and summary["response_time_people"]["p50"] == 160
    assert summary["handled_by"] == {"ai": 0, "ai_then_people": 1, "people": 0}


def test_the_ai_window_runs_out_before_a_person_answers(clock, agent_api, ai_shop):
    conv_id = customer_says(ai_shop.pk, "hola")["conversation_id"]
    later(clock, 300)
    run_due_jobs()  # the window's end is recorded: pending from 10:05
    later(clock, 60)
    agent_api.post(f"/conversations/{conv_id}/messages", {"text": "Perdón la demora"})
    [case] = cases_of(agent_api, conv_id)
    assert case["queue_seconds"] == 60 and case["first_human_response_seconds"] == 360


def test_silence_after_a_person_answered_closes_the_case_and_a_new_message_opens_another(clock, agent_api, shop):
    conv_id = customer_says(shop.pk, "hola")["conversation_id"]
    later(clock, 10)
    agent_api.post(f"/conversations/{conv_id}/messages", {"text": "¡Hola! ¿En qué te ayudo?"})
    later(clock, 119)
    run_due_jobs()
    assert cases_of(agent_api, conv_id)[0]["state"] == "open"  # one second early
    later(clock, 1)
    run_due_jobs()
    [case] = cases_of(agent_api, conv_id)
    assert case["state"] == "closed" and case["close_reason"] == "inactivity" and case["closed_by_id"] is None
    assert agent_api.get(f"/conversations/{conv_id}").json_body["state"] == "resolved"
    later(clock, 600)
    customer_says(shop.pk, "otra consulta")
    newest, oldest = cases_of(agent_api, conv_id)
    assert newest["state"] == "open" and oldest["id"] == case["id"] and newest["opened_at"] == (T0 + timedelta(seconds=730)).isoformat()


def test_an_unanswered_customer_is_never_closed(clock, agent_api, bot_api, shop):
    conv_id = customer_says(shop.pk, "¿hay alguien?")["conversation_id"]
    bot_api.post(f"/conversations/{conv_id}/messages", {"text": "Un vendedor te responderá pronto"})
    later(clock, 3600)
    run_due_jobs()
    [case] = cases_of(agent_api, conv_id)
    assert case["state"] == "open"
    assert agent_api.get(f"/conversations/{conv_id}").json_body["state"] == "pending"


def test_a_reply_before_the_silence_ends_moves_the_close(clock, agent_api, shop):
    conv_id = customer_says(shop.pk, "hola")["conversation_id"]
    agent_api.post(f"/conversations/{conv_id}/messages", {"text": "Hola"})
    later(clock, 100)
    customer_says(shop.pk, "una pregunta más")
    later(clock, 30)
    run_due_jobs()  # the first timer is stale: the customer wrote again, and waits
    assert cases_of(agent_api, conv_id)[0]["state"] == "open"
    agent_api.post(f"/conversations/{conv_id}/messages", {"text": "Dime"})
    later(clock, 121)
    run_due_jobs()
    assert cases_of(agent_api, conv_id)[0]["close_reason"] == "inactivity"


def test_left_on_read_when_a_person_opened_and_nobody_answered(clock, agent_api, shop):
    conv_id = customer_says(shop.pk, "¿me ayudan?")["conversation_id"]
    assert agent_api.post(f"/conversations/{conv_id}/seen").status_code == 200
    later(clock, 61)
    run_due_jobs()
    assert cases_of(agent_api, conv_id)[0]["left_on_read"] == 1
    other = customer_says(shop.pk, "hola", who="otro")["conversation_id"]
    agent_api.post(f"/conversations/{other}/seen")
    later(clock, 30)
    agent_api.post(f"/conversations/{other}/messages", {"text": "Hola, dime"})
    later(clock, 31)
    run_due_jobs()
    assert cases_of(agent_api, other)[0]["left_on_read"] == 0


def test_old_send_times_never_make_negative_durations(clock, agent_api, shop):
    conv_id = customer_says(shop.pk, "hola", sent_at=(T0 - timedelta(hours=2)).isoformat())["conversation_id"]
    agent_api.post(f"/conversations/{conv_id}/messages", {"text": "hola"})
    customer_says(shop.pk, "escrito antes", external_id="m-old", sent_at=(T0 - timedelta(hours=3)).isoformat())
    agent_api.post(f"/conversations/{conv_id}/resolve")
    [case] = cases_of(agent_api, conv_id)
    for key in ("first_response_seconds", "first_human_response_seconds", "queue_seconds", "end_to_end_seconds"):
        assert case[key] is None or case[key] >= 0, key


def test_cases_obey_what_the_user_may_see(agent_api, outsider_api, shop):
    conv_id = customer_says(shop.pk, "hola")["conversation_id"]
    [case] = cases_of(agent_api, conv_id)
    assert outsider_api.get("/cases").json_body["items"] == []
    assert outsider_api.get(f"/cases/{case['id']}").status_code == 404
    assert agent_api.get(f"/cases/{case['id']}").json_body["id"] == case["id"]
