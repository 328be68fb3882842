"""Media files: keeping what sellers attach, and serving stored media only to people who may see
the conversation (a browser session, or an API token)."""

from __future__ import annotations

import io

from django.core.exceptions import SuspiciousFileOperation
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, JsonResponse
from django.utils import timezone
from django.utils.text import get_valid_filename
from PIL import Image

from mostrador.accounts.models import ApiToken
from mostrador.inbox.models import Message
from mostrador.inbox.queries import visible_conversations


def message_type_for(mime_type: str) -> str:
    """The message type a file goes out as: images, video and audio play inline; the rest are documents."""
    family = mime_type.split("/")[0]
    return family if family in ("image", "video", "audio") else "document"


def safe_name(name: str | None, fallback: str) -> str:
    """A file name safe to store, from whatever a customer's phone or a browser called it."""
    try:
        return get_valid_filename(name or "")[:120] or fallback
    except SuspiciousFileOperation:
        return fallback


def store_upload(upload) -> dict:
    """Keep a file a seller attached; returns the `media` of the message that will carry it."""
    mime = upload.content_type or "application/octet-stream"
    name = safe_name(upload.name, "file")
    path = default_storage.save(f"media/outbound/{timezone.now():%Y/%m}/{name}", upload)
    upload.seek(0)
    return {
        "type": message_type_for(mime),
        "path": path,
        "mime_type": mime,
        "filename": upload.name,
        "size": upload.size,
        **image_size(upload),
    }


def image_size(source) -> dict:
    """{"width", "height"} of an image (bytes or a file), read from its header alone; {} for
    anything else. The timeline reserves that much room, so a photo that loads late never
    pushes the newest message out of view."""
    try:
        with Image.open(io.BytesIO(source) if isinstance(source, bytes) else source) as image:
            width, height = image.size
    except (OSError, ValueError, Image.DecompressionBombError):
        return {}
    return {"width": width, "height": height} if width > 0 and height > 0 else {}


def media_url(message: Message) -> str | None:
    return f"/media/{message.pk}" if message.media and message.media.get("path") else None


def _viewer(request):
    if request.user.is_authenticated:
        return request.user
    auth = request.headers.get("Authorization", "")
    token = ApiToken.find(auth[7:]) if auth.startswith("Bearer ") else None
    return token.user if token else None


def serve(request, message_id: int):
    user = _viewer(request)
    if user is None:
        return JsonResponse({"detail": "Log in or send a bearer token.", "code": "unauthorized"}, status=401)
    message = Message.objects.filter(pk=message_id, conversation__in=visible_conversations(user)).first()
    # Someone else's media is "not found", exactly like someone else's conversation.
    if message is None or not message.media or not message.media.get("path"):
        raise Http404
    media = message.media
    return file_response(
        default_storage.open(media["path"], "rb"), media.get("mime_type") or "",
        filename=media.get("filename") or None, download=message.type == "document",
    )


def file_response(handle, mime_type: str, *, filename: str | None = None, download: bool = False) -> FileResponse:
    """A stored file for a browser: shown in the page only when it is a raster image, audio or
    video; anything else is a download of bytes. Either way it can run nothing."""
    mime = mime_type.split(";")[0].strip().lower()
    inline = mime in INLINE_TYPES and not download
    response = FileResponse(
        handle,
        # What is not shown inline is a download of bytes, whatever it claims to be.
        content_type=mime if inline else "application/octet-stream",
        as_attachment=not inline,
        filename=filename,
    )
    response["Cache-Control"] = "private, max-age=3600"
    response["X-Content-Type-Options"] = "nosniff"
    # Even opened on its own, a file runs nothing and reaches nothing.
    response["Content-Security-Policy"] = "sandbox; default-src 'none'; img-src 'self'; media-src 'self'; style-src 'unsafe-inline'"
    return response


# Files a browser may show in the page: raster images, audio and video. Anything else (SVG, HTML,
# PDF, scripts) could run script with the viewer's session, so it is only ever downloaded.
INLINE_TYPES = frozenset({
    "image/jpeg", "image/png", "image/gif", "image/webp", "image/avif",
    "audio/ogg", "audio/mpeg", "audio/mp4", "audio/aac", "audio/amr", "audio/webm", "audio/wav",
    "video/mp4", "video/3gpp", "video/webm", "video/quicktime",
})
