"""How many Django requests one server process works on at once.

Django gives every request a thread of its own for its synchronous part, and each thread takes a
database connection from the pool for as long as the request runs. When a thousand open tabs ask
at the same moment (they all catch up after the realtime stream comes back, or reconnect after a
restart), a thousand threads wanted the pool's twenty connections: most waited out
MOSTRADOR_DB_POOL_TIMEOUT and failed with a 500, though nothing was wrong. Here the requests
beyond MOSTRADOR_HTTP_CONCURRENCY wait their turn in the event loop instead, which costs nothing,
and are answered in the order they came: a burst becomes a queue, not errors. The pool's timeout
still turns a database outage into a quick 503.

A request holds its place until its response begins: a slow download streaming to a phone does
not keep others waiting. Channel notifications (intake/webhook.py) and sockets do not pass here.
"""

from __future__ import annotations

import asyncio

from django.conf import settings

from .loop_local import loop_local

_gate = loop_local(lambda loop: asyncio.Semaphore(settings.MOSTRADOR_HTTP_CONCURRENCY))


def gated(app):
    """`app` (an ASGI application for HTTP) run at most MOSTRADOR_HTTP_CONCURRENCY at a time."""

    async def through_the_gate(scope, receive, send):
        gate = _gate()
        await gate.acquire()
        holding = True

        def let_go() -> None:
            nonlocal holding
            if holding:
                holding = False
                gate.release()

        async def sending(message):
            if message["type"] == "http.response.start":
                let_go()
            await send(message)

        try:
            await app(scope, receive, sending)
        finally:
            let_go()

    return through_the_gate
