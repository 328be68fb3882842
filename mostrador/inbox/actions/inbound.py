from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone

from mostrador.inbox.models import (
    AuthorKind,
    Contact,
    ContactIdentity,
    Conversation,
    DeliveryStatus,
    Inbox,
    Message,
)

from .actor import Actor
from mostrador.realtime import events

from .record import apply_message, locked, publish_message_event


@dataclass(frozen=True)
class InboundMessage:
    """A customer message as every connector normalises it."""

    contact_external_id: str
    text: str = ""
    contact_name: str = ""
    contact_phone: str = ""
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


def receive_customer_message(inbox: Inbox, inbound: InboundMessage) -> tuple[Message, bool]:
    """Store one customer message and apply it to the attention rule.

    Returns the message and whether it was new. The external id is the idempotency key: a
    re-delivery returns the stored message and changes nothing.
    """
    if inbound.external_id:
        existing = Message.objects.filter(inbox=inbox, external_id=inbound.external_id).first()
        if existing:
            return existing, False
    now = timezone.now()
    # A message's own send time starts the wait (a customer waiting since 10:00 whose message
    # reached us at 10:02 has waited two minutes), but a wrong clock must not start one in the future.
    t = min(inbound.sent_at, now) if inbound.sent_at else now
    try:
        with transaction.atomic():
            contact = _contact_for(inbox, inbound)
            conv, _ = Conversation.objects.get_or_create(
                inbox=inbox,
                contact=contact,
                defaults={"ai_enabled": bool(inbox.setting("ai_enabled")), "created_at": now},
            )
            conv = locked(conv.pk)
            reply_to = None
            if inbound.reply_to_external_id:
                reply_to = Message.objects.filter(inbox=inbox, external_id=inbound.reply_to_external_id).first()
            message = Message.objects.create(
                conversation=conv,
                inbox=inbox,
                direction="in",
                author_kind=AuthorKind.CUSTOMER,
                type=inbound.type,
                text=inbound.text,
                media=inbound.media,
                location=inbound.location,
                payload=inbound.payload,
                reply_to=reply_to,
                external_id=inbound.external_id,
                status=DeliveryStatus.RECEIVED,
                error_code=inbound.error_code,
                error_message=inbound.error_message,
                created_at=t,
            )
            # The service window counts from when the message reached us: a notification
            # re-delivered days late must not look like a window that closed long ago, and if the
            # provider disagrees, its refusal (131047) shows on the message with a retry.
            conv.customer_last_message_at = now
            if inbound.moves_attention:
                apply_message(conv, message, Actor.customer(), t, now, extra_update=["customer_last_message_at"])
            else:
                conv.save(update_fields=["customer_last_message_at"])
                publish_message_event(message, events.MESSAGE_CREATED, author_kind=message.author_kind)
            if message.media and message.media.get("id"):
                # Fetched after commit by a durable job: the provider's media URL is short-lived,
                # but the job retries, and the message is already safe.
                from mostrador.inbox.jobs import fetch_media

                fetch_media.enqueue(message.pk)
    except IntegrityError:
        # Two deliveries of one message raced; the other one stored it.
        if inbound.external_id:
            existing = Message.objects.filter(inbox=inbox, external_id=inbound.external_id).first()
            if existing:
                return existing, False
        raise
    return message, True


def _contact_for(inbox: Inbox, inbound: InboundMessage) -> Contact:
    ids = [inbound.contact_external_id, *inbound.contact_aliases]
    known = list(ContactIdentity.objects.select_related("contact").filter(inbox=inbox, external_id__in=ids))
    if known:
        # The primary id wins if the ids ever pointed at two contacts.
        contact = min(known, key=lambda i: ids.index(i.external_id)).contact
    else:
        contact = Contact.objects.create(name=inbound.contact_name, phone=inbound.contact_phone)
    have = {i.external_id for i in known}
    for external_id in ids:
        if external_id not in have:
            ContactIdentity.objects.create(inbox=inbox, contact=contact, external_id=external_id)
    if not known:
        return contact
    changed = []
    # Customers rename themselves; the channel's latest profile name wins.
    if inbound.contact_name and inbound.contact_name != contact.name:
        contact.name = inbound.contact_name
        changed.append("name")
    if inbound.contact_phone and inbound.contact_phone != contact.phone:
        contact.phone = inbound.contact_phone
        changed.append("phone")
    if changed:
        contact.save(update_fields=changed)
    return contact
