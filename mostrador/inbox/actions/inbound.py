from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone

from mostrador.core.bulk import insert_rows, update_rows
from mostrador.inbox import hooks
from mostrador.inbox.models import (
    AuthorKind,
    Contact,
    ContactIdentity,
    Conversation,
    DeliveryStatus,
    Inbox,
    Message,
)
from mostrador.realtime import events

from .actor import Actor
from .record import apply_messages_to_many, publish_message_event


@dataclass(frozen=True)
class InboundMessage:
    """A customer message as every connector normalises it."""

    contact_external_id: str
    text: str = ""
    contact_name: str = ""
    contact_phone: str = ""
    contact_language: str = ""  # a BCP 47 tag, when the channel knows it (Telegram does)
    # Other ids the channel knows this contact by (a WhatsApp business-scoped user id beside the
    # phone number): any of them finds the same contact, and new ones are remembered.
    contact_aliases: tuple[str, ...] = ()
    type: str = "text"
    external_id: str | None = None
    sent_at: datetime | None = None
    media: dict | None = None
    location: dict | None = None
    payload: dict | None = None
    reply_to_external_id: str | None = None
    error_code: str = ""
    error_message: str = ""
    # Taking back a reaction is not a customer waiting for anything.
    moves_attention: bool = True
    # A notice the channel itself writes into the conversation (WhatsApp telling of a customer's
    # new number): stored as a system message signed with this name, so it never moves attention
    # and never counts as the customer writing.
    notice_by: str = ""

    @property
    def author_kind(self) -> str:
        return AuthorKind.SYSTEM if self.notice_by else AuthorKind.CUSTOMER

    @property
    def starts_wait(self) -> bool:
        return self.moves_attention and not self.notice_by


def receive_customer_message(inbox: Inbox, inbound: InboundMessage) -> tuple[Message, bool]:
    """Store one customer message and apply it to the attention rule (see the batch below)."""
    return receive_customer_messages(inbox, [inbound])[0]


def receive_customer_messages(inbox: Inbox, inbounds: list[InboundMessage]) -> list[tuple[Message, bool]]:
    """Store customer messages of one inbox, in order, and apply them to the attention rule.

    Returns (message, is_new) for each. The external id is the idempotency key: a re-delivery,
    or a repeat within the batch, returns the stored message and changes nothing. The work is
    done in bulk, a few queries whatever the number of messages, because a busy number's
    notifications arrive in bursts.
    """
    try:
        with transaction.atomic():
            return _receive(inbox, inbounds)
    except IntegrityError:
        # Another process stored one of these messages or contacts at the same moment. One at a
        # time, each sees what the other committed.
        if len(inbounds) > 1:
            return [receive_customer_message(inbox, inbound) for inbound in inbounds]
        stored = _stored(inbox, [inbounds[0].external_id] if inbounds[0].external_id else [])
        if stored:
            return [(next(iter(stored.values())), False)]
        raise


def receive_business_replies(inbox: Inbox, echoes: list[InboundMessage], app_name: str) -> list[tuple[Message, bool]]:
    """Messages someone of the team typed to customers outside Mostrador on this same account
    (the WhatsApp Business app on a coexistence number). They are the team's replies: shown as
    sent, and they end the customer's wait like any person's answer. Idempotent by external id;
    each echo's contact is the customer it was written to."""
    with transaction.atomic():
        stored = _stored(inbox, [e.external_id for e in echoes if e.external_id])
        fresh = [e for e in echoes if e.external_id not in stored]
        fresh = list({e.external_id: e for e in fresh}.values())
        results = [(stored[e.external_id], False) for e in echoes if e.external_id in stored]
        if not fresh:
            return results
        now = timezone.now()
        actor = Actor.person_elsewhere(app_name)
        contacts = _contacts_for(inbox, fresh)
        conversations = _conversations_for(inbox, contacts, now)
        per_conversation: dict[int, list[Message]] = {}
        for echo, contact in zip(fresh, contacts, strict=True):
            conv = conversations[contact.pk]
            message = Message.objects.create(
                conversation=conv,
                inbox=inbox,
                direction="out",
                author_kind=actor.kind,
                bot_name=app_name,
                type=echo.type,
                text=echo.text,
                media=echo.media,
                location=echo.location,
                payload=echo.payload,
                reply_to_external_id=echo.reply_to_external_id or "",
                external_id=echo.external_id,
                status=DeliveryStatus.SENT,
                created_at=min(echo.sent_at, now) if echo.sent_at else now,
            )
            per_conversation.setdefault(conv.pk, []).append(message)
            results.append((message, True))
        by_id = {c.pk: c for c in conversations.values()}
        apply_messages_to_many([(by_id[pk], messages) for pk, messages in per_conversation.items()], actor, now)
    return results


def _stored(inbox: Inbox, external_ids: list[str]) -> dict[str, Message]:
    if not external_ids:
        return {}
    return {m.external_id: m for m in Message.objects.filter(inbox=inbox, external_id__in=external_ids)}


def _receive(inbox: Inbox, inbounds: list[InboundMessage]) -> list[tuple[Message, bool]]:
    now = timezone.now()
    stored = _stored(inbox, [i.external_id for i in inbounds if i.external_id])
    results: list = [None] * len(inbounds)
    fresh: list[tuple[int, InboundMessage]] = []
    first_in_batch: dict[str, int] = {}
    repeats: dict[int, int] = {}
    for index, inbound in enumerate(inbounds):
        key = inbound.external_id
        if key in stored:
            results[index] = (stored[key], False)
        elif key and key in first_in_batch:
            repeats[index] = first_in_batch[key]
        else:
            if key:
                first_in_batch[key] = index
            fresh.append((index, inbound))
    if not fresh:
        return results

    contacts = _contacts_for(inbox, [inbound for _, inbound in fresh])
    conversations = _conversations_for(inbox, contacts, now)
    quoted = _stored(inbox, [i.reply_to_external_id for _, i in fresh if i.reply_to_external_id])
    messages = [
        Message(
            conversation=conversations[contact.pk],
            inbox=inbox,
            direction="in",
            author_kind=inbound.author_kind,
            bot_name=inbound.notice_by,
            type=inbound.type,
            text=inbound.text,
            media=inbound.media,
            location=inbound.location,
            payload=inbound.payload,
            reply_to=quoted.get(inbound.reply_to_external_id),
            reply_to_external_id=inbound.reply_to_external_id or "",
            external_id=inbound.external_id,
            status=DeliveryStatus.RECEIVED,
            error_code=inbound.error_code,
            error_message=inbound.error_message,
            # A message's own send time starts the wait (a customer waiting since 10:00 whose
            # message reached us at 10:02 has waited two minutes), but a wrong clock must not
            # start one in the future.
            created_at=min(inbound.sent_at, now) if inbound.sent_at else now,
        )
        for (_, inbound), contact in zip(fresh, contacts, strict=True)
    ]
    insert_rows(messages)

    per_conversation: dict[int, list[tuple[Message, InboundMessage]]] = {}
    for (index, inbound), message in zip(fresh, messages, strict=True):
        results[index] = (message, True)
        per_conversation.setdefault(message.conversation_id, []).append((message, inbound))
    by_id = {c.pk: c for c in conversations.values()}
    moving, still = [], []
    for conversation_id, items in per_conversation.items():
        conv = by_id[conversation_id]
        if any(not inbound.notice_by for _, inbound in items):
            # The service window counts from when the message reached us: a notification
            # re-delivered days late must not look like a window that closed long ago, and if the
            # provider disagrees, its refusal (131047) shows on the message with a retry.
            conv.customer_last_message_at = now
        wait_moving = [
            message for message, inbound in items
            if inbound.starts_wait and not hooks.customer_message_claims.any(conv, message)
        ]
        if wait_moving:
            moving.append((conv, wait_moving))
        else:
            still.append(conv)
        moved = {message.pk for message in wait_moving}
        for message, _ in items:
            if message.pk not in moved:
                publish_message_event(message, events.MESSAGE_CREATED, author_kind=message.author_kind)
    if moving:
        apply_messages_to_many(moving, Actor.customer(), now, ["customer_last_message_at"])
    if still:
        update_rows(still, ["customer_last_message_at"])
    for message in messages:
        if message.media and message.media.get("id"):
            # Fetched after commit by a durable job: the provider's media URL is short-lived,
            # but the job retries, and the message is already safe.
            from mostrador.inbox.jobs import fetch_media

            fetch_media.enqueue(message.pk)
    for index, first in repeats.items():
        results[index] = (results[first][0], False)
    return results


def _contacts_for(inbox: Inbox, inbounds: list[InboundMessage]) -> list[Contact]:
    """The contact of each message: found by any id the channel knows them by, else created.
    New ids are remembered; the channel's latest profile name and phone win."""
    id_lists = [[i.contact_external_id, *i.contact_aliases] for i in inbounds]
    wanted = {external_id for ids in id_lists for external_id in ids}
    known = {
        identity.external_id: identity.contact
        for identity in ContactIdentity.objects.select_related("contact").filter(inbox=inbox, external_id__in=wanted)
    }
    owner: dict[str, Contact] = dict(known)
    new: list[Contact] = []
    renamed: dict[int, Contact] = {}
    chosen = []
    for inbound, ids in zip(inbounds, id_lists, strict=True):
        # The primary id wins if the ids ever pointed at two contacts.
        contact = next((owner[external_id] for external_id in ids if external_id in owner), None)
        if contact is None:
            contact = Contact(name=inbound.contact_name, phone=inbound.contact_phone, language=inbound.contact_language)
            new.append(contact)
        else:
            if inbound.contact_language and not contact.language:
                # Only fills a gap: a language a person set for the contact stays.
                contact.language = inbound.contact_language
                if contact.pk:
                    renamed[contact.pk] = contact
            for field in ("name", "phone"):
                value = getattr(inbound, f"contact_{field}")
                if value and value != getattr(contact, field):
                    setattr(contact, field, value)
                    if contact.pk:
                        renamed[contact.pk] = contact
        for external_id in ids:
            owner.setdefault(external_id, contact)
        chosen.append(contact)
    insert_rows(new)
    insert_rows([
        ContactIdentity(inbox=inbox, contact=contact, external_id=external_id)
        for external_id, contact in owner.items()
        if external_id not in known
    ])
    if renamed:
        Contact.objects.bulk_update(renamed.values(), ["name", "phone", "language"])
    return chosen


# What storing a message reads and writes on its conversation; the rest (fields, bot state,
# hand-off summary…) stays in the database, and loads on demand if anything asks for it.
LOCKED_FIELDS = (
    "id", "inbox_id", "contact_id", "assignee_id", "team_id", "queued_since", "resolved", "waiting_since",
    "ai_enabled", "ai_since", "ai_deadline",
    "last_message_id", "last_activity_at", "customer_last_message_at", "updated_at",
)


def _conversations_for(inbox: Inbox, contacts: list[Contact], now) -> dict[int, Conversation]:
    """Each contact's conversation in this inbox, created if new, locked for this transaction."""
    contact_ids = {c.pk for c in contacts}
    have = set(Conversation.objects.filter(inbox=inbox, contact_id__in=contact_ids).values_list("contact_id", flat=True))
    ai_on = bool(inbox.setting("ai_enabled"))
    # ignore_conflicts: a conversation created meanwhile by another process is simply used.
    insert_rows(
        [Conversation(inbox=inbox, contact_id=cid, ai_enabled=ai_on, created_at=now) for cid in sorted(contact_ids - have)],
        ignore_conflicts=True,
    )
    # Locked in id order, so two batches that share conversations cannot deadlock.
    rows = (
        Conversation.objects.select_for_update()
        .filter(inbox=inbox, contact_id__in=contact_ids)
        .only(*LOCKED_FIELDS)
        .order_by("pk")
    )
    by_contact = {}
    for conv in rows:
        conv.inbox = inbox
        by_contact[conv.contact_id] = conv
    return by_contact


def edit_customer_messages(inbox: Inbox, edits: list) -> list[Message]:
    """The customer changed the text of messages they sent, or deleted them for everyone.

    An edit replaces the text and the message shows as edited; a deletion empties it (text,
    media, location) and it shows as deleted, for good. Neither moves attention: nobody new is
    waiting, and a chat already answered stays answered. An edit of a message we never stored
    changes nothing; an older edit never overwrites a newer one."""
    changed = []
    with transaction.atomic():
        wanted: dict[str, object] = {}
        for edit in edits:
            # A deletion wins over any edit of the same message in the batch.
            if not getattr(wanted.get(edit.external_id), "deleted", False):
                wanted[edit.external_id] = edit
        rows = Message.objects.select_for_update().filter(inbox=inbox, direction="in", external_id__in=wanted)
        for message in rows.order_by("pk"):
            edit = wanted[message.external_id]
            at = min(edit.at, timezone.now()) if edit.at else timezone.now()
            if message.deleted_at:
                continue
            if edit.deleted:
                message.text, message.media, message.location, message.deleted_at = "", None, None, at
            elif message.text == edit.text or (message.edited_at and message.edited_at > at):
                continue
            else:
                message.text, message.edited_at = edit.text, at
            changed.append(message)
        if changed:
            update_rows(changed, ["text", "edited_at", "media", "location", "deleted_at"])
            for message in changed:
                publish_message_event(message, events.MESSAGE_UPDATED, status=message.status)
    return changed
