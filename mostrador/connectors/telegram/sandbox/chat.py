"""The customer's side of the Telegram sandbox: chat with a demo bot as a Telegram user would.

What the customer does becomes an Update POSTed to the URL the product gave setWebhook, with the
secret token it gave, the same request Telegram would make: the product cannot tell them apart."""

from __future__ import annotations

import re
import time
import uuid

import httpx
from django.contrib.auth.decorators import login_required
from django.core.files.storage import default_storage
from django.db.models import F
from django.http import Http404
from django.shortcuts import render
from django.views.decorators.http import require_POST

from mostrador.inbox import policy
from mostrador.inbox.media import file_response
from mostrador.inbox.models import Inbox

from .bot_api import save_file, store
from .models import ChatMessage, SandboxBot

DEFAULT_CUSTOMER = (777000111, "Camila Rojas")
SANDBOX_PATH = "/sandbox/telegram"
# Raster images show in the chat; anything else is a download, never a page that runs script.
def sandbox_inboxes(user) -> list[Inbox]:
    """The sandbox bots this person may play the customer of: those of the inboxes they see."""
    found = policy.visible_inboxes(user).filter(channel="telegram").order_by("pk")
    return [i for i in found if SANDBOX_PATH in (i.setting("api_base_url") or "")]


def _context(request) -> dict:
    inboxes = sandbox_inboxes(request.user)
    if not inboxes:
        return {"inboxes": []}
    data = {**request.GET.dict(), **request.POST.dict()}
    session = request.session
    chosen = data.get("inbox") or session.get("tg_sandbox_inbox")
    inbox = next((i for i in inboxes if str(i.pk) == str(chosen)), inboxes[0])
    chat = re.sub(r"\D", "", str(data.get("chat") or session.get("tg_sandbox_chat") or DEFAULT_CUSTOMER[0]))[:15]
    name = (data.get("name") or session.get("tg_sandbox_name") or DEFAULT_CUSTOMER[1]).strip()[:60]
    chat_id = int(chat or DEFAULT_CUSTOMER[0])
    session.update({"tg_sandbox_inbox": inbox.pk, "tg_sandbox_chat": chat_id, "tg_sandbox_name": name})
    return {"inboxes": inboxes, "inbox": inbox, "token": inbox.secret("bot_token"), "chat": chat_id, "name": name}


def _thread(ctx: dict) -> list[ChatMessage]:
    return list(ChatMessage.objects.filter(token=ctx["token"], chat_id=ctx["chat"]).order_by("message_id"))


def _page(request, template: str, ctx: dict, problem: str = ""):
    if ctx["inboxes"]:
        ctx["thread"] = _thread(ctx)
        bot = SandboxBot.objects.filter(token=ctx["token"]).first()
        ctx["problem"] = problem or ("" if bot and bot.webhook_url else "no_webhook")
    return render(request, template, ctx)


@login_required
def chat(request):
    return _page(request, "telegram_sandbox/chat.html", _context(request))


@login_required
def thread(request):
    return _page(request, "telegram_sandbox/_thread.html", _context(request))


@login_required
@require_POST
def send(request):
    """The customer writes, sends a photo, or taps one of the bot's buttons."""
    ctx = _context(request)
    if not ctx["inboxes"]:
        raise Http404
    person = {"id": ctx["chat"], "is_bot": False, "first_name": ctx["name"].split(" ")[0],
              "last_name": " ".join(ctx["name"].split(" ")[1:]), "language_code": request.LANGUAGE_CODE}
    person = {k: v for k, v in person.items() if v != ""}
    chat = {"id": ctx["chat"], "type": "private", **{k: v for k, v in person.items() if k.endswith("name")}}
    tapped = request.POST.get("tap")
    if tapped:
        origin = ChatMessage.objects.filter(token=ctx["token"], chat_id=ctx["chat"], message_id=request.POST.get("message_id")).first()
        if origin is None:
            raise Http404
        update = {"callback_query": {
            "id": uuid.uuid4().hex, "from": person, "chat_instance": str(ctx["chat"]), "data": tapped,
            "message": {"message_id": origin.message_id, "date": int(origin.created_at.timestamp()), "chat": chat,
                        "text": origin.text, "reply_markup": {"inline_keyboard": [[b] for b in origin.buttons]}},
        }}
    else:
        text = request.POST.get("text", "").strip()
        upload = request.FILES.get("file")
        if not text and upload is None:
            return _page(request, "telegram_sandbox/_thread.html", ctx)
        file = save_file(upload.read(), upload.name, upload.content_type, "photo") if upload else None
        message = store(ctx["token"], ctx["chat"], from_customer=True, text=text, file=file)
        body = {"message_id": message.message_id, "from": person, "chat": chat, "date": int(time.time())}
        if file:
            body["photo"] = [{"file_id": file["file_id"], "file_unique_id": file["file_id"][:8], "width": 1280, "height": 960}]
            if text:
                body["caption"] = text
        else:
            body["text"] = text
        update = {"message": body}
    return _page(request, "telegram_sandbox/_thread.html", ctx, _deliver(ctx["token"], update))


def _deliver(token: str, update: dict) -> str:
    """POST the update where setWebhook said, as Telegram does; a problem to show, or ""."""
    bot = SandboxBot.objects.filter(token=token).first()
    if bot is None or not bot.webhook_url:
        return "no_webhook"
    SandboxBot.objects.filter(pk=bot.pk).update(last_update_id=F("last_update_id") + 1)
    bot.refresh_from_db(fields=["last_update_id"])
    headers = {"X-Telegram-Bot-Api-Secret-Token": bot.secret_token}
    try:
        answer = httpx.post(bot.webhook_url, json={"update_id": bot.last_update_id, **update}, headers=headers, timeout=10)
    except httpx.HTTPError:
        return "unreachable"
    return "" if answer.status_code == 200 else "refused"


@login_required
def media(request, file_id: str):
    ctx = _context(request)
    stored = ChatMessage.objects.filter(token=ctx.get("token"), file__file_id=file_id).first()
    if stored is None or not stored.file.get("path"):
        raise Http404
    return file_response(default_storage.open(stored.file["path"], "rb"), stored.file.get("mime_type") or "")
