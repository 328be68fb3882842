"""The realtime events. They say only *what* changed, by ids and states, so an event can never
leak content. What a page shows of a change comes through the permission-checked list and pane
views, either fetched by the page or rendered for its socket's person into the frame
(`hub.LIST_ROWS`)."""

from __future__ import annotations

CONVERSATION_CHANGED = "conversation.changed"
MESSAGE_CREATED = "message.created"
MESSAGE_UPDATED = "message.updated"
NOTE_CREATED = "note.created"
# Who sees what changed (inbox members, teams, visibility, roles): every socket works out its
# inboxes again, so someone taken off an inbox stops hearing of it at once.
ACCESS_CHANGED = "access.changed"

SCHEMAS: dict[str, frozenset[str]] = {
    CONVERSATION_CHANGED: frozenset({"type", "conversation_id", "inbox_id", "state", "reason"}),
    MESSAGE_CREATED: frozenset({"type", "conversation_id", "inbox_id", "message_id", "author_kind"}),
    MESSAGE_UPDATED: frozenset({"type", "conversation_id", "inbox_id", "message_id", "status"}),
    NOTE_CREATED: frozenset({"type", "conversation_id", "inbox_id", "note_id"}),
    ACCESS_CHANGED: frozenset({"type"}),
}


# Event types meant for one person only (their notifications): only their own sockets hear them.
PERSONAL: set[str] = set()

# What a live event can move of the top bar's counters (Pendientes, Por cotizar, notifications).
# A page asks for its counters after any event that is in neither set, so a capability that
# declares nothing is always counted. Both are read by the page (`data-leave-counters`,
# `data-only-pending` on its body) and written only here, by the registering apps.
#
# Event types that never move a counter: someone coming online is heard by every open tab, and
# a team signing in at nine must not have each tab ask for its counters once per colleague.
LEAVE_COUNTERS: set[str] = set()
# Events that move nothing but Pendientes, which a frame carrying rows already tells: customers
# and sellers writing, the AI's window. Keys are an event type, or "type:reason" for one reason
# of a type (a conversation changed because of a message, not because it was assigned).
ONLY_PENDING: set[str] = {MESSAGE_CREATED, MESSAGE_UPDATED}


# Events that may take a chat out of the view of those who see an inbox only in part (their own
# chats and the unassigned ones): a chat given to someone leaves the lists of whoever held it
# before, everyone when it was unassigned. Every such socket hears them, whoever holds the chat
# now; what each is then shown of it is still only what it may see. Same keys as ONLY_PENDING.
CHANGE_HOLDER: set[str] = set()


def changes_holder(type_: str, *reasons: str) -> None:
    """Says that this event type (or only these reasons of it) may give a chat to someone else."""
    _declare(CHANGE_HOLDER, type_, reasons)


def declared(event: dict, keys: set[str]) -> bool:
    """Whether `keys` (ONLY_PENDING's or CHANGE_HOLDER's) name the event's type or its reason."""
    return event["type"] in keys or f"{event['type']}:{event.get('reason')}" in keys


def _declare(keys: set[str], type_: str, reasons: tuple[str, ...]) -> None:
    if reasons:
        keys.update(f"{type_}:{reason}" for reason in reasons)
    else:
        keys.add(type_)


def register(type_: str, fields: set[str], *, personal: bool = False, moves_counters: bool = True) -> str:
    """A capability's own event type (its apps.py calls this): same rules, ids and states only.
    An event with an `inbox_id` reaches those who see that inbox; a `personal` one (with a
    `user_id`) reaches that person only; any other reaches everyone signed in (who is online).
    `moves_counters=False` says no top-bar counter can change with it."""
    SCHEMAS[type_] = frozenset({"type", *fields})
    if personal:
        PERSONAL.add(type_)
    if not moves_counters:
        LEAVE_COUNTERS.add(type_)
    return type_


def moves_only_pending(type_: str, *reasons: str) -> None:
    """Says that this event type (or only these reasons of it) moves no counter but Pendientes."""
    _declare(ONLY_PENDING, type_, reasons)


def make(type_: str, **fields) -> dict:
    event = {"type": type_, **fields}
    expected = SCHEMAS[type_]
    if set(event) != expected:
        raise ValueError(f"{type_} event needs exactly {sorted(expected)}, got {sorted(event)}")
    return event
