"""Days as the organisation lives them: in its time zone (settings.TIME_ZONE), where a day may
last 23 or 25 hours. Reports count by these days; times are stored in UTC."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings


def org_zone() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def day_of(moment: datetime) -> date:
    return moment.astimezone(org_zone()).date()


def midnight(day: date) -> datetime:
    """The instant a day starts in the organisation's time zone."""
    return datetime.combine(day, time(), tzinfo=org_zone())


def day_span(
    since: datetime | None, until: datetime | None
) -> tuple[tuple[date | None, date | None] | None, list[tuple[datetime, datetime]]]:
    """Split [since, until) into whole local days, (first, last) inclusive with None for an open
    end, or None when the range holds no whole day; and the partial days at its edges, which
    readers of daily rollups count from the rows they were made of."""
    first = last = None
    head = tail = None
    if since is not None:
        first = day_of(since)
        if midnight(first) != since:
            first += timedelta(days=1)
            head = (since, midnight(first))
    if until is not None:
        end = day_of(until)
        last = end - timedelta(days=1)
        if midnight(end) != until:
            tail = (midnight(end), until)
    if since is not None and until is not None and first > last:
        return None, [(since, until)]
    return (first, last), [edge for edge in (head, tail) if edge]


def seconds_by_day(start: datetime, end: datetime) -> list[tuple[date, float]]:
    """How many seconds of [start, end) fall on each local day it touches."""
    pieces = []
    while start < end:
        day = day_of(start)
        stop = min(end, midnight(day + timedelta(days=1)))
        pieces.append((day, (stop - start).total_seconds()))
        start = stop
    return pieces
