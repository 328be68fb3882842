"""The demo's WhatsApp inbox, wired to this server's offline sandbox instead of Meta."""

from __future__ import annotations

import secrets

from mostrador.accounts.models import Role, User
from mostrador.inbox.actions.inboxes import create_inbox, update_inbox
from mostrador.inbox.models import Inbox

WHATSAPP_INBOX = "WhatsApp Tienda"
SANDBOX_NUMBER = {
    "phone_number_id": "106540352242922",
    "display_phone_number": "+56 2 2940 1234",
    "business_account_id": "102290129340398",
}


def ensure_whatsapp_sandbox(base_url: str) -> Inbox:
    """The demo WhatsApp inbox, wired to this server's offline sandbox instead of Meta.

    Its graph_api_url must reach this very server, so it follows the address `serve` will use.
    """
    graph_api_url = f"{base_url.rstrip('/')}/sandbox/graph/v23.0"
    inbox = Inbox.objects.filter(name=WHATSAPP_INBOX).first()
    if inbox is None:
        inbox = create_inbox(
            WHATSAPP_INBOX,
            "whatsapp",
            {
                **SANDBOX_NUMBER,
                "graph_api_url": graph_api_url,
                "wait_target_seconds": 600,
                "access_token": secrets.token_urlsafe(32),
                "app_secret": secrets.token_hex(16),
                "verify_token": secrets.token_urlsafe(16),
            },
        )
        inbox.members.set(User.objects.filter(role=Role.AGENT))
    elif inbox.setting("graph_api_url") != graph_api_url:
        update_inbox(inbox, raw_settings={"graph_api_url": graph_api_url})
    return inbox
