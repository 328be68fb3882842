"""`GET /api/v1/search` (CONTRACT.md "Search and contacts"): conversations, contacts and
messages matching the words of `q` (accents and case ignored) or the phone number it is, among
what the caller may see. Each list holds up to `limit`; `next_cursor` continues all three."""

from __future__ import annotations

from ninja import Query, Router, Schema
from pydantic import Field

from mostrador.api.contacts import ContactOut, contact_out
from mostrador.api.out import ERRORS, ConversationOut, MessageOut
from mostrador.api.schemas import Id
from mostrador.inbox.serializers import conversation_dict, message_dict

from . import finder

router = Router(tags=["search"])


class SearchParams(Schema):
    q: str = Field(min_length=1, max_length=200)
    inbox_id: Id | None = None
    limit: int = Field(default=20, ge=1, le=100)
    cursor: str | None = Field(default=None, max_length=200)


class SearchOut(Schema):
    conversations: list[ConversationOut]
    contacts: list[ContactOut]
    messages: list[MessageOut]
    next_cursor: str | None = None


@router.get("", response={200: SearchOut, **ERRORS})
def search(request, params: Query[SearchParams]):
    found = finder.find(request.user, params.q, limit=params.limit, cursor=params.cursor, inbox_id=params.inbox_id)
    return {
        "conversations": [conversation_dict(c) for c in found.conversations],
        "contacts": [contact_out(c) for c in found.contacts],
        "messages": [message_dict(m) for m in found.messages],
        "next_cursor": found.next_cursor,
    }
