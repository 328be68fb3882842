"""Open sockets' objects leave the garbage collector's view once they settle, so a full collection
(which holds every socket and webhook) walks only what is young; what closed sockets leave behind
is still collected, at a thaw."""

from __future__ import annotations

import asyncio
import gc
import weakref

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mostrador.core import collector
from mostrador.realtime import hub


class Timers:
    """A loop's call_later, run by hand."""

    def __init__(self) -> None:
        self.due: list[tuple[float, object]] = []

    def __call__(self, delay, fn):
        self.due.append((delay, fn))

    def run(self) -> int:
        ran = 0
        while self.due:
            _, fn = self.due.pop(0)
            fn()
            ran += 1
        return ran


class Cycle:
    """What a socket's objects often are: a cycle, freed only by the collector."""

    def __init__(self) -> None:
        self.me = self


@pytest.fixture(autouse=True)
def thawed():
    gc.unfreeze()
    yield
    gc.unfreeze()


def frozen(thing) -> bool:
    # A frozen object is in no generation the collector walks.
    return gc.is_tracked(thing) and not any(o is thing for o in gc.get_objects())


def test_a_sockets_objects_are_frozen_a_moment_after_it_opens():
    timers = Timers()
    settling = collector.Settling(timers)
    socket_state = Cycle()
    settling.opened()
    assert not frozen(socket_state), "nothing is frozen as the socket opens: it is still being set up"
    assert [delay for delay, _ in timers.due] == [collector.SETTLE_SECONDS]
    timers.run()
    assert frozen(socket_state)


def test_a_crowd_signing_in_is_frozen_once_not_per_socket():
    timers = Timers()
    settling = collector.Settling(timers)
    for _ in range(500):
        settling.opened()
    assert len(timers.due) == 1
    timers.run()
    settling.opened()
    assert len(timers.due) == 1, "a later arrival settles in a freeze of its own"


def test_what_closed_sockets_left_is_collected_at_a_thaw():
    timers = Timers()
    settling = collector.Settling(timers)
    for _ in range(collector.THAW_AFTER_CLOSES):
        settling.opened()
    socket_state = Cycle()
    left = weakref.ref(socket_state)
    timers.run()
    del socket_state  # the socket closed: its cycle is garbage now, but frozen
    gc.collect()
    assert left() is not None, "frozen, a closed socket's cycle outlives full collections"
    for _ in range(collector.THAW_AFTER_CLOSES - 1):
        settling.closed()
    assert not timers.due
    settling.closed()
    assert timers.run() == 1
    assert left() is None
    assert settling.thaws == 1
    assert gc.get_freeze_count() > 0, "what is still alive is frozen again"


def test_a_thaw_waits_for_as_many_closes_as_sockets_are_open():
    timers = Timers()
    settling = collector.Settling(timers)
    for _ in range(3 * collector.THAW_AFTER_CLOSES):
        settling.opened()
    timers.run()
    for _ in range(int(1.4 * collector.THAW_AFTER_CLOSES)):
        settling.closed()
    assert settling.thaws == 0 and not timers.due, "140 closed, 160 open: no thaw yet"
    for _ in range(collector.THAW_AFTER_CLOSES // 10):
        settling.closed()
    timers.run()
    assert settling.thaws == 1


def test_garbage_young_at_a_freeze_is_collected_first():
    timers = Timers()
    settling = collector.Settling(timers)
    settling.opened()
    young = weakref.ref(Cycle())
    timers.run()
    assert young() is None


def test_many_freezes_bring_a_thaw():
    timers = Timers()
    settling = collector.Settling(timers)
    for _ in range(collector.THAW_AFTER_FREEZES):
        settling.opened()
        timers.run()
    assert settling.thaws == 1


@settings(max_examples=60, deadline=None)
@given(st.lists(st.sampled_from(["open", "close", "tick"]), max_size=400))
def test_what_is_kept_from_closed_sockets_stays_bounded(steps):
    timers = Timers()
    settling = collector.Settling(timers)
    is_open = 0
    for step in steps:
        if step == "open":
            settling.opened()
            is_open += 1
        elif step == "close" and is_open:
            settling.closed()
            is_open -= 1
        else:
            timers.run()
        assert settling.open == is_open
        assert len(timers.due) <= 2, "at most one freeze and one thaw are ever waiting"
    timers.run()
    assert settling.closed_since_thaw < max(collector.THAW_AFTER_CLOSES, settling.open)
    assert settling.freezes_since_thaw < collector.THAW_AFTER_FREEZES


def test_the_hub_tells_the_settling_of_each_socket():
    timers = Timers()
    collector.settling = collector.Settling(timers)
    try:
        the_hub = hub.Hub(asyncio.new_event_loop())
        receivers = [hub.Receiver(1, hub.View(True, frozenset(), frozenset()), lambda text: None) for _ in range(3)]
        for receiver in receivers:
            the_hub.add(receiver)
        the_hub.add(receivers[0])  # the same socket twice counts once
        assert collector.settling.open == 3
        the_hub.remove(receivers[1])
        the_hub.remove(receivers[1])
        assert collector.settling.open == 2
        the_hub.loop.close()
    finally:
        collector.settling = None
