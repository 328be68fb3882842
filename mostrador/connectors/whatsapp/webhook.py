"""`GET/POST /webhooks/whatsapp`: one callback URL for a Meta app, shared by all its numbers.

The POST does the least it can before answering: check the signature over the raw bytes, store
the body, queue its processing. Meta expects a quick 200 and re-delivers anything else for days.
"""

from __future__ import annotations

from asgiref.sync import sync_to_async
from django.core.exceptions import RequestDataTooBig
from django.http import HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt

from mostrador.intake.jobs import store
from mostrador.intake.models import LogState

from .connector import WhatsAppConnector, configured_secrets
from .notifications import NotWhatsAppNotification, load


def _refuse(status: int, detail: str, code: str) -> JsonResponse:
    return JsonResponse({"detail": detail, "code": code}, status=status)


@csrf_exempt
async def whatsapp_webhook(request):
    if request.method == "GET":
        return await _verify_subscription(request)
    if request.method != "POST":
        return _refuse(405, "Use GET to verify the subscription and POST to notify.", "method_not_allowed")
    signature = request.headers.get("X-Hub-Signature-256", "")
    if not signature.startswith("sha256="):
        return _refuse(401, "The X-Hub-Signature-256 header is missing.", "missing_signature")
    try:
        body = request.body
    except RequestDataTooBig:
        return _refuse(413, "The body is too large.", "body_too_large")
    if not await sync_to_async(WhatsAppConnector.verify, thread_sensitive=False)(request.headers, body):
        return _refuse(403, "The signature does not match the body.", "bad_signature")
    try:
        load(body)
    except NotWhatsAppNotification as exc:
        # Genuine (it is signed) but unreadable: kept for a person to look at, and refused.
        await sync_to_async(store, thread_sensitive=False)("whatsapp", body, LogState.REJECTED, str(exc))
        return _refuse(400, f"Not a WhatsApp notification: {exc}", "malformed_notification")
    await sync_to_async(store, thread_sensitive=False)("whatsapp", body)
    return JsonResponse({"status": "received"})


async def _verify_subscription(request):
    mode = request.GET.get("hub.mode")
    token = request.GET.get("hub.verify_token", "")
    challenge = request.GET.get("hub.challenge", "")
    if mode != "subscribe" or not token:
        return _refuse(400, "Expected hub.mode=subscribe with hub.verify_token.", "invalid")
    tokens = await sync_to_async(configured_secrets, thread_sensitive=False)("verify_token")
    if token not in tokens:
        return _refuse(403, "The verify token does not match any WhatsApp inbox.", "bad_verify_token")
    return HttpResponse(challenge, content_type="text/plain")
