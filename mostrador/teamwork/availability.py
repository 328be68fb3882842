"""Online, away, offline: set by hand, by the browser going idle, and by its last tab closing.
Every change is logged (`AvailabilityChange`), which is where online time comes from."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import F, OuterRef, Subquery, Sum
from django.utils import timezone

from mostrador.accounts.models import Availability, AvailabilityChange, User
from mostrador.core import local_days
from mostrador.realtime import events
from mostrador.realtime.publish import publish_on_commit

from . import loads
from .models import AvailabilityDay

AVAILABILITY_CHANGED = "availability.changed"

MANUAL = "manual"
PRESENCE = "presence"


def set_availability(user: User, availability: str, *, source: str = MANUAL, now: datetime | None = None) -> User:
    """Change one person's availability. Under the lock of their row, so an assignment in flight
    either sees them online and finishes first, or sees them gone and passes them by."""
    availability = Availability(availability)
    with transaction.atomic():
        person = loads.lock_people([user.pk])[user.pk]
        # The moment the switch takes effect is when the lock is held, not when it was asked for:
        # assignments that got the lock first were made while the person was still available.
        now = now or timezone.now()
        if person.availability == availability:
            return person
        if person.availability_changed_at is not None:
            count_stretch(person.pk, person.availability, person.availability_changed_at, now)
        person.availability, person.availability_changed_at = availability, now
        person.save(update_fields=["availability", "availability_changed_at"])
        AvailabilityChange.objects.create(user=person, availability=availability, source=source, at=now)
        publish_on_commit(events.make(AVAILABILITY_CHANGED, user_id=person.pk, availability=availability.value))
        if availability == Availability.ONLINE:
            from .assignment import room_freed

            room_freed()
    user.availability = person.availability
    return person


def time_by_availability(user_id: int, since: datetime, until: datetime) -> dict[str, float]:
    """Seconds spent online and away between `since` and `until` (daily rows, and the log for
    partial days)."""
    return time_by_availability_of([user_id], since, until)[user_id]


COUNTED = {Availability.ONLINE.value: "online_seconds", Availability.AWAY.value: "away_seconds"}


def count_stretch(user_id: int, availability: str, start: datetime, end: datetime) -> None:
    """Add a finished stretch of online or away time to the days it covered."""
    field = COUNTED.get(availability)
    if field is None:
        return
    for day, seconds in local_days.seconds_by_day(start, end):
        AvailabilityDay.objects.get_or_create(user_id=user_id, day=day)
        AvailabilityDay.objects.filter(user_id=user_id, day=day).update(**{field: F(field) + seconds})


def rebuild_days(log=AvailabilityChange, days=AvailabilityDay) -> int:
    """Recompute every person's daily online and away time from the availability log (the
    models can be a migration's); how many days were written."""
    found: dict[tuple[int, object], dict[str, float]] = defaultdict(lambda: dict.fromkeys(COUNTED.values(), 0.0))
    previous = None
    for row in log.objects.order_by("user_id", "at", "id").values_list("user_id", "availability", "at").iterator(chunk_size=5000):
        if previous is not None and previous[0] == row[0] and previous[1] in COUNTED:
            for day, seconds in local_days.seconds_by_day(previous[2], row[2]):
                found[(row[0], day)][COUNTED[previous[1]]] += seconds
        previous = row
    with transaction.atomic():
        days.objects.all().delete()
        days.objects.bulk_create([days(user_id=user, day=day, **seconds) for (user, day), seconds in found.items()], batch_size=1000)
    return len(found)


def time_by_availability_of(user_ids: list[int], since: datetime, until: datetime | None) -> dict[int, dict[str, float]]:
    """`time_by_availability` for many people (until None: up to now): whole local days from
    the daily rows, plus the stretch each one is in now; partial days at the edges from the
    log itself."""
    totals = {pk: {state: 0.0 for state in COUNTED} for pk in user_ids}
    now = timezone.now()
    if until is not None and until >= now:
        until = None  # today so far is in today's row and the stretches going on
    if (until is not None and until <= since) or since >= now or not user_ids:
        return totals
    days, edges = local_days.day_span(since, until)
    if days:
        first, last = days
        rows = AvailabilityDay.objects.filter(user_id=OuterRef("pk"))
        rows = rows.filter(day__gte=first) if first is not None else rows
        rows = rows.filter(day__lte=last) if last is not None else rows
        sums = {state: Subquery(rows.values("user_id").annotate(s=Sum(field)).values("s")) for state, field in COUNTED.items()}
        # The stretch each person is in now is in no day's row yet: its part within these days.
        window_start = local_days.midnight(first) if first is not None else since
        window_end = min(now, local_days.midnight(last + timedelta(days=1))) if last is not None else now
        people = User.objects.filter(pk__in=user_ids).annotate(**sums)
        for pk, state, changed_at, *seconds in people.values_list("pk", "availability", "availability_changed_at", *COUNTED):
            for counted, spent in zip(COUNTED, seconds, strict=True):
                totals[pk][counted] += spent or 0.0
            if state in COUNTED and changed_at is not None:
                totals[pk][state] += max(0.0, (window_end - max(changed_at, window_start)).total_seconds())
    for start, end in edges:
        for pk, part in _from_log(user_ids, start, end).items():
            for state, seconds in part.items():
                totals[pk][state] += seconds
    return totals


def _from_log(user_ids: list[int], since: datetime, until: datetime) -> dict[int, dict[str, float]]:
    """Online and away seconds in [since, until) read from the log: where each person stood at
    `since`, and every change until `until`."""
    totals = {pk: {state: 0.0 for state in COUNTED} for pk in user_ids}
    last_before = AvailabilityChange.objects.filter(user_id=OuterRef("pk"), at__lt=since).order_by("-at", "-id").values("availability")[:1]
    state = {
        pk: (before or Availability.OFFLINE.value, since)
        for pk, before in User.objects.filter(pk__in=user_ids).annotate(before=Subquery(last_before)).values_list("pk", "before")
    }
    changes = AvailabilityChange.objects.filter(user_id__in=user_ids, at__gte=since, at__lt=until).order_by("user_id", "at", "id")
    for pk, availability, changed_at in changes.values_list("user_id", "availability", "at").iterator(chunk_size=2000):
        current, at = state[pk]
        if current in totals[pk]:
            totals[pk][current] += (changed_at - at).total_seconds()
        state[pk] = (availability, changed_at)
    for pk, (current, at) in state.items():
        if current in totals[pk]:
            totals[pk][current] += (until - at).total_seconds()
    return totals
