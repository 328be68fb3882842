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
    def turned_pending(self) -> bool:
        """A person must now act where nobody had to (a customer wrote, an AI turn ran out)."""
        return self.state_before is not State.PENDING and self.state_after is State.PENDING

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


@dataclass(frozen=True)
class ConversationOpened:
    """A person opened a conversation (the web UI on open, or `POST /seen`). Announced outside
    any transaction, on every open: subscribers keep it cheap (a read before any write)."""

    conversation: Conversation
    user: Any
    now: datetime


class Providers:
    """Capabilities that contribute to something the core shows or decides, in the order they
    subscribed. Each provider is called with the same arguments; `collect` gathers the answers
    that are not None, and `any` says whether one of them said yes."""

    def __init__(self) -> None:
        self._providers: list = []

    def subscribe(self, provider):
        # Idempotent, because ready() may run twice in some test runners.
        if provider not in self._providers:
            self._providers.append(provider)
        return provider

    def collect(self, *args) -> list:
        return [answer for provider in self._providers if (answer := provider(*args)) is not None]

    def any(self, *args) -> bool:
        return any(provider(*args) for provider in self._providers)


@dataclass(frozen=True)
class RowMark:
    """A small marker a capability adds to a conversation's row in the lists: `key` names its
    style (CSS class `mark-<key>`), `label` is shown and `title` explains it (both translated)."""

    key: str
    label: str
    title: str = ""


@dataclass(frozen=True)
class Panel:
    """A block a capability adds to the conversation pane: a template and its context (under
    `panel` in the template)."""

    template: str
    context: dict[str, Any]


@dataclass(frozen=True)
class TopbarItem:
    """A link a capability adds to the top bar, with an optional live counter (`count` None: no
    counter). `key` names it for the page's script and tests (`data-counter="<key>"`). With a
    `template`, that template is drawn instead of a link (with `item` in its context), at the
    right end of the bar beside the person's name (a control rather than a place to go). A
    `menu` item is a settings page: it goes in the admin's settings menu, not the bar."""

    key: str
    label: str
    url: str
    count: int | None = None
    template: str = ""
    menu: bool = False


@dataclass(frozen=True)
class RowMenuItem:
    """An entry a capability adds to a list row's right-click menu: a POST to `url`, where
    `{id}` stands for the conversation's id; the answer, if the chat is open, is its pane."""

    label: str
    url: str


@dataclass(frozen=True)
class TimelineLine:
    """How a capability's event shows on the timeline: `label` words one event (translated);
    a `divider` is drawn across the timeline; a line that `leads` comes before whatever else
    happened at the same moment (a case opens before the message that opened it)."""

    label: Callable[[Any], str]
    divider: bool = False
    leads: bool = False


class TimelineEvents:
    """Event kinds capabilities show on the conversation's timeline, and how."""

    def __init__(self) -> None:
        self._lines: dict[str, TimelineLine] = {}

    def register(self, kind: str, label: Callable[[Any], str], *, divider: bool = False, leads: bool = False) -> None:
        self._lines[kind] = TimelineLine(label, divider, leads)

    @property
    def kinds(self) -> list[str]:
        return list(self._lines)

    def line(self, kind: str) -> TimelineLine | None:
        return self._lines.get(kind)


# A customer message about to move attention: a capability may claim it (a survey answer), and
# a claimed message is stored and shown but starts no wait and reopens nothing. A claimer takes
# (conversation, message), returns True to claim, and records what it needs itself.
customer_message_claims = Providers()
# Markers on list rows: (the page's conversations) → {conversation id: [RowMark, ...]}, with one
# query for the whole page ("seen, unanswered"); see marks_by_row.
row_marks = Providers()
# Who answers while the AI holds a chat: (inbox) → True where a built-in agent will (see
# inbox.queries.ai_answers).
ai_answerers = Providers()
# Blocks in the conversation pane: (conversation, person) → Panel or None (earlier cases).
conversation_panels = Providers()
# Links and live counters in the top bar: (person) → TopbarItem or None (Por cotizar). Counters
# must be cheap (an indexed count).
topbar_items = Providers()
# Entries in a list row's right-click menu: (person) → RowMenuItem or None ("Request a quote").
row_menu = Providers()
# Saved answers a send may name instead of text ({"canned": "<shortcode>"}): (conversation,
# person, shortcode) → the text to send, or None when the provider has no such answer; raises
# ActionRefused for one it has but cannot fill (a variable with no value).
canned_texts = Providers()
# Scripts and style sheets a capability adds to every signed-in page: (person) → a static path
# or None (the "/" picker of saved answers in the composer).
page_assets = Providers()
# A chat's summary in the words of its inbox's AI, for a person coming back to it:
# (conversation, since, what happened as short lines) → a few sentences, or None (no AI that
# writes, or it did not answer).
summary_writers = Providers()
# Scripts a capability adds to the service worker (importScripts): () → a static path or None
# (Web Push's handler of a push and of a click on its notification).
worker_scripts = Providers()
# Capabilities' own lines on the timeline (cases, surveys, quote requests).
timeline_events = TimelineEvents()
# Every change to a conversation, announced by the action that made it.
conversation_changed: Hook[ConversationChanged] = Hook("conversation_changed")
# A person opened a conversation (mentions and notifications about it are then read).
conversation_opened: Hook[ConversationOpened] = Hook("conversation_opened")
# An inbox's settings were saved; subscribers may refuse them by raising InvalidSettings.
inbox_configured: Hook[InboxConfigured] = Hook("inbox_configured")


def marks_by_row(conversations: list[Conversation]) -> dict[int, list[RowMark]]:
    """Every capability's row marks for a page of the list, merged by conversation."""
    marks: dict[int, list[RowMark]] = {}
    if conversations:
        for found in row_marks.collect(conversations):
            for conversation_id, row_marks_found in found.items():
                marks.setdefault(conversation_id, []).extend(row_marks_found)
    return marks
