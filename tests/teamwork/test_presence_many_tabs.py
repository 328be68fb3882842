"""A whole office's tabs opening or closing at once (a network blip, a deploy): every one is
counted, with a bounded number of connections to Redis. redis-py's default pool refused calls past
100 connections, and each refused close left its person "online", so chats went on being
assigned to people who had gone."""

from __future__ import annotations

import asyncio
import subprocess

from mostrador.teamwork import presence
from tests.private_redis import PrivateRedis

PEOPLE = 400


def test_hundreds_of_tabs_opening_and_closing_at_once_are_all_counted():
    redis = PrivateRedis()
    try:
        tabs = presence.RedisTabs(redis.url, "many-tabs")
        most = 0

        async def watch_connections(stop: asyncio.Event) -> None:
            nonlocal most
            while not stop.is_set():
                most = max(most, await asyncio.to_thread(redis.clients))
                await asyncio.sleep(0.01)

        async def scenario() -> tuple[list, list, list]:
            stop = asyncio.Event()
            watcher = asyncio.ensure_future(watch_connections(stop))
            opened = await asyncio.gather(*(tabs.set(person, f"tab-{person}", presence.ACTIVE) for person in range(PEOPLE)))
            closed = await asyncio.gather(*(tabs.remove(person, f"tab-{person}") for person in range(PEOPLE)))
            stop.set()
            await watcher
            left = await asyncio.gather(*(tabs.live(person) for person in range(PEOPLE)))
            return opened, closed, left

        opened, closed, left = asyncio.run(scenario())
        assert all(len(tabs_open) == 1 for tabs_open in opened)
        assert closed == [{}] * PEOPLE and left == [{}] * PEOPLE
        # The tabs' connections and the watcher's own.
        assert most <= presence.MAX_CONNECTIONS + 1
    finally:
        redis.stop()


def test_tabs_closing_after_redis_restarted_are_all_counted():
    """Redis restarted under open tabs: the pool's connections are all dead, and closing the tabs
    afterwards must still take every one of them away."""
    redis = PrivateRedis()
    try:
        tabs = presence.RedisTabs(redis.url, "restarted")

        async def open_all() -> None:
            await asyncio.gather(*(tabs.set(person, f"tab-{person}", presence.ACTIVE) for person in range(50)))

        async def close_all() -> list:
            return await asyncio.gather(*(tabs.remove(person, f"tab-{person}") for person in range(50)))

        loop = asyncio.new_event_loop()
        try:
            loop.run_until_complete(open_all())
            redis.stop()
            redis.start()  # it keeps nothing: the tabs are gone, and so is every connection
            assert loop.run_until_complete(close_all()) == [{}] * 50
        finally:
            loop.close()
    finally:
        redis.stop()


def test_closes_waiting_longer_than_any_fixed_limit_for_a_connection_are_all_counted(monkeypatch):
    """On a server busy with a thousand sockets, a close can wait seconds for its turn at one of
    the few connections: it waits, instead of failing and leaving its person "online". Here Redis
    itself stalls for longer than the five seconds a close used to wait before it gave up."""
    monkeypatch.setattr(presence, "MAX_CONNECTIONS", 2)
    redis = PrivateRedis()
    try:
        tabs = presence.RedisTabs(redis.url, "stalled")

        async def scenario() -> list:
            await asyncio.gather(*(tabs.set(person, f"tab-{person}", presence.ACTIVE) for person in range(20)))
            # Redis answers no client for six seconds: every close queues behind the two held.
            subprocess.run(["redis-cli", "-p", str(redis.port), "client", "pause", "6000", "all"], check=True, capture_output=True)
            return await asyncio.gather(*(tabs.remove(person, f"tab-{person}") for person in range(20)))

        closed = asyncio.run(scenario())
        assert closed == [{}] * 20
        assert subprocess.run(["redis-cli", "-p", str(redis.port), "keys", "stalled:*"], capture_output=True, text=True).stdout.strip() == ""
    finally:
        redis.stop()
