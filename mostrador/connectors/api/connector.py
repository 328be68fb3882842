"""The `api` channel: an outside system delivers customer messages through the REST API
(`POST /api/v1/inboxes/{id}/messages`) and, when `settings.outbound_url` is set, receives our
replies as JSON POSTs. Without an outbound URL the outside system reads replies from the API."""

from __future__ import annotations

import logging

import httpx
from django.utils.translation import gettext_noop
from pydantic import BaseModel, ConfigDict, Field

from mostrador.connectors.base import Capabilities, Connector, SendResult, register
from mostrador.core import outbound
from mostrador.core.outbound import OutboundUrl

log = logging.getLogger(__name__)


class ApiSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    # Where our replies are POSTed as JSON (blank: the outside system reads them from the API).
    outbound_url: OutboundUrl = Field(default="", max_length=2000, pattern=r"^(https?://.*)?$", title=gettext_noop("Outbound URL for replies"))


@register
class ApiConnector(Connector):
    channel = "api"
    label = "API"
    capabilities = Capabilities(starts_by_phone=True)

    @classmethod
    def address_for_phone(cls, e164: str) -> str | None:
        # The outside system hears of a chat started by number under that number.
        return e164
    settings_model = ApiSettings

    def send(self, message) -> SendResult:
        url = self.inbox.setting("outbound_url")
        if not url:
            return SendResult(ok=True, external_id=f"api-out-{message.pk}")
        identity = message.conversation.contact.identities.filter(inbox=self.inbox).first()
        body = {
            "id": message.pk,
            "conversation_id": message.conversation_id,
            "contact_external_id": identity.external_id if identity else None,
            "author_kind": message.author_kind,
            "type": message.type,
            "text": message.text,
            "payload": message.payload,
        }
        try:
            response = outbound.post(url, json=body, timeout=10)
        except httpx.HTTPError as exc:
            return SendResult(ok=False, retry=True, error_code="network", error_message=str(exc))
        if response.status_code >= 400:
            # What the other system answered stays in the server's log: sellers read message
            # errors, and an answer's body is not theirs to read.
            log.warning("outbound_url of inbox %s answered HTTP %s: %.500s", self.inbox.pk, response.status_code, response.text)
            retry = response.status_code >= 500 or response.status_code == 429
            reason = f"The outbound URL answered HTTP {response.status_code}."
            return SendResult(ok=False, retry=retry, error_code=str(response.status_code), error_message=reason)
        return SendResult(ok=True, external_id=f"api-out-{message.pk}")
