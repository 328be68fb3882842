"""Which browser tabs each person has open, and whether each is idle, across server processes.

With `REDIS_URL` the tabs live in one Redis hash per person (so a person with tabs on two
processes is counted once); without it, in this process's memory (one process serves them all).
A hash expires a while after its last change, so tabs of a process that died do not keep
someone online for ever."""

from __future__ import annotations

from channels.db import database_sync_to_async
from django.conf import settings

from mostrador.accounts.models import Availability, AvailabilityChange, User
from mostrador.realtime.consumers import TabListener

ACTIVE, IDLE = "a", "i"
# Long enough for any working session; a live tab renews it whenever it goes idle or active.
EXPIRES_SECONDS = 12 * 3600


class MemoryTabs:
    def __init__(self) -> None:
        self._tabs: dict[int, dict[str, str]] = {}

    async def set(self, user_id: int, tab: str, state: str) -> dict[str, str]:
        self._tabs.setdefault(user_id, {})[tab] = state
        return dict(self._tabs[user_id])

    async def remove(self, user_id: int, tab: str) -> dict[str, str]:
        tabs = self._tabs.get(user_id, {})
        tabs.pop(tab, None)
        if not tabs:
            self._tabs.pop(user_id, None)
        return dict(tabs)


class RedisTabs:
    def __init__(self, url: str, prefix: str) -> None:
        import redis.asyncio as redis

        self._redis = redis.from_url(url, socket_timeout=5, socket_connect_timeout=5)
        self._prefix = prefix

    def _key(self, user_id: int) -> str:
        return f"{self._prefix}:tabs:{user_id}"

    async def set(self, user_id: int, tab: str, state: str) -> dict[str, str]:
        key = self._key(user_id)
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.hset(key, tab, state)
            pipe.expire(key, EXPIRES_SECONDS)
            pipe.hgetall(key)
            *_, tabs = await pipe.execute()
        return {k.decode(): v.decode() for k, v in tabs.items()}

    async def remove(self, user_id: int, tab: str) -> dict[str, str]:
        key = self._key(user_id)
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.hdel(key, tab)
            pipe.hgetall(key)
            _, tabs = await pipe.execute()
        return {k.decode(): v.decode() for k, v in tabs.items()}


_store = None


def tabs():
    global _store
    if _store is None:
        url = getattr(settings, "REDIS_URL", "")
        _store = RedisTabs(url, settings.MOSTRADOR_REDIS_PREFIX) if url else MemoryTabs()
    return _store


def reset() -> None:
    """Forget every tab (tests start each live server afresh)."""
    global _store
    _store = None


class Presence(TabListener):
    """Availability from the browser: a person's first tab brings them online (when they were
    offline), all their tabs idle make them away, their last tab closing makes them offline.
    What they set by hand holds otherwise; an API-only client has no tabs and keeps its own."""

    async def opened(self, user, tab: str) -> None:
        open_tabs = await tabs().set(user.pk, tab, ACTIVE)
        if len(open_tabs) == 1:
            await _change(user.pk, to=Availability.ONLINE, when_now=(Availability.OFFLINE,))

    async def closed(self, user, tab: str) -> None:
        if not await tabs().remove(user.pk, tab):
            await _change(user.pk, to=Availability.OFFLINE, when_now=(Availability.ONLINE, Availability.AWAY))

    async def said(self, user, tab: str, content: dict) -> None:
        kind = content.get("type")
        if kind == "idle":
            open_tabs = await tabs().set(user.pk, tab, IDLE)
            if all(state == IDLE for state in open_tabs.values()):
                await _change(user.pk, to=Availability.AWAY, when_now=(Availability.ONLINE,))
        elif kind == "active":
            await tabs().set(user.pk, tab, ACTIVE)
            await _change(user.pk, to=Availability.ONLINE, when_now=(Availability.AWAY,), only_after_presence=True)


@database_sync_to_async
def _change(user_id: int, *, to: str, when_now: tuple, only_after_presence: bool = False) -> None:
    """Move a person to `to` if they are in one of `when_now` (and, if asked, only if the browser,
    not the person, put them there: someone who chose "away" stays away when they move the mouse)."""
    from .availability import PRESENCE, set_availability

    person = User.objects.filter(pk=user_id, is_active=True).first()
    if person is None or person.availability not in when_now:
        return
    if only_after_presence:
        last = AvailabilityChange.objects.filter(user_id=user_id).order_by("-at", "-id").values_list("source", flat=True).first()
        if last != PRESENCE:
            return
    set_availability(person, to, source=PRESENCE)
