"""What happens to messages after they are written: media files arriving, the team seeing
customer messages (read receipts), failed sends being retried, providers asking us to slow down."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from mostrador.inbox.models import ContactIdentity, DeliveryStatus, EventKind, Message
from mostrador.realtime import events

from .actor import ActionRefused, Actor
from .record import locked, publish_message_event, record_event


def attach_media(
    message_id: int, *, path: str = "", size: int = 0, mime_type: str = "", error: str = "", dimensions: dict | None = None
) -> Message:
    """The media file of a message is stored (or could not be fetched); `dimensions`: an
    image's width and height."""
    with transaction.atomic():
        message = Message.objects.select_for_update().get(pk=message_id)
        media = dict(message.media or {})
        if path:
            # The type the notification announced wins; the download only fills it in when missing.
            media.update(path=path, size=size, mime_type=media.get("mime_type") or mime_type, **(dimensions or {}))
            media.pop("error", None)
        else:
            media["error"] = error
        message.media = media
        message.save(update_fields=["media"])
        publish_message_event(message, events.MESSAGE_UPDATED, status=message.status)
    return message


def mark_seen(conversation, actor: Actor) -> list[Message]:
    """A person opened the conversation: its unseen customer messages are now seen.

    Seeing never changes attention (reading is not managing). Channels with read receipts tell
    the customer, which is what they see as "read".
    """
    if not actor.is_person:
        return []
    from mostrador.inbox import hooks

    from .record import announce_bookkeeping

    hooks.conversation_opened.announce(hooks.ConversationOpened(conversation, actor.user, timezone.now()))
    unseen_query = Message.objects.filter(conversation=conversation, direction="in", status=DeliveryStatus.RECEIVED)
    # Every realtime refresh of an open chat comes through here; the usual answer is "nothing
    # new", read from a small partial index without taking the conversation's lock.
    if not unseen_query.exists():
        return []
    now = timezone.now()
    with transaction.atomic():
        conv = locked(conversation.pk)
        unseen = list(unseen_query.order_by("created_at", "id"))
        if not unseen:
            return []
        Message.objects.filter(pk__in=[m.pk for m in unseen]).update(status=DeliveryStatus.READ)
        record_event(conv, EventKind.SEEN, actor, now, data={"message_ids": [m.pk for m in unseen]})
        announce_bookkeeping(conv, EventKind.SEEN, actor, now, {"message_ids": [m.pk for m in unseen]})
        if conv.inbox.setting("read_receipts") is not False:
            from mostrador.connectors.base import connector_class
            from mostrador.inbox.jobs import send_read_receipt

            if connector_class(conv.inbox.channel).capabilities.read_receipts:
                # WhatsApp marks everything up to the newest message as read.
                newest = next((m for m in reversed(unseen) if m.external_id), None)
                if newest:
                    send_read_receipt.enqueue(newest.pk)
    return unseen


def retry_message(message: Message, actor: Actor) -> Message:
    """Send a failed message again, as a person asked."""
    if not actor.is_person:
        raise ActionRefused(_("Only a person retries a failed send."))
    now = timezone.now()
    with transaction.atomic():
        conv = locked(message.conversation_id)
        message = Message.objects.select_for_update().get(pk=message.pk)
        if message.direction != "out" or message.status != DeliveryStatus.FAILED:
            raise ActionRefused(_("Only a failed message can be sent again."), code="not_failed")
        message.status = DeliveryStatus.QUEUED
        message.error_code = message.error_message = ""
        # The failed attempt's id goes with it: a late report about that attempt must not touch
        # this one (a stale "failed" would otherwise cancel the retry before it is sent).
        message.external_id = None
        message.save(update_fields=["status", "error_code", "error_message", "external_id"])
        record_event(conv, EventKind.RETRIED, actor, now, data={"message_id": message.pk})
        from mostrador.inbox.jobs import deliver_message

        deliver_message.enqueue(message.pk)
        publish_message_event(message, events.MESSAGE_UPDATED, status=message.status)
    return message


def hold_sends(inbox, contact, until: datetime) -> None:
    """Every send to this customer waits until `until` (the provider's per-recipient limit)."""
    ContactIdentity.objects.filter(inbox=inbox, contact=contact).update(send_not_before=until)
