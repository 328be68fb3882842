"""The live monitor (DESIGN.md section 6): the queues right now, the waits, who is working and
how full they are, quotes owed and today's CSAT. Every number is read from an index or a
kept-up-to-date row (AgentLoad, today's rollup), so a refresh stays cheap however busy the
day is."""

from __future__ import annotations

from datetime import datetime

from django.db.models import Q, Sum
from django.utils import timezone

from mostrador.accounts.models import Role, User
from mostrador.cases import reports, rollups
from mostrador.inbox.models import Conversation
from mostrador.inbox.queries import ListFilters, filtered, state_filter
from mostrador.rules.attention import State
from mostrador.teamwork.models import AgentLoad

from .scope import Filters, scope_for

LONGEST_SHOWN = 10


def monitor(user, filters: Filters | None = None, now: datetime | None = None) -> dict:
    now = now or timezone.now()
    filters = filters or Filters()
    visible = filtered(user, ListFilters(inbox_id=filters.inbox_id, team_id=filters.team_id)).order_by()
    pending = visible.filter(state_filter(State.PENDING.value, now))
    waits = sorted((now - since).total_seconds() for since in pending.values_list("waiting_since", flat=True))
    today = rollups.midnight(rollups.day_of(now))
    csat = reports.summary(scope_for(user, filters), today, now)["csat"]
    return {
        "at": now.isoformat(),
        "pending": len(waits),
        "with_ai": visible.filter(state_filter(State.WITH_AI.value, now)).count(),
        "queued": visible.filter(queued_since__isnull=False, resolved=False).count(),
        "wait_avg_seconds": round(sum(waits) / len(waits), 3) if waits else None,
        "wait_longest_seconds": round(waits[-1], 3) if waits else None,
        "quotes_to_do": _quotes_to_do(user),
        "csat_today": csat,
        "agents": _agents(user, filters),
        "longest_waits": [_waiting_row(conv, now) for conv in _longest(pending)],
    }


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
    loads = AgentLoad.objects.all()
    if filters.inbox_id is not None:
        loads = loads.filter(inbox_id=filters.inbox_id)
    held = {row["user_id"]: row["open"] or 0 for row in loads.values("user_id").annotate(open=Sum("open"))}
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
