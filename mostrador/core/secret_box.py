"""Inbox credentials (access tokens, app secrets, LLM API keys) are stored encrypted, so a
database dump or backup does not hand them out. The key derives from the secret key
(MOSTRADOR_SECRET_KEY), which must therefore stay stable, as it must for sessions. To change it,
put the old one in MOSTRADOR_SECRET_KEY_FALLBACKS: what it sealed is still read, and sealed again
under the new key the next time it is saved."""

from __future__ import annotations

import base64
import hashlib

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings


class SecretUnreadable(ValueError):
    """A stored credential was sealed under a key this installation no longer has."""


def _fernet(key: str) -> Fernet:
    digest = hashlib.sha256(b"mostrador.inbox-secrets:" + key.encode()).digest()
    return Fernet(base64.urlsafe_b64encode(digest))


# The key installations used before they had their own (it was published with the code). What it
# sealed is already readable by anyone, so opening it here exposes nothing more; it only lets an
# installation that upgrades keep its credentials, sealed again under its own key when saved.
# It is never a key Django signs or checks sessions with.
PUBLISHED_KEY = "dev-only-insecure-key-change-me-in-production"


def _keys() -> MultiFernet:
    # The current key seals; it and every fallback open.
    keys = [settings.SECRET_KEY, *settings.SECRET_KEY_FALLBACKS, PUBLISHED_KEY]
    return MultiFernet([_fernet(k) for k in dict.fromkeys(keys)])


def seal(value: str) -> str:
    return _keys().encrypt(value.encode()).decode() if value else ""


def unseal(value: str) -> str:
    """The credential in the clear; raises SecretUnreadable when no key of ours sealed it."""
    if not value:
        return ""
    try:
        return _keys().decrypt(value.encode()).decode()
    except (InvalidToken, ValueError) as exc:
        raise SecretUnreadable("sealed under another secret key") from exc


def is_sealed(value: str) -> bool:
    try:
        _keys().decrypt(value.encode())
    except (InvalidToken, ValueError):
        return False
    return True
