"""The demo's Telegram inbox: a bot wired to this server's Telegram sandbox instead of Telegram."""

from __future__ import annotations

import secrets

from mostrador.accounts.models import Role, User
from mostrador.inbox.actions.inboxes import create_inbox, update_inbox
from mostrador.inbox.models import Inbox

TELEGRAM_INBOX = "Telegram Tienda"


def ensure_telegram_sandbox(base_url: str) -> Inbox:
    api_base_url = f"{base_url.rstrip('/')}/sandbox/telegram"
    inbox = Inbox.objects.filter(name=TELEGRAM_INBOX, channel="telegram").first()
    if inbox is None:
        inbox = create_inbox(TELEGRAM_INBOX, "telegram", {
            "api_base_url": api_base_url,
            "bot_token": f"{secrets.randbelow(10**9) + 10**9}:{secrets.token_urlsafe(26)}",
            "secret_token": secrets.token_urlsafe(24),
            "wait_target_seconds": 600,
        })
        inbox.members.set(User.objects.filter(role=Role.AGENT))
    elif inbox.setting("api_base_url") != api_base_url:
        update_inbox(inbox, raw_settings={"api_base_url": api_base_url})
    return inbox
