"""Apply one stored WhatsApp notification to the inboxes it names, through the actions.

Safe to run any number of times over the same notification: messages are keyed by their wamid
and delivery statuses only move forward.
"""

from __future__ import annotations

from mostrador.connectors.base import IngestOutcome
from mostrador.inbox.actions import receive_customer_message, record_channel_error, record_delivery
from mostrador.inbox.models import Channel, DeliveryStatus, Inbox, Message

from . import notifications

STATUSES = {
    "sent": DeliveryStatus.SENT,
    "delivered": DeliveryStatus.DELIVERED,
    "read": DeliveryStatus.READ,
    "failed": DeliveryStatus.FAILED,
}


def process(raw_body: bytes, log=None, statuses_only: bool = False) -> IngestOutcome:
    data = notifications.load(raw_body)  # raises Unreadable
    batches, problems = notifications.read(data)
    outcome = IngestOutcome(problems=problems)
    inboxes = {
        i.address: i
        for i in Inbox.objects.filter(channel=Channel.WHATSAPP, address__in=[b.phone_number_id for b in batches])
    }
    for batch in batches:
        outcome.problems += batch.problems
        inbox = inboxes.get(batch.phone_number_id)
        if inbox is None:
            outcome.unknown_accounts.append(batch.phone_number_id)
            continue
        if statuses_only:  # a second look for statuses that overtook their send; the rest is done
            batch.messages, batch.errors = [], []
        for inbound in batch.messages:
            receive_customer_message(inbox, inbound)
            outcome.messages += 1
        for status in batch.statuses:
            if apply_status(inbox, status):
                outcome.statuses += 1
            elif status.status in STATUSES:
                outcome.unmatched_statuses += 1
        for error in batch.errors:
            record_channel_error(inbox, error.code, error.title, error.details, log=log)
    return outcome


def apply_status(inbox: Inbox, status: notifications.StatusUpdate) -> bool:
    ours = STATUSES.get(status.status)
    if ours is None:
        return True  # "deleted", "warning"…: nothing to show on the message
    message_id = (
        Message.objects.filter(inbox=inbox, external_id=status.wamid, direction="out")
        .values_list("pk", flat=True)
        .first()
    )
    if message_id is None:
        return False
    error = status.errors[0] if status.errors else None
    record_delivery(
        message_id,
        ours,
        error_code=error.code if error else "",
        error_message=(error.details or error.title) if error else "",
    )
    return True
