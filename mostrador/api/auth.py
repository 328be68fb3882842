from __future__ import annotations

from datetime import timedelta

from django.utils import timezone
from ninja.security import HttpBearer

from mostrador.accounts.models import ApiToken
from mostrador.inbox.actions import Actor

# The one operation an inbox's integration token may call (and only for its own inbox).
INBOUND_URL_NAME = "inbox-inbound"


class BearerToken(HttpBearer):
    def authenticate(self, request, token: str):
        found = ApiToken.find(token)
        if found is None:
            return None
        if found.is_integration and not _is_own_inbound(request, found):
            return None
        now = timezone.now()
        # Record use at most once a minute: a busy bot must not turn every read into a write.
        if found.last_used_at is None or now - found.last_used_at > timedelta(minutes=1):
            ApiToken.objects.filter(pk=found.pk).update(last_used_at=now)
        request.user = found.user
        request.api_token = found
        return found


def _is_own_inbound(request, token: ApiToken) -> bool:
    match = request.resolver_match
    return (
        match is not None
        and match.url_name == INBOUND_URL_NAME
        and str(match.kwargs.get("inbox_id")) == str(token.inbox_id)
    )


def actor_of(request) -> Actor:
    token: ApiToken = request.auth
    if token.is_bot:
        return Actor.bot(token.user, token.bot_name)
    return Actor.person(token.user)
