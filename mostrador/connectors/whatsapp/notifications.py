"""Read WhatsApp Cloud API webhook notifications into normalised messages, statuses and errors.

This module knows Meta's wire format and nothing else: no database, no inboxes. A notification is
`{"object": "whatsapp_business_account", "entry": [{"changes": [{"field": "messages", "value": …}]}]}`
and one `value` may carry several messages, statuses and errors for one phone number.
"""

from __future__ import annotations

import json
from datetime import datetime, timezone

from mostrador.connectors.base import (
    AccountBatch,
    AccountNotice,
    InboundEdit,
    Parsed,
    ProviderError,
    StatusUpdate,
    Unreadable,
    without_nul,
)
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
    parsed = Parsed()
    parsed.batches, parsed.problems, parsed.notices = read(load(raw_body))
    return parsed


# Changes that speak of a conversation's messages, routed by their phone number id.
MESSAGE_FIELDS = ("messages", "smb_message_echoes")


def read(data: dict) -> tuple[list[AccountBatch], list[str], list[AccountNotice]]:
    """Split a loaded notification into one batch per phone number, the account notices
    (templates, restrictions), and envelope-level problems.

    Never raises on a strange shape: each part that cannot be read becomes a problem with its
    path, and the rest of the notification is still used."""
    batches: dict[str, AccountBatch] = {}
    problems: list[str] = []
    notices: list[AccountNotice] = []
    for e, entry in enumerate(data["entry"]):
        changes = entry.get("changes") if isinstance(entry, dict) else None
        if not isinstance(changes, list):
            problems.append(f"entry[{e}] has no changes list")
            continue
        raw_account = entry.get("id")
        business_account = str(raw_account) if isinstance(raw_account, (str, int)) and not isinstance(raw_account, bool) else ""
        for c, change in enumerate(changes):
            where = f"entry[{e}].changes[{c}]"
            value = change.get("value") if isinstance(change, dict) else None
            if not isinstance(value, dict):
                problems.append(f"{where} has no value")
                continue
            kind = change.get("field", "messages")
            if kind not in MESSAGE_FIELDS:
                notice = account_notice(str(kind), value, business_account[:MAX_ACCOUNT])
                if notice:
                    notices.append(notice)
                # Others (history syncs, app state…) are not conversations, nor an error either.
                continue
            number = _phone_number_id(value)
            if not number:
                problems.append(f"{where}.value has no metadata.phone_number_id")
                continue
            batch = batches.setdefault(number, AccountBatch(number))
            if kind == "smb_message_echoes":
                _read_echoes(value, batch, where)
            else:
                _read_value(value, batch, where)
    return list(batches.values()), problems, notices


def account_notice(kind: str, value: dict, business_account: str) -> AccountNotice | None:
    """What Meta says about the account rather than a conversation, for the inbox's admins."""
    if kind == "message_template_status_update":
        name = _text(value.get("message_template_name"))
        status = _text(value.get("event")).upper()
        if not name or not status:
            return None
        reason = _text(value.get("reason"))
        return AccountNotice(
            kind="template",
            code=f"template_{status.lower()}"[:MAX_CODE],
            title=f"{name} ({_text(value.get('message_template_language'))}): {status}",
            details="" if reason in ("", "NONE") else reason,
            business_account=business_account,
            template_name=name[:512],
            template_language=_text(value.get("message_template_language"))[:15],
            template_status=status[:20],
        )
    if kind in ("account_update", "phone_number_quality_update"):
        event = _text(value.get("event")) or kind.upper()
        extra = {k: v for k, v in value.items() if k not in ("event", "phone_number", "display_phone_number")}
        return AccountNotice(
            kind="account",
            code=event.lower()[:MAX_CODE],
            title=event.replace("_", " ").capitalize(),
            details=json.dumps(extra, ensure_ascii=False, sort_keys=True)[:4000] if extra else "",
            business_account=business_account,
            phone_number=digits(value.get("phone_number") or value.get("display_phone_number")),
        )
    return None


def digits(raw) -> str:
    """A phone number as Meta compares them: its digits only."""
    return "".join(ch for ch in str(raw or "") if ch.isdigit())[:MAX_PHONE]


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
            if isinstance(raw, dict) and raw.get("type") in ("edit", "revoke"):
                batch.edits.append(_change_of_message(raw))
            else:
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


def _read_echoes(value: dict, batch: AccountBatch, where: str) -> None:
    """Messages typed in the WhatsApp Business app on this same number (coexistence): `from` is
    the business, `to` the customer. They read like a customer's message, addressed the other way."""
    for i, raw in enumerate(_items(value, "message_echoes", where, batch.problems)):
        try:
            if not isinstance(raw, dict):
                raise TypeError("echo is not an object")
            customer = _identifier(raw.get("to"), "to", MAX_PHONE) or _identifier(raw.get("to_user_id"), "to_user_id")
            if not customer:
                raise ValueError("echo has no to")
            as_received = {**raw, "from": customer if raw.get("to") else None, "from_user_id": raw.get("to_user_id")}
            batch.echoes.append(_message(as_received, []))
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            batch.problems.append(f"{where}.value.message_echoes[{i}] unreadable: {exc!r}")


def _change_of_message(raw: dict) -> InboundEdit:
    """The customer edited a message or deleted it for everyone. Either names the original by
    its wamid; neither is a new message, and neither is anyone waiting."""
    kind = raw["type"]
    body = _dict(raw.get(kind))
    original = _identifier(
        body.get("original_message_id") or body.get("message_id") or _dict(raw.get("context")).get("id"),
        "original_message_id",
    )
    if not original:
        raise ValueError(f"{kind} names no original_message_id")
    at = _timestamp(raw.get("timestamp"))
    if kind == "revoke":
        return InboundEdit(external_id=original, at=at, deleted=True)
    new = _dict(body.get("message")) or body
    new_kind = _text(new.get("type")) or "text"
    content = _dict(new.get(new_kind))
    text = _text(content.get("body")) or _text(content.get("caption")) or _text(_dict(new.get("text")).get("body"))
    return InboundEdit(external_id=original, text=text, at=at)


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
    system = _dict(raw.get("system"))
    if not phone and not user_id:
        # A system notice may name its customer only inside (`customer`, `wa_id`).
        phone = _identifier(system.get("customer") or system.get("wa_id"), "system.customer", MAX_PHONE)
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
        # Coordinates that are not numbers lose the pin, never the message and its name.
        fields["location"] = {
            "latitude": _coordinate(body.get("latitude"), 90),
            "longitude": _coordinate(body.get("longitude"), 180),
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
        elif reply_kind in ("button_reply", "list_reply"):
            fields["text"] = _text(reply.get("title"))
            fields["payload"] = reply.get("id")
        else:
            # Newer replies (call_permission_reply…): kept whole, with what a person can read.
            fields["text"] = _text(reply.get("title")) or _text(reply.get("body")) or _readable(reply_kind, reply)
            fields["payload"] = {reply_kind or "interactive": reply or body}
    elif kind == "button":  # a quick-reply button under one of our templates
        fields["type"] = "interactive_reply"
        fields["text"] = _text(body.get("text"))
        fields["payload"] = body.get("payload")
    elif kind == "reaction":
        emoji = _text(body.get("emoji"))
        fields["text"] = emoji
        fields["reply_to_external_id"] = _identifier(body.get("message_id"), "reaction message_id") or None
        fields["moves_attention"] = bool(emoji)
    elif kind == "system":
        # WhatsApp wrote it, not the customer: a notice in the timeline, never a wait.
        fields.update(type="unsupported", text=_text(body.get("body")), payload={"system": body}, notice_by="WhatsApp")
        notice = body.get("type")
        if notice == "user_changed_number":
            # Same person, new number: it is remembered for them, so their next messages land in
            # this conversation and replies go to the new number.
            new_number = _identifier(body.get("new_wa_id") or body.get("wa_id"), "system.wa_id", MAX_PHONE)
            if new_number and new_number != phone:
                aliases, phone = (*aliases, new_number), new_number
        elif notice == "user_changed_user_id":
            # Their business-scoped user id changed: the new one finds the same contact.
            new_id = _identifier(body.get("new_user_id") or body.get("user_id"), "system.user_id")
            if new_id and new_id != external and new_id not in aliases:
                aliases = (*aliases, new_id)
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
    if isinstance(raw.get("referral"), dict):
        # Click-to-WhatsApp ads: sellers want to know which ad brought the customer, also when
        # the message carries something else too.
        payload = fields.get("payload")
        if payload is None:
            fields["payload"] = {"referral": raw["referral"]}
        elif isinstance(payload, dict):
            fields["payload"] = {**payload, "referral": raw["referral"]}
        else:
            fields["payload"] = {"value": payload, "referral": raw["referral"]}
    return InboundMessage(
        contact_external_id=external,
        contact_name=name,
        contact_phone=phone,
        contact_aliases=aliases,
        external_id=wamid,
        sent_at=_timestamp(raw.get("timestamp")),
        **fields,
    )


def _coordinate(raw, limit: int) -> float | None:
    try:
        value = float(raw)
    except (TypeError, ValueError):
        return None
    return value if -limit <= value <= limit else None


def _readable(kind: str, reply: dict) -> str:
    """A line a seller can read for an interactive reply we have no words for yet."""
    answer = next((_text(reply.get(k)) for k in ("response", "status", "description", "name") if _text(reply.get(k))), "")
    return f"{kind.replace('_', ' ')}: {answer}" if answer else kind.replace("_", " ")


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
        callback_data=_text(raw.get("biz_opaque_callback_data"))[:512],
    )
