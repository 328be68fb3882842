"""Who may do what to a conversation's attention (DESIGN.md section 2). Plain Python: each rule
answers with the refusal's code, or None when the actor may go ahead; the actions turn a code
into a message people read in their own language."""

from __future__ import annotations

from datetime import datetime, timedelta

from .attention import Attention, AuthorKind, State, state_at


def refuse_resolve(actor: AuthorKind, ai_can_resolve: bool) -> str | None:
    """People resolve; an AI only where its inbox allows it; automations never."""
    if actor is AuthorKind.AI:
        return None if ai_can_resolve else "ai_cannot_resolve"
    return None if actor is AuthorKind.AGENT else "forbidden"


def refuse_reopen(actor: AuthorKind) -> str | None:
    """Only a person reopens: the chat then needs work, and an AI must not create that."""
    return None if actor is AuthorKind.AGENT else "person_only"


def refuse_ai_toggle(actor: AuthorKind, enabled: bool) -> str | None:
    """Only a person switches the AI on: an AI (or an automation) switching itself back on after a
    hand-off would take the chat out of Pendientes with nobody the wiser. Any of them may switch
    it off."""
    if enabled and actor is not AuthorKind.AGENT:
        return "person_only_ai_on"
    return None


def refuse_handoff(actor: AuthorKind) -> str | None:
    """Hand-off is how an AI gives the turn to people; a person simply answers."""
    return None if actor is AuthorKind.AI else "bot_only"


def refuse_send(
    actor: AuthorKind, a: Attention, now: datetime, ai_window: timedelta, inbox_ai: bool = False
) -> str | None:
    """The team, its AI agents and automations write to the customer; an AI only in its turn."""
    if actor is AuthorKind.CUSTOMER:
        return "forbidden"
    if actor is AuthorKind.AI and not ai_may_speak(a, now, ai_window, inbox_ai):
        return "not_ai_turn"
    return None


def ai_may_speak(a: Attention, now: datetime, ai_window: timedelta, inbox_ai: bool = False) -> bool:
    """Whether an AI may send a message to the customer now.

    Where the AI is on (the inbox's setting, or switched on for this conversation), it speaks
    only inside its own turn: once a person answers, the AI hands off or its window runs out, it
    stays quiet until the customer starts a new wait, built-in agent and outside bot alike (a
    person's answer may have switched it off on the conversation; the inbox still has it on).
    Where the AI is off, a bot token is an automation the team chose to run, and the message
    rules apply.
    """
    if not (a.ai_enabled or inbox_ai):
        return True
    return state_at(a, now, ai_window) is State.WITH_AI
