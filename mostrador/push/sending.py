"""Telling a person's phone or laptop that a chat of theirs turned pending, by Web Push: the job
is written in the transaction of the change (durable; retried with the common backoff when a
push service is down), and a subscription its service says is gone is forgotten."""

from __future__ import annotations

import json
import logging

from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django_tasks import task
from pywebpush import WebPushException, webpush

from mostrador.core import outbound
from mostrador.inbox import hooks
from mostrador.inbox.jobs import later
from mostrador.inbox.models import Conversation
from mostrador.jobs.retry import backoff
from mostrador.rules.attention import State

from . import keys
from .models import Subscription

log = logging.getLogger(__name__)

MOST_ATTEMPTS = 6
MOST_FAILURES = 10  # in a row, across pushes: then the subscription is dropped
TIME_TO_LIVE = 3600  # seconds a push service keeps one for a phone that is off
GONE = (404, 410)


def on_conversation_changed(change: hooks.ConversationChanged) -> None:
    assignee = change.conversation.assignee_id
    if not change.turned_pending or assignee is None or assignee == getattr(change.actor.user, "pk", None):
        return
    if Subscription.objects.filter(user_id=assignee).exists():
        push_pending.enqueue(change.conversation.pk, assignee)


@task()
def push_pending(conversation_id: int, user_id: int, attempt: int = 1) -> int:
    """Push to each of the person's browsers; returns how many took it."""
    conv = Conversation.objects.select_related("contact", "inbox", "last_message").filter(pk=conversation_id).first()
    if conv is None or conv.assignee_id != user_id or conv.state() is not State.PENDING:
        return 0  # answered, resolved or given away meanwhile: nothing to tell any more
    with translation.override(settings.LANGUAGE_CODE):
        payload = json.dumps({
            "title": _("%(name)s is waiting for you") % {"name": conv.contact.name or conv.contact.phone or _("A customer")},
            "body": (conv.last_message.text if conv.last_message else "")[:140] or conv.inbox.name,
            "url": reverse("conversation", args=[conv.pk]) + "?tab=pending",
            "tag": f"conversation-{conv.pk}",
        })
    delivered, retry = 0, False
    for subscription in Subscription.objects.filter(user_id=user_id):
        outcome = _send(subscription, payload)
        delivered += outcome == "sent"
        retry |= outcome == "retry"
    if retry and attempt < MOST_ATTEMPTS:
        later(push_pending, backoff(attempt), conversation_id, user_id, attempt + 1)
    return delivered


def _send(subscription: Subscription, payload: str) -> str:
    try:
        outbound.check_url(subscription.endpoint)  # again: what a name resolves to can change
    except outbound.OutboundRefused as exc:
        subscription.delete()
        log.warning("push endpoint refused and forgotten: %s", exc)
        return "gone"
    info = {"endpoint": subscription.endpoint, "keys": {"p256dh": subscription.p256dh, "auth": subscription.auth}}
    claims = {"sub": settings.MOSTRADOR_PUSH_CONTACT}
    try:
        webpush(info, payload, vapid_private_key=keys.signer(), vapid_claims=claims, ttl=TIME_TO_LIVE, timeout=10)
    except WebPushException as exc:
        status = getattr(exc.response, "status_code", None)
        if status in GONE:
            subscription.delete()
            return "gone"
        return _failed(subscription, f"{status}: {exc}")
    except Exception as exc:  # noqa: BLE001 - the network: a push service that cannot be reached
        return _failed(subscription, repr(exc))
    if subscription.failures:
        Subscription.objects.filter(pk=subscription.pk).update(failures=0)
    return "sent"


def _failed(subscription: Subscription, why: str) -> str:
    log.warning("push to %s failed: %s", subscription.endpoint[:60], why)
    if subscription.failures + 1 >= MOST_FAILURES:
        subscription.delete()
        return "gone"
    Subscription.objects.filter(pk=subscription.pk).update(failures=subscription.failures + 1)
    return "retry"
