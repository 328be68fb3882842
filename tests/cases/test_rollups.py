"""The summary report reads daily rollups in the organisation's time zone (America/Santiago here):
whole days come from the rollups and partial days from the cases, and every range gives the same
numbers as counting the cases one by one. `mostrador reports rebuild` gives them again."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command

from mostrador.cases.models import CaseDay
from mostrador.inbox.actions.inboxes import create_inbox
from mostrador.rules.cases import percentile
from tests.conftest import customer_says

SANTIAGO = ZoneInfo("America/Santiago")
DAY1 = datetime(2026, 3, 2, tzinfo=SANTIAGO)  # UTC-3 in March

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def shop(agent):
    box = create_inbox("Tienda", "api", {"wait_target_seconds": 60, "case_close_after_seconds": 86400 * 5})
    box.members.add(agent)
    return box


def served_case(api, inbox_id: int, who: str, start: datetime, wait: int, then: int) -> int:
    """A customer writes at `start`, a person answers `wait` s later and resolves `then` s after."""
    with time_machine.travel(start, tick=False) as clock:
        conv = customer_says(inbox_id, "hola", who=who)["conversation_id"]
        clock.shift(timedelta(seconds=wait))
        api.post(f"/conversations/{conv}/messages", {"text": "¡Hola! ¿En qué te ayudo?"})
        clock.shift(timedelta(seconds=then))
        assert api.post(f"/conversations/{conv}/resolve").status_code == 200
    return conv


@pytest.fixture
def history(agent_api, shop):
    """Twelve cases over three local days, some opening before local midnight and closing after
    it, and one still open."""
    starts = [
        (DAY1 + timedelta(hours=9), 40, 100),
        (DAY1 + timedelta(hours=13), 7, 30),
        (DAY1 + timedelta(hours=23, minutes=58), 200, 60),  # opens on day 1, closes on day 2
        (DAY1 + timedelta(days=1, hours=0, minutes=30), 3, 5),
        (DAY1 + timedelta(days=1, hours=10), 75, 20),
        (DAY1 + timedelta(days=1, hours=20, minutes=59), 15, 10),  # 23:59 UTC: day 2 in Santiago
        (DAY1 + timedelta(days=1, hours=21, minutes=30), 600, 300),
        (DAY1 + timedelta(days=2, hours=8), 12, 12),
        (DAY1 + timedelta(days=2, hours=12), 1, 1),
        (DAY1 + timedelta(days=2, hours=18), 3600, 60),
        (DAY1 + timedelta(days=2, hours=23, minutes=59, seconds=30), 45, 90),
    ]
    for n, (start, wait, then) in enumerate(starts):
        served_case(agent_api, shop.pk, f"c{n}", start, wait, then)
    with time_machine.travel(DAY1 + timedelta(days=2, hours=22), tick=False):
        customer_says(shop.pk, "¿siguen abiertos?", who="open-one")
    return agent_api.get("/cases", limit=100).json_body["items"]


def by_hand(cases: list[dict], since: datetime | None, until: datetime | None) -> dict:
    def inside(moment: str | None) -> bool:
        if moment is None:
            return False
        at = datetime.fromisoformat(moment)
        return (since is None or at >= since) and (until is None or at < until)

    closed = [c for c in cases if inside(c["closed_at"])]
    waits = [c["first_response_seconds"] for c in closed]
    return {
        "cases_opened": sum(inside(c["opened_at"]) for c in cases),
        "cases_closed": len(closed),
        "first_response": {
            "count": len(waits),
            "avg": round(sum(waits) / len(waits), 3) if waits else None,
            "p50": percentile(waits, 0.5),
            "p90": percentile(waits, 0.9),
        },
        "end_to_end_count": len(closed),
    }


def summary(api, since: datetime | None, until: datetime | None) -> dict:
    params = {k: v.isoformat() for k, v in (("since", since), ("until", until)) if v}
    got = api.get("/reports/summary", **params).json_body
    return {
        "cases_opened": got["cases_opened"],
        "cases_closed": got["cases_closed"],
        "first_response": got["first_response"],
        "end_to_end_count": got["end_to_end"]["count"],
    }


RANGES = [
    (None, None),
    (DAY1, DAY1 + timedelta(days=1)),  # one local day: 00:00 to 00:00 in Santiago
    (DAY1 + timedelta(days=1), DAY1 + timedelta(days=3)),
    (DAY1, None),
    (None, DAY1 + timedelta(days=2)),
    (DAY1 + timedelta(hours=12), DAY1 + timedelta(days=2, hours=9)),  # partial days at both edges
    (DAY1 + timedelta(days=1, hours=1), DAY1 + timedelta(days=1, hours=21)),  # inside one day
    (DAY1.astimezone(timezone.utc).replace(hour=0) + timedelta(days=1), DAY1.astimezone(timezone.utc).replace(hour=0) + timedelta(days=2)),  # a UTC day
]


@pytest.mark.parametrize(("since", "until"), RANGES)
def test_every_range_matches_the_cases_counted_by_hand(agent_api, history, since, until):
    assert summary(agent_api, since, until) == by_hand(history, since, until)


def test_a_case_closed_before_local_midnight_counts_on_that_local_day(agent_api, history):
    # Closed 23:59:25 in Santiago on day 2 (02:59 UTC on day 3).
    late = [c for c in history if c["closed_at"] and datetime.fromisoformat(c["closed_at"]).astimezone(SANTIAGO).date() == (DAY1 + timedelta(days=1)).date()]
    day2 = summary(agent_api, DAY1 + timedelta(days=1), DAY1 + timedelta(days=2))
    assert day2["cases_closed"] == len(late) == 5
    rows = CaseDay.objects.filter(slice="", day=(DAY1 + timedelta(days=1)).date())
    assert rows.get().tally["closed"] == 5


def test_the_rebuild_reads_the_same_numbers_as_the_live_rollups(agent_api, history):
    before = [agent_api.get("/reports/summary").json_body] + [summary(agent_api, s, u) for s, u in RANGES]
    live = {(row.day, row.slice): row.tally for row in CaseDay.objects.all()}
    CaseDay.objects.all().delete()
    call_command("reports", "rebuild")
    assert {(row.day, row.slice): row.tally for row in CaseDay.objects.all()} == live
    assert [agent_api.get("/reports/summary").json_body] + [summary(agent_api, s, u) for s, u in RANGES] == before


def test_filters_pick_their_slice_and_outsiders_see_nothing(agent, agent_api, outsider_api, shop, history):
    everything = agent_api.get("/reports/summary").json_body
    assert agent_api.get("/reports/summary", agent_id=agent.pk).json_body["cases_closed"] == everything["cases_closed"] == 11
    assert agent_api.get("/reports/summary", inbox_id=shop.pk, agent_id=agent.pk).json_body["first_response"] == everything["first_response"]
    assert agent_api.get("/reports/summary", agent_id=agent.pk + 1000).json_body["cases_closed"] == 0
    nothing = outsider_api.get("/reports/summary", inbox_id=shop.pk).json_body
    assert nothing["cases_closed"] == 0 and nothing["cases_opened"] == 0
    assert outsider_api.get("/reports/summary").json_body["first_response"]["count"] == 0


def test_closes_at_the_same_moment_all_count(agent_api, agent, shop, monkeypatch):
    """Eight people resolve eight chats at once: every close reaches the same day's rollup rows,
    none overwrites another's."""
    import threading
    import time

    from django.db import connection

    from mostrador.inbox import actions
    from mostrador.inbox.models import Conversation
    from mostrador.rules import tally

    ids = []
    for n in range(9):
        conv = customer_says(shop.pk, "hola", who=f"a la vez {n}")["conversation_id"]
        agent_api.post(f"/conversations/{conv}/messages", {"text": "¡Hola!"})
        ids.append(conv)
    # The first close of the day makes its rollup rows; the race is on rows that exist.
    agent_api.post(f"/conversations/{ids.pop()}/resolve")
    start = threading.Barrier(len(ids))
    failures = []
    # Adding up is made slow, so the closes overlap between reading a rollup row and writing it.
    add = tally.add

    def slow_add(into, other, sign=1):
        time.sleep(0.02)
        return add(into, other, sign)

    monkeypatch.setattr(tally, "add", slow_add)

    def close(conv_id: int) -> None:
        try:
            start.wait(timeout=30)
            actions.resolve(Conversation.objects.get(pk=conv_id), actions.Actor.person(agent))
        except Exception as error:  # noqa: BLE001 - reported below
            failures.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=close, args=(conv_id,)) for conv_id in ids]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert failures == []
    assert sum(row.tally.get("closed", 0) for row in CaseDay.objects.filter(slice="")) == 9
    assert agent_api.get("/reports/summary", agent_id=agent.pk).json_body["cases_closed"] == 9
