"""Apply stored notifications, the same way for every channel.

A connector reads a notification into normalised items (`connectors/base.py`); this module routes
them to their inbox by account, stores messages (idempotent by their external id), matches
delivery statuses to our messages, applies edits, records what the provider reported, and queues
the calls the connector owes the provider afterwards. Running it twice over the same notification
changes nothing the second time.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

from django.utils import timezone

from mostrador.connectors.base import AccountBatch, AccountNotice, Parsed, Unreadable, connector_class, message_id_in
from mostrador.inbox.actions import edit_customer_messages, record_channel_error
from mostrador.inbox.actions.inbound import receive_business_replies, receive_customer_messages
from mostrador.inbox.actions.inboxes import update_template_status
from mostrador.inbox.actions.outbound import DeliveryUpdate, record_deliveries
from mostrador.inbox.models import DeliveryStatus, Inbox, Message

# The statuses a message can show; providers' others ("deleted", "warning"…) are only counted.
# "played" (a voice note listened to) is beyond read: the message shows read, and when it played.
STATUSES = {
    "sent": DeliveryStatus.SENT,
    "delivered": DeliveryStatus.DELIVERED,
    "read": DeliveryStatus.READ,
    "played": DeliveryStatus.READ,
    "failed": DeliveryStatus.FAILED,
}


@dataclass
class IngestOutcome:
    """What processing one stored notification did."""

    messages: int = 0
    statuses: int = 0
    # Statuses for a message id we do not know yet: our own send may not have recorded it yet.
    unmatched_statuses: int = 0
    unknown_accounts: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    # Set when the stored body cannot be read at all: the notification is kept as rejected.
    unreadable: str = ""


def process_batch(channel: str, entries: list, statuses_only: bool = False) -> list[IngestOutcome]:
    """Apply stored notifications (inbound log entries) of one channel together, in the order
    they arrived; each gets its own outcome. Messages are stored in bulk per inbox. With
    `statuses_only`, only their delivery statuses (see `process_one`)."""
    return _process(channel, entries, statuses_only)


def process_one(entry, statuses_only: bool = False) -> IngestOutcome:
    """Apply one stored notification (a retry, or a batch that failed taken apart); with
    `statuses_only`, only its delivery statuses (a second look for those that overtook a send)."""
    return _process(entry.channel, [entry], statuses_only)[0]


def _process(channel: str, entries: list, statuses_only: bool) -> list[IngestOutcome]:
    connector = connector_class(channel)
    parsed, outcomes = [], {}
    for index, entry in enumerate(entries):
        try:
            parsed.append((index, connector.parse(bytes(entry.body), entry.account), entry))
        except Unreadable as exc:
            outcomes[index] = IngestOutcome(unreadable=str(exc))
    applied = _apply(connector, [(p, entry) for _, p, entry in parsed], statuses_only)
    outcomes.update({index: outcome for (index, _, _), outcome in zip(parsed, applied, strict=True)})
    return [outcomes[i] for i in range(len(entries))]


def _apply(connector, notes: list[tuple[Parsed, object]], statuses_only: bool) -> list[IngestOutcome]:
    inboxes = connector.inboxes_for({b.account for parsed, _ in notes for b in parsed.batches})
    outcomes, routed = [], []
    for parsed, log in notes:
        outcome = IngestOutcome(problems=list(parsed.problems))
        outcomes.append(outcome)
        for batch in parsed.batches:
            outcome.problems += batch.problems
            inbox = inboxes.get(batch.account)
            if inbox is None:
                outcome.unknown_accounts.append(batch.account)
                continue
            if statuses_only:  # a second look for statuses that overtook their send; the rest is done
                batch.messages, batch.edits, batch.echoes, batch.errors, batch.follow_ups = [], [], [], [], []
            routed.append((outcome, log, inbox, batch))
    _store_messages(routed)
    _store_echoes(connector, routed)
    _apply_edits(routed)
    _apply_statuses(routed)
    for _, log, inbox, batch in routed:
        for index, error in enumerate(batch.errors):
            record_channel_error(
                inbox, error.code, error.title, error.details, log=log,
                fingerprint=_fingerprint(log, inbox.pk, "error", index),
            )
        _queue_follow_ups(inbox, batch)
    if not statuses_only:
        for parsed, log in notes:
            _apply_notices(connector, parsed.notices, log)
    return outcomes


def _fingerprint(log, *parts) -> str:
    """The same report in the same bytes is the same report: a provider's redelivery of a
    notification must not repeat what it told the admins."""
    digest = hashlib.sha256(bytes(log.body))
    digest.update(repr(parts).encode())
    return digest.hexdigest()


def _apply_notices(connector, notices: list[AccountNotice], log) -> None:
    for index, notice in enumerate(notices):
        for inbox in connector.inboxes_for_notice(notice):
            if notice.kind == "template":
                update_template_status(inbox, notice.template_name, notice.template_language, notice.template_status)
            record_channel_error(
                inbox, notice.code, notice.title, notice.details, log=log,
                fingerprint=_fingerprint(log, inbox.pk, "notice", index),
            )


def _store_messages(routed: list[tuple[IngestOutcome, object, Inbox, AccountBatch]]) -> None:
    """All of an inbox's messages at once, in the order the notifications list them."""
    per_inbox: dict[int, tuple[Inbox, list]] = {}
    for outcome, _, inbox, batch in routed:
        per_inbox.setdefault(inbox.pk, (inbox, []))[1].extend(batch.messages)
        outcome.messages += len(batch.messages)
    for inbox, inbounds in per_inbox.values():
        if inbounds:
            receive_customer_messages(inbox, inbounds)


def _store_echoes(connector, routed) -> None:
    for _, _, inbox, batch in routed:
        if batch.echoes:
            receive_business_replies(inbox, batch.echoes, connector.own_app_name)


def _apply_edits(routed) -> None:
    for _, _, inbox, batch in routed:
        if batch.edits:
            edit_customer_messages(inbox, batch.edits)


def _apply_statuses(routed) -> None:
    """Every status of the notifications, matched to our messages with one query per inbox."""
    per_inbox: dict[int, list] = {}
    for outcome, _, inbox, batch in routed:
        for status in batch.statuses:
            if status.status not in STATUSES:
                outcome.statuses += 1  # nothing to show on the message
                continue
            per_inbox.setdefault(inbox.pk, []).append((outcome, status))
    for inbox_id, items in per_inbox.items():
        ours = dict(
            Message.objects.filter(
                inbox_id=inbox_id, direction="out", external_id__in={status.external_id for _, status in items}
            ).values_list("external_id", "pk")
        )
        ours.update(_reconciled(inbox_id, [status for _, status in items if status.external_id not in ours]))
        updates = []
        for outcome, status in items:
            if status.external_id not in ours:
                outcome.unmatched_statuses += 1
                continue
            outcome.statuses += 1
            error = status.errors[0] if status.errors else None
            updates.append(
                DeliveryUpdate(
                    ours[status.external_id],
                    STATUSES[status.status],
                    external_id=status.external_id,
                    error_code=error.code if error else "",
                    error_message=(error.details or error.title) if error else "",
                    played_at=(status.at or timezone.now()) if status.status == "played" else None,
                )
            )
        if updates:
            record_deliveries(updates)


def _reconciled(inbox_id: int, statuses: list) -> dict[str, int]:
    """Statuses for sends whose answer we never recorded (the worker died or the call timed
    out after the provider took it), matched by the id we attached to the send. They give the
    message its provider id, so it is never sent again."""
    wanted = {message_id_in(s.callback_data): s.external_id for s in statuses if message_id_in(s.callback_data)}
    if not wanted:
        return {}
    found = Message.objects.filter(pk__in=wanted, inbox_id=inbox_id, direction="out", external_id__isnull=True)
    return {wanted[pk]: pk for pk in found.values_list("pk", flat=True)}


def _queue_follow_ups(inbox: Inbox, batch: AccountBatch) -> None:
    if not batch.follow_ups:
        return
    from .jobs import follow_up

    for item in batch.follow_ups:
        # Queued in the batch's transaction: done once the messages are stored, retried if the
        # provider is down, and never for a batch that rolled back.
        follow_up.enqueue(inbox.pk, item)
