"""Shared plumbing for actions: lock the row, apply new attention, write the event, schedule
the AI-window timer and publish after commit."""

from __future__ import annotations

from datetime import datetime

from mostrador.inbox.models import Conversation, ConversationEvent, EventKind, Message
from mostrador.realtime import events
from mostrador.realtime.publish import publish_on_commit
from mostrador.rules.attention import Attention, AuthorKind, ai_deadline, on_message

from .actor import Actor


def locked(conversation_id: int) -> Conversation:
    """Serialise writers on one conversation so two inbound messages cannot both start a wait."""
    return Conversation.objects.select_for_update().select_related("inbox").get(pk=conversation_id)


def apply_attention(
    conv: Conversation,
    new: Attention,
    *,
    kind: str,
    actor: Actor,
    now: datetime,
    data: dict | None = None,
    extra_update: list[str] | None = None,
) -> ConversationEvent:
    before = conv.state(now)
    old_deadline = conv.ai_deadline
    old_ai_since = conv.ai_since
    conv.resolved = new.resolved
    conv.waiting_since = new.waiting_since
    conv.ai_enabled = new.ai_enabled
    conv.ai_since = new.ai_since
    conv.ai_deadline = ai_deadline(new, conv.inbox.ai_window)
    conv.updated_at = now
    conv.save(
        update_fields=[
            "resolved", "waiting_since", "ai_enabled", "ai_since", "ai_deadline", "updated_at",
            *(extra_update or []),
        ]
    )
    after = conv.state(now)
    if conv.ai_deadline and conv.ai_deadline != old_deadline:
        schedule_ai_window_end(conv)
    event = record_event(conv, kind, actor, now, before.value, after.value, data)
    publish_conversation_changed(conv, after.value, kind)
    from mostrador.bots.turn import after_attention

    after_attention(conv, old_ai_since, kind, actor, now, data or {})
    return event


def record_event(conv, kind, actor: Actor, now, from_state="", to_state="", data=None) -> ConversationEvent:
    return ConversationEvent.objects.create(
        conversation=conv,
        kind=kind,
        actor_kind=actor.kind,
        actor=actor.user,
        bot_name=actor.bot_name,
        from_state=from_state,
        to_state=to_state,
        data=data or {},
        created_at=now,
    )


def publish_conversation_changed(conv: Conversation, state: str, reason: str) -> None:
    publish_on_commit(
        events.make(
            events.CONVERSATION_CHANGED,
            conversation_id=conv.pk,
            inbox_id=conv.inbox_id,
            state=state,
            reason=reason,
        )
    )


def schedule_ai_window_end(conv: Conversation) -> None:
    # Enqueued inside the transaction: the job row commits with the state it guards, or not at
    # all, so a crash can neither lose the timer nor fire one for a rolled-back turn.
    from mostrador.inbox.jobs import end_ai_window

    end_ai_window.using(run_after=conv.ai_deadline).enqueue(conv.pk, conv.ai_deadline.isoformat())


def apply_message(
    conv: Conversation, message: Message, actor: Actor, t: datetime, now: datetime, extra_update: list[str] = ()
) -> None:
    """A message to or from the customer: it becomes the row's preview and moves attention."""
    conv.last_message = message
    conv.last_activity_at = now
    apply_attention(
        conv,
        on_message(conv.attention, AuthorKind(actor.kind), t),
        kind=EventKind.MESSAGE,
        actor=actor,
        now=now,
        data={"message_id": message.pk, "author_kind": actor.kind},
        extra_update=["last_message", "last_activity_at", *extra_update],
    )
    publish_message_event(message, events.MESSAGE_CREATED, author_kind=message.author_kind)


def publish_message_event(message: Message, type_: str, **fields) -> None:
    publish_on_commit(
        events.make(
            type_, conversation_id=message.conversation_id, inbox_id=message.inbox_id, message_id=message.pk, **fields
        )
    )
