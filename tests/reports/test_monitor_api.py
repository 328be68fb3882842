"""`/api/v1/monitor`: the queues, the waits, each person's load against capacity, quotes owed and
today's CSAT, right now; for supervisors and admins only."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine

from mostrador.accounts.models import Role
from mostrador.inbox.actions.inboxes import create_inbox
from tests.conftest import Api, customer_says, make_user, token_for

pytestmark = pytest.mark.django_db(transaction=True)

T0 = datetime(2026, 3, 3, 10, 0, tzinfo=ZoneInfo("America/Santiago"))


def at(seconds: float):
    return time_machine.travel(T0 + timedelta(seconds=seconds), tick=False)


def test_monitor_right_now(settings, agent, agent_api, admin_api):
    settings.TIME_ZONE = "America/Santiago"
    supervisor = Api(token_for(make_user("sup@example.test", Role.SUPERVISOR, "Sofía")))
    bruno = make_user("bruno.v@example.test", Role.AGENT, "Bruno Díaz")
    bruno_api = Api(token_for(bruno))
    box = create_inbox("Tienda", "api", {"assignment": "balanced", "capacity": 1, "ai_window_seconds": 60})
    box.members.add(agent, bruno)
    with at(0):
        agent_api.post("/users/me/availability", {"availability": "online"})
        bruno_api.post("/users/me/availability", {"availability": "away"})
        first = customer_says(box.pk, "hola", who="c1")["conversation_id"]  # Ana's: she has room
    with at(10):
        customer_says(box.pk, "hola", who="c2")  # nobody has room: queued
    with at(20):
        third = customer_says(box.pk, "hola", who="c3")["conversation_id"]
    with at(25):
        agent_api.post("/quotes", {"conversation_id": third, "items": [{"description": "Foco"}]})
        # One chat with the AI on its turn.
        ai_box = create_inbox("Con IA", "api", {"ai_enabled": True, "ai_window_seconds": 60})
        ai_box.members.add(agent)
        customer_says(ai_box.pk, "hola", who="c4")

    with at(40):
        assert agent_api.get("/monitor").status_code == 403
        body = supervisor.get("/monitor").json_body
        assert body["pending"] == 3
        assert body["with_ai"] == 1
        assert body["queued"] == 2
        assert body["wait_longest_seconds"] == 40.0
        assert body["wait_avg_seconds"] == 30.0  # (40 + 30 + 20) / 3
        assert body["quotes_to_do"] == 1
        assert body["csat_today"]["responses"] == 0
        people = {row["id"]: row for row in body["agents"]}
        assert people[agent.pk] | {"availability_since": None} == {
            "id": agent.pk, "name": "Ana Rojas", "availability": "online", "open": 1, "capacity": None, "availability_since": None}
        assert (people[bruno.pk]["availability"], people[bruno.pk]["open"]) == ("away", 0)
        assert [row["conversation_id"] for row in body["longest_waits"]][0] == first
        assert body["longest_waits"][0]["wait_seconds"] == 40.0

    with at(50):
        agent_api.post(f"/conversations/{first}/messages", {"text": "Hola"})
        body = supervisor.get("/monitor").json_body
        assert (body["pending"], body["wait_longest_seconds"]) == (2, 40.0)
        assert admin_api.get("/monitor", inbox_id=box.pk).json_body["with_ai"] == 0
