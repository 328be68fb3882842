"""Read WhatsApp Cloud API webhook notifications into normalised messages, statuses and errors.

This module knows Meta's wire format and nothing else: no database, no inboxes. A notification is
`{"object": "whatsapp_business_account", "entry": [{"changes": [{"field": "messages", "value": …}]}]}`
and one `value` may carry several messages, statuses and errors for one phone number.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime, timezone

from mostrador.connectors.base import Unreadable
from mostrador.inbox.actions.inbound import InboundMessage

MEDIA_TYPES = ("image", "audio", "video", "document", "sticker")


class NotWhatsAppNotification(Unreadable):
    """The body is not a WhatsApp Business Account notification at all."""


@dataclass(frozen=True)
class ProviderError:
    code: str
    title: str
    details: str = ""

    @classmethod
    def read(cls, raw: dict) -> ProviderError:
        details = (raw.get("error_data") or {}).get("details") or raw.get("message") or ""
        return cls(code=str(raw.get("code", "")), title=str(raw.get("title") or raw.get("message") or ""), details=str(details))


@dataclass(frozen=True)
class StatusUpdate:
    wamid: str
    status: str
    at: datetime | None
    recipient: str = ""
    errors: tuple[ProviderError, ...] = ()


@dataclass
class NumberBatch:
    """Everything one notification says about one business phone number."""

    phone_number_id: str
    messages: list[InboundMessage] = field(default_factory=list)
    statuses: list[StatusUpdate] = field(default_factory=list)
    errors: list[ProviderError] = field(default_factory=list)
    # Parts we could not read; reported, never fatal for the rest of the notification.
    problems: list[str] = field(default_factory=list)


def load(raw_body: bytes) -> dict:
    """Decode and check the envelope; raise NotWhatsAppNotification when it is not one."""
    try:
        data = json.loads(raw_body)
    except (UnicodeDecodeError, ValueError) as exc:
        raise NotWhatsAppNotification(f"body is not JSON: {exc}") from None
    if not isinstance(data, dict) or not isinstance(data.get("entry"), list):
        raise NotWhatsAppNotification("body has no entry list")
    if data.get("object") not in (None, "whatsapp_business_account"):
        raise NotWhatsAppNotification(f"object {data.get('object')!r} is not whatsapp_business_account")
    return data


def read(data: dict) -> tuple[list[NumberBatch], list[str]]:
    """Split a loaded notification into one batch per phone number, plus envelope-level problems."""
    batches: dict[str, NumberBatch] = {}
    problems: list[str] = []
    for e, entry in enumerate(data["entry"]):
        changes = entry.get("changes") if isinstance(entry, dict) else None
        if not isinstance(changes, list):
            problems.append(f"entry[{e}] has no changes list")
            continue
        for c, change in enumerate(changes):
            where = f"entry[{e}].changes[{c}]"
            value = change.get("value") if isinstance(change, dict) else None
            if not isinstance(value, dict):
                problems.append(f"{where} has no value")
                continue
            if change.get("field", "messages") != "messages":
                # Account updates, template reviews…: not conversations, and not an error either.
                continue
            number = str((value.get("metadata") or {}).get("phone_number_id") or "")
            if not number:
                problems.append(f"{where}.value has no metadata.phone_number_id")
                continue
            batch = batches.setdefault(number, NumberBatch(number))
            _read_value(value, batch, where)
    return list(batches.values()), problems


def _read_value(value: dict, batch: NumberBatch, where: str) -> None:
    contacts = [c for c in value.get("contacts") or [] if isinstance(c, dict)]
    for i, raw in enumerate(value.get("messages") or []):
        try:
            batch.messages.append(_message(raw, contacts))
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            batch.problems.append(f"{where}.value.messages[{i}] unreadable: {exc!r}")
    for i, raw in enumerate(value.get("statuses") or []):
        try:
            batch.statuses.append(_status(raw))
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            batch.problems.append(f"{where}.value.statuses[{i}] unreadable: {exc!r}")
    for raw in value.get("errors") or []:
        if isinstance(raw, dict):
            batch.errors.append(ProviderError.read(raw))


def _timestamp(raw) -> datetime | None:
    if raw in (None, ""):
        return None
    return datetime.fromtimestamp(int(raw), tz=timezone.utc)


def _sender(raw: dict, contacts: list[dict]) -> tuple[str, str, str, tuple[str, ...]]:
    """(external id, name, phone, other ids). Users with a username may come with no phone at all,
    only their business-scoped user id."""
    phone = str(raw.get("from") or "")
    user_id = str(raw.get("from_user_id") or "")
    contact = next(
        (c for c in contacts if (phone and c.get("wa_id") == phone) or (user_id and c.get("user_id") == user_id)),
        contacts[0] if len(contacts) == 1 else {},
    )
    phone = phone or str(contact.get("wa_id") or "")
    user_id = user_id or str(contact.get("user_id") or "")
    profile = contact.get("profile") or {}
    name = str(profile.get("name") or profile.get("username") or "")
    ids = [i for i in (phone, user_id) if i]
    if not ids:
        raise ValueError("message has neither from nor from_user_id")
    return ids[0], name, phone, tuple(ids[1:])


def _message(raw: dict, contacts: list[dict]) -> InboundMessage:
    wamid = raw["id"]
    kind = raw.get("type") or "unsupported"
    external, name, phone, aliases = _sender(raw, contacts)
    fields: dict = {"type": kind}
    body = raw.get(kind) if isinstance(raw.get(kind), dict) else {}
    if kind == "text":
        fields["text"] = body.get("body", "")
    elif kind in MEDIA_TYPES:
        fields["text"] = body.get("caption", "")
        fields["media"] = {
            "id": body.get("id"),
            "mime_type": body.get("mime_type", ""),
            "filename": body.get("filename") or None,
            "sha256": body.get("sha256") or None,
            "voice": bool(body.get("voice")) if kind == "audio" else None,
        }
    elif kind == "location":
        fields["location"] = {
            "latitude": float(body["latitude"]),
            "longitude": float(body["longitude"]),
            "name": body.get("name") or None,
            "address": body.get("address") or None,
        }
        fields["text"] = body.get("name") or body.get("address") or ""
    elif kind == "contacts":
        cards = [c for c in raw.get("contacts") or [] if isinstance(c, dict)]
        fields["text"] = ", ".join((c.get("name") or {}).get("formatted_name", "") for c in cards)
        fields["payload"] = {"contacts": cards}
    elif kind == "interactive":
        reply_kind = body.get("type", "")
        reply = body.get(reply_kind) or {}
        fields["type"] = "interactive_reply"
        if reply_kind == "nfm_reply":  # a WhatsApp Flow's answers
            fields["text"] = reply.get("body", "")
            fields["payload"] = {"flow_response": reply.get("response_json")}
        else:
            fields["text"] = reply.get("title", "")
            fields["payload"] = reply.get("id")
    elif kind == "button":  # a quick-reply button under one of our templates
        fields["type"] = "interactive_reply"
        fields["text"] = body.get("text", "")
        fields["payload"] = body.get("payload")
    elif kind == "reaction":
        emoji = body.get("emoji") or ""
        fields["text"] = emoji
        fields["reply_to_external_id"] = body.get("message_id")
        fields["moves_attention"] = bool(emoji)
    else:
        # "unsupported" and anything newer than this code: keep it, with Meta's reason if given.
        fields["type"] = "unsupported"
        fields["payload"] = {"type": kind, kind: raw.get(kind)} if kind != "unsupported" else None
    errors = raw.get("errors") or []
    if errors and isinstance(errors[0], dict):
        error = ProviderError.read(errors[0])
        fields["error_code"], fields["error_message"] = error.code, error.details or error.title
    elif fields["type"] == "unsupported" and kind != "unsupported":
        fields["error_code"], fields["error_message"] = "unknown_type", f"message type {kind!r}"
    context = raw.get("context") or {}
    if context.get("id") and "reply_to_external_id" not in fields:
        fields["reply_to_external_id"] = context["id"]
    if raw.get("referral") and fields.get("payload") is None:
        # Click-to-WhatsApp ads: sellers want to know which ad brought the customer.
        fields["payload"] = {"referral": raw["referral"]}
    return InboundMessage(
        contact_external_id=external,
        contact_name=name,
        contact_phone=phone,
        contact_aliases=aliases,
        external_id=wamid,
        sent_at=_timestamp(raw.get("timestamp")),
        **fields,
    )


def _status(raw: dict) -> StatusUpdate:
    return StatusUpdate(
        wamid=raw["id"],
        status=raw["status"],
        at=_timestamp(raw.get("timestamp")),
        recipient=str(raw.get("recipient_id") or raw.get("recipient_user_id") or ""),
        errors=tuple(ProviderError.read(e) for e in raw.get("errors") or [] if isinstance(e, dict)),
    )
