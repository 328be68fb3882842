"""Build cases and their metrics from a conversation's history (its messages and event rows), for
an installation that had conversations before it had cases. Replaying the same history gives the
same cases, so running it again changes nothing."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from django.db import transaction

from mostrador.inbox.models import Conversation, EventKind, Message
from mostrador.rules import cases as rules
from mostrador.rules.attention import AuthorKind

from . import clock_store, rollups
from .lifecycle import fold_handoff_or_assignment
from .models import Case

SURVEY_FIELDS = ("survey_kind", "survey_sent_at", "csat", "nps", "survey_comment")

# Events that may start a pending period (their to_state says whether they did).
PENDING_KINDS = {EventKind.MESSAGE, EventKind.HANDOFF, EventKind.AI_WINDOW_ENDED, EventKind.AI_TOGGLED, EventKind.REOPENED}


def rebuild(conversation: Conversation) -> int:
    """Replace the conversation's cases by those its history gives; how many there are."""
    with transaction.atomic():
        conv = Conversation.objects.select_for_update().get(pk=conversation.pk)
        before = list(Case.objects.filter(conversation=conv))
        rollups.record_close([c for c in before if c.closed_at], sign=-1)
        # Survey answers live only on the case; a replay keeps them on the case with the same start.
        surveys = {c.opened_at: {f: getattr(c, f) for f in SURVEY_FIELDS} for c in before if c.survey_kind}
        Case.objects.filter(conversation=conv).delete()
        events = list(conv.events.order_by("created_at", "id"))
        wanted = {e.data.get("message_id") for e in events if e.kind == EventKind.MESSAGE}
        messages = {m.pk: m for m in Message.objects.filter(conversation=conv, pk__in=wanted - {None})}
        case, clock, made = None, None, 0
        waiting = None
        for event in events:
            message = messages.get(event.data.get("message_id")) if event.kind == EventKind.MESSAGE else None
            if message is not None:
                author = AuthorKind(message.author_kind)
                if author is AuthorKind.CUSTOMER and waiting is None:
                    waiting = message.created_at
                if author is AuthorKind.AGENT:
                    waiting = None
                if clock is None and author is AuthorKind.CUSTOMER:
                    case, clock, made = _open(conv, message.created_at), rules.open_case(message.created_at, waiting), made + 1
                if clock is not None:
                    clock = rules.on_message(clock, author, message.created_at, waiting)
            elif event.kind == EventKind.REOPENED and clock is None:
                waiting = event.created_at
                case, clock, made = _open(conv, event.created_at), rules.open_case(event.created_at, waiting), made + 1
            if clock is None:
                continue
            if event.kind in PENDING_KINDS and event.to_state == "pending" and event.from_state != "pending":
                moment = message.created_at if message is not None else event.created_at
                clock = rules.became_pending(clock, min(moment, event.created_at))
            by = event.actor_id if event.actor_kind == AuthorKind.AGENT else None
            clock = fold_handoff_or_assignment(case, clock, event.kind, event.data, event.created_at, by)
            if event.kind == EventKind.LEFT_ON_READ:
                clock = replace(clock, left_on_read=clock.left_on_read + 1)
                case.left_on_read_wait = datetime.fromisoformat(event.data["waiting_since"]) if event.data.get("waiting_since") else None
            if event.kind == EventKind.RESOLVED:
                waiting = None
                clock = rules.end_wait(clock, event.created_at)
                inactivity = event.data.get("close_reason") == rules.CloseReason.INACTIVITY
                case.closed_at = event.created_at
                case.close_reason = rules.CloseReason.INACTIVITY if inactivity else rules.CloseReason.RESOLVED
                case.reason = str(event.data.get("reason") or "")[:60]
                case.closed_by_id = event.actor_id if event.actor_kind == AuthorKind.AGENT else None
                _save(case, clock, surveys)
                case, clock = None, None
        if case is not None:
            _save(case, clock, surveys)
        rollups.record_close(Case.objects.filter(conversation=conv, closed_at__isnull=False))
        return made


def _open(conv, opened_at) -> Case:
    return Case(conversation=conv, inbox_id=conv.inbox_id, contact_id=conv.contact_id, opened_at=opened_at)


def _save(case: Case, clock: rules.CaseClock, surveys: dict) -> None:
    clock_store.store(case, clock)
    for name, value in surveys.get(case.opened_at, {}).items():
        setattr(case, name, value)
    case.save()
