"""Domain hooks: how capabilities plug into the inbox core without the core knowing them.

An action announces what happened as a typed event; every subscriber registered for it runs at
once, inside the action's transaction, so whatever a subscriber writes (through the actions)
commits or rolls back with the change that caused it. Apps subscribe in `AppConfig.ready()`:

    from mostrador.inbox import hooks

    def greet_new_waits(event: hooks.ConversationChanged) -> None:
        if event.kind == "message" and event.wait_started:
            ...

    hooks.conversation_changed.subscribe(greet_new_waits)

The arrows point one way: capabilities import the core and subscribe; the core imports none of
them. A subscriber that raises aborts the action, which is what a validation hook wants.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from mostrador.rules.attention import Attention, State

if TYPE_CHECKING:
    from mostrador.inbox.actions.actor import Actor
    from mostrador.inbox.models import Conversation, Inbox, Message

E = TypeVar("E")


class Hook(Generic[E]):
    """One kind of announcement and the subscribers that hear it, in the order they subscribed."""

    def __init__(self, name: str):
        self.name = name
        self._subscribers: list[Callable[[E], Any]] = []
        # Subscribers that take a whole batch at once (one call for a burst of notifications).
        self._batch: dict[Callable[[E], Any], Callable[[list[E]], Any]] = {}

    def subscribe(self, subscriber: Callable[[E], Any], *, many: Callable[[list[E]], Any] | None = None) -> Callable[[E], Any]:
        """`many`, if given, receives the events a batch announces together, in order; a
        subscriber on a hot path uses it to read and write in bulk."""
        # Idempotent, because ready() may run twice in some test runners.
        if subscriber not in self._subscribers:
            self._subscribers.append(subscriber)
        if many is not None:
            self._batch[subscriber] = many
        return subscriber

    def unsubscribe(self, subscriber: Callable[[E], Any]) -> None:
        if subscriber in self._subscribers:
            self._subscribers.remove(subscriber)
        self._batch.pop(subscriber, None)

    def announce(self, event: E) -> None:
        for subscriber in list(self._subscribers):
            subscriber(event)

    def announce_many(self, events: list[E]) -> None:
        """Several events at once (a batch of customer messages, one per conversation)."""
        for subscriber in list(self._subscribers):
            many = self._batch.get(subscriber)
            if many is not None:
                many(events)
            else:
                for event in events:
                    subscriber(event)

    def __repr__(self) -> str:
        return f"<Hook {self.name}: {len(self._subscribers)} subscribers>"


@dataclass(frozen=True)
class ConversationChanged:
    """Something happened to a conversation. `kind` is an EventKind value (`message`, `resolved`,
    `handoff`, `ai_window_ended`, `assigned`…); `before` and `after` are its attention fields around
    the change (the same for bookkeeping that leaves attention alone)."""

    kind: str
    conversation: Conversation
    actor: Actor
    now: datetime
    before: Attention
    after: Attention
    state_before: State
    state_after: State
    # The message that made the change; a batch from one notification is announced once per
    # conversation, with all its messages in order and the last one here.
    message: Message | None = None
    messages: tuple[Message, ...] = ()
    data: dict = field(default_factory=dict)

    @property
    def wait_started(self) -> bool:
        return self.after.waiting_since is not None and self.after.waiting_since != self.before.waiting_since

    @property
    def ai_turn_started(self) -> bool:
        return self.after.ai_since is not None and self.after.ai_since != self.before.ai_since

    @property
    def ai_turn_taken_away(self) -> bool:
        """The AI held a turn and this change took it (a person answered, hand-off, resolve…).
        A window that runs out is its own kind, `ai_window_ended`."""
        return self.before.ai_since is not None and self.after.ai_since is None


@dataclass(frozen=True)
class InboxConfigured:
    """An inbox was created or its settings changed (inside the saving transaction). `changed`
    names the settings keys that were given."""

    inbox: Inbox
    changed: frozenset[str]
    created: bool = False


class Claims:
    """Capabilities that may take a customer message as theirs before it reaches the attention
    rule (a survey answer): a claimed message is stored and shown, but starts no wait and
    reopens nothing. A claimer returns True to claim, and records what it needs itself."""

    def __init__(self) -> None:
        self._claimers: list = []

    def subscribe(self, claimer):
        if claimer not in self._claimers:
            self._claimers.append(claimer)
        return claimer

    def claimed(self, conversation: Conversation, message: Message) -> bool:
        return any(claimer(conversation, message) for claimer in self._claimers)


# A customer message about to move attention; a capability may claim it (see Claims).
customer_message_claims = Claims()
# Every change to a conversation, announced by the action that made it.
conversation_changed: Hook[ConversationChanged] = Hook("conversation_changed")
# An inbox's settings were saved; subscribers may refuse them by raising InvalidSettings.
inbox_configured: Hook[InboxConfigured] = Hook("inbox_configured")
