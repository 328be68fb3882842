"""Durable background work for conversations: AI-window timers and outbound delivery."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.utils import timezone
from django_tasks import task

from mostrador.connectors.base import connector_for
from mostrador.inbox.models import DeliveryStatus, Message

log = logging.getLogger(__name__)

MAX_SEND_ATTEMPTS = 8


@task()
def end_ai_window(conversation_id: int, deadline_iso: str) -> bool:
    from mostrador.inbox.actions import expire_ai_window

    deadline = datetime.fromisoformat(deadline_iso)
    if timezone.now() < deadline:
        # A runner whose clock is ahead of the database's picked this up early; try again on time.
        end_ai_window.using(run_after=deadline).enqueue(conversation_id, deadline_iso)
        return False
    return expire_ai_window(conversation_id, deadline)


@task()
def deliver_message(message_id: int, attempt: int = 1) -> str:
    from mostrador.inbox.actions import record_delivery

    message = Message.objects.select_related("conversation__contact", "inbox").filter(pk=message_id).first()
    if message is None or message.status != DeliveryStatus.QUEUED:
        # Already sent (a retried job after a crash) or gone: never send twice.
        return "skipped"
    result = connector_for(message.inbox).send(message)
    if result.ok:
        record_delivery(message.pk, DeliveryStatus.SENT, external_id=result.external_id)
        return "sent"
    if result.retry and attempt < MAX_SEND_ATTEMPTS:
        delay = result.retry_after_seconds or min(2 ** attempt, 300)
        deliver_message.using(run_after=timezone.now() + timedelta(seconds=delay)).enqueue(message_id, attempt + 1)
        log.warning("send of message %s failed (%s); retry %s in %ss", message_id, result.error_code, attempt + 1, delay)
        return "retrying"
    record_delivery(
        message.pk, DeliveryStatus.FAILED, error_code=result.error_code, error_message=result.error_message
    )
    return "failed"
