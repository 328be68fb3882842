"""The live monitor (DESIGN.md section 6): the queues right now, the waits, who is working and
how full they are, quotes owed and today's CSAT. Every number is read from an index or a
kept-up-to-date row (AgentLoad, today's rollup), so a refresh stays cheap however busy the
day is."""

from __future__ import annotations

from datetime import datetime

from django.db.models import Avg, Count, FloatField, Func, Min, Q
from django.utils import timezone

from mostrador.accounts.models import Role, User
from mostrador.cases import reports, rollups
from mostrador.core import local_days
from mostrador.inbox.models import Conversation
from mostrador.inbox.queries import ListFilters, filtered, state_filter
from mostrador.rules import tally as tallies
from mostrador.rules.attention import State
from mostrador.teamwork import loads

from .scope import Filters, scope_for

LONGEST_SHOWN = 10


class EpochSeconds(Func):
    """A moment as seconds since 1970, for averaging moments in the database."""

    output_field = FloatField()

    def as_sqlite(self, compiler, connection, **extra):
        return self.as_sql(compiler, connection, template="((julianday(%(expressions)s) - 2440587.5) * 86400.0)", **extra)

    def as_postgresql(self, compiler, connection, **extra):
        # date_part gives a float at once; EXTRACT would go through numeric, three times slower.
        return self.as_sql(compiler, connection, template="date_part('epoch', %(expressions)s)", **extra)


def monitor(user, filters: Filters | None = None, now: datetime | None = None) -> dict:
    now = now or timezone.now()
    filters = filters or Filters()
    visible = filtered(user, ListFilters(inbox_id=filters.inbox_id, team_id=filters.team_id)).order_by()
    pending = visible.filter(state_filter(State.PENDING.value, now))
    # Counted and averaged in the database: a busy day has thousands waiting, and reading each
    # one's time back would cost more than the rest of the refresh.
    waiting = pending.aggregate(n=Count("id"), oldest=Min("waiting_since"), mean=Avg(EpochSeconds("waiting_since")))
    csat = _csat_today(scope_for(user, filters), now)
    return {
        "at": now.isoformat(),
        "pending": waiting["n"],
        "with_ai": visible.filter(state_filter(State.WITH_AI.value, now)).count(),
        "queued": visible.filter(queued_since__isnull=False, resolved=False).count(),
        "wait_avg_seconds": round(now.timestamp() - waiting["mean"], 3) if waiting["n"] else None,
        "wait_longest_seconds": round((now - waiting["oldest"]).total_seconds(), 3) if waiting["n"] else None,
        "quotes_to_do": _quotes_to_do(user),
        "csat_today": csat,
        "agents": _agents(user, filters),
        "longest_waits": [_waiting_row(conv, now) for conv in _longest(pending)],
    }


def _csat_today(scope, now: datetime) -> dict:
    """CSAT of the cases closed today: today's rollup rows, kept as they close and as answers come."""
    today = local_days.day_of(now)
    tally = tallies.total(t for _, t in rollups.read_rows(scope.slice_names() or [], today, today, keys=("csat",)))
    return reports.shape(tally, None, None)["csat"]


def _longest(pending):
    return pending.order_by("waiting_since", "id").select_related("contact", "inbox", "assignee")[:LONGEST_SHOWN]


def _waiting_row(conv: Conversation, now: datetime) -> dict:
    return {
        "conversation_id": conv.pk,
        "contact": conv.contact.name or conv.contact.phone or "",
        "inbox": conv.inbox.name,
        "assignee_id": conv.assignee_id,
        "assignee": conv.assignee.name if conv.assignee else None,
        "waiting_since": conv.waiting_since.isoformat(),
        "wait_seconds": round((now - conv.waiting_since).total_seconds(), 3),
        "wait_target_seconds": conv.inbox.setting("wait_target_seconds"),
    }


def _quotes_to_do(user) -> int:
    from mostrador.quotes.screens import to_quote

    return to_quote(user).count()


def _agents(user, filters: Filters) -> list[dict]:
    held = loads.held_by(inbox_ids=None if filters.inbox_id is None else [filters.inbox_id])
    people = User.objects.filter(is_active=True).filter(Q(role=Role.AGENT) | Q(pk__in=[pk for pk, n in held.items() if n]))
    if filters.team_id:
        people = people.filter(teams__pk=filters.team_id)
    return [
        {
            "id": person.pk,
            "name": person.name,
            "availability": person.availability,
            "open": held.get(person.pk, 0),
            "capacity": person.capacity,
            "availability_since": person.availability_changed_at.isoformat() if person.availability_changed_at else None,
        }
        for person in people.order_by("name", "pk").distinct()
    ]
