"""Online, away, offline: set by hand, by the browser going idle, and by its last tab closing.
Every change is logged (`AvailabilityChange`), which is where online time comes from."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.db.models import OuterRef, Subquery
from django.utils import timezone

from mostrador.accounts.models import Availability, AvailabilityChange, User
from mostrador.realtime import events
from mostrador.realtime.publish import publish_on_commit

from . import loads

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
    """Seconds spent online and away between `since` and `until`, from the log."""
    return time_by_availability_of([user_id], since, until)[user_id]


def time_by_availability_of(user_ids: list[int], since: datetime, until: datetime) -> dict[int, dict[str, float]]:
    """`time_by_availability` for many people in two queries: where each stood at `since`, and
    every change until `until`."""
    totals = {pk: {Availability.ONLINE.value: 0.0, Availability.AWAY.value: 0.0} for pk in user_ids}
    if until <= since:
        return totals
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
