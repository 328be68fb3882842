"""The sandbox's side of webhooks: build notifications in Meta's shape, sign them with the inbox's
app secret and POST them to the product, exactly as Meta would."""

from __future__ import annotations

import json
import time
from datetime import timedelta

import httpx
from django.utils import timezone
from django_tasks import task

from mostrador.connectors.whatsapp.connector import signature_of
from mostrador.inbox.models import Inbox

from .models import PhoneMessage


def sandbox_inbox(phone_number_id: str) -> Inbox | None:
    return Inbox.objects.filter(channel="whatsapp", address=phone_number_id).first()


def envelope(inbox: Inbox, value: dict) -> dict:
    value = {
        "messaging_product": "whatsapp",
        "metadata": {
            "display_phone_number": inbox.setting("display_phone_number") or "",
            "phone_number_id": inbox.address,
        },
        **value,
    }
    account = inbox.setting("business_account_id") or "0"
    return {"object": "whatsapp_business_account", "entry": [{"id": account, "changes": [{"value": value, "field": "messages"}]}]}


def deliver(inbox: Inbox, notification: dict, callback_url: str) -> int:
    body = json.dumps(notification, separators=(",", ":"), ensure_ascii=False).encode()
    headers = {
        "Content-Type": "application/json",
        "X-Hub-Signature-256": signature_of(inbox.secret("app_secret"), body),
    }
    response = httpx.post(callback_url, content=body, headers=headers, timeout=10)
    return response.status_code


def status_value(message: PhoneMessage, status: str, errors: list | None = None) -> dict:
    entry = {
        "id": message.wamid,
        "status": status,
        "timestamp": str(int(time.time())),
        "recipient_id": message.customer,
    }
    if status != "failed":
        entry["conversation"] = {"id": f"conv-{message.customer}", "origin": {"type": "service"}}
        entry["pricing"] = {"billable": True, "pricing_model": "PMP", "category": "service", "type": "regular"}
    if errors:
        entry["errors"] = errors
    if isinstance(message.body, dict) and message.body.get("biz_opaque_callback_data"):
        entry["biz_opaque_callback_data"] = message.body["biz_opaque_callback_data"]
    return {"statuses": [entry]}


@task()
def emit_status(message_id: int, status: str, errors: list | None = None) -> str:
    message = PhoneMessage.objects.filter(pk=message_id).first()
    inbox = sandbox_inbox(message.phone_number_id) if message else None
    if message is None or inbox is None:
        return "gone"
    code = deliver(inbox, envelope(inbox, status_value(message, status, errors)), message.callback_url)
    if code >= 500:
        emit_status.using(run_after=timezone.now() + timedelta(seconds=2)).enqueue(message_id, status, errors)
    return str(code)
