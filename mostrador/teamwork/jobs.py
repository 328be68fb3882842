"""Durable background work for teamwork: draining assignment queues."""

from __future__ import annotations

from django_tasks import task


@task(queue_name="timers")
def drain_queue(inbox_id: int) -> int:
    """Hand queued chats to agents who have room, oldest first. Safe to run twice or at once on
    two workers: each chat is taken under the inbox's lock and re-checked."""
    from .assignment import drain

    return drain(inbox_id)
