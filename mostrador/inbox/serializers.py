"""The outside shape of conversations and messages (CONTRACT.md field names)."""

from __future__ import annotations

from datetime import datetime

from django.utils import timezone

from mostrador.inbox.actions.outbound import window_closes_at
from mostrador.inbox.media import media_url
from mostrador.inbox.models import Conversation, Inbox, Message, Note
from mostrador.rules.attention import wait


def iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def message_dict(m: Message) -> dict:
    return {
        "id": m.pk,
        "conversation_id": m.conversation_id,
        "direction": m.direction,
        "author_kind": m.author_kind,
        "author_id": m.author_id,
        "bot_name": m.bot_name or None,
        "type": m.type,
        "text": m.text,
        "media": media_dict(m),
        "location": m.location,
        "reply_to_id": m.reply_to_id,
        "payload": m.payload,
        "external_id": m.external_id,
        "status": m.status,
        "error": {"code": m.error_code, "message": m.error_message} if m.error_code or m.error_message else None,
        "created_at": iso(m.created_at),
        # Set when the customer changed the text (channels that tell us of edits).
        "edited_at": iso(m.edited_at),
        # Set when the customer deleted it for everyone; its text and media are then empty.
        "deleted_at": iso(m.deleted_at),
        # The provider's id of the quoted message, also when we do not have that message.
        "reply_to_external_id": m.reply_to_external_id or None,
        # When the customer played one of our voice notes (WhatsApp), beyond "read".
        "played_at": iso(m.played_at),
    }


def media_dict(m: Message) -> dict | None:
    if not m.media:
        return None
    media = m.media
    return {
        "id": media.get("id"),
        "mime_type": media.get("mime_type") or None,
        "filename": media.get("filename") or None,
        "url": media_url(m) or media.get("link"),
        "size": media.get("size"),
        "voice": media.get("voice"),
        "error": media.get("error"),
    }


def conversation_dict(c: Conversation, now: datetime | None = None) -> dict:
    now = now or timezone.now()
    waited = wait(c.attention, now)
    state = c.state(now).value
    return {
        "id": c.pk,
        "inbox_id": c.inbox_id,
        "state": state,
        "resolved": c.resolved,
        "waiting_since": iso(c.waiting_since),
        "wait_seconds": int(waited.total_seconds()) if waited is not None else None,
        "ai_enabled": c.ai_enabled,
        "ai_since": iso(c.ai_since),
        "ai_deadline": iso(c.ai_deadline) if state == "with_ai" else None,
        "assignee_id": c.assignee_id,
        "team_id": c.team_id,
        # Waiting for an agent with room since then (null: not queued).
        "queued_since": iso(c.queued_since),
        "priority": c.priority,
        "tags": c.tag_names,
        "fields": c.fields,
        # The last AI hand-off (what the customer wants, the fields, the reason), until resolved.
        "handoff": c.handoff_summary,
        # WhatsApp's 24-hour window: free text is refused after this (null: the channel has none).
        "service_window_closes_at": iso(window_closes_at(c)),
        "contact": {"id": c.contact_id, "name": c.contact.name, "phone": c.contact.phone or None},
        "last_message": message_dict(c.last_message) if c.last_message else None,
        "created_at": iso(c.created_at),
        "updated_at": iso(c.updated_at),
    }


def note_dict(n: Note) -> dict:
    return {
        "id": n.pk,
        "conversation_id": n.conversation_id,
        "author_id": n.author_id,
        "text": n.text,
        "created_at": iso(n.created_at),
    }


def inbox_dict(i: Inbox) -> dict:
    return {
        "id": i.pk,
        "name": i.name,
        "channel": i.channel,
        # Secrets live apart from settings and are never serialised.
        "settings": i.effective_settings,
        "secrets_set": i.secrets_set,
        "member_ids": sorted(m.pk for m in i.members.all()),
        "created_at": iso(i.created_at),
        "updated_at": iso(i.updated_at),
    }
