"""Work of one kind run from the event loop on a thread of its own, instead of on the thread
Channels and Django share among every socket and synchronous view: there, a thousand tabs
reconnecting at once queue in front of a webhook's INSERT, and a busy frame's rendering in front
of a seller's click."""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from asgiref.sync import sync_to_async
from django.db import connections


def own_thread(name: str) -> Callable[[Callable[..., Any]], Callable[..., Awaitable[Any]]]:
    """A decorator making a synchronous function an awaitable that runs on the thread `name`,
    one call after another."""
    executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix=name)

    def on_it(fn: Callable[..., Any]) -> Callable[..., Awaitable[Any]]:
        @functools.wraps(fn)
        def run(*args: Any, **kwargs: Any) -> Any:
            try:
                return fn(*args, **kwargs)
            finally:
                # As after a request: the thread's connection is given back (to the pool, on
                # PostgreSQL), so no call starts on one the database has since closed.
                connections.close_all()

        return sync_to_async(run, thread_sensitive=False, executor=executor)

    return on_it
