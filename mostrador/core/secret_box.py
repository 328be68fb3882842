"""Inbox credentials (access tokens, app secrets, LLM API keys) are stored encrypted, so a
database dump or backup does not hand them out. The key derives from MOSTRADOR_SECRET_KEY,
which must therefore stay stable, as it must for sessions."""

from __future__ import annotations

import base64
import hashlib

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings


def _fernet() -> Fernet:
    digest = hashlib.sha256(b"mostrador.inbox-secrets:" + settings.SECRET_KEY.encode()).digest()
    return Fernet(base64.urlsafe_b64encode(digest))


def seal(value: str) -> str:
    return _fernet().encrypt(value.encode()).decode() if value else ""


def unseal(value: str) -> str:
    if not value:
        return ""
    try:
        return _fernet().decrypt(value.encode()).decode()
    except InvalidToken:
        # Sealed under another secret key: unusable, and treated as not set.
        return ""


def is_sealed(value: str) -> bool:
    try:
        _fernet().decrypt(value.encode())
    except (InvalidToken, ValueError):
        return False
    return True
