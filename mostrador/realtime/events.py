"""The realtime events. They say only *what* changed; browsers then fetch what they may see
through the normal, permission-checked views, so an event can never leak content."""

from __future__ import annotations

CONVERSATION_CHANGED = "conversation.changed"
MESSAGE_CREATED = "message.created"
MESSAGE_UPDATED = "message.updated"
NOTE_CREATED = "note.created"

SCHEMAS: dict[str, frozenset[str]] = {
    CONVERSATION_CHANGED: frozenset({"type", "conversation_id", "inbox_id", "state", "reason"}),
    MESSAGE_CREATED: frozenset({"type", "conversation_id", "inbox_id", "message_id", "author_kind"}),
    MESSAGE_UPDATED: frozenset({"type", "conversation_id", "inbox_id", "message_id", "status"}),
    NOTE_CREATED: frozenset({"type", "conversation_id", "inbox_id", "note_id"}),
}


def register(type_: str, fields: set[str]) -> str:
    """A capability's own event type (its apps.py calls this): same rules, ids and states only."""
    SCHEMAS[type_] = frozenset({"type", *fields})
    return type_


def make(type_: str, **fields) -> dict:
    event = {"type": type_, **fields}
    expected = SCHEMAS[type_]
    if set(event) != expected:
        raise ValueError(f"{type_} event needs exactly {sorted(expected)}, got {sorted(event)}")
    return event


def inbox_group(inbox_id: int) -> str:
    return f"inbox.{inbox_id}"


# Supervisors and admins see every inbox, including ones created after they connected.
ALL_INBOXES_GROUP = "inbox.all"
