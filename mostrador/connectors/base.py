"""The one interface every channel connector implements.

A connector knows its provider's wire format and nothing about attention: it verifies requests,
normalises inbound messages for the actions, sends outbound messages and maps provider errors.
"""

from __future__ import annotations

import abc
from dataclasses import dataclass
from datetime import timedelta


@dataclass(frozen=True)
class Capabilities:
    # How long after the customer's last message free text may be sent (None: no limit).
    service_window: timedelta | None = None
    templates: bool = False
    read_receipts: bool = False


@dataclass(frozen=True)
class SendResult:
    ok: bool
    external_id: str | None = None
    # Transient failures are retried with backoff; permanent ones leave the message failed.
    retry: bool = False
    retry_after_seconds: float | None = None
    error_code: str = ""
    error_message: str = ""


class Connector(abc.ABC):
    channel: str
    capabilities = Capabilities()

    def __init__(self, inbox):
        self.inbox = inbox

    def verify(self, headers: dict, raw_body: bytes) -> bool:
        """Whether an inbound request really comes from the provider."""
        return True

    @abc.abstractmethod
    def send(self, message) -> SendResult:
        """Deliver one outbound message to the provider."""


_REGISTRY: dict[str, type[Connector]] = {}


def register(cls: type[Connector]) -> type[Connector]:
    _REGISTRY[cls.channel] = cls
    return cls


def connector_for(inbox) -> Connector:
    from mostrador.connectors import api  # noqa: F401 - registers the built-in connectors

    try:
        return _REGISTRY[inbox.channel](inbox)
    except KeyError:
        raise LookupError(f"no connector for channel {inbox.channel!r}") from None

