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
from .record import apply_message, locked


@dataclass(frozen=True)
class InboundMessage:
    """A customer message as every connector normalises it."""

    contact_external_id: str
    text: str = ""
    contact_name: str = ""
    contact_phone: str = ""
    type: str = "text"
    external_id: str | None = None
    sent_at: datetime | None = None
    media: dict | None = None
    location: dict | None = None
    payload: dict | None = None
    reply_to_external_id: str | None = None


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
                created_at=t,
            )
            apply_message(conv, message, Actor.customer(), t, now)
    except IntegrityError:
        # Two deliveries of one message raced; the other one stored it.
        if inbound.external_id:
            existing = Message.objects.filter(inbox=inbox, external_id=inbound.external_id).first()
            if existing:
                return existing, False
        raise
    return message, True


def _contact_for(inbox: Inbox, inbound: InboundMessage) -> Contact:
    identity = (
        ContactIdentity.objects.select_related("contact")
        .filter(inbox=inbox, external_id=inbound.contact_external_id)
        .first()
    )
    if identity is None:
        contact = Contact.objects.create(name=inbound.contact_name, phone=inbound.contact_phone)
        ContactIdentity.objects.create(inbox=inbox, contact=contact, external_id=inbound.contact_external_id)
        return contact
    contact = identity.contact
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

