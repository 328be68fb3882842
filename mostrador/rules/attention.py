"""The attention rule (DESIGN.md section 2).

A conversation's attention is four fields. Every event maps the old fields to new ones; the state
shown to people is derived from the fields and the clock. Keeping the state derived, instead of
stored, means a late timer can never make the product lie about who is waiting.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, replace
from datetime import datetime, timedelta


class State(str, enum.Enum):
    PENDING = "pending"
    WITH_AI = "with_ai"
    AWAITING_CUSTOMER = "awaiting_customer"
    RESOLVED = "resolved"


class AuthorKind(enum.StrEnum):
    """Who wrote a message (the models' choices and the API's `author_kind` are these values)."""

    CUSTOMER = "customer"
    AGENT = "agent"
    AI = "ai"
    SYSTEM = "system"


class AiAfterPerson(enum.StrEnum):
    """How long the AI stays quiet once a person answers (the inbox's `ai_after_person`)."""

    # Off on this conversation until the case closes; the next case starts with the inbox's default.
    CASE_END = "case_end"
    # Back on when the customer starts a new wait.
    NEXT_WAIT = "next_wait"


@dataclass(frozen=True)
class Attention:
    resolved: bool = False
    waiting_since: datetime | None = None
    ai_enabled: bool = False
    ai_since: datetime | None = None

    def _start_wait(self, t: datetime) -> Attention:
        return replace(self, waiting_since=t, ai_since=t if self.ai_enabled else None)


def on_message(
    a: Attention,
    author: AuthorKind,
    t: datetime,
    after_person: AiAfterPerson = AiAfterPerson.NEXT_WAIT,
    ai_default: bool | None = None,
) -> Attention:
    """Apply a message to the customer (internal notes are not messages and never get here).

    `after_person` and `ai_default` are the inbox's: with `case_end`, a person's answer switches
    the AI off on this conversation, and a customer who writes to a resolved chat (a new case)
    finds it as the inbox sets it (`ai_default`)."""
    if author is AuthorKind.CUSTOMER:
        # A resolved chat reopens when the customer writes; a running wait keeps its start and
        # the AI's window does not stretch, so the customer cannot be hidden by writing again.
        if a.resolved and after_person is AiAfterPerson.CASE_END and ai_default is not None:
            a = replace(a, ai_enabled=ai_default)
        a = replace(a, resolved=False)
        return a if a.waiting_since is not None else a._start_wait(t)
    if author is AuthorKind.AGENT:
        # A person took this turn: the AI stays quiet (for the case, or until the next wait).
        ai_enabled = a.ai_enabled and after_person is AiAfterPerson.NEXT_WAIT
        return replace(a, waiting_since=None, ai_since=None, ai_enabled=ai_enabled)
    if author is AuthorKind.AI:
        # An AI reply never ends a wait and never reopens a resolved chat; an AI that speaks
        # first still leaves the chat needing a person.
        if a.resolved or a.waiting_since is not None:
            return a
        return a._start_wait(t)
    # Automations (auto-replies, surveys, reminders) never start, end or reopen anything.
    return a


def on_resolve(a: Attention) -> Attention:
    return replace(a, resolved=True, waiting_since=None, ai_since=None)


def on_reopen(a: Attention, now: datetime) -> Attention:
    """A person reopens: the chat needs work now, and the AI does not get the turn back."""
    return replace(a, resolved=False, waiting_since=now, ai_since=None)


def on_handoff(a: Attention) -> Attention:
    return replace(a, ai_since=None)


def on_ai_toggled(a: Attention, enabled: bool, now: datetime) -> Attention:
    if not enabled:
        return replace(a, ai_enabled=False, ai_since=None)
    if a.ai_enabled:
        return a
    running = a.waiting_since is not None and not a.resolved
    return replace(a, ai_enabled=True, ai_since=now if running else a.ai_since)


def ai_deadline(a: Attention, ai_window: timedelta) -> datetime | None:
    """When the AI's turn ends, or None when the AI does not hold the turn."""
    if a.resolved or a.waiting_since is None or a.ai_since is None:
        return None
    return a.ai_since + ai_window


def state_at(a: Attention, now: datetime, ai_window: timedelta) -> State:
    if a.resolved:
        return State.RESOLVED
    if a.waiting_since is None:
        return State.AWAITING_CUSTOMER
    deadline = ai_deadline(a, ai_window)
    if deadline is not None and now < deadline:
        return State.WITH_AI
    return State.PENDING


def pending_from(a: Attention, ai_window: timedelta) -> datetime | None:
    """The moment the conversation becomes (or became) pending, if nothing else happens."""
    if a.resolved or a.waiting_since is None:
        return None
    return ai_deadline(a, ai_window) or a.waiting_since


def wait(a: Attention, now: datetime) -> timedelta | None:
    """The customer's wait for a person, shown on every row."""
    if a.resolved or a.waiting_since is None:
        return None
    return max(now - a.waiting_since, timedelta(0))
