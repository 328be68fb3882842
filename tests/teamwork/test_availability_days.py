"""Online and away time read from the daily rows gives the same seconds as walking the whole
availability log, for any range: whole days, partial days, across a change of clocks, up to now.
`mostrador reports rebuild` writes the same rows again from the log."""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command
from django.test import override_settings
from hypothesis import given
from hypothesis import strategies as st

from mostrador.accounts.models import Role
from mostrador.core import local_days
from mostrador.teamwork import availability
from mostrador.teamwork.models import AvailabilityDay
from tests.conftest import make_user

SANTIAGO = ZoneInfo("America/Santiago")
# Chile's clocks went back an hour on 5 April 2026: that day lasted 25 hours there.
START = datetime(2026, 4, 1, 7, 30, tzinfo=SANTIAGO)


@given(
    start=st.datetimes(min_value=datetime(2026, 3, 25), max_value=datetime(2026, 4, 10), timezones=st.just(SANTIAGO)),
    length=st.floats(min_value=0, max_value=5 * 86400),
)
def test_a_stretch_splits_into_local_days_that_add_up_to_it(start, length):
    end = start + timedelta(seconds=length)
    with override_settings(TIME_ZONE="America/Santiago"):
        pieces = local_days.seconds_by_day(start, end)
        lengths = {day: (local_days.midnight(day + timedelta(days=1)) - local_days.midnight(day)).total_seconds() for day, _ in pieces}
    assert sum(seconds for _, seconds in pieces) == pytest.approx((end - start).total_seconds())
    assert [day for day, _ in pieces] == sorted({day for day, _ in pieces})
    for day, seconds in pieces:
        assert 0 < seconds <= lengths[day]
    assert max(lengths.values(), default=86400) <= 25 * 3600


@pytest.mark.django_db(transaction=True)
def test_daily_rows_give_the_logs_seconds_for_any_range(settings):
    settings.TIME_ZONE = "America/Santiago"
    rnd = random.Random(5)
    people = [make_user(f"v{n}@example.test", Role.AGENT, f"V{n}") for n in range(3)]
    moment = START
    for _ in range(60):
        moment += timedelta(minutes=rnd.randint(20, 600))
        person = rnd.choice(people)
        availability.set_availability(person, rnd.choice(["online", "away", "offline"]), now=moment)
    now = moment + timedelta(hours=5)  # the last stretches are still going on
    ids = [p.pk for p in people]
    midnights = [local_days.midnight(START.date() + timedelta(days=n)) for n in range(-1, 14)]
    with time_machine.travel(now, tick=False):
        ranges = [(a, b) for a in midnights for b in midnights if a < b]
        for _ in range(60):
            a, b = sorted(START - timedelta(days=1) + timedelta(minutes=rnd.randint(0, 14 * 1440)) for _ in range(2))
            ranges.append((a, b))
            ranges.append((a, now + timedelta(days=rnd.randint(0, 2))))  # up to now, and past it
        for since, until in ranges:
            rolled = availability.time_by_availability_of(ids, since, until)
            logged = availability._from_log(ids, since, min(until, now))
            for pk in ids:
                assert rolled[pk] == pytest.approx(logged[pk], abs=1e-6), (since, until, pk)
        assert any(v > 0 for pk in ids for v in rolled[pk].values())

        live = {(row.user_id, row.day): (row.online_seconds, row.away_seconds) for row in AvailabilityDay.objects.all()}
        assert AvailabilityDay.objects.filter(day=datetime(2026, 4, 5).date()).exists()
        call_command("reports", "rebuild")
        rebuilt = {(row.user_id, row.day): (row.online_seconds, row.away_seconds) for row in AvailabilityDay.objects.all()}
        assert rebuilt.keys() == live.keys()
        for key, seconds in live.items():
            assert rebuilt[key] == pytest.approx(seconds)
