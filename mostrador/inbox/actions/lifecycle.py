from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from mostrador.inbox.models import Conversation, EventKind
from mostrador.rules import attention as rules
from mostrador.rules import permissions

from .actor import ActionRefused, Actor
from .record import announce_bookkeeping, apply_attention, locked, publish_conversation_changed, record_event

REFUSALS = {
    "ai_cannot_resolve": _("This inbox does not let AI agents resolve conversations."),
    "forbidden": _("Automations never resolve conversations."),
    "person_only": _("Only a person reopens a conversation."),
    "bot_only": _("Hand-off is how an AI agent gives the turn to people."),
    "person_only_ai_on": _("Only a person switches the AI on; an AI agent may only switch it off."),
}


def _check(refusal: str | None) -> None:
    if refusal is not None:
        raise ActionRefused(REFUSALS[refusal], code=refusal)


MAX_REASON = 60


def resolve(conversation: Conversation, actor: Actor, reason: str = "") -> Conversation:
    """Mark the conversation resolved, with an optional contact reason (what the customer came
    for, usually one of the inbox's tags). Resolving a resolved conversation changes nothing."""
    _check(permissions.refuse_resolve(actor.author_kind, bool(conversation.inbox.setting("ai_can_resolve"))))
    reason = reason.strip()
    if len(reason) > MAX_REASON:
        raise ActionRefused(_("A contact reason is at most %(limit)s characters."), code="invalid", limit=MAX_REASON)
    return _resolve(conversation, actor, {"reason": reason} if reason else {})


def close_inactive(conversation: Conversation, silent_since: datetime) -> Conversation | None:
    """The system closes a conversation whose customer has been silent while a person had the
    last word: it moves to Resueltos, as if resolved. Never one that is waiting: an unanswered
    customer is never closed. Returns None when that is so (the caller's timer was stale)."""
    with transaction.atomic():
        conv = locked(conversation.pk)
        if conv.resolved or conv.waiting_since is not None:
            return None
        return _resolve(conv, Actor.system(), {"close_reason": "inactivity", "silent_since": silent_since.isoformat()})


def _resolve(conversation: Conversation, actor: Actor, data: dict) -> Conversation:
    now = timezone.now()
    with transaction.atomic():
        conv = locked(conversation.pk)
        if conv.resolved:
            return conv
        # The hand-off summary belongs to the case just closed.
        conv.handoff_summary = None
        apply_attention(
            conv, rules.on_resolve(conv.attention), kind=EventKind.RESOLVED, actor=actor, now=now,
            data=data, extra_update=["handoff_summary"],
        )
    return conv


def reopen(conversation: Conversation, actor: Actor) -> Conversation:
    _check(permissions.refuse_reopen(actor.author_kind))
    now = timezone.now()
    with transaction.atomic():
        conv = locked(conversation.pk)
        if not conv.resolved:
            raise ActionRefused(_("The conversation is not resolved."), code="not_resolved")
        apply_attention(conv, rules.on_reopen(conv.attention, now), kind=EventKind.REOPENED, actor=actor, now=now)
    return conv


def handoff(
    conversation: Conversation,
    actor: Actor,
    reason: str,
    *,
    wants: str = "",
    route: str = "",
    team=None,
    cause: str = "agent",
    asks: dict | None = None,
) -> Conversation:
    """An AI says "a person must take this": the conversation is pending at once.

    `cause` tells an agent's own decision ("agent") from a failure treated as one ("error",
    "timeout", "empty"). The summary sellers see is kept on the conversation until it is resolved.
    `asks` is what the agent asks people for beyond an answer, by capability (a quote request:
    {"quote": {...}}); the capabilities that subscribe to hand-offs act on it.
    """
    _check(permissions.refuse_handoff(actor.author_kind))
    now = timezone.now()
    with transaction.atomic():
        conv = locked(conversation.pk)
        conv.bot_state = {}
        said = _last_customer_words(conv)
        handed_to = team if team is not None else conv.team
        conv.handoff_summary = {
            "team": handed_to.name if handed_to is not None else "",
            "reason": reason,
            "wants": wants or " · ".join(said),
            "said": said,
            "fields": dict(conv.fields),
            "route": route,
            "cause": cause,
            "by": actor.bot_name,
            "at": now.isoformat(),
        }
        extra = ["bot_state", "handoff_summary"]
        if team is not None and conv.team_id != team.pk:
            conv.team = team
            extra.append("team")
        apply_attention(
            conv,
            rules.on_handoff(conv.attention),
            kind=EventKind.HANDOFF,
            actor=actor,
            now=now,
            data={"reason": reason, "cause": cause, "route": route, "team_id": team.pk if team else None, "asks": asks or {}},
            extra_update=extra,
        )
    return conv


def _last_customer_words(conv: Conversation, count: int = 3) -> list[str]:
    """Without a written summary, what the customer wants is best told in their own last words."""
    texts = conv.messages.filter(author_kind="customer").exclude(text="").order_by("-created_at", "-id")
    return [text[:300] for text in reversed(list(texts.values_list("text", flat=True)[:count]))]


def set_ai(conversation: Conversation, actor: Actor, enabled: bool) -> Conversation:
    _check(permissions.refuse_ai_toggle(actor.author_kind, enabled))
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


def record_ai_turn_started(conv: Conversation, actor: Actor, now: datetime) -> None:
    """The AI got the turn (called by the AI capability from inside the change that gave it)."""
    deadline = conv.ai_deadline.isoformat() if conv.ai_deadline else None
    record_event(conv, EventKind.AI_TURN_STARTED, actor, now, data={"deadline": deadline})


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
        data = {"deadline": deadline.isoformat()}
        record_event(
            conv, EventKind.AI_WINDOW_ENDED, Actor.system(), deadline,
            rules.State.WITH_AI.value, rules.State.PENDING.value, data,
        )
        publish_conversation_changed(conv, rules.State.PENDING.value, EventKind.AI_WINDOW_ENDED)
        announce_bookkeeping(
            conv, EventKind.AI_WINDOW_ENDED, Actor.system(), deadline, data, state_before=rules.State.WITH_AI
        )
    return True
