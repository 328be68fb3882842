"""The `api` channel: an outside system delivers customer messages through the REST API
(`POST /api/v1/inboxes/{id}/messages`) and, when `settings.outbound_url` is set, receives our
replies as JSON POSTs. Without an outbound URL the outside system reads replies from the API."""

from __future__ import annotations

import httpx
from django.utils.translation import gettext_noop
from pydantic import BaseModel, ConfigDict, Field

from mostrador.connectors.base import Capabilities, Connector, SendResult, register


class ApiSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    # Where our replies are POSTed as JSON (blank: the outside system reads them from the API).
    outbound_url: str = Field(default="", max_length=2000, pattern=r"^(https?://.*)?$", title=gettext_noop("Outbound URL for replies"))


@register
class ApiConnector(Connector):
    channel = "api"
    label = "API"
    capabilities = Capabilities()
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
            response = httpx.post(url, json=body, timeout=10)
        except httpx.HTTPError as exc:
            return SendResult(ok=False, retry=True, error_code="network", error_message=str(exc))
        if response.status_code >= 500 or response.status_code == 429:
            return SendResult(ok=False, retry=True, error_code=str(response.status_code), error_message=response.text[:500])
        if response.status_code >= 400:
            return SendResult(ok=False, error_code=str(response.status_code), error_message=response.text[:500])
        return SendResult(ok=True, external_id=f"api-out-{message.pk}")
