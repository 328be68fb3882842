"""Publishing after commit: a browser told about a change must be able to read it."""

from __future__ import annotations

import asyncio
import logging
import weakref

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction

from . import events

log = logging.getLogger(__name__)


def publish_on_commit(event: dict) -> None:
    """Publish `event` once the current transaction commits (at once outside a transaction).

    The events of one transaction go out together, in one trip into the event loop: async_to_sync
    costs about a millisecond per call, which dominated storing a burst of messages when each of
    its events made its own.

    The batch is registered with `on_commit` once, and the connection keeps only a weak reference
    to it: the commit hook is what keeps it alive, so when a rollback discards the hook the batch
    goes with it, and the next transaction starts a fresh one instead of sending stale events."""
    connection = transaction.get_connection()
    if not connection.in_atomic_block:
        publish_now([event])
        return
    ref = getattr(connection, "_mostrador_outgoing", None)
    batch = ref() if ref is not None else None
    if batch is None or batch.sent:
        batch = _Batch()
        connection._mostrador_outgoing = weakref.ref(batch)
        transaction.on_commit(batch.flush)
    batch.events.append(event)


class _Batch:
    def __init__(self):
        self.events: list[dict] = []
        self.sent = False

    def flush(self) -> None:
        self.sent = True
        publish_now(self.events)


def publish_now(batch: list[dict]) -> None:
    layer = get_channel_layer()
    if layer is None or not batch:
        return
    try:
        loop = asyncio.get_running_loop()
    except RuntimeError:
        loop = None
    if loop is not None:
        # Committed from code running on the event loop's own thread: async_to_sync cannot be
        # used here, so the send becomes a task of that loop (kept until it is done).
        task = loop.create_task(_send_logged(layer, batch))
        _in_flight.add(task)
        task.add_done_callback(_in_flight.discard)
        return
    try:
        async_to_sync(_send)(layer, batch)
    except Exception:  # noqa: BLE001 - a lost notification must never undo committed work
        log.exception("realtime publish failed for %s events", len(batch))


_in_flight: set = set()


async def _send_logged(layer, batch: list[dict]) -> None:
    try:
        await _send(layer, batch)
    except Exception:  # noqa: BLE001
        log.exception("realtime publish failed for %s events", len(batch))


async def _send(layer, batch: list[dict]) -> None:
    """One message per group for the whole batch, not one per event: a burst of webhook
    notifications commits hundreds of events at once, and a group send costs a round trip to
    Redis per member. One per event also overflowed a busy browser's channel (capacity 100),
    which silently drops what does not fit."""
    per_group: dict[str, list[dict]] = {}
    about_chats = []
    for event in batch:
        if event["type"] in events.PERSONAL:
            per_group.setdefault(events.user_group(event["user_id"]), []).append(event)
        elif "inbox_id" in event:
            per_group.setdefault(events.inbox_group(event["inbox_id"]), []).append(event)
            about_chats.append(event)
        else:
            per_group.setdefault(events.EVERYONE_GROUP, []).append(event)
    if about_chats:
        per_group[events.ALL_INBOXES_GROUP] = about_chats
    for group, group_events in per_group.items():
        await layer.group_send(group, {"type": "mostrador.events", "events": group_events})
