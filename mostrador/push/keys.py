"""The installation's VAPID key pair: made once, on first use, and kept (RFC 8292)."""

from __future__ import annotations

import base64

from cryptography.hazmat.primitives import serialization
from django.db import IntegrityError, transaction
from py_vapid import Vapid02

from mostrador.core.secret_box import seal, unseal

from .models import ServerKey

ONLY = 1  # the one row


def server_key() -> ServerKey:
    found = ServerKey.objects.filter(pk=ONLY).first()
    if found is not None:
        return found
    vapid = Vapid02()
    vapid.generate_keys()
    point = vapid.public_key.public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
    try:
        with transaction.atomic():
            return ServerKey.objects.create(
                pk=ONLY, private_key=seal(vapid.private_pem().decode()),
                public_key=base64.urlsafe_b64encode(point).decode().rstrip("="),
            )
    except IntegrityError:  # another process made it first: theirs is the one
        return ServerKey.objects.get(pk=ONLY)


def signer() -> Vapid02:
    return Vapid02.from_pem(unseal(server_key().private_key).encode())
