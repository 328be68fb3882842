"""Publishing after commit: a browser told about a change must be able to read it."""

from __future__ import annotations

import logging
import weakref

from django.db import transaction

from . import hub, relay

log = logging.getLogger(__name__)


def publish_on_commit(event: dict) -> None:
    """Publish `event` once the current transaction commits (at once outside a transaction).

    The events of one transaction go out together, in one publish: one per event dominated
    storing a burst of messages.

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
    """Hand a committed batch to every server process: through Redis when it is set, otherwise
    straight to this process's sockets."""
    if not batch:
        return
    try:
        if relay.enabled():
            relay.publish(batch)
        else:
            hub.hand_to_every_loop(batch)
    except Exception:  # noqa: BLE001 - a lost notification must never undo committed work
        log.exception("realtime publish failed for %s events", len(batch))
