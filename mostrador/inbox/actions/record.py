"""Shared plumbing for actions: lock the row, apply new attention, write the event, schedule
the AI-window timer, announce the change to the domain hooks and publish after commit."""

from __future__ import annotations

from datetime import datetime

from mostrador.core.bulk import insert_rows, update_rows
from mostrador.inbox import hooks
from mostrador.inbox.models import Conversation, ConversationEvent, EventKind, Message
from mostrador.realtime import events
from mostrador.realtime.publish import publish_on_commit
from mostrador.rules.attention import AiAfterPerson, Attention, AuthorKind, State, ai_deadline, on_message, state_at

from .actor import Actor


def locked(conversation_id: int) -> Conversation:
    """Serialise writers on one conversation so two inbound messages cannot both start a wait.
    Only the conversation's row: PostgreSQL would otherwise lock the joined inbox row too, and
    every action in one inbox would wait for the one before it."""
    return Conversation.objects.select_for_update(of=("self",)).select_related("inbox").get(pk=conversation_id)


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
    old, old_deadline = _store_attention(conv, new, now, extra_update)
    after = conv.state(now)
    event = record_event(conv, kind, actor, now, before.value, after.value, data)
    _after_change(
        hooks.ConversationChanged(kind, conv, actor, now, old, conv.attention, before, after, data=data or {}),
        old_deadline,
    )
    return event


ATTENTION_FIELDS = ["resolved", "waiting_since", "ai_enabled", "ai_since", "ai_deadline", "updated_at"]


def _store_attention(conv: Conversation, new: Attention, now: datetime, extra_update) -> tuple:
    """Write new attention fields (and any others the caller changed) in one UPDATE."""
    old = _set_attention(conv, new, now)
    conv.save(update_fields=[*ATTENTION_FIELDS, *(extra_update or [])])
    return old


def _set_attention(conv: Conversation, new: Attention, now: datetime) -> tuple:
    """Set the fields; return the attention and AI deadline they replace."""
    old = (conv.attention, conv.ai_deadline)
    conv.resolved = new.resolved
    conv.waiting_since = new.waiting_since
    conv.ai_enabled = new.ai_enabled
    conv.ai_since = new.ai_since
    conv.ai_deadline = ai_deadline(new, conv.inbox.ai_window)
    conv.updated_at = now
    return old


def _after_change(change: hooks.ConversationChanged, old_deadline) -> None:
    """What follows a change, in its transaction: the AI-window timer, realtime after commit, and
    whatever the capabilities subscribed to do about it."""
    _after_changes([(change, old_deadline)])


def _after_changes(changes: list[tuple[hooks.ConversationChanged, object]]) -> None:
    timed = []
    for change, old_deadline in changes:
        conv = change.conversation
        if conv.ai_deadline and conv.ai_deadline != old_deadline:
            timed.append(conv)
        publish_conversation_changed(conv, change.state_after.value, change.kind)
    schedule_ai_window_ends(timed)
    hooks.conversation_changed.announce_many([change for change, _ in changes])


def announce_bookkeeping(
    conv: Conversation, kind: str, actor: Actor, now: datetime, data: dict, state_before: State | None = None
) -> None:
    """Tell the subscribers of a change that leaves the attention fields alone (tags, fields,
    assignment, notes, and the moment an AI window runs out, which the clock alone decides)."""
    state = conv.state(now)
    attention = conv.attention
    hooks.conversation_changed.announce(
        hooks.ConversationChanged(kind, conv, actor, now, attention, attention, state_before or state, state, data=data)
    )


def record_event(conv, kind, actor: Actor, now, from_state="", to_state="", data=None) -> ConversationEvent:
    event = _event_row(conv, kind, actor, now, from_state, to_state, data)
    event.save()
    return event


def record_events(items: list[tuple]) -> None:
    """Several event rows with one INSERT: (conversation, kind, actor, at, data) each."""
    if items:
        insert_rows([_event_row(conv, kind, actor, at, data=data) for conv, kind, actor, at, data in items])


def _event_row(conv, kind, actor: Actor, now, from_state="", to_state="", data=None) -> ConversationEvent:
    return ConversationEvent(
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
    schedule_ai_window_ends([conv])


def schedule_ai_window_ends(convs: list[Conversation]) -> None:
    """One timer per moment an AI window runs out: a burst of customers handed to the AI together
    shares it. Enqueued inside the transaction: the job row commits with the state it guards, or
    not at all, so a crash can neither lose the timer nor fire one for a rolled-back turn."""
    from mostrador.inbox.jobs import end_ai_windows

    by_deadline: dict = {}
    for conv in convs:
        by_deadline.setdefault(conv.ai_deadline, []).append(conv.pk)
    for deadline, ids in by_deadline.items():
        end_ai_windows.using(run_after=deadline).enqueue(ids, deadline.isoformat())


def apply_messages(
    conv: Conversation, messages: list[Message], actor: Actor, now: datetime, extra_update: list[str] = ()
) -> None:
    """Messages to or from the customer, in order: the last becomes the row's preview, each moves
    attention from its own time and gets its own event row."""
    apply_messages_to_many([(conv, messages)], actor, now, extra_update)


def apply_messages_to_many(
    batches: list[tuple[Conversation, list[Message]]], actor: Actor, now: datetime, extra_update: list[str] = ()
) -> None:
    """`apply_messages` for several conversations at once (locked by the caller): one UPDATE for
    all of them and one INSERT for all their event rows, however many there are."""
    rows, changed = [], []
    for conv, messages in batches:
        window = conv.inbox.ai_window
        after_person = AiAfterPerson(conv.inbox.setting("ai_after_person"))
        ai_default = bool(conv.inbox.setting("ai_enabled"))
        attention = conv.attention
        state_before = state_at(attention, now, window)
        for message in messages:
            before = state_at(attention, now, window)
            attention = on_message(attention, AuthorKind(actor.kind), message.created_at, after_person, ai_default)
            rows.append(
                _event_row(
                    conv, EventKind.MESSAGE, actor, now, before.value, state_at(attention, now, window).value,
                    {"message_id": message.pk, "author_kind": actor.kind},
                )
            )
        conv.last_message = messages[-1]
        conv.last_activity_at = now
        changed.append((conv, messages, state_before, _set_attention(conv, attention, now), rows[-1]))
    fields = [*ATTENTION_FIELDS, "last_message", "last_activity_at", *extra_update]
    if len(batches) == 1:
        batches[0][0].save(update_fields=fields)
    else:
        update_rows([conv for conv, _ in batches], fields)
    insert_rows(rows)
    for _, messages in batches:
        for message in messages:
            publish_message_event(message, events.MESSAGE_CREATED, author_kind=message.author_kind)
    _after_changes([
        (
            hooks.ConversationChanged(
                EventKind.MESSAGE, conv, actor, now, old, conv.attention, state_before, conv.state(now),
                message=messages[-1], messages=tuple(messages), data=last.data,
            ),
            old_deadline,
        )
        for conv, messages, state_before, (old, old_deadline), last in changed
    ])


def publish_message_event(message: Message, type_: str, **fields) -> None:
    publish_on_commit(
        events.make(
            type_, conversation_id=message.conversation_id, inbox_id=message.inbox_id, message_id=message.pk, **fields
        )
    )
