"""The one interface every channel connector implements.

A connector knows its provider's wire format and nothing about attention: it verifies requests,
normalises inbound messages for the actions, sends outbound messages and maps provider errors.
"""

from __future__ import annotations

import abc
from dataclasses import dataclass, field
from datetime import timedelta


@dataclass(frozen=True)
class Capabilities:
    # How long after the customer's last message free text may be sent (None: no limit).
    service_window: timedelta | None = None
    templates: bool = False
    read_receipts: bool = False
    # Reply buttons and lists: bots offer menus as taps where the channel has them.
    interactive: bool = False


@dataclass(frozen=True)
class SendResult:
    ok: bool
    external_id: str | None = None
    # Transient failures are retried with backoff; permanent ones leave the message failed.
    retry: bool = False
    # The provider asked us to slow down for this one recipient; later sends to them wait too.
    recipient_backoff: bool = False
    retry_after_seconds: float | None = None
    error_code: str = ""
    error_message: str = ""


class Unreadable(ValueError):
    """A notification body that is not what the provider sends at all."""


@dataclass
class IngestOutcome:
    """What processing one stored notification did."""

    messages: int = 0
    statuses: int = 0
    # Statuses for a message id we do not know yet: our own send may not have recorded it yet.
    unmatched_statuses: int = 0
    unknown_accounts: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    # Set when the stored body cannot be read at all: the notification is kept as rejected.
    unreadable: str = ""


class ProviderUnavailable(Exception):
    """A provider call that failed; `retry` says whether the same call can succeed later."""

    def __init__(self, code: str, message: str, *, retry: bool):
        super().__init__(f"{code}: {message}")
        self.code, self.message, self.retry = code, message, retry


class Connector(abc.ABC):
    channel: str
    capabilities = Capabilities()

    def __init__(self, inbox):
        self.inbox = inbox

    @classmethod
    def credentials_changed(cls) -> None:
        """An inbox of this channel got new credentials: drop any copy held in this process."""

    @classmethod
    def verify(cls, headers, raw_body: bytes) -> bool:
        """Whether a webhook request really comes from the provider. Channel-wide, because one
        provider app may serve several inboxes and the body says which only once trusted."""
        return False

    @abc.abstractmethod
    def send(self, message) -> SendResult:
        """Deliver one outbound message to the provider."""

    @classmethod
    def ingest(cls, raw_body: bytes, log=None, statuses_only: bool = False) -> IngestOutcome:
        """Apply one stored webhook notification (which may span several inboxes)."""
        raise NotImplementedError(f"{cls.channel} has no webhook")

    @classmethod
    def ingest_many(cls, entries: list) -> list[IngestOutcome]:
        """Apply several stored notifications (log entries) together, one outcome each. Channels
        whose notifications come in bursts do this in bulk; by default, one at a time."""
        outcomes = []
        for entry in entries:
            try:
                outcomes.append(cls.ingest(bytes(entry.body), log=entry))
            except Unreadable as exc:
                outcomes.append(IngestOutcome(unreadable=str(exc)))
        return outcomes

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


def connector_for(inbox) -> Connector:
    return connector_class(inbox.channel)(inbox)


def connector_class(channel: str) -> type[Connector]:
    from mostrador.connectors import api, whatsapp  # noqa: F401 - registers the built-in connectors

    try:
        return _REGISTRY[channel]
    except KeyError:
        raise LookupError(f"no connector for channel {channel!r}") from None

