"""Durable background work for conversations: AI-window timers, outbound delivery, media
downloads, read receipts and template syncs. Every job re-checks the state it acts on, so running
one twice (after a crash) does no harm."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone
from django_tasks import task

from mostrador.connectors.base import ProviderUnavailable, connector_for
from mostrador.inbox.media import image_size, safe_name
from mostrador.inbox.models import ContactIdentity, Conversation, DeliveryStatus, Inbox, Message
from mostrador.jobs.retry import backoff

log = logging.getLogger(__name__)

MAX_SEND_ATTEMPTS = 8
# How long a send whose answer was lost waits for the provider's status before going again.
RECONCILE_WINDOW = timedelta(seconds=15)
IN_ORDER_PAUSE = timedelta(milliseconds=300)
MAX_FETCH_ATTEMPTS = 6
TEMPLATE_SYNC_EVERY = timedelta(hours=6)
MAX_TIMER_ATTEMPTS = 6


def later(job, delay: timedelta, *args) -> None:
    job.using(run_after=timezone.now() + delay).enqueue(*args)


@task(queue_name="timers")
def end_ai_windows(conversation_ids: list[int], deadline_iso: str, attempt: int = 1) -> int:
    """The AI windows that run out at one moment: every chat a burst handed to the AI together
    shares one timer (one job row, not one per chat). Each chat is settled in a transaction of its
    own, so one that cannot be does not hold up the others; it is tried again with backoff.
    Returns how many turned pending. (A chat whose timer never runs still turns pending by the
    clock; the timer records the moment and tells browsers.)"""
    from mostrador.inbox.actions import expire_ai_window

    deadline = datetime.fromisoformat(deadline_iso)
    if timezone.now() < deadline:
        # A runner whose clock is ahead of the database's picked this up early; try again on time.
        end_ai_windows.using(run_after=deadline).enqueue(conversation_ids, deadline_iso, attempt)
        return 0
    ended, failed = 0, []
    for conversation_id in conversation_ids:
        try:
            ended += expire_ai_window(conversation_id, deadline)
        except Conversation.DoesNotExist:
            continue  # deleted meanwhile: nothing to tell
        except Exception:  # a database hiccup: the others still end on time, this one a bit later
            log.exception("the AI window of conversation %s could not end", conversation_id)
            failed.append(conversation_id)
    if failed and attempt < MAX_TIMER_ATTEMPTS:
        later(end_ai_windows, backoff(attempt), failed, deadline_iso, attempt + 1)
    return ended


@task(queue_name="timers")
def end_ai_window(conversation_id: int, deadline_iso: str) -> bool:
    """One chat's timer, as versions before shared timers queued it."""
    return bool(end_ai_windows.call([conversation_id], deadline_iso))


@task(queue_name="sends")
def deliver_message(message_id: int, attempt: int = 1) -> str:
    from mostrador.inbox.actions import hold_sends, record_delivery

    message = (
        Message.objects.select_related("conversation__contact", "inbox", "reply_to")
        .prefetch_related("conversation__contact__identities")
        .filter(pk=message_id)
        .first()
    )
    if message is None or message.status != DeliveryStatus.QUEUED or message.external_id:
        # Already sent (a retried job after a crash, or a send the provider's status reconciled)
        # or gone: never send twice.
        return "skipped"
    connector = connector_for(message.inbox)
    now = timezone.now()
    if message.send_attempted_at and connector.capabilities.reconciles_sends:
        # An earlier attempt got no answer (its worker died, or the call timed out): the provider
        # may have it, and its status will say so. Wait for that word before sending again.
        settle_by = message.send_attempted_at + RECONCILE_WINDOW
        if now < settle_by:
            deliver_message.using(run_after=settle_by).enqueue(message_id, attempt)
            return "reconciling"
    if _earlier_unsent(message, now):
        # Sends run side by side, but one customer's messages go out in the order they were written.
        deliver_message.using(run_after=now + IN_ORDER_PAUSE).enqueue(message_id, attempt)
        return "after_earlier"
    held_until = (
        ContactIdentity.objects.filter(
            inbox=message.inbox, contact=message.conversation.contact, send_not_before__gt=timezone.now()
        )
        .order_by("-send_not_before")
        .values_list("send_not_before", flat=True)
        .first()
    )
    if held_until:
        # The provider asked us to slow down for this customer; waiting is not a failed attempt.
        deliver_message.using(run_after=held_until).enqueue(message_id, attempt)
        return "held"
    Message.objects.filter(pk=message.pk).update(send_attempted_at=timezone.now())
    result = connector.send(message)
    if result.ok:
        record_delivery(message.pk, DeliveryStatus.SENT, external_id=result.external_id)
        return "sent"
    if not result.outcome_unknown:
        Message.objects.filter(pk=message.pk).update(send_attempted_at=None)
    if (result.retry or result.recipient_backoff) and attempt < MAX_SEND_ATTEMPTS:
        delay = timedelta(seconds=result.retry_after_seconds) if result.retry_after_seconds else backoff(attempt)
        if result.recipient_backoff:
            hold_sends(message.inbox, message.conversation.contact, timezone.now() + delay)
        later(deliver_message, delay, message_id, attempt + 1)
        log.warning("send of message %s failed (%s); retry %s in %s", message_id, result.error_code, attempt + 1, delay)
        return "retrying"
    record_delivery(
        message.pk, DeliveryStatus.FAILED, error_code=result.error_code, error_message=result.error_message
    )
    return "failed"


def _earlier_unsent(message: Message, now: datetime) -> bool:
    return Message.objects.filter(
        conversation_id=message.conversation_id, direction="out", status=DeliveryStatus.QUEUED,
        pk__lt=message.pk, created_at__gte=now - timedelta(hours=1),
    ).exists()


@task()
def fetch_media(message_id: int, attempt: int = 1) -> str:
    """Copy an inbound media file from the provider into our storage while its URL still works."""
    from mostrador.inbox.actions import attach_media

    message = Message.objects.select_related("inbox").filter(pk=message_id).first()
    if message is None or not message.media or message.media.get("path"):
        return "skipped"
    try:
        content, mime_type = connector_for(message.inbox).fetch_media(message.media)
    except ProviderUnavailable as exc:
        if exc.retry and attempt < MAX_FETCH_ATTEMPTS:
            later(fetch_media, backoff(attempt), message_id, attempt + 1)
            return "retrying"
        attach_media(message.pk, error=f"{exc.code}: {exc.message}")
        return "failed"
    filename = safe_name(message.media.get("filename"), message.type)
    now = timezone.now()
    path = default_storage.save(
        f"media/{message.inbox_id}/{now:%Y/%m}/{message.pk}-{filename}", ContentFile(content)
    )
    attach_media(message.pk, path=path, size=len(content), mime_type=mime_type, dimensions=image_size(content))
    return "stored"


@task()
def send_read_receipt(message_id: int, attempt: int = 1) -> str:
    message = Message.objects.select_related("inbox").filter(pk=message_id).first()
    if message is None:
        return "skipped"
    try:
        connector_for(message.inbox).mark_read(message)
    except ProviderUnavailable as exc:
        if exc.retry and attempt < 3:
            later(send_read_receipt, backoff(attempt), message_id, attempt + 1)
            return "retrying"
        log.warning("read receipt for message %s failed: %s", message_id, exc)
        return "failed"
    return "sent"


@task()
def configure_channel(inbox_id: int, attempt: int = 1) -> str:
    """Tell the provider what a saved inbox needs of it (Telegram's webhook URL and secret)."""
    from mostrador.inbox.actions import record_channel_error

    inbox = Inbox.objects.filter(pk=inbox_id).first()
    if inbox is None:
        return "skipped"
    try:
        connector_for(inbox).configured()
    except ProviderUnavailable as exc:
        # A provider that is briefly unreachable is tried again before anyone is alarmed; a
        # refusal (a wrong token) is shown to admins at once.
        if exc.retry and attempt < MAX_FETCH_ATTEMPTS:
            later(configure_channel, backoff(attempt), inbox_id, attempt + 1)
            return "retrying"
        record_channel_error(inbox, exc.code, "channel set-up failed", exc.message)
        return "failed"
    return "configured"


@task()
def sync_templates(inbox_id: int) -> str:
    from mostrador.inbox.actions import record_channel_error, replace_templates

    inbox = Inbox.objects.filter(pk=inbox_id).first()
    if inbox is None:
        return "skipped"
    try:
        templates = connector_for(inbox).fetch_templates()
    except ProviderUnavailable as exc:
        record_channel_error(inbox, exc.code, "template sync failed", exc.message)
        return "failed"
    replace_templates(inbox, templates)
    return f"{len(templates)} templates"


@task()
def sync_all_templates() -> int:
    """Keep every inbox's templates fresh; re-schedules itself."""
    from mostrador.connectors.base import connector_class

    count = 0
    for inbox in Inbox.objects.all():
        if connector_class(inbox.channel).capabilities.templates:
            sync_templates.enqueue(inbox.pk)
            count += 1
    later(sync_all_templates, TEMPLATE_SYNC_EVERY)
    return count
