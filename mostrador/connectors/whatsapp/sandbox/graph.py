"""A fake of the Graph API endpoints the WhatsApp channel calls, answering as Meta documents:
send (`POST /{phone-number-id}/messages`), mark as read, media upload, media URL lookup and
download, and the template list. Errors come back in Meta's `{"error": {...}}` shape."""

from __future__ import annotations

import hashlib
import json
import secrets
from datetime import timedelta

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.http import FileResponse, JsonResponse
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt

from mostrador.inbox.models import Inbox
from mostrador.inbox.template_text import count_placeholders

from . import catalog
from .models import Media, PhoneMessage
from .notify import emit_status

SERVICE_WINDOW = timedelta(hours=24)
TYPES = ("text", "image", "audio", "video", "document", "sticker", "location", "contacts", "interactive", "template", "reaction")



def webhook_url() -> str:
    """Where the fake Meta delivers: this server as configured (MOSTRADOR_PUBLIC_URL), never as a
    request names it: a Host header would let anyone point the sandbox's POSTs at any address."""
    return settings.MOSTRADOR_PUBLIC_URL + reverse("webhook", args=["whatsapp"])

def graph_error(status: int, code: int, message: str, details: str = "") -> JsonResponse:
    return JsonResponse(
        {
            "error": {
                "message": message,
                "type": "OAuthException",
                "code": code,
                "error_data": {"messaging_product": "whatsapp", "details": details or message},
                "fbtrace_id": secrets.token_urlsafe(12),
            }
        },
        status=status,
    )


def new_wamid() -> str:
    return "wamid." + secrets.token_urlsafe(30)


def _token(request) -> str:
    auth = request.headers.get("Authorization", "")
    return auth[7:] if auth.startswith("Bearer ") else ""


def _authorised(request, **inbox_filter) -> Inbox | None:
    token = _token(request)
    for inbox in Inbox.objects.filter(channel="whatsapp", **inbox_filter):
        if token and inbox.secret("access_token") == token:
            return inbox
    return None


def _bad_token() -> JsonResponse:
    return graph_error(401, 190, "Invalid OAuth access token - Cannot parse access token")


@csrf_exempt
def messages(request, version: str, phone_number_id: str):
    if request.method != "POST":
        return graph_error(400, 100, "Unsupported get request.")
    inbox = _authorised(request, address=phone_number_id)
    if inbox is None:
        return _bad_token()
    try:
        body = json.loads(request.body)
    except ValueError:
        return graph_error(400, 100, "(#100) The request body is not valid JSON.")
    if body.get("messaging_product") != "whatsapp":
        return graph_error(400, 100, "(#100) The parameter messaging_product is required.")
    if body.get("status") == "read":
        return _mark_read(phone_number_id, body)
    problem = _check_send(body)
    if problem:
        code, text = problem
        return graph_error(400, code, text)
    customer = str(body.get("to") or body.get("recipient")).lstrip("+")
    message = PhoneMessage.objects.create(
        phone_number_id=phone_number_id,
        customer=customer,
        from_customer=False,
        wamid=new_wamid(),
        type=body["type"],
        body=body,
        callback_url=webhook_url(),
    )
    if body["type"] != "template" and not _window_open(phone_number_id, customer):
        # Like Meta: the send is accepted, then fails in a status webhook.
        emit_status.using(run_after=timezone.now() + timedelta(milliseconds=300)).enqueue(
            message.pk,
            "failed",
            [{"code": 131047, "title": "Re-engagement message", "message": "Re-engagement message",
              "error_data": {"details": "Message failed to send because more than 24 hours have passed since the customer last replied to this number."}}],
        )
    else:
        emit_status.using(run_after=timezone.now() + timedelta(milliseconds=300)).enqueue(message.pk, "sent")
        emit_status.using(run_after=timezone.now() + timedelta(seconds=1)).enqueue(message.pk, "delivered")
    return JsonResponse(
        {
            "messaging_product": "whatsapp",
            "contacts": [{"input": str(body.get("to") or body.get("recipient")), "wa_id": customer}],
            "messages": [{"id": message.wamid}],
        }
    )


def _check_send(body: dict) -> tuple[int, str] | None:
    if not (body.get("to") or body.get("recipient")):
        return 100, "(#100) The parameter to is required."
    kind = body.get("type", "text")
    body.setdefault("type", kind)
    if kind not in TYPES:
        return 100, f"(#100) Param type must be one of {{{', '.join(TYPES)}}} - got \"{kind}\"."
    part = body.get(kind)
    if not isinstance(part, dict):
        return 100, f"(#100) The parameter {kind} is required."
    if kind == "text" and not str(part.get("body", "")).strip():
        return 100, "(#100) The parameter text['body'] is required."
    if kind in ("image", "audio", "video", "document", "sticker") and not (part.get("id") or part.get("link")):
        return 100, f"(#100) Param {kind} must contain id or link."
    if kind == "template":
        found = catalog.find(part.get("name", ""), (part.get("language") or {}).get("code", ""))
        if found is None or found["status"] != "APPROVED":
            return 132001, "(#132001) Template name does not exist in the translation"
        expected = count_placeholders(found["components"][0]["text"])
        given = sum(len(c.get("parameters") or []) for c in part.get("components") or [] if c.get("type") == "body")
        if given != expected:
            return 132000, f"(#132000) Number of parameters does not match the expected number of params ({expected})"
    if kind == "interactive" and part.get("type") not in ("button", "list"):
        return 100, "(#100) Param interactive['type'] must be one of {button, list}."
    return None


def _window_open(phone_number_id: str, customer: str) -> bool:
    last = (
        PhoneMessage.objects.filter(phone_number_id=phone_number_id, customer=customer, from_customer=True)
        .order_by("-created_at")
        .values_list("created_at", flat=True)
        .first()
    )
    return last is not None and timezone.now() - last < SERVICE_WINDOW


def _mark_read(phone_number_id: str, body: dict) -> JsonResponse:
    read = PhoneMessage.objects.filter(phone_number_id=phone_number_id, wamid=body.get("message_id"), from_customer=True).first()
    if read is None:
        return graph_error(400, 100, "(#100) Invalid parameter message_id.")
    PhoneMessage.objects.filter(
        phone_number_id=phone_number_id, customer=read.customer, from_customer=True, created_at__lte=read.created_at
    ).update(status="read")
    return JsonResponse({"success": True})


@csrf_exempt
def upload_media(request, version: str, phone_number_id: str):
    if request.method != "POST":
        return graph_error(400, 100, "Unsupported get request.")
    if _authorised(request, address=phone_number_id) is None:
        return _bad_token()
    upload = request.FILES.get("file")
    if upload is None or request.POST.get("messaging_product") != "whatsapp":
        return graph_error(400, 100, "(#100) The parameters file and messaging_product are required.")
    return JsonResponse({"id": store_media(phone_number_id, upload.read(), upload.content_type, upload.name).media_id})


def store_media(phone_number_id: str, content: bytes, mime_type: str, filename: str) -> Media:
    media_id = str(secrets.randbelow(10**15) + 10**15)
    path = default_storage.save(f"sandbox/{media_id}", ContentFile(content))
    return Media.objects.create(
        media_id=media_id,
        phone_number_id=phone_number_id,
        mime_type=mime_type or "application/octet-stream",
        filename=filename or "",
        sha256=hashlib.sha256(content).hexdigest(),
        path=path,
        size=len(content),
    )


def node(request, version: str, node_id: str):
    """`GET /{media-id}`: where to download a media file (the URL needs the same token)."""
    media = Media.objects.filter(media_id=node_id).first()
    if media is None:
        return graph_error(400, 100, f"(#100) Unsupported get request. Object with ID '{node_id}' does not exist.")
    if _authorised(request, address=media.phone_number_id) is None:
        return _bad_token()
    return JsonResponse(
        {
            "messaging_product": "whatsapp",
            "url": settings.MOSTRADOR_PUBLIC_URL + reverse("sandbox-media-download", args=[media.media_id]),
            "mime_type": media.mime_type,
            "sha256": media.sha256,
            "file_size": str(media.size),
            "id": media.media_id,
        }
    )


def download(request, media_id: str):
    media = Media.objects.filter(media_id=media_id).first()
    if media is None:
        return graph_error(404, 100, "Media not found.")
    if _authorised(request, address=media.phone_number_id) is None:
        return _bad_token()
    return FileResponse(default_storage.open(media.path, "rb"), content_type=media.mime_type)


def message_templates(request, version: str, account_id: str):
    if _authorised(request, settings__business_account_id=account_id) is None:
        return _bad_token()
    return JsonResponse({"data": catalog.TEMPLATES, "paging": {"cursors": {"before": "MAZDZD", "after": "MjQZD"}}})
