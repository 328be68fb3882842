"""The Telegram channel: one inbox is one bot (Bot API).

Saving the inbox registers `/webhooks/telegram/<inbox id>` with `setWebhook` and the inbox's
secret token; Telegram then sends that token in `X-Telegram-Bot-Api-Secret-Token` with every
update, which is how a request is known to be Telegram's.
"""

from __future__ import annotations

import hmac
import json

from django.conf import settings
from django.core.files.storage import default_storage
from django.utils.translation import gettext_noop
from pydantic import BaseModel, ConfigDict, Field

from mostrador.connectors.base import (
    Capabilities,
    Connector,
    Parsed,
    ProviderUnavailable,
    RecentSecrets,
    SendResult,
    TooLarge,
    Verdict,
    refusal,
    register,
)
from mostrador.core.outbound import OutboundUrl

from . import updates
from .bot_api import DEFAULT_API_BASE_URL, BotApi, BotApiError

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
ALLOWED_UPDATES = ["message", "edited_message", "callback_query"]
# Where a file of each kind goes, and under which field.
SEND_MEDIA = {
    "image": ("sendPhoto", "photo"),
    "video": ("sendVideo", "video"),
    "audio": ("sendAudio", "audio"),
    "document": ("sendDocument", "document"),
    "sticker": ("sendSticker", "sticker"),
}


class TelegramSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    api_base_url: OutboundUrl = Field(default=DEFAULT_API_BASE_URL, max_length=500, pattern=r"^https?://", title=gettext_noop("Bot API URL"))
    bot_token: str = Field(default="", max_length=200, pattern=r"^(\d+:[A-Za-z0-9_-]+)?$", title=gettext_noop("Bot token (from @BotFather)"))
    # Telegram allows 1-256 characters of A-Z, a-z, 0-9, _ and -.
    secret_token: str = Field(default="", max_length=256, pattern=r"^[A-Za-z0-9_-]*$", title=gettext_noop("Webhook secret token"))


# Each inbox's secret token, as recently read (see RecentSecrets), by the route (its inbox id).
_recent = RecentSecrets()


@register
class TelegramConnector(Connector):
    channel = "telegram"
    label = "Telegram"
    capabilities = Capabilities(
        interactive=True, max_buttons=10, max_list_rows=10, button_title_max=64, row_title_max=64
    )
    settings_model = TelegramSettings
    secret_keys = ("bot_token", "secret_token")
    sandbox_urls = "mostrador.connectors.telegram.sandbox.urls"
    sandbox_page = "/sandbox/telegram/"

    @classmethod
    def demo(cls, base_url: str):
        from .sandbox.demo import ensure_telegram_sandbox

        return ensure_telegram_sandbox(base_url)

    @property
    def api(self) -> BotApi:
        return BotApi(self.inbox.setting("api_base_url"), self.inbox.secret("bot_token"))

    @classmethod
    def credentials_changed(cls) -> None:
        _recent.clear()

    def configured(self) -> None:
        """Point the bot's webhook at this inbox, with its secret token."""
        token, secret = self.inbox.secret("bot_token"), self.inbox.secret("secret_token")
        if not token or not secret:
            raise ProviderUnavailable("not_configured", "The inbox needs bot_token and secret_token.", retry=False)
        with _unavailable_on_error():
            self.api.call("setWebhook", {
                "url": settings.MOSTRADOR_PUBLIC_URL + self.webhook_path(self.inbox),
                "secret_token": secret,
                "allowed_updates": ALLOWED_UPDATES,
            })

    # The webhook -------------------------------------------------------------------------------

    @classmethod
    def webhook_path(cls, inbox) -> str:
        return f"/webhooks/telegram/{inbox.pk}"

    @classmethod
    def cached_webhook_secrets(cls, route: str):
        return _recent.get(route)

    @classmethod
    def webhook_secrets(cls, route: str) -> str:
        """The secret token of the inbox the route names ("" when there is none)."""
        from mostrador.inbox.models import Inbox

        inbox = Inbox.objects.filter(channel=cls.channel, pk=int(route)).first() if route.isdigit() else None
        return _recent.put(route, inbox.secret("secret_token") if inbox else "")

    @classmethod
    def judge(cls, headers, body: bytes, route: str, secrets) -> Verdict:
        from mostrador.intake.models import LogState

        given = headers.get(SECRET_HEADER, "")
        if not given:
            return Verdict(refusal(401, f"The {SECRET_HEADER} header is missing.", "missing_secret_token"))
        if not secrets or not hmac.compare_digest(given.encode(), str(secrets).encode()):
            return Verdict(refusal(403, "The secret token does not match this inbox.", "bad_secret_token"))
        try:
            updates.load(body)
        except updates.NotAnUpdate as exc:
            answer = refusal(400, f"Not a Telegram update: {exc}", "malformed_update")
            return Verdict(answer, LogState.REJECTED, str(exc), account=route)
        return Verdict((200, {"status": "received"}), LogState.RECEIVED, account=route)

    @classmethod
    def parse(cls, body: bytes, account: str) -> Parsed:
        return updates.parse(body, account)

    @classmethod
    def inboxes_for(cls, accounts: set[str]) -> dict:
        from mostrador.inbox.models import Inbox

        ids = [int(a) for a in accounts if a.isdigit()]
        return {str(i.pk): i for i in Inbox.objects.filter(channel=cls.channel, pk__in=ids)}

    def follow_up(self, item: dict) -> None:
        if item.get("kind") == "answer_callback_query":
            with _unavailable_on_error():
                self.api.call("answerCallbackQuery", {"callback_query_id": item["callback_query_id"]})

    # Sending ---------------------------------------------------------------------------------

    def chat_id(self, message) -> str:
        ids = [i.external_id for i in message.conversation.contact.identities.all() if i.inbox_id == self.inbox.pk]
        return ids[0] if ids else ""

    def send(self, message) -> SendResult:
        chat_id = self.chat_id(message)
        payload: dict = {"chat_id": int(chat_id) if chat_id.lstrip("-").isdigit() else chat_id}
        if message.reply_to_id and message.reply_to and (message.reply_to.external_id or "").startswith(f"{chat_id}:"):
            payload["reply_parameters"] = {
                "message_id": int(message.reply_to.external_id.rsplit(":", 1)[1]),
                "allow_sending_without_reply": True,
            }
        markup = _keyboard((message.payload or {}).get("interactive"))
        if markup:
            payload["reply_markup"] = markup
        try:
            if message.media:
                result = self._send_media(message, payload)
            else:
                result = self.api.call("sendMessage", {**payload, "text": message.text})
        except BotApiError as exc:
            return SendResult(
                ok=False,
                retry=exc.transient,
                # Flood control is per chat: later sends to this customer wait too, in order.
                recipient_backoff=exc.code == 429,
                retry_after_seconds=exc.retry_after,
                error_code=str(exc.code or "network"),
                error_message=exc.description,
            )
        return SendResult(ok=True, external_id=updates.key(chat_id, _dict(result).get("message_id")))

    def _send_media(self, message, payload: dict):
        media = message.media
        kind = message.type if message.type in SEND_MEDIA else "document"
        if kind == "audio" and media.get("voice"):
            method, field = "sendVoice", "voice"
        else:
            method, field = SEND_MEDIA[kind]
        if message.text and kind != "sticker":
            payload["caption"] = message.text
        if media.get("path"):
            with default_storage.open(media["path"], "rb") as f:
                content = f.read()
            fields = {k: json.dumps(v) if isinstance(v, (dict, list)) else str(v) for k, v in payload.items()}
            upload = (media.get("filename") or "file", content, media.get("mime_type") or "application/octet-stream")
            return self.api.call(method, fields, files={field: upload})
        return self.api.call(method, {**payload, field: media.get("link")})

    def fetch_media(self, media: dict) -> tuple[bytes, str]:
        api = self.api
        with _unavailable_on_error():
            info = api.call("getFile", {"file_id": media["id"]})
            path = _dict(info).get("file_path")
            if not path:
                raise ProviderUnavailable("no_file_path", "Telegram gave no file path for this file.", retry=False)
            content = api.download(path, settings.MOSTRADOR_MEDIA_MAX_BYTES)
        return content, media.get("mime_type") or "application/octet-stream"

    @staticmethod
    def failure_reason(code: str) -> str | None:
        from django.utils.translation import gettext as _

        if code == "403":
            return _("The customer blocked the bot or never started it: Telegram will not deliver to them.")
        if code == "429":
            return _("Telegram asked us to slow down; the message is sent again shortly.")
        return None


def _dict(value) -> dict:
    return value if isinstance(value, dict) else {}


def _keyboard(spec: dict | None) -> dict | None:
    """Our buttons or list as an inline keyboard: one button per row, so titles show whole."""
    if not spec:
        return None
    if spec.get("buttons"):
        options = spec["buttons"]
    else:
        options = [row for section in spec.get("sections") or [] for row in section.get("rows") or []]
    rows = [[{"text": o["title"], "callback_data": str(o["id"])[:64]}] for o in options]
    return {"inline_keyboard": rows} if rows else None


class _unavailable_on_error:
    """Turn Bot API failures into the connector interface's ProviderUnavailable."""

    def __enter__(self):
        return self

    def __exit__(self, kind, exc, tb):
        if isinstance(exc, BotApiError):
            raise ProviderUnavailable(str(exc.code or "network"), exc.description, retry=exc.transient) from exc
        if isinstance(exc, TooLarge):
            raise ProviderUnavailable("too_large", str(exc), retry=False) from exc
        return False
