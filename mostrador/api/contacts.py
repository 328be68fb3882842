"""`/api/v1/contacts` and `/api/v1/contact_fields` (CONTRACT.md "Search and contacts"). A contact
is visible to whoever sees one of its conversations; admins and supervisors see every one."""

from __future__ import annotations

from typing import Any, Literal

from ninja import Query, Router, Schema
from pydantic import Field

from mostrador.inbox import actions
from mostrador.inbox.models import Contact, ContactField
from mostrador.inbox.policy import visible_contacts
from mostrador.inbox.queries import visible_conversations
from mostrador.inbox.serializers import conversation_dict

from .auth import actor_of
from .errors import not_found
from .out import ERRORS, ConversationOut, Page
from .paging import newest_first

contacts = Router(tags=["contacts"])
contact_fields = Router(tags=["contacts"])


class ContactOut(Schema):
    id: int
    name: str
    phone: str | None
    email: str
    language: str
    fields: dict[str, Any]
    tags: list[str]
    created_at: str


class ContactPatch(Schema):
    name: str | None = Field(default=None, max_length=200)
    phone: str | None = Field(default=None, max_length=40)
    email: str | None = Field(default=None, max_length=254)
    language: str | None = Field(default=None, max_length=15)
    fields: dict[str, Any] | None = Field(default=None, description="Merged into the contact's; a null value removes one")
    tags: list[str] | None = Field(default=None, max_length=50)


class FieldOut(Schema):
    id: int
    name: str
    label: str
    type: str
    options: list[str]


class FieldIn(Schema):
    name: str = Field(min_length=1, max_length=40)
    label: str = Field(default="", max_length=80)
    type: Literal["text", "number", "date", "list"] = "text"
    options: list[str] | None = Field(default=None, max_length=100)


class PageParams(Schema):
    limit: int = Field(default=50, ge=1, le=200)
    cursor: str | None = None


def contact_out(contact: Contact) -> dict:
    return {
        "id": contact.pk, "name": contact.name, "phone": contact.phone or None, "email": contact.email,
        "language": contact.language, "fields": contact.fields or {},
        "tags": sorted(t.name for t in contact.tags.all()), "created_at": contact.created_at.isoformat(),
    }


def visible_contact(user, contact_id: int) -> Contact:
    contact = visible_contacts(user).filter(pk=contact_id).first()
    if contact is None:
        raise not_found("Contact not found")
    return contact


@contacts.get("/{contact_id}", response={200: ContactOut, **ERRORS})
def read(request, contact_id: int):
    return contact_out(visible_contact(request.user, contact_id))


@contacts.patch("/{contact_id}", response={200: ContactOut, **ERRORS})
def patch(request, contact_id: int, body: ContactPatch):
    contact = visible_contact(request.user, contact_id)
    return contact_out(actions.update_contact(contact, actor_of(request), body.dict(exclude_unset=True)))


class MergeIn(Schema):
    contact_id: int = Field(ge=1, le=2**62, description="The contact merged into this one (and then gone)")


@contacts.post("/{contact_id}/merge", response={200: ContactOut, **ERRORS})
def merge(request, contact_id: int, body: MergeIn):
    """The other contact's chats (with every message), identities, cases and quotes move to this
    one; details this one lacks are taken from it; then it is gone. 409 when both have a chat in
    the same inbox."""
    kept = visible_contact(request.user, contact_id)
    other = visible_contact(request.user, body.contact_id)
    return contact_out(actions.merge_contacts(kept, other, actor_of(request)))


@contacts.get("/{contact_id}/conversations", response={200: Page[ConversationOut], **ERRORS})
def conversations(request, contact_id: int, params: Query[PageParams]):
    contact = visible_contact(request.user, contact_id)
    rows = visible_conversations(request.user).filter(contact=contact).select_related("inbox", "contact", "last_message")
    return newest_first(rows, params.limit, params.cursor, conversation_dict)


def field_out(field: ContactField) -> dict:
    return {"id": field.pk, "name": field.name, "label": field.label, "type": field.type, "options": field.options or []}


@contact_fields.get("", response={200: Page[FieldOut], **ERRORS})
def list_fields(request):
    return {"items": [field_out(f) for f in ContactField.objects.order_by("name")], "next_cursor": None}


@contact_fields.post("", response={201: FieldOut, **ERRORS})
def define(request, body: FieldIn):
    return 201, field_out(actions.define_contact_field(actor_of(request), body.name, body.label, body.type, body.options))
