"""A fake of Telegram's Bot API for the sandbox: `POST /sandbox/telegram/bot<token>/<method>` with
JSON or multipart bodies, answered in Telegram's shape, and `GET …/file/bot<token>/<path>`.

It keeps what the bot (this product) sends so the chat page can show it, and what setWebhook
said, so the chat page can deliver the customer's updates where the product asked."""

from __future__ import annotations

import json
import mimetypes
import uuid

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.http import FileResponse, Http404, JsonResponse
from django.views.decorators.csrf import csrf_exempt

from .models import ChatMessage, SandboxBot

SENDS = {
    "sendMessage": None,
    "sendPhoto": "photo",
    "sendDocument": "document",
    "sendVoice": "voice",
    "sendAudio": "audio",
    "sendVideo": "video",
    "sendSticker": "sticker",
}


def ok(result) -> JsonResponse:
    return JsonResponse({"ok": True, "result": result})


def error(code: int, description: str) -> JsonResponse:
    return JsonResponse({"ok": False, "error_code": code, "description": description}, status=code)


def _fields(request) -> dict:
    if (request.content_type or "").startswith("application/json"):
        try:
            data = json.loads(request.body or b"{}")
        except ValueError:
            return {}
        return data if isinstance(data, dict) else {}
    fields = {}
    for key, value in request.POST.items():
        try:
            fields[key] = json.loads(value) if value[:1] in "{[" else value
        except ValueError:
            fields[key] = value
    return fields


@csrf_exempt
def method(request, token: str, name: str):
    if request.method != "POST":
        return error(405, "Method Not Allowed")
    fields = _fields(request)
    if name == "setWebhook":
        SandboxBot.objects.update_or_create(
            token=token, defaults={"webhook_url": str(fields.get("url", "")), "secret_token": str(fields.get("secret_token", ""))}
        )
        return ok(True)
    if name == "answerCallbackQuery":
        return ok(True)
    if name == "getFile":
        stored = ChatMessage.objects.filter(token=token, file__file_id=str(fields.get("file_id", ""))).first()
        if stored is None or not stored.file.get("path"):
            return error(400, "Bad Request: invalid file_id")
        return ok({"file_id": stored.file["file_id"], "file_unique_id": stored.file["file_id"][:8], "file_path": stored.file["path"]})
    if name in SENDS:
        return _send(request, token, SENDS[name], fields)
    return error(404, "Not Found: method not found")


def _send(request, token: str, field: str | None, fields: dict):
    try:
        chat_id = int(fields.get("chat_id"))
    except (TypeError, ValueError):
        return error(400, "Bad Request: chat not found")
    text = str(fields.get("text") or fields.get("caption") or "")
    file = None
    if field:
        file = _file(request, field, fields.get(field))
        if file is None:
            return error(400, f"Bad Request: there is no {field} in the request")
    elif not text:
        return error(400, "Bad Request: message text is empty")
    markup = fields.get("reply_markup") if isinstance(fields.get("reply_markup"), dict) else {}
    buttons = [b for row in markup.get("inline_keyboard") or [] for b in row if isinstance(b, dict)]
    reply = fields.get("reply_parameters") if isinstance(fields.get("reply_parameters"), dict) else {}
    message = store(token, chat_id, from_customer=False, text=text, buttons=buttons, file=file,
                    reply_to=reply.get("message_id"))
    return ok({"message_id": message.message_id, "date": int(message.created_at.timestamp()),
               "chat": {"id": chat_id, "type": "private"}, "text": text})


def _file(request, field: str, given) -> dict | None:
    upload = request.FILES.get(field)
    if upload is not None:
        return save_file(upload.read(), upload.name, upload.content_type, field)
    if isinstance(given, str) and given:
        return {"file_id": uuid.uuid4().hex, "kind": field, "name": given.rsplit("/", 1)[-1], "link": given}
    return None


def save_file(content: bytes, name: str, mime_type: str | None, kind: str) -> dict:
    file_id = uuid.uuid4().hex
    mime_type = mime_type or mimetypes.guess_type(name)[0] or "application/octet-stream"
    path = default_storage.save(f"telegram-sandbox/{file_id}-{name or 'file'}", ContentFile(content))
    return {"file_id": file_id, "kind": kind, "name": name, "mime_type": mime_type, "path": path}


def store(token: str, chat_id: int, *, from_customer: bool, text: str = "", buttons=(), file=None, reply_to=None) -> ChatMessage:
    """Append a message to a chat with the chat's next message id (one sequence per chat)."""
    for _ in range(5):
        try:
            with transaction.atomic():
                last = ChatMessage.objects.filter(token=token, chat_id=chat_id).aggregate(m=Max("message_id"))["m"] or 0
                return ChatMessage.objects.create(
                    token=token, chat_id=chat_id, message_id=last + 1, from_customer=from_customer, text=text,
                    buttons=list(buttons), file=file, reply_to=reply_to,
                )
        except IntegrityError:  # the bot and the customer wrote at the same moment: take the next id
            continue
    raise RuntimeError("could not number a sandbox message")


def download(request, token: str, path: str):
    stored = ChatMessage.objects.filter(token=token, file__path=path).first()
    if stored is None or not default_storage.exists(path):
        raise Http404
    response = FileResponse(default_storage.open(path, "rb"), content_type=stored.file.get("mime_type"))
    response["Content-Disposition"] = "attachment"
    response["X-Content-Type-Options"] = "nosniff"
    return response
