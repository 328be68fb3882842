"""What the API answers, as schemas: the OpenAPI document describes every response with these,
and each answer is checked against them on its way out. Field names are CONTRACT.md's."""

from __future__ import annotations

from typing import Any, Generic, Literal, TypeVar

from ninja import Schema
from pydantic import Field

T = TypeVar("T")

AuthorKind = Literal["customer", "agent", "ai", "system"]
MessageStatus = Literal["received", "queued", "sent", "delivered", "read", "failed"]
State = Literal["pending", "with_ai", "awaiting_customer", "resolved"]


class ErrorOut(Schema):
    detail: str
    code: str


# Every path may answer these, always as {"detail", "code"}.
ERRORS: dict = {frozenset({400, 401, 403, 404, 409, 413, 422}): ErrorOut}


class Spread(Schema):
    """A duration metric over many cases: how many, their average, p50 and p90, in seconds."""

    count: int
    avg: float | None = None
    p50: float | None = None
    p90: float | None = None


class Page(Schema, Generic[T]):
    items: list[T]
    next_cursor: str | None = None


class MediaOut(Schema):
    id: str | None = None
    mime_type: str | None = None
    filename: str | None = None
    url: str | None = None
    size: int | None = None
    voice: bool | None = None
    error: str | None = None


class LocationOut(Schema):
    # Null only when the channel sent coordinates that are not numbers: the place's name and
    # address are kept, without a pin.
    latitude: float | None
    longitude: float | None
    name: str | None = None
    address: str | None = None


class MessageError(Schema):
    code: str
    message: str


class MessageOut(Schema):
    id: int
    conversation_id: int
    direction: Literal["in", "out"]
    author_kind: AuthorKind
    author_id: int | None
    bot_name: str | None = None
    type: str
    text: str
    media: MediaOut | None = None
    location: LocationOut | None = None
    reply_to_id: int | None = None
    # A button's id, a template's name and parameters, a contact card…: its shape follows `type`.
    payload: Any = None
    external_id: str | None = None
    status: MessageStatus
    error: MessageError | None = None
    created_at: str
    edited_at: str | None = None
    deleted_at: str | None = None
    reply_to_external_id: str | None = None
    played_at: str | None = None


class ContactOut(Schema):
    id: int
    name: str
    phone: str | None = None


class ConversationOut(Schema):
    id: int
    inbox_id: int
    state: State
    resolved: bool
    waiting_since: str | None = None
    wait_seconds: int | None = None
    ai_enabled: bool
    ai_since: str | None = None
    ai_deadline: str | None = None
    assignee_id: int | None = None
    team_id: int | None = None
    queued_since: str | None = Field(default=None, description="Waiting for an agent with room since then.")
    priority: int
    tags: list[str]
    fields: dict[str, Any] = Field(default_factory=dict)
    handoff: dict[str, Any] | None = Field(default=None, description="The last AI hand-off, until resolved.")
    service_window_closes_at: str | None = None
    contact: ContactOut
    last_message: MessageOut | None = None
    created_at: str
    updated_at: str


class InboundOut(MessageOut):
    conversation: ConversationOut


class NoteOut(Schema):
    id: int
    conversation_id: int
    author_id: int | None = None
    text: str
    created_at: str


class MemberOut(Schema):
    id: int
    name: str
    email: str
    role: str
    availability: str


class InboxOut(Schema):
    id: int
    name: str
    channel: str
    settings: dict[str, Any] = Field(description="Every setting, stored or default; secrets are never returned.")
    secrets_set: list[str] = Field(description="The names of the secrets this inbox has.")
    member_ids: list[int]
    created_at: str
    updated_at: str


class TemplateOut(Schema):
    name: str
    language: str
    status: str
    category: str
    body: str
    param_count: int
    components: list[Any]
    synced_at: str


class IntegrationTokenOut(Schema):
    id: int
    label: str
    prefix: str
    created_at: str
    last_used_at: str | None = None
    # The token itself: only in the answer that created it.
    token: str | None = None


class QueuedOut(Schema):
    detail: str
    inbox_id: int
