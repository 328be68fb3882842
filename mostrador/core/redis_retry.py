"""How our Redis clients retry a call that meets a dead connection or a restarting server: a
few quick tries with redis-py's own backoff, on the sync and the asyncio client alike."""

from __future__ import annotations

import redis
import redis.asyncio.retry
import redis.retry
from redis.backoff import ExponentialBackoff

TRIES = 3


def retrying(*, asyncio: bool = False) -> dict:
    """The client keyword arguments that turn the retry on (a fresh policy per client)."""
    kind = redis.asyncio.retry.Retry if asyncio else redis.retry.Retry
    return {
        "retry": kind(ExponentialBackoff(cap=0.5, base=0.05), TRIES),
        "retry_on_error": [redis.ConnectionError, redis.TimeoutError],
    }
