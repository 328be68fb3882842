"""Apply one stored WhatsApp notification to the inboxes it names, through the actions.

Safe to run any number of times over the same notification: messages are keyed by their wamid
and delivery statuses only move forward.
"""

from __future__ import annotations

from mostrador.connectors.base import IngestOutcome
from mostrador.inbox.actions import record_channel_error
from mostrador.inbox.actions.outbound import DeliveryUpdate, record_deliveries
from mostrador.inbox.actions.inbound import receive_customer_messages
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
    return _apply([(data, log)], statuses_only)[0]


def process_many(entries) -> list[IngestOutcome]:
    """Several stored notifications at once: their messages are stored in bulk per inbox, in the
    order they arrived; each notification gets its own outcome."""
    loaded, outcomes = [], {}
    for index, entry in enumerate(entries):
        try:
            loaded.append((index, notifications.load(bytes(entry.body)), entry))
        except notifications.Unreadable as exc:
            outcomes[index] = IngestOutcome(unreadable=str(exc))
    applied = _apply([(data, entry) for _, data, entry in loaded])
    outcomes.update({index: outcome for (index, _, _), outcome in zip(loaded, applied)})
    return [outcomes[i] for i in range(len(entries))]


def _apply(notes: list[tuple[dict, object]], statuses_only: bool = False) -> list[IngestOutcome]:
    read = [notifications.read(data) for data, _ in notes]
    numbers = {b.phone_number_id for batches, _ in read for b in batches}
    inboxes = {i.address: i for i in Inbox.objects.filter(channel=Channel.WHATSAPP, address__in=numbers)}
    outcomes, routed = [], []
    for (batches, problems), (_, log) in zip(read, notes):
        outcome = IngestOutcome(problems=problems)
        outcomes.append(outcome)
        for batch in batches:
            outcome.problems += batch.problems
            inbox = inboxes.get(batch.phone_number_id)
            if inbox is None:
                outcome.unknown_accounts.append(batch.phone_number_id)
                continue
            if statuses_only:  # a second look for statuses that overtook their send; the rest is done
                batch.messages, batch.errors = [], []
            routed.append((outcome, log, inbox, batch))
    # Messages first, all of an inbox's at once, in the order the notifications list them.
    per_inbox: dict[int, tuple[Inbox, list]] = {}
    for outcome, _, inbox, batch in routed:
        per_inbox.setdefault(inbox.pk, (inbox, []))[1].extend(batch.messages)
        outcome.messages += len(batch.messages)
    for inbox, inbounds in per_inbox.values():
        if inbounds:
            receive_customer_messages(inbox, inbounds)
    _apply_statuses(routed)
    for outcome, log, inbox, batch in routed:
        for error in batch.errors:
            record_channel_error(inbox, error.code, error.title, error.details, log=log)
    return outcomes


def _apply_statuses(routed) -> None:
    """Every status of the notifications, matched to our messages with one query per inbox."""
    per_inbox: dict[int, list] = {}
    for outcome, _, inbox, batch in routed:
        for status in batch.statuses:
            if status.status not in STATUSES:
                outcome.statuses += 1  # "deleted", "warning"…: nothing to show on the message
                continue
            per_inbox.setdefault(inbox.pk, []).append((outcome, status))
    for inbox_id, items in per_inbox.items():
        ours = dict(
            Message.objects.filter(
                inbox_id=inbox_id, direction="out", external_id__in={status.wamid for _, status in items}
            ).values_list("external_id", "pk")
        )
        updates = []
        for outcome, status in items:
            if status.wamid not in ours:
                outcome.unmatched_statuses += 1
                continue
            outcome.statuses += 1
            error = status.errors[0] if status.errors else None
            updates.append(
                DeliveryUpdate(
                    ours[status.wamid],
                    STATUSES[status.status],
                    error_code=error.code if error else "",
                    error_message=(error.details or error.title) if error else "",
                )
            )
        if updates:
            record_deliveries(updates)
