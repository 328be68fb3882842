"""The agents report, the wait curve and the routes report through the API, on traffic made through
the API at known moments, against numbers worked out by hand; CSV gives the same numbers, and
`mostrador reports rebuild` gives them again."""

from __future__ import annotations

import csv
import io
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command

from mostrador.accounts.models import Role, Team
from mostrador.inbox.actions.inboxes import create_inbox
from tests.bots.conftest import ROUTES, run_jobs
from tests.conftest import Api, customer_says, make_user, token_for

SANTIAGO = ZoneInfo("America/Santiago")
T0 = datetime(2026, 3, 3, 10, 0, tzinfo=SANTIAGO)

pytestmark = pytest.mark.django_db(transaction=True)


def at(seconds: float):
    return time_machine.travel(T0 + timedelta(seconds=seconds), tick=False)


def window(**extra) -> dict:
    return {"since": (T0 - timedelta(hours=1)).isoformat(), "until": (T0 + timedelta(hours=2)).isoformat(), **extra}


def whole_days(**extra) -> dict:
    """Local midnight to midnight: read from the daily rollups, not the cases."""
    day = T0.replace(hour=0)
    return {"since": day.isoformat(), "until": (day + timedelta(days=1)).isoformat(), **extra}


def csv_rows(response) -> list[dict]:
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    return list(csv.DictReader(io.StringIO(response.content.decode())))


@pytest.fixture
def people(db):
    made = {}
    for key, name in (("ana", "Ana Rojas"), ("bruno", "Bruno Díaz"), ("carla", "Carla Soto")):
        user = make_user(f"{key}.ventas@example.test", Role.AGENT, name)
        made[key] = (user, Api(token_for(user)))
    norte = Team.objects.create(name="Norte")
    norte.members.add(made["ana"][0], made["bruno"][0])
    return made, norte


@pytest.fixture
def supervisor_api(db):
    return Api(token_for(make_user("sup@example.test", Role.SUPERVISOR, "Sofía Supervisora")))


def handled(admin_api, inbox_id, who, seller, api, opened, assigned, closed):
    """A customer writes at `opened`, the chat is given to `seller` at `assigned`, who answers at
    once and resolves at `closed` (seconds after T0)."""
    with at(opened):
        conv = customer_says(inbox_id, "hola", who=who)["conversation_id"]
    with at(assigned):
        assert admin_api.post(f"/conversations/{conv}/assign", {"user_id": seller.pk}).status_code == 200
        assert api.post(f"/conversations/{conv}/messages", {"text": "Hola, te ayudo"}).status_code in (200, 201)
    with at(closed):
        assert api.post(f"/conversations/{conv}/resolve").status_code == 200
    return conv


def test_agents_report_by_hand(settings, admin_api, supervisor_api, people):
    settings.TIME_ZONE = "America/Santiago"
    made, norte = people
    (ana, ana_api), (bruno, bruno_api), (carla, carla_api) = made["ana"], made["bruno"], made["carla"]
    box = create_inbox("Tienda", "api", {})
    box.members.add(ana, bruno, carla)
    with at(0):
        ana_api.post("/users/me/availability", {"availability": "online"})
    with at(600):
        ana_api.post("/users/me/availability", {"availability": "away"})
    with at(720):
        ana_api.post("/users/me/availability", {"availability": "offline"})
    handled(admin_api, box.pk, "c1", ana, ana_api, 10, 20, 120)  # handling 100
    handled(admin_api, box.pk, "c2", ana, ana_api, 40, 50, 350)  # 300
    handled(admin_api, box.pk, "c3", bruno, bruno_api, 60, 70, 120)  # 50
    handled(admin_api, box.pk, "c4", carla, carla_api, 80, 90, 190)  # 100
    with at(400):
        still = customer_says(box.pk, "¿me ayudan?", who="c5")["conversation_id"]
        admin_api.post(f"/conversations/{still}/assign", {"user_id": ana.pk})
    # A supervisor answers and closes an unassigned chat: the case counts for her, and she is listed.
    with at(500):
        helped = customer_says(box.pk, "hola", who="c6")["conversation_id"]
    with at(530):
        supervisor_api.post(f"/conversations/{helped}/messages", {"text": "Te ayudo yo"})
        supervisor_api.post(f"/conversations/{helped}/resolve")

    with at(1000):
        body = supervisor_api.get("/reports/agents", **window()).json_body
        rows = {row["agent_id"]: row for row in body["items"]}
        assert rows[ana.pk] == {
            "agent_id": ana.pk, "name": "Ana Rojas", "cases_closed": 2, "handling_time_avg": 200.0,
            "team_handling_time_avg": 150.0, "online_seconds": 600.0, "away_seconds": 120.0, "open_now": 1,
        }
        assert (rows[bruno.pk]["cases_closed"], rows[bruno.pk]["handling_time_avg"], rows[bruno.pk]["team_handling_time_avg"]) == (1, 50.0, 150.0)
        # Carla is in no team: her average stands beside everyone's (the supervisor's 30 s too).
        assert (rows[carla.pk]["handling_time_avg"], rows[carla.pk]["team_handling_time_avg"]) == (100.0, 116.0)
        sofia = next(row for row in body["items"] if row["name"] == "Sofía Supervisora")
        assert (sofia["cases_closed"], sofia["handling_time_avg"]) == (1, 30.0)
        assert rows[bruno.pk]["online_seconds"] == 0 and rows[ana.pk]["open_now"] == 1

        team_only = supervisor_api.get("/reports/agents", **window(team_id=norte.pk)).json_body["items"]
        assert sorted(row["agent_id"] for row in team_only) == sorted([ana.pk, bruno.pk])
        # A seller reads their own row only.
        mine = ana_api.get("/reports/agents", **window()).json_body["items"]
        assert [row["agent_id"] for row in mine] == [ana.pk]
        # An earlier range holds none of it.
        empty = supervisor_api.get("/reports/agents", since=(T0 - timedelta(days=2)).isoformat(), until=(T0 - timedelta(days=1)).isoformat())
        assert all(row["cases_closed"] == 0 and row["online_seconds"] == 0 for row in empty.json_body["items"])

        as_csv = {int(row["agent_id"]): row for row in csv_rows(supervisor_api.get("/reports/agents", **window(format="csv")))}
        assert as_csv[ana.pk]["cases_closed"] == "2" and float(as_csv[ana.pk]["handling_time_avg"]) == 200.0

        per_hour = supervisor_api.get("/reports/agents/closed", **window(by="hour")).json_body["items"]
        assert {(row["period"], row["agent_id"], row["cases_closed"]) for row in per_hour} == {
            ("2026-03-03 10:00", ana.pk, 2), ("2026-03-03 10:00", bruno.pk, 1), ("2026-03-03 10:00", carla.pk, 1),
            ("2026-03-03 10:00", sofia["agent_id"], 1)}
        summary = supervisor_api.get("/reports/summary", **window()).json_body
        assert summary["handling_time"]["count"] == 5 and summary["handling_time"]["avg"] == 116.0

        from_rollups = supervisor_api.get("/reports/agents", **whole_days()).json_body["items"]
        assert from_rollups == body["items"]
        for by, period in (("week", "2026-03-02"), ("month", "2026-03")):  # T0 is a Tuesday
            rows_by = supervisor_api.get("/reports/agents/closed", **whole_days(by=by)).json_body["items"]
            assert {(row["period"], row["agent_id"], row["cases_closed"]) for row in rows_by} >= {(period, ana.pk, 2)}
        per_day = supervisor_api.get("/reports/agents/closed", **whole_days(by="day")).json_body["items"]
        assert {(row["agent_id"], row["cases_closed"]) for row in per_day} == {(ana.pk, 2), (bruno.pk, 1), (carla.pk, 1), (sofia["agent_id"], 1)}

    before = supervisor_api.get("/reports/agents", **window()).json_body
    call_command("reports", "rebuild")
    assert supervisor_api.get("/reports/agents", **window()).json_body == before


def conversation_with_wait(api, admin_api, inbox_id, who, start, wait, comes_back):
    with at(start):
        conv = customer_says(inbox_id, "hola", who=who)["conversation_id"]
    with at(start + wait):
        api.post(f"/conversations/{conv}/messages", {"text": "Hola"})
    if comes_back:
        with at(start + wait + 1):
            customer_says(inbox_id, "gracias, otra pregunta", who=who)
        with at(start + wait + 2):
            api.post(f"/conversations/{conv}/messages", {"text": "Claro"})
    with at(start + wait + 5):
        assert api.post(f"/conversations/{conv}/resolve").status_code == 200


def test_wait_curve_buckets_and_suggested_target(settings, agent, agent_api, admin_api, supervisor_api):
    settings.TIME_ZONE = "America/Santiago"
    box = create_inbox("Tienda", "api", {})
    box.members.add(agent)
    other = create_inbox("Otra", "api", {})
    other.members.add(agent)
    # Answered within half a second: they all carry on. After four seconds: none of them does.
    for n in range(3):
        conversation_with_wait(agent_api, admin_api, box.pk, f"fast{n}", 10 * n, 0.5, comes_back=True)
    for n in range(3):
        conversation_with_wait(agent_api, admin_api, box.pk, f"slow{n}", 100 + 10 * n, 4, comes_back=False)
    conversation_with_wait(agent_api, admin_api, box.pk, "mid", 200, 1.5, comes_back=n % 2 == 0)
    # Another inbox, where a slow answer kept its customer.
    conversation_with_wait(agent_api, admin_api, other.pk, "elsewhere", 300, 4, comes_back=True)

    with at(1000):
        body = supervisor_api.get("/reports/wait_curve", **window(inbox_id=box.pk)).json_body
        assert body["buckets"] == [
            {"wait_from": 0, "wait_to": 1, "cases": 3, "no_continuation_share": 0.0},
            {"wait_from": 1, "wait_to": 2, "cases": 1, "no_continuation_share": 0.0},
            {"wait_from": 3, "wait_to": 5, "cases": 3, "no_continuation_share": 1.0},
        ]
        assert body["suggested_wait_target_seconds"] == 3
        assert supervisor_api.get("/reports/wait_curve", **whole_days(inbox_id=box.pk)).json_body["buckets"] == body["buckets"]
        everywhere = supervisor_api.get("/reports/wait_curve", **window()).json_body
        assert everywhere["buckets"][-1] == {"wait_from": 3, "wait_to": 5, "cases": 4, "no_continuation_share": 0.75}
        rows = csv_rows(supervisor_api.get("/reports/wait_curve", **window(inbox_id=box.pk, format="csv")))
        assert [(float(r["wait_from"]), int(r["cases"]), float(r["no_continuation_share"])) for r in rows] == [
            (0, 3, 0.0), (1, 1, 0.0), (3, 3, 1.0)]

    call_command("reports", "rebuild")
    with at(1000):
        assert supervisor_api.get("/reports/wait_curve", **window(inbox_id=box.pk)).json_body == body


def test_routes_report_counts_routes_and_reroutes(settings, agent, agent_api, admin_api, supervisor_api, people):
    settings.TIME_ZONE = "America/Santiago"
    made, _ = people
    bruno = made["bruno"][0]
    box = create_inbox("Repuestos", "api", {"ai_enabled": True, "ai_window_seconds": 300, "ai_agent": ROUTES})
    box.members.add(agent, bruno)
    convs = []
    for n in range(3):
        with at(10 * n):
            convs.append(customer_says(box.pk, "consulta por mi despacho", who=f"d{n}")["conversation_id"])
            run_jobs()
        with at(10 * n + 2):
            customer_says(box.pk, f"pedido 10{n}", who=f"d{n}")
            run_jobs()
    with at(100):
        customer_says(box.pk, "necesito un foco", who="q1")
        run_jobs()
    # One despacho case (handed off at 2 s) goes to Ana, then at 62 s on to Bruno: a re-route, made by Ana.
    with at(50):
        agent_api.post(f"/conversations/{convs[0]}/assign", {"user_id": agent.pk})
    with at(2 + 60):
        assert agent_api.post(f"/conversations/{convs[0]}/assign", {"user_id": bruno.pk}).status_code == 200

    with at(1000):
        body = supervisor_api.get("/reports/routes", **window()).json_body
        assert body["items"] == [{"route": "despacho", "cases": 3, "rerouted": 1, "reroute_time_avg": 60.0}]
        assert body["by_agent"] == [{"agent_id": agent.pk, "rerouted": 1, "reroute_time_avg": 60.0}]
        assert supervisor_api.get("/reports/routes", **whole_days()).json_body["items"] == body["items"]
        rows = csv_rows(supervisor_api.get("/reports/routes", **window(format="csv")))
        assert rows == [{"route": "despacho", "cases": "3", "rerouted": "1", "reroute_time_avg": "60.0"}]
        # The cases stay open; resolved, they count the same.
        for conv in convs:
            agent_api.post(f"/conversations/{conv}/resolve")
        assert supervisor_api.get("/reports/routes", **window()).json_body["items"] == body["items"]
        assert supervisor_api.get("/reports/routes", **whole_days()).json_body["items"] == body["items"]
    call_command("reports", "rebuild")
    with at(1000):
        assert supervisor_api.get("/reports/routes", **window()).json_body["items"] == body["items"]
