"""A person starts a chat: a phone number, the inbox to write from, and the first message."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from mostrador.inbox import phones
from mostrador.inbox.models import Contact, ContactIdentity, Conversation, Inbox

from .actor import ActionInvalid, Actor
from .contacts import phone_number
from .outbound import OutboundContent, send_message


def start_conversation(inbox: Inbox, actor: Actor, phone: str, name: str = "", first: OutboundContent | None = None) -> Conversation:
    """The conversation with whoever holds this number in this inbox (a new one, or the one
    they already have), with `first` sent in it. All or nothing: a first message the channel
    refuses (WhatsApp's closed window wants a template) leaves no contact or chat behind."""
    from mostrador.connectors.base import connector_class

    number = phone_number(phone)
    connector = connector_class(inbox.channel)
    address = connector.address_for_phone(number) if connector.capabilities.starts_by_phone else None
    if address is None:
        raise ActionInvalid(_("This channel cannot start a chat with a phone number."), code="channel_cannot_start")
    with transaction.atomic():
        conv = _conversation_for(inbox, address, number, name.strip())
        if first is not None:
            send_message(conv, actor, first)
    conv.refresh_from_db()
    return conv


def _conversation_for(inbox: Inbox, address: str, number: str, name: str) -> Conversation:
    identity = ContactIdentity.objects.select_related("contact").filter(inbox=inbox, external_id=address).first()
    if identity is not None:
        contact = identity.contact
    else:
        # The same person may already be a contact through another inbox.
        contact = Contact.objects.filter(phone__in=phones.forms_of(number)).order_by("pk").first()
        if contact is None:
            contact = Contact.objects.create(name=name, phone=number)
        try:
            with transaction.atomic():
                ContactIdentity.objects.create(inbox=inbox, contact=contact, external_id=address)
        except IntegrityError:
            # Someone started the same chat a moment ago: theirs is the one.
            contact = ContactIdentity.objects.select_related("contact").get(inbox=inbox, external_id=address).contact
    if name and not contact.name:
        Contact.objects.filter(pk=contact.pk).update(name=name)
        contact.name = name
    conv, _created = Conversation.objects.get_or_create(
        inbox=inbox, contact=contact, defaults={"ai_enabled": bool(inbox.setting("ai_enabled"))}
    )
    return conv
