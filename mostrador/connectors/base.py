"""The one interface every channel connector implements.

A channel is one folder, `connectors/<channel>/`, whose connector declares everything
channel-specific: its settings (a pydantic model) and which of them are secrets, its capabilities
and limits, its webhook (how a request is verified and which account it is for), how a stored
notification reads into normalised items, and how it sends. The generic intake
(`intake/apply.py`) applies the normalised items the same way for every channel, and the inbox
core never imports a connector by name: it asks `connector_class(inbox.channel)`.

The connectors installed are listed in `settings.MOSTRADOR_CONNECTORS`: each is a package whose
`connector.py` registers its Connector, and whose `sandbox/` (if any) is a Django app.
"""

from __future__ import annotations

import abc
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import cache
from importlib import import_module
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict

if TYPE_CHECKING:
    from mostrador.inbox.actions.inbound import InboundMessage
    from mostrador.inbox.models import Inbox


@dataclass(frozen=True)
class Capabilities:
    # How long after the customer's last message free text may be sent (None: no limit).
    service_window: timedelta | None = None
    templates: bool = False
    read_receipts: bool = False
    # Reply buttons and lists: bots offer menus as taps where the channel has them.
    interactive: bool = False
    # How many reply buttons fit in one message, and how many rows a list holds in all.
    max_buttons: int = 0
    max_list_rows: int = 0
    # The longest title of a button and of a list row the channel shows whole.
    button_title_max: int = 20
    row_title_max: int = 24
    # The provider's delivery statuses carry our own id of a send (WhatsApp's
    # biz_opaque_callback_data), so a send whose answer was lost can be matched afterwards.
    reconciles_sends: bool = False
    # A person may start a chat with a phone number (Connector.address_for_phone says how).
    starts_by_phone: bool = False


class NoSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")


# Normalised inbound items: what every connector reads its notifications into -----------------


@dataclass(frozen=True)
class ProviderError:
    code: str
    title: str
    details: str = ""


@dataclass(frozen=True)
class StatusUpdate:
    """The provider's word on one of our messages: `status` is sent, delivered, read or failed
    (anything else is reported and ignored)."""

    external_id: str
    status: str
    at: datetime | None = None
    recipient: str = ""
    errors: tuple[ProviderError, ...] = ()
    # What we attached to the send (see Capabilities.reconciles_sends): our message's id.
    callback_data: str = ""


@dataclass(frozen=True)
class InboundEdit:
    """The customer changed the text of a message they sent, or deleted it for everyone."""

    external_id: str
    text: str = ""
    at: datetime | None = None
    deleted: bool = False


@dataclass(frozen=True)
class AccountNotice:
    """The provider's word on the account itself rather than on a conversation: a template
    approved or rejected, a number restricted or banned. Routed by the business account or the
    phone number it names (`Connector.inboxes_for_notice`), shown to the inbox's admins."""

    kind: str  # "template" | "account"
    code: str
    title: str
    details: str = ""
    business_account: str = ""
    phone_number: str = ""
    # For template notices: which template, and its new status (APPROVED, REJECTED, PAUSED…).
    template_name: str = ""
    template_language: str = ""
    template_status: str = ""


@dataclass
class AccountBatch:
    """Everything one notification says about one provider account (one inbox)."""

    account: str
    messages: list[InboundMessage] = field(default_factory=list)
    statuses: list[StatusUpdate] = field(default_factory=list)
    edits: list[InboundEdit] = field(default_factory=list)
    # Messages the business wrote to the customer outside Mostrador on the same account (the
    # WhatsApp Business app on a coexistence number): the contact is the customer written to.
    echoes: list[InboundMessage] = field(default_factory=list)
    errors: list[ProviderError] = field(default_factory=list)
    # Parts we could not read; reported, never fatal for the rest of the notification.
    problems: list[str] = field(default_factory=list)
    # Calls the connector owes the provider once the batch is stored (Telegram's answer to a
    # button tap), as plain data for `Connector.follow_up`.
    follow_ups: list[dict] = field(default_factory=list)


@dataclass
class Parsed:
    batches: list[AccountBatch] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    notices: list[AccountNotice] = field(default_factory=list)


@dataclass(frozen=True)
class Verdict:
    """What a webhook request gets: the answer, and how to keep its body."""

    answer: tuple[int, dict]
    # How to keep the body in the inbound log (None: not at all, it is not from the provider).
    keep_as: str | None = None
    problem: str = ""
    # The account it is for: one account's notifications are processed in order, by one worker
    # at a time (see intake.jobs.claim_batch).
    account: str = ""


def refusal(status: int, detail: str, code: str) -> tuple[int, dict]:
    return status, {"detail": detail, "code": code}


# Helpers every connector needs --------------------------------------------------------------


class RecentSecrets:
    """Webhook secrets as this process last read them, for `ttl` seconds.

    Each webhook request checks a signature or token; reading and decrypting the secret from the
    database per request would cost more than the rest of the acknowledgement. New credentials in
    this process clear it (`Connector.credentials_changed`); other processes see them within ttl.
    """

    def __init__(self, ttl: float = 5.0):
        self.ttl = ttl
        self._held: dict[str, tuple[float, Any]] = {}

    def get(self, key: str) -> Any | None:
        held = self._held.get(key)
        if held and time.monotonic() - held[0] < self.ttl:
            return held[1]
        return None

    def put(self, key: str, value: Any) -> Any:
        self._held[key] = (time.monotonic(), value)
        return value

    def clear(self) -> None:
        self._held.clear()


def without_nul(value):
    """The same JSON value with NUL characters dropped from every string: PostgreSQL text and
    jsonb cannot hold them, and one would fail a whole batch of notifications."""
    if isinstance(value, str):
        return value.replace("\x00", "")
    if isinstance(value, list):
        return [without_nul(v) for v in value]
    if isinstance(value, dict):
        return {without_nul(k): without_nul(v) for k, v in value.items()}
    return value


class TooLarge(Exception):
    pass


def read_capped(response, max_bytes: int) -> bytes:
    """A streamed HTTP response's body, refused once it grows past `max_bytes` (a provider's
    media may be anything, and must not fill the memory before we know)."""
    chunks, size = [], 0
    for chunk in response.iter_bytes():
        size += len(chunk)
        if size > max_bytes:
            raise TooLarge(f"the file is larger than {max_bytes} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


@dataclass(frozen=True)
class SendResult:
    ok: bool
    external_id: str | None = None
    # Transient failures are retried with backoff; permanent ones leave the message failed.
    retry: bool = False
    # The provider asked us to slow down for this one recipient; later sends to them wait too.
    recipient_backoff: bool = False
    # No answer came back (timeout, connection dropped): the provider may have taken it.
    outcome_unknown: bool = False
    retry_after_seconds: float | None = None
    error_code: str = ""
    error_message: str = ""


# How our message id travels with a send, to come back in the provider's statuses.
CALLBACK_PREFIX = "mst:"


def callback_data_of(message) -> str:
    return f"{CALLBACK_PREFIX}{message.pk}"


def message_id_in(callback_data: str) -> int | None:
    if callback_data.startswith(CALLBACK_PREFIX) and callback_data[len(CALLBACK_PREFIX):].isdigit():
        return int(callback_data[len(CALLBACK_PREFIX):])
    return None


# Network errors raised before a request left: the provider cannot have taken it.
NOT_SENT_ERRORS = ("ConnectError", "ConnectTimeout", "UnsupportedProtocol", "InvalidURL")


class Unreadable(ValueError):
    """A notification body that is not what the provider sends at all."""


class ProviderUnavailable(Exception):
    """A provider call that failed; `retry` says whether the same call can succeed later."""

    def __init__(self, code: str, message: str, *, retry: bool):
        super().__init__(f"{code}: {message}")
        self.code, self.message, self.retry = code, message, retry


class Connector(abc.ABC):
    channel: str
    label: str = ""
    capabilities = Capabilities()
    # Its offline sandbox, when the installation runs one (MOSTRADOR_SANDBOX, the demo): a module
    # of URL patterns mounted under /sandbox/, and the page where a newcomer chats as a customer.
    sandbox_urls: str | None = None
    sandbox_page: str | None = None
    # The inbox settings this channel adds to the common ones (CONTRACT.md); every field needs
    # a default, and the keys in `secret_keys` are stored encrypted and never returned.
    # How the timeline signs what the team wrote in the provider's own app on the same account.
    own_app_name: str = ""
    settings_model: type[BaseModel] = NoSettings
    secret_keys: tuple[str, ...] = ()

    def __init__(self, inbox):
        self.inbox = inbox

    # Settings ------------------------------------------------------------------------------

    @classmethod
    def address_of(cls, settings: dict) -> str:
        """The provider's id for the account an inbox is (a WhatsApp phone number id), kept
        indexed on the inbox so notifications find it; "" when the channel routes otherwise."""
        return ""

    @classmethod
    def address_for_phone(cls, e164: str) -> str | None:
        """How this channel knows whoever holds a phone number (E.164, "+56912345678"), so a
        person can start a chat with it; None where a number reaches nobody (Telegram)."""
        return None

    @classmethod
    def credentials_changed(cls) -> None:
        """An inbox of this channel got new credentials: drop any copy held in this process."""

    def configured(self) -> None:
        """The inbox was created or its settings changed, and that is committed: tell the
        provider what it needs (Telegram's setWebhook). Raise ProviderUnavailable on failure."""

    @classmethod
    def demo(cls, base_url: str) -> Inbox | None:
        """The demo's inbox of this channel, wired to its sandbox at `base_url` (idempotent)."""
        return None

    # The webhook ------------------------------------------------------------------------------

    @classmethod
    def webhook_path(cls, inbox: Inbox) -> str | None:
        """Where the provider must send this inbox's notifications (None: it has no webhook)."""
        return None

    @classmethod
    def cached_webhook_secrets(cls, route: str) -> Any | None:
        """What `judge` needs to verify a request, if this process holds it fresh (no I/O)."""
        return None

    @classmethod
    def webhook_secrets(cls, route: str) -> Any:
        """What `judge` needs to verify a request on `route`, read from the database."""
        return None

    @classmethod
    def judge(cls, headers, body: bytes, route: str, secrets: Any) -> Verdict:
        """Verify one webhook request and say what to answer and keep. No I/O: it runs on the
        server's event loop."""
        return Verdict(refusal(404, f"{cls.channel} has no webhook", "not_found"))

    @classmethod
    async def verify_subscription(cls, request, route: str):
        """Answer the provider's GET handshake, where it has one (None: it has not)."""
        return None

    # Reading notifications --------------------------------------------------------------------

    @classmethod
    def parse(cls, body: bytes, account: str) -> Parsed:
        """Read one stored notification into normalised items, never raising on a strange
        shape (each unreadable part is a problem with its path); raise Unreadable when the
        body is not a notification of this provider at all."""
        raise Unreadable(f"{cls.channel} takes no notifications")

    @classmethod
    def inboxes_for(cls, accounts: set[str]) -> dict[str, Inbox]:
        """The inbox of each account the notifications name (by the inbox's address)."""
        from mostrador.inbox.models import Inbox

        return {i.address: i for i in Inbox.objects.filter(channel=cls.channel, address__in=accounts)}

    @classmethod
    def inboxes_for_notice(cls, notice: AccountNotice) -> list[Inbox]:
        """The inboxes an account notice concerns; none by default."""
        return []

    def follow_up(self, item: dict) -> None:
        """Do one of the calls a parsed batch owed the provider (see AccountBatch.follow_ups)."""

    # Sending ---------------------------------------------------------------------------------

    @abc.abstractmethod
    def send(self, message) -> SendResult:
        """Deliver one outbound message to the provider."""

    def mark_read(self, message) -> None:
        """Tell the provider the team has seen this customer message (channels with read receipts)."""

    def fetch_media(self, media: dict) -> tuple[bytes, str]:
        """The bytes and MIME type of an inbound media item the provider holds."""
        raise NotImplementedError(f"{self.channel} inboxes do not fetch media")

    def fetch_templates(self) -> list[dict]:
        """The provider's message templates: name, language, status, category, components."""
        return []

    @staticmethod
    def failure_reason(code: str) -> str | None:
        """A sentence for sellers explaining a provider error code, in the active language."""
        return None


_REGISTRY: dict[str, type[Connector]] = {}


def register(cls: type[Connector]) -> type[Connector]:
    _REGISTRY[cls.channel] = cls
    return cls


@cache
def _load_installed() -> None:
    from django.conf import settings

    for package in settings.MOSTRADOR_CONNECTORS:
        import_module(f"{package}.connector")


def channels() -> list[str]:
    """Every installed channel."""
    _load_installed()
    return sorted(_REGISTRY)


def sandbox_pages(inboxes=None) -> list[tuple[str, str]]:
    """(channel label, path) of each installed channel's sandbox page."""
    found = [connector_class(channel) for channel in channels()]
    if inboxes is not None:
        found = [c for c in found if any(i.channel == c.channel for i in inboxes)]
    return [(c.label or c.channel, c.sandbox_page) for c in found if c.sandbox_page]


def connector_for(inbox) -> Connector:
    return connector_class(inbox.channel)(inbox)


def connector_class(channel: str) -> type[Connector]:
    _load_installed()
    try:
        return _REGISTRY[channel]
    except KeyError:
        raise LookupError(f"no connector for channel {channel!r}") from None

