"""Read WhatsApp Cloud API webhook notifications into normalised messages, statuses and errors.

This module knows Meta's wire format and nothing else: no database, no inboxes. A notification is
`{"object": "whatsapp_business_account", "entry": [{"changes": [{"field": "messages", "value": …}]}]}`
and one `value` may carry several messages, statuses and errors for one phone number.
"""

from __future__ import annotations

import json
from datetime import datetime, timezone

from mostrador.connectors.base import AccountBatch, Parsed, ProviderError, StatusUpdate, Unreadable, without_nul
from mostrador.inbox.actions.inbound import InboundMessage

MEDIA_TYPES = ("image", "audio", "video", "document", "sticker")
# Column sizes: anything longer is not something Meta sends, and must not fail a whole batch.
MAX_ID, MAX_NAME, MAX_PHONE, MAX_CODE, MAX_ACCOUNT = 200, 200, 32, 40, 64


class NotWhatsAppNotification(Unreadable):
    """The body is not a WhatsApp Business Account notification at all."""


def provider_error(raw: dict) -> ProviderError:
    details = _dict(raw.get("error_data")).get("details") or raw.get("message") or ""
    return ProviderError(
        code=str(raw.get("code", ""))[:MAX_CODE],
        title=str(raw.get("title") or raw.get("message") or "")[:300],
        details=str(details),
    )


def load(raw_body: bytes) -> dict:
    """Decode and check the envelope; raise NotWhatsAppNotification when it is not one."""
    try:
        data = json.loads(raw_body)
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise NotWhatsAppNotification(f"body is not JSON: {exc}") from None
    if not isinstance(data, dict) or not isinstance(data.get("entry"), list):
        raise NotWhatsAppNotification("body has no entry list")
    if data.get("object") not in (None, "whatsapp_business_account"):
        raise NotWhatsAppNotification(f"object {data.get('object')!r} is not whatsapp_business_account")
    if b"\\u0000" in raw_body:
        # PostgreSQL text and jsonb cannot hold NUL, and one would fail the whole batch.
        data = without_nul(data)
    return data


def account_of(data: dict) -> str:
    """The phone number id a loaded notification is for (its first, in the rare notification
    that speaks of several); "" when it names none."""
    return next(iter(numbers_in(data)), "")


def numbers_in(data: dict) -> list[str]:
    """Every phone number id a loaded notification speaks of, in order, once each."""
    found: list[str] = []
    for entry in data["entry"]:
        changes = _dict(entry).get("changes")
        for change in changes if isinstance(changes, list) else []:
            number = _phone_number_id(_dict(_dict(change).get("value")))
            if number and number not in found:
                found.append(number)
    return found


def parse(raw_body: bytes) -> Parsed:
    """A stored notification's normalised items, one batch per phone number id (the account)."""
    batches, problems = read(load(raw_body))
    return Parsed(batches, problems)


def read(data: dict) -> tuple[list[AccountBatch], list[str]]:
    """Split a loaded notification into one batch per phone number, plus envelope-level problems.

    Never raises on a strange shape: each part that cannot be read becomes a problem with its
    path, and the rest of the notification is still used."""
    batches: dict[str, AccountBatch] = {}
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
            number = _phone_number_id(value)
            if not number:
                problems.append(f"{where}.value has no metadata.phone_number_id")
                continue
            batch = batches.setdefault(number, AccountBatch(number))
            _read_value(value, batch, where)
    return list(batches.values()), problems


def _phone_number_id(value: dict) -> str:
    """The business number a change's value is for; "" when it names none usable."""
    try:
        return _identifier(_dict(value.get("metadata")).get("phone_number_id"), "phone_number_id", MAX_ACCOUNT)
    except ValueError:
        return ""


def _dict(value) -> dict:
    return value if isinstance(value, dict) else {}


def _items(value: dict, key: str, where: str, problems: list[str]) -> list:
    items = value.get(key)
    if items is None:
        return []
    if not isinstance(items, list):
        problems.append(f"{where}.value.{key} is not a list")
        return []
    return items


def _read_value(value: dict, batch: AccountBatch, where: str) -> None:
    contacts = [c for c in _items(value, "contacts", where, batch.problems) if isinstance(c, dict)]
    for i, raw in enumerate(_items(value, "messages", where, batch.problems)):
        try:
            batch.messages.append(_message(raw, contacts))
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            batch.problems.append(f"{where}.value.messages[{i}] unreadable: {exc!r}")
    for i, raw in enumerate(_items(value, "statuses", where, batch.problems)):
        try:
            batch.statuses.append(_status(raw))
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            batch.problems.append(f"{where}.value.statuses[{i}] unreadable: {exc!r}")
    for raw in _items(value, "errors", where, batch.problems):
        if isinstance(raw, dict):
            batch.errors.append(provider_error(raw))


def _timestamp(raw) -> datetime | None:
    """A Unix timestamp (Meta sends a string of digits); None when absent or unreadable, so the
    message counts from when it reached us instead of being lost."""
    try:
        return datetime.fromtimestamp(int(raw), tz=timezone.utc)
    except (TypeError, ValueError, OverflowError, OSError):
        return None


def _identifier(raw, what: str, max_length: int = MAX_ID) -> str:
    """An id Meta sends as a string (wamid, wa_id, user id); "" when absent."""
    if raw is None or raw == "":
        return ""
    if isinstance(raw, bool) or not isinstance(raw, (str, int)):
        raise ValueError(f"{what} is not a string")
    value = str(raw)
    if len(value) > max_length:
        raise ValueError(f"{what} is longer than {max_length} characters")
    return value


def _text(raw) -> str:
    return raw if isinstance(raw, str) else ""


def _sender(raw: dict, contacts: list[dict]) -> tuple[str, str, str, tuple[str, ...]]:
    """(external id, name, phone, other ids). Users with a username may come with no phone at all,
    only their business-scoped user id."""
    phone = _identifier(raw.get("from"), "from", MAX_PHONE)
    user_id = _identifier(raw.get("from_user_id"), "from_user_id")
    contact = next(
        (c for c in contacts if (phone and c.get("wa_id") == phone) or (user_id and c.get("user_id") == user_id)),
        contacts[0] if len(contacts) == 1 else {},
    )
    phone = phone or _identifier(contact.get("wa_id"), "wa_id", MAX_PHONE)
    user_id = user_id or _identifier(contact.get("user_id"), "user_id")
    profile = _dict(contact.get("profile"))
    name = _text(profile.get("name")) or _text(profile.get("username"))
    ids = [i for i in (phone, user_id) if i]
    if not ids:
        raise ValueError("message has neither from nor from_user_id")
    return ids[0], name[:MAX_NAME], phone, tuple(ids[1:])


def _message(raw: dict, contacts: list[dict]) -> InboundMessage:
    wamid = _identifier(raw["id"], "id")
    if not wamid:
        raise ValueError("message has no id")
    kind = raw.get("type") if isinstance(raw.get("type"), str) and raw.get("type") else "unsupported"
    external, name, phone, aliases = _sender(raw, contacts)
    fields: dict = {"type": kind}
    body = _dict(raw.get(kind))
    if kind == "text":
        fields["text"] = _text(body.get("body"))
    elif kind in MEDIA_TYPES:
        fields["text"] = _text(body.get("caption"))
        fields["media"] = {
            "id": _identifier(body.get("id"), "media id") or None,
            "mime_type": _text(body.get("mime_type")),
            "filename": _text(body.get("filename")) or None,
            "sha256": _text(body.get("sha256")) or None,
            "voice": bool(body.get("voice")) if kind == "audio" else None,
        }
    elif kind == "location":
        fields["location"] = {
            "latitude": float(body["latitude"]),
            "longitude": float(body["longitude"]),
            "name": _text(body.get("name")) or None,
            "address": _text(body.get("address")) or None,
        }
        fields["text"] = fields["location"]["name"] or fields["location"]["address"] or ""
    elif kind == "contacts":
        cards = [c for c in raw.get("contacts") or [] if isinstance(c, dict)]
        fields["text"] = ", ".join(_text(_dict(c.get("name")).get("formatted_name")) for c in cards)
        fields["payload"] = {"contacts": cards}
    elif kind == "interactive":
        reply_kind = _text(body.get("type"))
        reply = _dict(body.get(reply_kind))
        fields["type"] = "interactive_reply"
        if reply_kind == "nfm_reply":  # a WhatsApp Flow's answers
            fields["text"] = _text(reply.get("body"))
            fields["payload"] = {"flow_response": reply.get("response_json")}
        else:
            fields["text"] = _text(reply.get("title"))
            fields["payload"] = reply.get("id")
    elif kind == "button":  # a quick-reply button under one of our templates
        fields["type"] = "interactive_reply"
        fields["text"] = _text(body.get("text"))
        fields["payload"] = body.get("payload")
    elif kind == "reaction":
        emoji = _text(body.get("emoji"))
        fields["text"] = emoji
        fields["reply_to_external_id"] = _identifier(body.get("message_id"), "reaction message_id") or None
        fields["moves_attention"] = bool(emoji)
    elif kind == "system" and body.get("type") == "user_changed_number":
        # Same person, new number: it is remembered for them, so their next messages land in this
        # conversation and replies go to the new number. WhatsApp wrote it, not the customer.
        new_number = _identifier(body.get("wa_id") or body.get("new_wa_id"), "system.wa_id", MAX_PHONE)
        fields.update(type="unsupported", text=_text(body.get("body")), payload={"system": body}, notice_by="WhatsApp")
        if new_number:
            aliases, phone = (*aliases, new_number), new_number
    elif kind == "order":
        # An order from the catalog: the customer is waiting for a person to confirm it.
        fields.update(type="unsupported", text=_order_text(body), payload={"order": body})
    else:
        # "unsupported" and anything newer than this code: keep it, with Meta's reason if given.
        fields["type"] = "unsupported"
        fields["payload"] = {"type": kind, kind: raw.get(kind)} if kind != "unsupported" else None
        if kind != "unsupported":
            fields["error_code"], fields["error_message"] = "unknown_type", f"message type {kind!r}"
    errors = raw.get("errors")
    if isinstance(errors, list) and errors and isinstance(errors[0], dict):
        error = provider_error(errors[0])
        fields["error_code"], fields["error_message"] = error.code, error.details or error.title
    context_id = _identifier(_dict(raw.get("context")).get("id"), "context.id")
    if context_id and "reply_to_external_id" not in fields:
        fields["reply_to_external_id"] = context_id
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


def _order_text(order: dict) -> str:
    lines = [_text(order.get("text"))] if _text(order.get("text")) else []
    for item in order.get("product_items") or []:
        if isinstance(item, dict):
            price = f" · {item.get('item_price')} {_text(item.get('currency'))}".rstrip() if item.get("item_price") else ""
            lines.append(f"{item.get('quantity', 1)} × {_text(item.get('product_retailer_id'))}{price}")
    return "\n".join(lines)


def _status(raw: dict) -> StatusUpdate:
    wamid, status = _identifier(raw["id"], "id"), raw["status"]
    if not wamid or not isinstance(status, str):
        raise ValueError("status needs an id and a status")
    recipient = _identifier(raw.get("recipient_id"), "recipient_id", MAX_PHONE)
    return StatusUpdate(
        external_id=wamid,
        status=status,
        at=_timestamp(raw.get("timestamp")),
        recipient=recipient or _identifier(raw.get("recipient_user_id"), "recipient_user_id"),
        errors=tuple(provider_error(e) for e in raw.get("errors") or [] if isinstance(e, dict)),
    )
