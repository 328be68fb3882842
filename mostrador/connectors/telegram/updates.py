"""Read Telegram `Update` objects into normalised items. Telegram's wire format only: no database.

One webhook request carries one Update: `{"update_id", "message" | "edited_message" |
"callback_query" | …}`. A chat is one conversation (a private chat's id is the user's id), and a
message is known by `<chat id>:<message id>`, which is unique per bot and stays the same when
Telegram delivers an update again.
"""

from __future__ import annotations

import json
import re
from datetime import datetime, timezone

from mostrador.connectors.base import AccountBatch, InboundEdit, Parsed, Unreadable, without_nul
from mostrador.inbox.actions.inbound import InboundMessage

MAX_ID, MAX_NAME, MAX_PHONE = 200, 200, 32
LANGUAGE_TAG = re.compile(r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$")
# What a message holds, in the order we look for it; the first found sets its type.
MEDIA = {
    "photo": "image",
    "document": "document",
    "voice": "audio",
    "audio": "audio",
    "video": "video",
    "video_note": "video",
    "animation": "video",
    "sticker": "sticker",
}
DEFAULT_MIME = {
    "photo": "image/jpeg",
    "voice": "audio/ogg",
    "video_note": "video/mp4",
    "animation": "video/mp4",
    "sticker": "image/webp",
}


# Telegram's own notes in a chat (members joining, a pinned message, a group created…): kept as
# system notices signed "Telegram", which never start a wait, since nobody asked for anything.
SERVICE = (
    "new_chat_members", "left_chat_member", "new_chat_title", "new_chat_photo", "delete_chat_photo",
    "group_chat_created", "supergroup_chat_created", "channel_chat_created", "pinned_message",
    "migrate_to_chat_id", "migrate_from_chat_id", "message_auto_delete_timer_changed", "chat_shared",
    "users_shared", "write_access_allowed", "video_chat_started", "video_chat_ended", "forum_topic_created",
)


class NotAnUpdate(Unreadable):
    """The body is not a Telegram Update."""


def load(raw_body: bytes) -> dict:
    try:
        data = json.loads(raw_body)
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise NotAnUpdate(f"body is not JSON: {exc}") from None
    if not isinstance(data, dict) or isinstance(data.get("update_id"), bool) or not isinstance(data.get("update_id"), int):
        raise NotAnUpdate("body has no integer update_id")
    if b"\\u0000" in raw_body:  # PostgreSQL text cannot hold NUL
        data = without_nul(data)
    return data


def parse(raw_body: bytes, account: str) -> Parsed:
    """The items of one stored Update for the inbox `account` names. Never raises on a strange
    shape once the body is an Update: an unreadable part becomes a problem with its path."""
    data = load(raw_body)
    batch = AccountBatch(account)
    try:
        if isinstance(data.get("message"), dict):
            batch.messages.append(message(data["message"]))
        elif isinstance(data.get("edited_message"), dict):
            batch.edits.append(edit(data["edited_message"]))
        elif isinstance(data.get("callback_query"), dict):
            inbound, answer = callback(data["callback_query"])
            batch.messages.append(inbound)
            batch.follow_ups.append(answer)
        # Anything else (channel posts, polls, members joining…) is not a customer writing to us.
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        kind = next((k for k in data if k != "update_id"), "update")
        batch.problems.append(f"update {data['update_id']}.{kind} unreadable: {exc!r}")
    return Parsed([batch])


def _dict(value) -> dict:
    return value if isinstance(value, dict) else {}


def _text(value) -> str:
    return value if isinstance(value, str) else ""


def _id(value, what: str) -> str:
    if isinstance(value, bool) or not isinstance(value, (int, str)) or value == "":
        raise ValueError(f"{what} is missing")
    text = str(value)
    if len(text) > MAX_ID:
        raise ValueError(f"{what} is longer than {MAX_ID} characters")
    return text


def _time(value) -> datetime | None:
    try:
        return datetime.fromtimestamp(int(value), tz=timezone.utc)
    except (TypeError, ValueError, OverflowError, OSError):
        return None


def key(chat_id: str, message_id) -> str:
    """How we know one message of one chat."""
    return f"{chat_id}:{_id(message_id, 'message_id')}"


def _sender(raw: dict) -> tuple[str, str]:
    """(chat id, name): a private chat is the person; a group is known by its title."""
    chat = _dict(raw.get("chat"))
    chat_id = _id(chat.get("id"), "chat.id")
    person = _dict(raw.get("from")) or chat
    name = " ".join(p for p in (_text(person.get("first_name")), _text(person.get("last_name"))) if p)
    if chat.get("type") in ("group", "supergroup"):
        name = _text(chat.get("title")) or name
    name = name or (f"@{person['username']}" if _text(person.get("username")) else "")
    return chat_id, name[:MAX_NAME]


def language_of(person: dict) -> str:
    """Telegram's `language_code` (an IETF tag the user's app is set to), if it looks like one."""
    code = _text(person.get("language_code"))[:15]
    return code if LANGUAGE_TAG.match(code) else ""


def message(raw: dict) -> InboundMessage:
    chat_id, name = _sender(raw)
    fields: dict = {"type": "text", "text": _text(raw.get("text")) or _text(raw.get("caption"))}
    found = next((k for k in MEDIA if k in raw), None)
    if found:
        fields.update(type=MEDIA[found], media=_media(found, raw[found]))
        if found == "sticker":
            fields["text"] = _text(_dict(raw["sticker"]).get("emoji"))
    elif isinstance(raw.get("location"), dict):
        fields.update(type="location", location=_location(raw.get("location"), raw.get("venue")))
        fields["text"] = fields["location"]["name"] or fields["location"]["address"] or ""
    elif isinstance(raw.get("contact"), dict):
        fields.update(_contact(raw["contact"]))
    elif service := next((k for k in SERVICE if k in raw), None):
        fields.update(type="unsupported", text=service.replace("_", " "), payload={"service": service}, notice_by="Telegram")
    elif not fields["text"]:
        kind = next((k for k in raw if k not in _ENVELOPE), "unknown")
        fields.update(type="unsupported", payload={"type": kind},
                      error_code="unknown_type", error_message=f"message with {kind!r}")
    reply = _dict(raw.get("reply_to_message"))
    if reply.get("message_id") is not None:
        fields["reply_to_external_id"] = key(chat_id, reply["message_id"])
    return InboundMessage(
        contact_external_id=chat_id,
        contact_name=name,
        contact_language=language_of(_dict(raw.get("from"))),
        external_id=key(chat_id, raw.get("message_id")),
        sent_at=_time(raw.get("date")),
        **fields,
    )


_ENVELOPE = {"message_id", "from", "chat", "date", "reply_to_message", "entities", "message_thread_id",
             "sender_chat", "forward_origin", "is_topic_message", "link_preview_options", "edit_date"}


def _media(kind: str, raw) -> dict:
    if kind == "photo":
        # Telegram sends every size it made; the last is the largest.
        sizes = [p for p in raw if isinstance(p, dict)] if isinstance(raw, list) else []
        if not sizes:
            raise ValueError("photo has no sizes")
        raw = sizes[-1]
    raw = _dict(raw)
    return {
        "id": _id(raw.get("file_id"), f"{kind}.file_id"),
        "mime_type": _text(raw.get("mime_type")) or DEFAULT_MIME.get(kind, ""),
        "filename": _text(raw.get("file_name")) or None,
        "size": raw.get("file_size") if isinstance(raw.get("file_size"), int) else None,
        "voice": True if kind == "voice" else None,
    }


def _location(raw: dict, venue) -> dict:
    venue = _dict(venue)
    return {
        "latitude": float(raw["latitude"]),
        "longitude": float(raw["longitude"]),
        "name": _text(venue.get("title")) or None,
        "address": _text(venue.get("address")) or None,
    }


def _contact(raw: dict) -> dict:
    name = " ".join(p for p in (_text(raw.get("first_name")), _text(raw.get("last_name"))) if p)
    phone = _text(raw.get("phone_number"))[:MAX_PHONE]
    card = {"name": {"formatted_name": name}, "phones": [{"phone": phone}] if phone else []}
    return {"type": "contacts", "text": ", ".join(p for p in (name, phone) if p), "payload": {"contacts": [card]}}


def edit(raw: dict) -> InboundEdit:
    chat_id, _ = _sender(raw)
    return InboundEdit(
        external_id=key(chat_id, raw.get("message_id")),
        text=_text(raw.get("text")) or _text(raw.get("caption")),
        at=_time(raw.get("edit_date")),
    )


def callback(raw: dict) -> tuple[InboundMessage, dict]:
    """A tap on one of our inline buttons: the customer's choice, and the answer Telegram waits
    for (until it comes, the button shows a spinner)."""
    query_id = _id(raw.get("id"), "callback_query.id")
    origin = _dict(raw.get("message"))
    data = _text(raw.get("data"))
    if origin:
        chat_id, _ = _sender(origin)
    else:
        chat_id = _id(_dict(raw.get("from")).get("id"), "callback_query.from.id")
    person = _dict(raw.get("from"))
    name = " ".join(p for p in (_text(person.get("first_name")), _text(person.get("last_name"))) if p)
    inbound = InboundMessage(
        contact_external_id=chat_id,
        contact_name=name[:MAX_NAME],
        type="interactive_reply",
        text=_button_title(origin, data) or data,
        payload=data,
        external_id=f"callback:{query_id}",
        reply_to_external_id=key(chat_id, origin["message_id"]) if origin.get("message_id") is not None else None,
    )
    return inbound, {"kind": "answer_callback_query", "callback_query_id": query_id}


def _button_title(origin: dict, data: str) -> str:
    keyboard = _dict(origin.get("reply_markup")).get("inline_keyboard")
    for row in keyboard if isinstance(keyboard, list) else []:
        for button in row if isinstance(row, list) else []:
            if isinstance(button, dict) and button.get("callback_data") == data:
                return _text(button.get("text"))
    return ""
