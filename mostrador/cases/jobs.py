"""The cases' timers: closing a case when its customer stays silent, and noticing a chat a person
opened and left unanswered. Durable jobs, like the AI window: a restart loses none, and a timer
whose moment has passed (something happened since) does nothing."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django_tasks import task

from mostrador.inbox.actions import Actor, close_inactive
from mostrador.inbox.actions.record import record_event
from mostrador.inbox.models import Conversation, EventKind
from mostrador.rules.attention import State

from .models import Case


@task(queue_name="timers")
def close_if_silent(case_id: int, due_iso: str) -> str:
    case = Case.objects.filter(pk=case_id).first()
    if case is None or case.closed_at is not None or case.close_due_at is None:
        return "stale"
    due = case.close_due_at
    if timezone.now() < due:
        # Something happened since this timer was armed: the silence now ends later. (Or a
        # runner whose clock is ahead of the database's picked it up early.)
        close_if_silent.using(run_after=due).enqueue(case_id, due.isoformat())
        return "later"
    closed = close_inactive(case.conversation, due)
    return "closed" if closed else "waiting"


@task(queue_name="timers")
def check_left_on_read(case_id: int, user_id: int, waiting_since_iso: str, due_iso: str) -> str:
    """A person opened the chat while the customer waited; if that same wait is still pending
    after the wait target, the customer was left on read."""
    due = datetime.fromisoformat(due_iso)
    if timezone.now() < due:
        check_left_on_read.using(run_after=due).enqueue(case_id, user_id, waiting_since_iso, due_iso)
        return "early"
    with transaction.atomic():
        case = Case.objects.select_for_update().filter(pk=case_id, closed_at__isnull=True).first()
        if case is None:
            return "closed"
        conv = Conversation.objects.select_related("inbox").get(pk=case.conversation_id)
        same_wait = conv.waiting_since is not None and conv.waiting_since.isoformat() == waiting_since_iso
        if not same_wait or conv.state(due) is not State.PENDING:
            return "answered"
        already = conv.events.filter(kind=EventKind.LEFT_ON_READ, data__waiting_since=waiting_since_iso, actor_id=user_id)
        if already.exists():
            return "counted"
        from mostrador.accounts.models import User

        case.left_on_read += 1
        case.left_on_read_wait = conv.waiting_since
        case.save(update_fields=["left_on_read", "left_on_read_wait"])
        record_event(
            conv, EventKind.LEFT_ON_READ, Actor.person(User.objects.get(pk=user_id)), due,
            data={"case_id": case.pk, "waiting_since": waiting_since_iso},
        )
    return "left_on_read"
