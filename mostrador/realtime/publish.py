"""Publishing after commit: a browser told about a change must be able to read it."""

from __future__ import annotations

import logging

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction

from . import events

log = logging.getLogger(__name__)


def publish_on_commit(event: dict) -> None:
    transaction.on_commit(lambda: publish_now(event))


def publish_now(event: dict) -> None:
    layer = get_channel_layer()
    if layer is None:
        return
    try:
        # One trip into the event loop per event: async_to_sync starts a loop thread per call,
        # which dominated publishing when it was done once per group.
        async_to_sync(_send)(layer, event)
    except Exception:  # noqa: BLE001 - a lost notification must never undo committed work
        log.exception("realtime publish failed for %s", event.get("type"))


async def _send(layer, event: dict) -> None:
    message = {"type": "mostrador.event", "event": event}
    for group in (events.inbox_group(event["inbox_id"]), events.ALL_INBOXES_GROUP):
        await layer.group_send(group, message)
