"""One object per running event loop: `serve` runs one loop, and tests start others. Keyed
weakly by the loop itself, so a finished loop's object goes with it and is never handed to a new
loop (an id can be reused)."""

from __future__ import annotations

import asyncio
import weakref
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


def loop_local(make: Callable[[asyncio.AbstractEventLoop], T]) -> Callable[[], T]:
    """A function that returns the running loop's object, made by `make(loop)` on first use."""
    made: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, T] = weakref.WeakKeyDictionary()

    def here() -> T:
        loop = asyncio.get_running_loop()
        found = made.get(loop)
        if found is None:
            found = made[loop] = make(loop)
        return found

    return here
