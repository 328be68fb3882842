"""An external agent: we POST it signed events; it answers through the REST API with its bot
token and hands off through `/handoff`.

Each POST carries `X-Mostrador-Signature-256: sha256=<hex>`, the HMAC-SHA256 of the raw body
with the inbox's agent secret, and `X-Mostrador-Event` / `X-Mostrador-Delivery` headers. Events
are durable jobs retried with backoff; if the events of a turn cannot be delivered, the turn is
handed to people with the reason.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import uuid

import httpx
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks import task

from mostrador.core import outbound
from mostrador.inbox.models import Conversation
from mostrador.inbox.serializers import conversation_dict, iso, message_dict
from mostrador.jobs.retry import backoff

from .base import Agent, Trial

MAX_ATTEMPTS = 5
SIGNATURE_HEADER = "X-Mostrador-Signature-256"


def sign(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def build_event(conv: Conversation, type_: str, **extra) -> dict:
    return {
        "id": "evt_" + uuid.uuid4().hex,
        "type": type_,
        "created_at": iso(timezone.now()),
        "inbox_id": conv.inbox_id,
        "conversation": conversation_dict(conv),
        "turn": {"started_at": iso(conv.ai_since), "deadline": iso(conv.ai_deadline)},
        **extra,
    }


def send_event(conv: Conversation, type_: str, **extra) -> None:
    """Queue one event for the inbox's external agent (inside the caller's transaction)."""
    deliver_event.enqueue(conv.pk, json.dumps(build_event(conv, type_, **extra)))


def post(inbox, body: bytes, event_type: str, delivery: str) -> httpx.Response:
    config = inbox.setting("ai_agent") or {}
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "Mostrador-Agent-Webhook/1",
        "X-Mostrador-Event": event_type,
        "X-Mostrador-Delivery": delivery,
        SIGNATURE_HEADER: sign(inbox.secret("ai_webhook_secret"), body),
    }
    return outbound.post(config["url"], content=body, headers=headers, timeout=config.get("timeout_seconds", 10))


@task(queue_name="agents")
def deliver_event(conversation_id: int, event_json: str, attempt: int = 1) -> str:
    from mostrador.bots.turn import Turn, holds_turn

    conv = Conversation.objects.select_related("inbox", "contact").filter(pk=conversation_id).first()
    if conv is None or (conv.inbox.setting("ai_agent") or {}).get("kind") != "webhook":
        return "skipped"
    event = json.loads(event_json)
    turn_event = event["type"] != "turn.ended"
    if turn_event and not holds_turn(conv, event["turn"]["started_at"] or ""):
        # The turn ended while this waited: the agent gets nothing more until the next wait.
        return "turn over"
    try:
        response = post(conv.inbox, event_json.encode(), event["type"], event["id"])
        problem = None if response.status_code < 300 else f"HTTP {response.status_code}"
    except httpx.HTTPError as error:
        problem = type(error).__name__
    if problem is None:
        return "delivered"
    if attempt < MAX_ATTEMPTS:
        deliver_event.using(run_after=timezone.now() + backoff(attempt, cap=60)).enqueue(
            conversation_id, event_json, attempt + 1
        )
        return "retrying"
    if turn_event:
        with_reason = _("The external agent could not be reached (%(problem)s).") % {"problem": problem}
        return Turn(conv, event["turn"]["started_at"]).fail("error", with_reason)
    return "gave up"


class WebhookAgent(Agent):
    kind = "webhook"
    must_act = False

    def take_turn(self, turn, message_id):
        conv = turn.conv
        # Every message the agent has not been sent, not just this job's: with two workers, a
        # later message's job can run first, and a filter on message_id would then skip one.
        messages = turn.new_customer_messages()
        first = conv.bot_state.get("turn") != turn.turn
        payload = [message_dict(m) for m in messages]
        if first:
            send_event(conv, "turn.started", messages=payload)
        else:
            for item in payload:
                send_event(conv, "message.created", message=item)
        if messages:
            turn.remember({"turn": turn.turn, "last_message_id": messages[-1].pk})

    def trial(self, text: str) -> Trial:
        body = json.dumps({"id": "evt_" + uuid.uuid4().hex, "type": "ping", "created_at": iso(timezone.now()),
                           "inbox_id": self.inbox.pk, "text": text}).encode()
        trial = Trial()
        try:
            response = post(self.inbox, body, "ping", "trial")
        except httpx.HTTPError as error:
            trial.error = f"{type(error).__name__}: {error}"
            return trial
        trial.actions.append(_("The agent answered HTTP %(status)s") % {"status": response.status_code})
        if response.text:
            trial.replies.append(response.text[:500])
        return trial


