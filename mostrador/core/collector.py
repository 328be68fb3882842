"""The garbage collector in a long-running process (`serve`, `worker`).

A full collection holds the interpreter: while it runs no socket is written and no webhook is
answered, and it walks every object the collector tracks. A long-running process keeps most of
its objects for its whole life (what it loaded at startup, and in `serve` the open sockets), so
those are moved out of the collector's view and a full collection walks only what is young.
"""

from __future__ import annotations

import gc
import logging
import time
from collections.abc import Callable

log = logging.getLogger(__name__)


def keep_out_of_collections() -> None:
    """Everything loaded so far (Django, the apps, their templates and URL patterns) lives as long
    as the process: about 100 ms each full collection for the nearly 200,000 objects a loaded
    server holds (bench/gc_pause.py), and up to 250 ms with a thousand sockets open."""
    gc.collect()
    gc.freeze()


# A socket's objects are frozen this long after it opened (and those of every socket that opened
# meanwhile with them: a team signing in at nine freezes about once a second, not per socket).
SETTLE_SECONDS = 1.0
# Frozen objects are never collected, so the cycles a closed socket leaves behind stay until the
# next thaw (unfreeze, one full collection, freeze again). A thaw comes once as many sockets have
# closed as are open (at least this many), or after this many freezes (each also keeps whatever
# short-lived garbage happened to be young at that moment): what is kept stays within about the
# open sockets' own size.
THAW_AFTER_CLOSES = 100
THAW_AFTER_FREEZES = 100

Schedule = Callable[[float, Callable[[], None]], object]


class Settling:
    """Keeps the objects of long-lived connections out of full collections.

    `opened` and `closed` are told of every socket (on the event loop that holds them); `schedule`
    runs a callable after a delay (the loop's `call_later`). With a thousand sockets open, a full
    collection took 48 to 166 ms while customers wrote; frozen, 14 to 48 ms."""

    def __init__(self, schedule: Schedule, clock: Callable[[], float] = time.perf_counter) -> None:
        self.schedule = schedule
        self.clock = clock
        self.open = 0
        self.closed_since_thaw = 0
        self.freezes_since_thaw = 0
        self.freeze_due = False
        self.thaw_due = False
        self.thaws = 0

    def opened(self) -> None:
        self.open += 1
        if not self.freeze_due:
            self.freeze_due = True
            self.schedule(SETTLE_SECONDS, self._freeze)

    def closed(self) -> None:
        self.open = max(self.open - 1, 0)
        self.closed_since_thaw += 1
        if self.closed_since_thaw >= max(THAW_AFTER_CLOSES, self.open) and not self.thaw_due:
            # After a moment, so a crowd of closes (a deploy's last seconds, a network blip) costs one thaw.
            self.thaw_due = True
            self.schedule(SETTLE_SECONDS, self._thaw)

    def _freeze(self) -> None:
        self.freeze_due = False
        # What is young and already garbage goes first (a cheap collection of the young generations).
        gc.collect(1)
        gc.freeze()
        self.freezes_since_thaw += 1
        if self.freezes_since_thaw >= THAW_AFTER_FREEZES and not self.thaw_due:
            self.thaw_due = True
            self.schedule(0, self._thaw)

    def _thaw(self) -> None:
        self.thaw_due = False
        start = self.clock()
        gc.unfreeze()
        found = gc.collect()
        gc.freeze()
        self.closed_since_thaw = self.freezes_since_thaw = 0
        self.thaws += 1
        log.debug("thawed: %d objects collected in %.0f ms", found, (self.clock() - start) * 1000)


# The process's one Settling, when it keeps connections out of collections (`serve` turns it on;
# tests' short-lived loops do not).
settling: Settling | None = None


def settle_connections(schedule: Schedule) -> Settling:
    global settling
    settling = Settling(schedule)
    return settling
