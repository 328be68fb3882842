"""The customer phone: chat with a sandbox WhatsApp number as a customer would.

What the customer does becomes a signed webhook POSTed to `/webhooks/whatsapp`, the same request
Meta would make, so the product cannot tell the sandbox from WhatsApp.
"""

from __future__ import annotations

import re
import time

from django.contrib.auth.decorators import login_required
from django.core.files.storage import default_storage
from django.http import Http404
from django.shortcuts import render
from django.views.decorators.http import require_POST

from mostrador.inbox import policy
from mostrador.inbox.media import file_response, message_type_for
from mostrador.inbox.template_text import fill_placeholders

from . import catalog
from .graph import new_wamid, store_media, webhook_url
from .models import Media, PhoneMessage
from .notify import deliver, emit_status, envelope

DEFAULT_CUSTOMER = ("56987654321", "Camila Rojas")


def sandbox_inboxes(user):
    """The sandbox numbers this person may play the customer of: those of the inboxes they see."""
    found = policy.visible_inboxes(user).filter(channel="whatsapp").order_by("pk")
    return [i for i in found if "/sandbox/graph/" in (i.setting("graph_api_url") or "")]


def _context(request) -> dict:
    inboxes = sandbox_inboxes(request.user)
    if not inboxes:
        return {"inboxes": []}
    chosen = request.GET.get("inbox") or request.POST.get("inbox") or request.session.get("sandbox_inbox")
    inbox = next((i for i in inboxes if str(i.pk) == str(chosen)), inboxes[0])
    number = re.sub(r"\D", "", request.GET.get("number") or request.POST.get("number") or request.session.get("sandbox_number") or DEFAULT_CUSTOMER[0])
    name = (request.GET.get("name") or request.POST.get("name") or request.session.get("sandbox_name") or DEFAULT_CUSTOMER[1]).strip()
    request.session.update({"sandbox_inbox": inbox.pk, "sandbox_number": number, "sandbox_name": name})
    return {"inboxes": inboxes, "inbox": inbox, "number": number or DEFAULT_CUSTOMER[0], "name": name}


def _chosen(request) -> dict:
    """The context of a request that acts on a sandbox number: there must be one this person sees."""
    ctx = _context(request)
    if not ctx["inboxes"]:
        raise Http404("No sandbox number you work.")
    return ctx


def _thread(ctx: dict) -> list[PhoneMessage]:
    return list(
        PhoneMessage.objects.filter(phone_number_id=ctx["inbox"].address, customer=ctx["number"]).order_by("created_at", "id")
    )


@login_required
def phone(request):
    ctx = _context(request)
    if ctx["inboxes"]:
        ctx["thread"] = _present(_thread(ctx))
    return render(request, "sandbox/phone.html", ctx)


@login_required
def thread(request):
    """The thread, polled by the page. Showing a business message to the customer is what makes
    it "read", so this sends the read statuses, as a phone would."""
    ctx = _chosen(request)
    messages = _thread(ctx)
    newly_read = [m for m in messages if not m.from_customer and m.status in ("sent", "delivered")]
    if newly_read:
        PhoneMessage.objects.filter(pk__in=[m.pk for m in newly_read]).update(status="read")
    for m in newly_read:
        m.status = "read"
        emit_status.enqueue(m.pk, "read")  # Meta sends one status per message
    ctx["thread"] = _present(messages)
    return render(request, "sandbox/_thread.html", ctx)


@login_required
@require_POST
def send(request):
    """The customer writes, taps a button, shares a file or a location, or reacts."""
    ctx = _chosen(request)
    inbox, number = ctx["inbox"], ctx["number"]
    kind, content = _compose(request, inbox)
    if kind:
        wamid = new_wamid()
        message = {"from": number, "id": wamid, "timestamp": str(int(time.time())), "type": kind, **content}
        PhoneMessage.objects.create(
            phone_number_id=inbox.address, customer=number, customer_name=ctx["name"], from_customer=True,
            wamid=wamid, type=kind, body=message, status="sent",
        )
        value = {"contacts": [{"profile": {"name": ctx["name"]}, "wa_id": number}], "messages": [message]}
        deliver(inbox, envelope(inbox, value), webhook_url())
    ctx["thread"] = _present(_thread(ctx))
    return render(request, "sandbox/_thread.html", ctx)


def _compose(request, inbox) -> tuple[str, dict]:
    post = request.POST
    if post.get("reply_id"):  # a tap on a button or list row of an interactive message
        part = {"id": post["reply_id"], "title": post.get("reply_title", "")}
        kind = "list_reply" if post.get("reply_kind") == "list" else "button_reply"
        return "interactive", {"interactive": {"type": kind, kind: part}, "context": {"from": inbox.setting("display_phone_number") or "", "id": post.get("context", "")}}
    if post.get("quick_reply"):  # a quick-reply button under a template
        return "button", {"button": {"payload": post["quick_reply"], "text": post["quick_reply"]}, "context": {"id": post.get("context", "")}}
    if post.get("react_to"):
        return "reaction", {"reaction": {"message_id": post["react_to"], "emoji": post.get("emoji", "")}}
    if post.get("location"):
        return "location", {"location": {"latitude": -33.4372, "longitude": -70.6506, "name": "Plaza de Armas", "address": "Santiago, Chile"}}
    upload = request.FILES.get("file")
    if upload:
        mime = upload.content_type or "application/octet-stream"
        kind = message_type_for(mime)
        media = store_media(inbox.address, upload.read(), mime, upload.name)
        part = {"id": media.media_id, "mime_type": media.mime_type, "sha256": media.sha256}
        if kind == "document":
            part["filename"] = upload.name
        if post.get("text", "").strip() and kind != "audio":
            part["caption"] = post["text"].strip()
        if kind == "audio":
            part["voice"] = True
        return kind, {kind: part}
    text = post.get("text", "").strip()
    if text:
        return "text", {"text": {"body": text}}
    return "", {}


def _present(messages: list[PhoneMessage]) -> list[dict]:
    """What each message looks like on the phone."""
    shown = []
    for m in messages:
        body = m.body
        item = {"m": m, "text": "", "buttons": [], "rows": [], "media": None, "location": None, "quick": []}
        part = body.get(m.type) if isinstance(body.get(m.type), dict) else {}
        if m.type == "text":
            item["text"] = part.get("body", "")
        elif m.type == "template":
            found = catalog.find(part.get("name", ""), (part.get("language") or {}).get("code", ""))
            params = [p.get("text", "") for c in part.get("components") or [] for p in c.get("parameters") or []]
            item["text"] = fill_placeholders(found["components"][0]["text"], params) if found else part.get("name", "")
            if found:
                item["quick"] = [b["text"] for c in found["components"] if c["type"] == "BUTTONS" for b in c["buttons"]]
        elif m.type == "interactive":
            item["text"] = (part.get("body") or {}).get("text", "")
            action = part.get("action") or {}
            item["buttons"] = [b["reply"] for b in action.get("buttons") or []]
            item["rows"] = [r for s in action.get("sections") or [] for r in s.get("rows") or []]
            item["list_button"] = action.get("button", "")
            if m.from_customer:
                reply = part.get(part.get("type", "")) or {}
                item["text"] = reply.get("title", "")
        elif m.type == "button":
            item["text"] = part.get("text", "")
        elif m.type == "reaction":
            item["text"] = part.get("emoji") or "∅"
        elif m.type == "location":
            item["location"] = part
        elif m.type in ("image", "video", "audio", "document", "sticker"):
            item["text"] = part.get("caption", "")
            item["media"] = {"kind": m.type, "id": part.get("id"), "link": part.get("link"), "filename": part.get("filename", "")}
        shown.append(item)
    return shown


@login_required
def media(request, media_id: str):
    found = Media.objects.filter(media_id=media_id).first()
    if found is None:
        raise Http404
    return file_response(default_storage.open(found.path, "rb"), found.mime_type)
