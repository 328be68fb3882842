"""Opening, measuring and closing cases, as the inbox core announces what happens.

`on_conversation_changed` is a domain hook subscriber: it runs inside the action's transaction,
so a case changes together with the conversation, or not at all. The rules of what each event
does to a case's numbers are in `rules/cases.py`.
"""

from __future__ import annotations

import functools
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models.base import ModelState

from mostrador.core.bulk import insert_rows, update_rows
from mostrador.inbox import hooks
from mostrador.inbox.actions import Actor
from mostrador.inbox.actions.record import record_event, record_events
from mostrador.inbox.models import EventKind
from mostrador.rules import cases as rules
from mostrador.rules.attention import AuthorKind, State, pending_from

from . import clock_store, rollups
from .models import Case


def open_case_of(conversation) -> Case | None:
    # No ORDER BY (there is at most one): with one, SQLite may walk the primary key instead of
    # the one-open-case index.
    return next(iter(Case.objects.filter(conversation_id=conversation.pk, closed_at__isnull=True).order_by()[:1]), None)


def on_conversation_changed(change: hooks.ConversationChanged) -> None:
    case = _fold(change, open_case_of(change.conversation))
    if case is None:
        return
    opened = case.pk is None
    if opened or change.kind == EventKind.RESOLVED:
        case.save()
    else:
        case.save(update_fields=CHANGING_FIELDS)
    conv = change.conversation
    if opened:
        record_event(conv, EventKind.CASE_OPENED, Actor.system(), case.opened_at, data={"case_id": case.pk})
    if _closed_now(change, case):
        rollups.record_close([case])
        record_event(conv, EventKind.CASE_CLOSED, change.actor, change.now, data={
            "case_id": case.pk, "close_reason": case.close_reason, "reason": case.reason,
        })
        from .surveys import send_survey

        send_survey(case, conv)
    if change.kind == EventKind.SEEN and change.after.waiting_since is not None and change.actor.user is not None:
        from .jobs import check_left_on_read

        due = change.now + conv.inbox.wait_target
        check_left_on_read.using(run_after=due).enqueue(case.pk, change.actor.user.pk, conv.waiting_since.isoformat(), due.isoformat())


def on_conversation_changes(changes: list[hooks.ConversationChanged]) -> None:
    """A batch (a burst of customer messages, one change per conversation): the open cases are
    read with one query, and new and changed cases written with one statement each."""
    if len(changes) == 1:
        on_conversation_changed(changes[0])
        return
    ids = [change.conversation.pk for change in changes]
    open_cases = {c.conversation_id: c for c in Case.objects.filter(conversation_id__in=ids, closed_at__isnull=True)}
    folded = [(change, case) for change in changes if (case := _fold(change, open_cases.get(change.conversation.pk)))]
    # Which cases are new is decided before the INSERT gives them ids (Model == compares ids).
    is_new = [case.pk is None for _, case in folded]
    insert_rows([case for (_, case), new in zip(folded, is_new, strict=True) if new])
    update_rows([case for (_, case), new in zip(folded, is_new, strict=True) if not new], CHANGING_FIELDS)
    # A burst carries customer messages, which close nothing; this keeps the rollups right if one
    # ever carries a close.
    rollups.record_close([case for change, case in folded if _closed_now(change, case)])
    record_events([
        (change.conversation, EventKind.CASE_OPENED, Actor.system(), case.opened_at, {"case_id": case.pk})
        for (change, case), new in zip(folded, is_new, strict=True) if new
    ])


# What a batch of customer messages can change on an open case.
CHANGING_FIELDS = [
    "handled_by", "first_response_at", "first_human_response_at", "first_response_seconds", "first_human_response_seconds",
    "queue_seconds", "end_to_end_seconds", "interactions", "transfers", "left_on_read", "clock", "close_due_at", "route",
]


def _fold(change: hooks.ConversationChanged, case: Case | None) -> Case | None:
    """Apply one change to the conversation's open case (opening one if the change does); the
    case to save, or None when there is none."""
    conv = change.conversation
    kind = change.kind
    if case is None and not _opens_a_case(change):
        return None
    clock = clock_store.load(case) if case else None
    window = conv.inbox.ai_window

    if kind == EventKind.MESSAGE:
        for message in change.messages or ((change.message,) if change.message else ()):
            author = AuthorKind(message.author_kind)
            if clock is None:
                if author is not AuthorKind.CUSTOMER:
                    continue
                case, clock = _new_case(conv, message.created_at, change.after.waiting_since)
            if author is AuthorKind.AGENT and clock.pending_since is None and change.state_before is State.PENDING:
                # It went pending by the clock, and the timer that says so had not run yet.
                clock = rules.became_pending(clock, pending_from(change.before, window) or change.now)
            clock = rules.on_message(clock, author, message.created_at, change.after.waiting_since)
    elif kind == EventKind.REOPENED and clock is None:
        case, clock = _new_case(conv, change.now, change.now)
    if clock is None:
        return None

    if change.state_after is State.PENDING and change.state_before is not State.PENDING:
        customer_wait = kind == EventKind.MESSAGE and change.actor.kind == AuthorKind.CUSTOMER
        moment = change.after.waiting_since if customer_wait and change.after.waiting_since else change.now
        clock = rules.became_pending(clock, min(moment, change.now))
    by = change.actor.user.pk if change.actor.is_person and change.actor.user is not None else None
    clock = fold_handoff_or_assignment(case, clock, kind, change.data, change.now, by)
    if kind == EventKind.RESOLVED:
        if clock.pending_since is None and change.state_before is State.PENDING:
            clock = rules.became_pending(clock, pending_from(change.before, window) or change.now)
        clock = rules.end_wait(clock, change.now)
        _close(case, conv, change)
    clock_store.store(case, clock)
    _arm_close_timer(case, conv, clock)
    return case


def _closed_now(change: hooks.ConversationChanged, case: Case) -> bool:
    return change.kind == EventKind.RESOLVED and case.closed_at == change.now


def _opens_a_case(change: hooks.ConversationChanged) -> bool:
    if change.kind == EventKind.REOPENED:
        return True
    messages = change.messages or ((change.message,) if change.message else ())
    return change.kind == EventKind.MESSAGE and any(m.author_kind == AuthorKind.CUSTOMER for m in messages)


def _new_case(conv, opened_at: datetime, waiting_since) -> tuple[Case, rules.CaseClock]:
    """A new case, saved (one INSERT) with its first numbers once the change is folded in."""
    # Filled from a blank case's defaults: a fraction of Model.__init__'s cost over thirty fields,
    # which a burst would pay per new customer.
    case = Case.__new__(Case)
    case.__dict__.update(_blank_case_fields(), tags=[], clock={}, inbox_id=conv.inbox_id, contact_id=conv.contact_id, opened_at=opened_at)
    case._state = ModelState()
    case.conversation = conv
    return case, rules.open_case(opened_at, waiting_since, assigned=conv.assignee_id is not None)


@functools.cache
def _blank_case_fields() -> dict:
    return {name: value for name, value in Case().__dict__.items() if name != "_state"}


def fold_handoff_or_assignment(case: Case, clock: rules.CaseClock, kind: str, data: dict, t: datetime, by: int | None) -> rules.CaseClock:
    """A hand-off (why, and the route that placed the case) or an assignment (who holds it since
    when, and re-routes) folded into the case; any other event leaves it as it was. The live
    hook and the backfill both fold events through here, so they give the same numbers."""
    if kind == EventKind.HANDOFF:
        clock = rules.on_handoff(clock, str(data.get("cause") or ""))
        if data.get("route"):
            case.route = str(data["route"])[:60]
            clock = rules.on_routed(clock, t)
    elif kind == EventKind.ASSIGNED:
        before, after = (data.get("from") or {}).get("user_id"), (data.get("to") or {}).get("user_id")
        if after != before:
            clock = rules.on_assigned(clock, t, to_person=after is not None)
        if is_transfer(data):
            clock = rules.on_transfer(clock, t, by)
    return clock


def is_transfer(data: dict) -> bool:
    """An assignment event that moved the chat from someone (a person or a team) to another."""
    before, after = data.get("from") or {}, data.get("to") or {}
    had_someone = before.get("user_id") is not None or before.get("team_id") is not None
    return had_someone and before != after


def _close(case: Case, conv, change: hooks.ConversationChanged) -> None:
    inactivity = change.data.get("close_reason") == rules.CloseReason.INACTIVITY
    case.closed_at = change.now
    case.close_reason = rules.CloseReason.INACTIVITY if inactivity else rules.CloseReason.RESOLVED
    case.reason = str(change.data.get("reason") or "")[:60]
    case.closed_by = change.actor.user if change.actor.is_person else None
    case.tags = sorted(conv.tags.values_list("name", flat=True))
    case.assignee_id, case.team_id = conv.assignee_id, conv.team_id


def _arm_close_timer(case: Case, conv, clock: rules.CaseClock) -> None:
    """A case whose customer is not waiting (a person had the last word) closes when the
    customer has been silent for the inbox's case_close_after_seconds. Each change re-arms it;
    a timer that finds another due time does nothing."""
    if case.closed_at is not None or conv.resolved or conv.waiting_since is not None:
        case.close_due_at = None
        return
    last = max(filter(None, (clock.last_customer_at, clock.last_business_at)), default=None)
    if last is None:
        case.close_due_at = None
        return
    due = last + timedelta(seconds=conv.inbox.setting("case_close_after_seconds"))
    armed = case.close_due_at
    case.close_due_at = due
    if armed is not None and armed <= due:
        return  # the timer already armed fires first, finds the later moment and waits for it
    from .jobs import close_if_silent

    # Enqueued on commit, when the case has its id, and dropped with a rollback.
    transaction.on_commit(lambda: close_if_silent.using(run_after=due).enqueue(case.pk, due.isoformat()))

