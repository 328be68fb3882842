"""Fan-out across processes with Redis pub/sub: one PUBLISH per committed batch, and in each
process one subscription that hands what it hears to the local hub.

Nothing about sockets is kept in Redis (no per-socket channels, no group members), so a socket
costs Redis nothing, a Redis restart leaves nothing stale behind, and an open socket outlives it:
while the subscription is cut the pages are told they are not live ("live.paused"), and once it is
back they are told to catch up ("live.resumed", with their list's first page as it is now), since
events may have been missed."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from functools import cache

import redis
import redis.asyncio
from django.conf import settings
from redis.backoff import ExponentialBackoff

from mostrador.core.redis_retry import retrying

from . import hub as hubs

log = logging.getLogger(__name__)

# How long a socket opening while Redis is away waits for the subscription before it is accepted
# anyway (it is told when the stream is back).
READY_WAIT = 2.0


def channel() -> str:
    return f"{settings.MOSTRADOR_REDIS_PREFIX}:events"


def enabled() -> bool:
    return bool(getattr(settings, "REDIS_URL", ""))


@cache
def _publisher(url: str) -> redis.Redis:
    # redis-py's own retry: a publish that meets a restarting Redis tries again a few times before
    # it is given up (and logged; committed work is never undone by a lost notification).
    return redis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2, **retrying())


def publish(batch: list[dict]) -> None:
    _publisher(settings.REDIS_URL).publish(channel(), hubs.frame(batch))


# How long the subscription waits before trying Redis again: 0.5 s, doubling up to 5 s.
RECONNECT = ExponentialBackoff(cap=5.0, base=0.5)


class Subscription:
    """The running loop's subscription, alive while it has sockets."""

    def __init__(self, hub: hubs.Hub) -> None:
        self.hub = hub
        self.ready = asyncio.Event()
        self.task = hub.loop.create_task(self._run())

    async def _run(self) -> None:
        failures, missed = 0, False
        while True:
            client = redis.asyncio.Redis.from_url(
                settings.REDIS_URL, socket_connect_timeout=2, socket_keepalive=True, health_check_interval=10
            )
            try:
                async with client.pubsub(ignore_subscribe_messages=True) as pubsub:
                    await pubsub.subscribe(channel())
                    self.ready.set()
                    if missed:
                        self.hub.resume()
                        missed = False
                    failures = 0
                    while True:
                        message = await pubsub.get_message(timeout=5.0)
                        if message is not None and message["type"] == "message":
                            self.hub.take(json.loads(message["data"]))
            except asyncio.CancelledError:
                raise
            except Exception:  # noqa: BLE001 - Redis restarting or unreachable: try again
                delay = RECONNECT.compute(failures)
                failures += 1
                log.warning("the realtime subscription was cut; trying again in %.1f s", delay, exc_info=True)
                if not missed:
                    self.hub.say_to_all(hubs.PAUSED)
                missed = True
                self.ready.clear()
                await asyncio.sleep(delay)
            finally:
                await client.aclose()


async def joined(hub: hubs.Hub) -> None:
    """A socket joined `hub`: make sure its loop listens, and wait (a little) until it does, so
    that what is published from now on reaches the socket."""
    if hub.relay is None:
        hub.relay = Subscription(hub)
    try:
        await asyncio.wait_for(hub.relay.ready.wait(), READY_WAIT)
    except TimeoutError:
        log.warning("realtime subscription not ready; the socket is told once it is")


async def left(hub: hubs.Hub) -> None:
    """A socket left `hub`: with none left, its loop stops listening (no socket, nobody to tell)."""
    if hub.relay is not None and not len(hub):
        task, hub.relay = hub.relay.task, None
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
