"""How many Django requests one server process works on at once, and who goes first.

Django gives every request a thread of its own for its synchronous part, and each thread takes a
database connection from the pool for as long as the request runs. When a thousand open tabs ask
at the same moment (they all catch up after the realtime stream comes back, or reconnect after a
restart), a thousand threads wanted the pool's twenty connections: most waited out
MOSTRADOR_DB_POOL_TIMEOUT and failed with a 500, though nothing was wrong. Here the requests
beyond MOSTRADOR_HTTP_CONCURRENCY wait their turn in the event loop instead, which costs nothing:
a burst becomes a queue, not errors. The pool's timeout still turns a database outage into a
quick 503.

A queue of a thousand catch-ups took 20 s to work off, and a seller who clicked meanwhile waited
at its end. So there are two queues: what a person asked for (a click, a reply, a page) goes
before what a page asks on its own to keep up with live changes, which says so with the
`REFRESH_HEADER` (app.js sends it on its live refreshes). Within each, first come, first served.
A page's refresh waits only while people's requests are queued; they are few.

A request holds its place until its response begins: a slow download streaming to a phone does
not keep others waiting. Channel notifications (intake/webhook.py) and sockets do not pass here.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import deque

from django.conf import settings

from .loop_local import loop_local

REFRESH_HEADER = b"x-mostrador-refresh"


class Gate:
    """`places` requests at a time; a place that frees goes to the person's request that has
    waited longest, else to the page refresh that has."""

    def __init__(self, places: int) -> None:
        self.free = places
        # People's requests, then pages' own refreshes: each waiter is a future resolved when a
        # place is handed to it (a freed place goes straight to a waiter, so `free` is 0 while
        # anyone waits).
        self.queues: tuple[deque[asyncio.Future], deque[asyncio.Future]] = (deque(), deque())

    async def enter(self, refresh: bool = False) -> None:
        if self.free:
            self.free -= 1
            return
        turn = asyncio.get_running_loop().create_future()
        queue = self.queues[refresh]
        queue.append(turn)
        try:
            await turn
        except asyncio.CancelledError:
            if turn.done() and not turn.cancelled():
                # The place was handed over just as the request went away: pass it on.
                self.leave()
            else:
                with contextlib.suppress(ValueError):
                    queue.remove(turn)
            raise

    def leave(self) -> None:
        for queue in self.queues:
            while queue:
                turn = queue.popleft()
                if not turn.done():
                    turn.set_result(None)
                    return
        self.free += 1


_gate = loop_local(lambda loop: Gate(settings.MOSTRADOR_HTTP_CONCURRENCY))


def is_refresh(scope) -> bool:
    return any(name == REFRESH_HEADER for name, _ in scope.get("headers", ()))


def gated(app):
    """`app` (an ASGI application for HTTP) run at most MOSTRADOR_HTTP_CONCURRENCY at a time."""

    async def through_the_gate(scope, receive, send):
        gate = _gate()
        await gate.enter(is_refresh(scope))
        holding = True

        def let_go() -> None:
            nonlocal holding
            if holding:
                holding = False
                gate.leave()

        async def sending(message):
            if message["type"] == "http.response.start":
                let_go()
            await send(message)

        try:
            await app(scope, receive, sending)
        finally:
            let_go()

    return through_the_gate
