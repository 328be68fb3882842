"""`mostrador cases backfill` builds, from the history alone, the cases the live hooks built."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.core.management import call_command

from mostrador.cases.models import Case
from mostrador.inbox.actions.inboxes import create_inbox
from mostrador.jobs.runner import run_due_jobs
from tests.cases.test_case_lifecycle import T0
from tests.conftest import customer_says

pytestmark = pytest.mark.django_db(transaction=True)

COMPARED = ("id", "state", "opened_at", "closed_at", "close_reason", "reason", "handled_by", "first_response_seconds",
            "first_human_response_seconds", "queue_seconds", "end_to_end_seconds", "interactions", "transfers", "left_on_read")


def snapshot(api):
    items = api.get("/cases", limit=500).json_body["items"]
    return sorted(({k: c[k] for k in COMPARED if k != "id"} | {"conversation_id": c["conversation_id"]} for c in items),
                  key=lambda c: (c["conversation_id"], c["opened_at"]))


def test_backfill_rebuilds_the_same_cases_and_is_idempotent(agent_api, bot_api, agent):
    shop = create_inbox("Tienda", "api", {"case_close_after_seconds": 120, "wait_target_seconds": 60})
    ai = create_inbox("IA", "api", {"ai_enabled": True, "ai_window_seconds": 60})
    shop.members.add(agent)
    ai.members.add(agent)
    with time_machine.travel(T0, tick=False) as clock:
        a = customer_says(shop.pk, "hola", who="a")["conversation_id"]
        clock.shift(timedelta(seconds=30))
        agent_api.post(f"/conversations/{a}/messages", {"text": "hola"})
        clock.shift(timedelta(seconds=130))
        run_due_jobs()  # closed by silence
        customer_says(shop.pk, "otra vez", who="a")
        agent_api.post(f"/conversations/{a}/seen")
        clock.shift(timedelta(seconds=61))
        run_due_jobs()  # seen and left unanswered past the wait target
        clock.shift(timedelta(seconds=5))
        agent_api.post(f"/conversations/{a}/assign", {"user_id": agent.pk})
        b = customer_says(ai.pk, "necesito un foco", who="b")["conversation_id"]
        clock.shift(timedelta(seconds=10))
        bot_api.post(f"/conversations/{b}/messages", {"text": "¿patente?"})
        clock.shift(timedelta(seconds=60))
        run_due_jobs()  # the AI window ends
        clock.shift(timedelta(seconds=20))
        agent_api.post(f"/conversations/{b}/messages", {"text": "te ayudo yo"})
        agent_api.post(f"/conversations/{b}/resolve", {"reason": "repuestos"})
    live = snapshot(agent_api)
    assert len(live) == 3 and [c["left_on_read"] for c in live] == [0, 1, 0]
    call_command("cases", "backfill", "--all")
    assert snapshot(agent_api) == live
    call_command("cases", "backfill", "--all")
    assert snapshot(agent_api) == live and Case.objects.count() == 3
