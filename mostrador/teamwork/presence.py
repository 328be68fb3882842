"""Availability from the browser (DESIGN.md section 4): which tabs each person has open, and
whether each is idle, across server processes.

With `REDIS_URL` the tabs live in one Redis hash per person (so a person with tabs on two
processes is counted once); without it, in this process's memory (one process serves them all).
Each tab's entry carries the time it was last heard from (the page pings every 30 seconds), and
an entry not heard from for `STALE_SECONDS` is a tab whose process died: it no longer counts."""

from __future__ import annotations

import asyncio
import time
import weakref

from channels.db import database_sync_to_async
from django.conf import settings

from mostrador.accounts.models import Availability, AvailabilityChange, User
from mostrador.core.loop_local import loop_local
from mostrador.realtime.consumers import TabListener

ACTIVE, IDLE = "a", "i"
STALE_SECONDS = 120


def _entry(state: str) -> str:
    return f"{state}:{int(time.time())}"


def _live(entries: dict[str, str]) -> dict[str, str]:
    """tab → state, for the tabs heard from lately."""
    oldest = time.time() - STALE_SECONDS
    out = {}
    for tab, value in entries.items():
        state, _, at = value.partition(":")
        if at.isdigit() and int(at) >= oldest:
            out[tab] = state
    return out


class MemoryTabs:
    def __init__(self) -> None:
        self._tabs: dict[int, dict[str, str]] = {}

    async def set(self, user_id: int, tab: str, state: str | None = None) -> dict[str, str]:
        """Record the tab (in `state`, or as it was) as heard from now; returns the live tabs."""
        tabs = self._tabs.setdefault(user_id, {})
        state = state or tabs.get(tab, ACTIVE).partition(":")[0]
        tabs[tab] = _entry(state)
        live = _live(tabs)
        self._tabs[user_id] = {t: v for t, v in tabs.items() if t in live}
        return live

    async def remove(self, user_id: int, tab: str) -> dict[str, str]:
        tabs = self._tabs.get(user_id, {})
        tabs.pop(tab, None)
        live = _live(tabs)
        if live:
            self._tabs[user_id] = {t: v for t, v in tabs.items() if t in live}
        else:
            self._tabs.pop(user_id, None)
        return live

    async def live(self, user_id: int) -> dict[str, str]:
        return _live(self._tabs.get(user_id, {}))


# Connections one process keeps to Redis for tabs; more callers at once wait their turn.
MAX_CONNECTIONS = 20


class RedisTabs:
    def __init__(self, url: str, prefix: str) -> None:
        self._url, self._prefix = url, prefix
        # An asyncio client belongs to the event loop it was made on: one per loop.
        self._clients: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()

    @property
    def _redis(self):
        import redis.asyncio as redis

        from mostrador.core.redis_retry import retrying

        loop = asyncio.get_running_loop()
        if loop not in self._clients:
            # A blocking pool: when a whole office's tabs close or open at once (a network blip,
            # a deploy), the extra calls wait their turn for a connection. redis-py's default pool
            # refuses past 100 connections, and each refused close left its person "online". The
            # wait has no limit of its own: a held connection is given back within its calls'
            # timeouts, and on a server busy with a thousand sockets the turn can take longer than
            # any fixed limit (five seconds failed hundreds of closes).
            # After Redis restarts, every pooled connection is dead: redis-py's retry reconnects
            # and sends the call again, instead of failing one open or close per connection.
            pool = redis.BlockingConnectionPool.from_url(
                self._url, max_connections=MAX_CONNECTIONS, timeout=None, socket_timeout=5, socket_connect_timeout=5,
                **retrying(asyncio=True),
            )
            self._clients[loop] = redis.Redis(connection_pool=pool)
        return self._clients[loop]

    def _key(self, user_id: int) -> str:
        return f"{self._prefix}:tabs:{user_id}"

    async def _all(self, user_id: int) -> dict[str, str]:
        return _decoded(await self._redis.hgetall(self._key(user_id)))

    async def set(self, user_id: int, tab: str, state: str | None = None) -> dict[str, str]:
        key = self._key(user_id)
        if state is None:
            old = await self._redis.hget(key, tab)
            state = old.decode().partition(":")[0] if old else ACTIVE
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.hset(key, tab, _entry(state))
            pipe.expire(key, STALE_SECONDS * 2)
            pipe.hgetall(key)
            *_, found = await pipe.execute()
        return await self._pruned(user_id, _decoded(found))

    async def remove(self, user_id: int, tab: str) -> dict[str, str]:
        # The tab goes and what is left is read in one round trip: closes come a thousand at once.
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.hdel(self._key(user_id), tab)
            pipe.hgetall(self._key(user_id))
            _, found = await pipe.execute()
        return await self._pruned(user_id, _decoded(found))

    async def live(self, user_id: int) -> dict[str, str]:
        return _live(await self._all(user_id))

    async def _pruned(self, user_id: int, entries: dict[str, str]) -> dict[str, str]:
        live = _live(entries)
        stale = [tab for tab in entries if tab not in live]
        if stale:
            await self._redis.hdel(self._key(user_id), *stale)
        return live


def _decoded(found: dict[bytes, bytes]) -> dict[str, str]:
    return {k.decode(): v.decode() for k, v in found.items()}


_store = None


def tabs():
    global _store
    if _store is None:
        url = getattr(settings, "REDIS_URL", "")
        _store = RedisTabs(url, settings.MOSTRADOR_REDIS_PREFIX) if url else MemoryTabs()
    return _store


def reset() -> None:
    """Forget every tab and grace timer (tests start afresh)."""
    global _store
    _store = None
    waiting.clear()


async def settle() -> None:
    """Wait for this loop's grace timers to run out (what a test does instead of sleeping)."""
    loop = asyncio.get_running_loop()
    await asyncio.gather(*[task for task in list(waiting) if task.get_loop() is loop])


class Presence(TabListener):
    """A person's first tab brings them online when the browser (not they) had them offline;
    all their tabs idle make them away; their last tab closing makes them offline, after a short
    grace so that reloading a page changes nothing. What they choose by hand holds otherwise, and
    an API-only client has no tabs and keeps what it set."""

    async def opened(self, user, tab: str) -> None:
        if len(await tabs().set(user.pk, tab, ACTIVE)) == 1:
            await _change(user.pk, to=Availability.ONLINE, when_now=(Availability.OFFLINE,), only_after_presence=True)

    async def closed(self, user, tab: str) -> None:
        if await tabs().remove(user.pk, tab):
            return
        grace = settings.MOSTRADOR_PRESENCE_GRACE_SECONDS
        if grace > 0:
            task = asyncio.get_running_loop().create_task(_offline_unless_back(user.pk, grace))
            waiting.add(task)
            task.add_done_callback(waiting.discard)
        else:
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
        elif kind == "ping":
            await tabs().set(user.pk, tab)  # heard from: still open
        # Anything else says nothing of presence. A page says which list it shows the moment its
        # socket opens, right after `opened` wrote the tab: writing it again cost two more round
        # trips to Redis for every tab when a thousand of them reconnect after a deploy.


# The grace timers running (held so they are not collected mid-way; tests await them).
waiting: set[asyncio.Task] = set()


async def _offline_unless_back(user_id: int, grace: float) -> None:
    await asyncio.sleep(grace)
    if not await tabs().live(user_id):
        await _change(user_id, to=Availability.OFFLINE, when_now=(Availability.ONLINE, Availability.AWAY))


# Each person's lock, on each event loop, for as long as someone holds or awaits it.
_person_locks = loop_local(lambda loop: weakref.WeakValueDictionary())


async def _change(user_id: int, **how) -> None:
    """`_change_now`, one after another for one person in the order asked (asyncio's lock is first
    come, first served) and side by side for different people, off the thread Channels shares
    among all sockets: after a restart, a whole team's tabs reconnect at once, and each waited for
    every colleague's change before it (realtime/socket_auth.py)."""
    locks = _person_locks()
    lock = locks.get(user_id)
    if lock is None:
        lock = locks[user_id] = asyncio.Lock()
    async with lock:
        await database_sync_to_async(_change_now, thread_sensitive=False)(user_id, **how)


def _change_now(user_id: int, *, to: str, when_now: tuple, only_after_presence: bool = False) -> None:
    """Move a person to `to` if they are in one of `when_now` (and, if asked, only if the browser,
    not the person, put them there: someone who chose "away" stays away when they move the mouse,
    and someone who chose "offline" stays offline when they open a page)."""
    from .availability import PRESENCE, set_availability

    person = User.objects.filter(pk=user_id, is_active=True).first()
    if person is None or person.availability not in when_now:
        return
    if only_after_presence:
        last = AvailabilityChange.objects.filter(user_id=user_id).order_by("-at", "-id").values_list("source", flat=True).first()
        if last not in (None, PRESENCE):
            return
    set_availability(person, to, source=PRESENCE)
