"""Publishing after commit: a browser told about a change must be able to read it."""

from __future__ import annotations

import logging

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction

from . import events

log = logging.getLogger(__name__)


def publish_on_commit(event: dict) -> None:
    """Publish `event` once the current transaction commits (at once outside a transaction).

    The events of one transaction go out together, in one trip into the event loop: async_to_sync
    costs about a millisecond per call, which dominated storing a burst of messages when each of
    its events made its own. Each event registers its own commit hook (so one inside a savepoint
    that rolls back is dropped with it); the first hook to run sends the whole batch and the rest
    find it sent."""
    connection = transaction.get_connection()
    if not connection.in_atomic_block:
        publish_now([event])
        return
    batch = getattr(connection, "_mostrador_outgoing", None)
    if batch is None or batch.sent:
        batch = connection._mostrador_outgoing = _Batch()
    batch.events.append(event)
    transaction.on_commit(batch.flush)


class _Batch:
    def __init__(self):
        self.events: list[dict] = []
        self.sent = False

    def flush(self) -> None:
        if not self.sent:
            self.sent = True
            publish_now(self.events)


def publish_now(batch: list[dict]) -> None:
    layer = get_channel_layer()
    if layer is None or not batch:
        return
    try:
        async_to_sync(_send)(layer, batch)
    except Exception:  # noqa: BLE001 - a lost notification must never undo committed work
        log.exception("realtime publish failed for %s events", len(batch))


async def _send(layer, batch: list[dict]) -> None:
    """One message per group for the whole batch, not one per event: a burst of webhook
    notifications commits hundreds of events at once, and a group send costs a round trip to
    Redis per member. One per event also overflowed a busy browser's channel (capacity 100),
    which silently drops what does not fit."""
    per_inbox: dict[int, list[dict]] = {}
    for event in batch:
        per_inbox.setdefault(event["inbox_id"], []).append(event)
    for inbox_id, inbox_events in per_inbox.items():
        await layer.group_send(events.inbox_group(inbox_id), {"type": "mostrador.events", "events": inbox_events})
    await layer.group_send(events.ALL_INBOXES_GROUP, {"type": "mostrador.events", "events": batch})
