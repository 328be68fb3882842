"""The WhatsApp Cloud API channel: one inbox is one business phone number.

All the numbers of one Meta app share one callback URL, `/webhooks/whatsapp`; each notification
is routed by its `metadata.phone_number_id`, which is the inbox's address.
"""

from __future__ import annotations

import hashlib
import hmac
from contextlib import contextmanager
from datetime import timedelta

from django.conf import settings
from django.core.files.storage import default_storage
from django.http import HttpResponse, JsonResponse
from django.utils.translation import gettext_noop
from pydantic import BaseModel, ConfigDict, Field, StrictBool

from mostrador.connectors.base import (
    NOT_SENT_ERRORS,
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

from . import errors, notifications, requests
from .graph import DEFAULT_GRAPH_API_URL, GraphClient, GraphError

SERVICE_WINDOW = timedelta(hours=24)


class WhatsAppSettings(BaseModel):
    """A WhatsApp Business number on Meta's Cloud API. Titles are shown (translated) on the inbox page."""

    model_config = ConfigDict(extra="forbid")

    phone_number_id: str = Field(default="", max_length=64, title=gettext_noop("Phone number ID"))
    display_phone_number: str = Field(default="", max_length=40, title=gettext_noop("Phone number shown to sellers"))
    business_account_id: str = Field(default="", max_length=64, title=gettext_noop("WhatsApp Business Account ID (for templates)"))
    graph_api_url: OutboundUrl = Field(default=DEFAULT_GRAPH_API_URL, max_length=500, pattern=r"^https?://", title=gettext_noop("Graph API URL"))
    # Blue ticks for the customer when a seller opens the chat.
    read_receipts: StrictBool = Field(default=True, title=gettext_noop("Send read receipts (blue ticks)"))
    access_token: str = Field(default="", max_length=4000, title=gettext_noop("Access token"))
    app_secret: str = Field(default="", max_length=400, title=gettext_noop("App secret"))
    verify_token: str = Field(default="", max_length=400, title=gettext_noop("Webhook verify token"))


def signature_of(app_secret: str, raw_body: bytes) -> str:
    """The X-Hub-Signature-256 header value Meta sends: an HMAC-SHA256 of the raw bytes."""
    return "sha256=" + hmac.new(app_secret.encode(), raw_body, hashlib.sha256).hexdigest()


def signature_matches(app_secret: str, raw_body: bytes, header: str) -> bool:
    return bool(app_secret) and hmac.compare_digest(signature_of(app_secret, raw_body), header)


# Every WhatsApp inbox's app secrets (and verify tokens), as recently read (see RecentSecrets).
_recent = RecentSecrets()


def configured_secrets(key: str) -> frozenset[str]:
    """Every WhatsApp inbox's value of one secret (app secrets, verify tokens)."""
    by_number, unrouted = secrets_of(key)
    return frozenset(by_number.values()) | unrouted


def secrets_of(key: str) -> tuple[dict[str, str], frozenset[str]]:
    """(phone_number_id → that inbox's value of one secret, the values of inboxes without a
    number yet), as recently read."""
    return _recent.get(key) or _read_secrets(key)


def _read_secrets(key: str) -> tuple[dict[str, str], frozenset[str]]:
    from mostrador.inbox.models import Inbox

    by_number, unrouted = {}, set()
    for inbox in Inbox.objects.filter(channel="whatsapp").only("pk", "name", "address", "secrets"):
        address, value = inbox.address, inbox.secret(key)
        if value and address:
            by_number[address] = value
        elif value:
            unrouted.add(value)  # an inbox without a number yet: its secret still verifies
    return _recent.put(key, (by_number, frozenset(unrouted)))


@register
class WhatsAppConnector(Connector):
    channel = "whatsapp"
    label = "WhatsApp"
    capabilities = Capabilities(
        starts_by_phone=True,
        service_window=SERVICE_WINDOW, templates=True, read_receipts=True, interactive=True,
        max_buttons=3, max_list_rows=10, button_title_max=20, row_title_max=24, reconciles_sends=True,
    )
    own_app_name = "WhatsApp Business"
    settings_model = WhatsAppSettings
    secret_keys = ("access_token", "app_secret", "verify_token")
    sandbox_urls = "mostrador.connectors.whatsapp.sandbox.urls"
    sandbox_page = "/sandbox/phone/"

    @classmethod
    def demo(cls, base_url: str):
        from .sandbox.demo import ensure_whatsapp_sandbox

        return ensure_whatsapp_sandbox(base_url)

    @property
    def graph(self) -> GraphClient:
        return GraphClient(self.inbox.setting("graph_api_url"), self.inbox.secret("access_token"))

    @property
    def phone_number_id(self) -> str:
        return self.inbox.setting("phone_number_id") or ""

    @classmethod
    def address_of(cls, settings: dict) -> str:
        return settings.get("phone_number_id", "")

    @classmethod
    def inboxes_for_notice(cls, notice):
        """A template's news goes to the numbers of its business account; an account's to the
        number it names, else every number of the business account."""
        from mostrador.inbox.models import Inbox

        numbers = list(Inbox.objects.filter(channel=cls.channel))
        if notice.phone_number:
            named = [i for i in numbers if notifications.digits(i.setting("display_phone_number")) == notice.phone_number]
            if named:
                return named
        of_account = [i for i in numbers if notice.business_account and i.setting("business_account_id") == notice.business_account]
        if of_account or notice.kind != "template":
            return of_account
        # No number names its business account yet: the numbers that know this template.
        knowing = Inbox.objects.filter(
            channel=cls.channel, templates__name=notice.template_name, templates__language=notice.template_language
        )
        return list(knowing.distinct())

    @classmethod
    def credentials_changed(cls) -> None:
        _recent.clear()

    # The webhook -------------------------------------------------------------------------------

    @classmethod
    def webhook_path(cls, inbox) -> str:
        return "/webhooks/whatsapp"

    @classmethod
    def cached_webhook_secrets(cls, route: str):
        return _recent.get("app_secret")

    @classmethod
    def webhook_secrets(cls, route: str):
        return secrets_of("app_secret")

    @classmethod
    def judge(cls, headers, body: bytes, route: str, secrets) -> Verdict:
        from mostrador.intake.models import LogState

        if route:
            return Verdict(refusal(404, "WhatsApp notifications go to /webhooks/whatsapp.", "not_found"))
        if not headers.get("X-Hub-Signature-256", "").startswith("sha256="):
            return Verdict(refusal(401, "The X-Hub-Signature-256 header is missing.", "missing_signature"))
        by_number, unrouted = secrets
        if not cls.verify(headers, body, frozenset(by_number.values()) | unrouted):
            return Verdict(refusal(403, "The signature does not match the body.", "bad_signature"))
        try:
            data = notifications.load(body)
        except notifications.NotWhatsAppNotification as exc:
            # Genuine (it is signed) but unreadable: kept for a person to look at, and refused.
            answer = refusal(400, f"Not a WhatsApp notification: {exc}", "malformed_notification")
            return Verdict(answer, LogState.REJECTED, str(exc))
        # Each number's notifications must be signed with that number's own inbox's app secret:
        # one inbox's secret says nothing about another's customers.
        signature = headers.get("X-Hub-Signature-256", "")
        for number in notifications.numbers_in(data):
            if number in by_number and not signature_matches(by_number[number], body, signature):
                return Verdict(refusal(403, "The signature is not that of the inbox this notification is for.", "bad_signature"))
        return Verdict((200, {"status": "received"}), LogState.RECEIVED, account=notifications.account_of(data))

    @classmethod
    async def verify_subscription(cls, request, route: str):
        """Meta's handshake: echo `hub.challenge` when `hub.verify_token` is one of ours."""
        from channels.db import database_sync_to_async

        mode = request.GET.get("hub.mode")
        token = request.GET.get("hub.verify_token", "")
        if mode != "subscribe" or not token:
            status, body = refusal(400, "Expected hub.mode=subscribe with hub.verify_token.", "invalid")
            return JsonResponse(body, status=status)
        tokens = await database_sync_to_async(configured_secrets, thread_sensitive=False)("verify_token")
        if token not in tokens:
            status, body = refusal(403, "The verify token does not match any WhatsApp inbox.", "bad_verify_token")
            return JsonResponse(body, status=status)
        return HttpResponse(request.GET.get("hub.challenge", ""), content_type="text/plain")

    @classmethod
    def parse(cls, body: bytes, account: str) -> Parsed:
        return notifications.parse(body)

    @classmethod
    def verify(cls, headers, raw_body: bytes, app_secrets=None) -> bool:
        # Several inboxes may share one Meta app (and so one secret); a body signed with any
        # configured app secret is genuine, and its phone_number_id then picks the inbox.
        # The webhook passes the secrets it already holds, so this does no I/O on its loop.
        if app_secrets is None:
            app_secrets = configured_secrets("app_secret")
        signature = headers.get("X-Hub-Signature-256", "")
        return any(signature_matches(secret, raw_body, signature) for secret in app_secrets)

    @classmethod
    def address_for_phone(cls, e164: str) -> str | None:
        # A WhatsApp user is their number, digits only (the wa_id).
        return e164.lstrip("+")

    def recipient(self, message) -> str:
        contact = message.conversation.contact
        ids = [i.external_id for i in contact.identities.all() if i.inbox_id == self.inbox.pk]
        # The number the customer uses now (one who changed numbers keeps the old one as an
        # identity); else any number, which reaches them on any device; the scoped id last.
        if contact.phone in ids:
            return contact.phone
        return next((i for i in ids if "." not in i), ids[0] if ids else "")

    def send(self, message) -> SendResult:
        try:
            media_id = self._upload(message) if message.media and message.media.get("path") else None
            answer = self.graph.request(
                "POST",
                f"{self.phone_number_id}/messages",
                json=requests.message_body(message, self.recipient(message), media_id),
            )
        except GraphError as exc:
            verdict = errors.classify(exc.code, exc.http_status)
            return SendResult(
                ok=False,
                retry=verdict == "retry",
                recipient_backoff=verdict == "recipient_backoff",
                # No answer at all, though the request may have left: Meta may have it.
                outcome_unknown=exc.http_status == 0 and exc.message not in NOT_SENT_ERRORS,
                error_code=exc.code or str(exc.http_status),
                error_message=exc.details or exc.message,
            )
        wamid = ((answer.get("messages") or [{}])[0]).get("id")
        return SendResult(ok=True, external_id=wamid)

    def _upload(self, message) -> str:
        media = message.media
        with default_storage.open(media["path"], "rb") as f:
            content = f.read()
        answer = self.graph.request(
            "POST",
            f"{self.phone_number_id}/media",
            data={"messaging_product": "whatsapp", "type": media.get("mime_type", "")},
            files={"file": (media.get("filename") or "file", content, media.get("mime_type") or "application/octet-stream")},
        )
        return answer["id"]

    def mark_read(self, message) -> None:
        if message.external_id:
            with _unavailable_on_error():
                self.graph.request(
                    "POST", f"{self.phone_number_id}/messages", json=requests.read_receipt_body(message.external_id)
                )

    def fetch_media(self, media: dict) -> tuple[bytes, str]:
        graph = self.graph
        with _unavailable_on_error():
            info = graph.request("GET", str(media["id"]), params={"phone_number_id": self.phone_number_id})
            content = graph.download(info["url"], settings.MOSTRADOR_MEDIA_MAX_BYTES)
        return content, info.get("mime_type") or media.get("mime_type") or "application/octet-stream"

    def fetch_templates(self) -> list[dict]:
        with _unavailable_on_error():
            return self._fetch_templates()

    def _fetch_templates(self) -> list[dict]:
        account = self.inbox.setting("business_account_id")
        if not account:
            return []
        found, path = [], f"{account}/message_templates"
        params = {"fields": "name,language,status,category,components", "limit": 100}
        while path:
            page = self.graph.request("GET", path, params=params)
            found += [t for t in page.get("data") or [] if isinstance(t, dict) and t.get("name")]
            path, params = (page.get("paging") or {}).get("next"), None
        return found

    @staticmethod
    def failure_reason(code: str) -> str | None:
        return errors.reason(code)


@contextmanager
def _unavailable_on_error():
    """Turn Graph failures into the connector interface's ProviderUnavailable."""
    try:
        yield
    except GraphError as exc:
        verdict = errors.classify(exc.code, exc.http_status)
        code = exc.code or str(exc.http_status)
        raise ProviderUnavailable(code, exc.details or exc.message, retry=verdict != "permanent") from exc
    except TooLarge as exc:
        raise ProviderUnavailable("too_large", str(exc), retry=False) from exc
