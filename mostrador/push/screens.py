"""Web Push on screen: the bell that asks the browser for permission and subscribes it, the
server's public key, and where a browser's subscription is kept or dropped."""

from __future__ import annotations

import json
from urllib.parse import urlparse

from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpResponse, JsonResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST
from pydantic import BaseModel, Field, ValidationError

from mostrador.core import outbound
from mostrador.inbox.hooks import TopbarItem

from . import keys
from .models import Subscription

MOST_BODY = 4096


class Keys(BaseModel):
    p256dh: str = Field(min_length=80, max_length=120, pattern=r"^[A-Za-z0-9_\-]+=*$")
    auth: str = Field(min_length=16, max_length=60, pattern=r"^[A-Za-z0-9_\-]+=*$")


class Given(BaseModel):
    """What the browser's PushSubscription.toJSON() gives."""

    endpoint: str = Field(min_length=10, max_length=1000)
    keys: Keys


def bell(user) -> TopbarItem:
    return TopbarItem("push", _("Notifications on this device"), reverse("push-subscribe"), template="push/_bell.html")


def script(user) -> str:
    return "push/push.js"


def style(user) -> str:
    return "push/push.css"


def worker_script() -> str:
    return "push/worker.js"


@login_required
@require_GET
def server_key(request):
    return JsonResponse({"public_key": keys.server_key().public_key})


def _allowed(endpoint: str) -> bool:
    """A push service's address: https to a public host, never a way to make the server call
    whatever a person typed. Plain http only to a host MOSTRADOR_OUTBOUND_ALLOW names (a local
    push service)."""
    try:
        outbound.check_url(endpoint)
    except outbound.OutboundRefused:
        return False
    return urlparse(endpoint).scheme == "https" or outbound.allowed_by_name(endpoint)


def _given(request) -> Given | JsonResponse:
    if len(request.body) > MOST_BODY:
        return JsonResponse({"detail": "The subscription is too large.", "code": "too_large"}, status=413)
    try:
        given = Given.model_validate(json.loads(request.body or b"{}"))
    except (ValueError, ValidationError):
        return JsonResponse({"detail": "Not a push subscription (endpoint and keys p256dh, auth).", "code": "invalid"}, status=422)
    if not _allowed(given.endpoint):
        return JsonResponse({"detail": "A push service's address is https.", "code": "invalid"}, status=422)
    return given


@login_required
@require_POST
def subscribe(request):
    """Keep this browser's subscription for the person signed in (a browser that someone else
    used before now tells this person)."""
    given = _given(request)
    if isinstance(given, JsonResponse):
        return given
    with transaction.atomic():
        Subscription.objects.update_or_create(
            endpoint=given.endpoint,
            defaults={"user": request.user, "p256dh": given.keys.p256dh, "auth": given.keys.auth, "failures": 0},
        )
    return HttpResponse(status=204)


@login_required
@require_POST
def unsubscribe(request):
    given = _given(request)
    if isinstance(given, JsonResponse):
        return given
    Subscription.objects.filter(endpoint=given.endpoint, user=request.user).delete()
    return HttpResponse(status=204)
