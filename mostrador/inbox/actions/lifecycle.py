from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils import timezone

from mostrador.inbox.models import Conversation, EventKind
from mostrador.rules import attention as rules

from .actor import ActionRefused, Actor
from .record import apply_attention, locked, publish_conversation_changed, record_event


def resolve(conversation: Conversation, actor: Actor) -> Conversation:
    if actor.is_ai and not conversation.inbox.setting("ai_can_resolve"):
        raise ActionRefused("This inbox does not let AI agents resolve conversations.", code="ai_cannot_resolve")
    if not (actor.is_person or actor.is_ai):
        raise ActionRefused("Automations never resolve conversations.")
    now = timezone.now()
    with transaction.atomic():
        conv = locked(conversation.pk)
        if conv.resolved:
            return conv
        apply_attention(conv, rules.on_resolve(conv.attention), kind=EventKind.RESOLVED, actor=actor, now=now)
    return conv


def reopen(conversation: Conversation, actor: Actor) -> Conversation:
    if not actor.is_person:
        raise ActionRefused("Only a person reopens a conversation.", code="person_only")
    now = timezone.now()
    with transaction.atomic():
        conv = locked(conversation.pk)
        if not conv.resolved:
            raise ActionRefused("The conversation is not resolved.", code="not_resolved")
        apply_attention(conv, rules.on_reopen(conv.attention, now), kind=EventKind.REOPENED, actor=actor, now=now)
    return conv


def handoff(conversation: Conversation, actor: Actor, reason: str) -> Conversation:
    """An AI says "a person must take this": the conversation is pending at once."""
    if actor.is_person:
        raise ActionRefused("Hand-off is how an AI agent gives the turn to people.", code="bot_only")
    now = timezone.now()
    with transaction.atomic():
        conv = locked(conversation.pk)
        apply_attention(
            conv,
            rules.on_handoff(conv.attention),
            kind=EventKind.HANDOFF,
            actor=actor,
            now=now,
            data={"reason": reason},
        )
    return conv


def set_ai(conversation: Conversation, actor: Actor, enabled: bool) -> Conversation:
    now = timezone.now()
    with transaction.atomic():
        conv = locked(conversation.pk)
        if conv.ai_enabled == enabled:
            return conv
        apply_attention(
            conv,
            rules.on_ai_toggled(conv.attention, enabled, now),
            kind=EventKind.AI_TOGGLED,
            actor=actor,
            now=now,
            data={"enabled": enabled},
        )
    return conv


def expire_ai_window(conversation_id: int, deadline: datetime) -> bool:
    """The AI's window ran out: record the moment the chat became pending, and tell browsers.

    Returns False when the turn this timer guarded is already over (a person answered, the AI
    handed off, a new turn began), so a stale timer changes nothing.
    """
    with transaction.atomic():
        conv = locked(conversation_id)
        if conv.ai_deadline != deadline or conv.state(deadline) != rules.State.PENDING:
            return False
        if conv.events.filter(kind=EventKind.AI_WINDOW_ENDED, data__deadline=deadline.isoformat()).exists():
            return False
        record_event(
            conv,
            EventKind.AI_WINDOW_ENDED,
            Actor.system(),
            deadline,
            rules.State.WITH_AI.value,
            rules.State.PENDING.value,
            {"deadline": deadline.isoformat()},
        )
        publish_conversation_changed(conv, rules.State.PENDING.value, EventKind.AI_WINDOW_ENDED)
    return True
