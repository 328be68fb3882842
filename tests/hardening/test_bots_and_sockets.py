"""A bot never takes the turn back; a socket survives nonsense and follows its person's access."""

from __future__ import annotations

import asyncio

import pytest
from asgiref.sync import async_to_sync
from channels.db import database_sync_to_async

from mostrador.inbox import actions
from tests.conftest import customer_says
from tests.private_redis import PrivateRedis
from tests.sockets import cookie_for, tab, until_pong

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_bot_may_switch_the_ai_off_but_never_back_on(bot_api, agent_api, ai_inbox):
    conv_id = customer_says(ai_inbox.pk, "hola")["conversation_id"]
    assert bot_api.post(f"/conversations/{conv_id}/handoff", {"reason": "needs_person"}).json_body["state"] == "pending"
    assert bot_api.post(f"/conversations/{conv_id}/ai", {"enabled": False}).status_code == 200
    refused = bot_api.post(f"/conversations/{conv_id}/ai", {"enabled": True})
    assert refused.status_code == 403 and refused.json_body["code"] == "person_only_ai_on"
    assert agent_api.get(f"/conversations/{conv_id}").json_body["state"] == "pending"
    # A person may.
    assert agent_api.post(f"/conversations/{conv_id}/ai", {"enabled": True}).status_code == 200


def test_a_socket_ignores_frames_that_are_not_json(agent):
    cookie = cookie_for(agent)

    async def scenario():
        socket = tab(cookie)
        assert (await socket.connect())[0]
        await socket.send_to(text_data="{not json")
        await socket.send_to(text_data="[" * 100_000)
        await socket.send_to(bytes_data=b"\x00\x01")
        await socket.send_to(text_data='"a string"')
        await until_pong(socket)  # still open, still answering
        await socket.disconnect()

    async_to_sync(scenario)()


def test_someone_taken_off_an_inbox_stops_hearing_of_it_at_once(admin_api, agent, inbox):
    cookie = cookie_for(agent)

    async def scenario():
        socket = tab(cookie)
        assert (await socket.connect())[0]
        await until_pong(socket)
        answer = await database_sync_to_async(admin_api.patch)(f"/inboxes/{inbox.pk}", {"member_ids": []})
        assert answer.status_code == 200
        frames = await until_pong(socket)
        assert [e["type"] for f in frames for e in f] == ["access.changed"]
        await database_sync_to_async(actions.receive_customer_message)(inbox, actions.InboundMessage(contact_external_id="z", text="secreto"))
        assert await until_pong(socket) == []
        await socket.disconnect()

    async_to_sync(scenario)()


def test_a_persons_other_tabs_follow_their_access_as_the_first_does(admin_api, agent, inbox):
    """A second tab takes the first one's view: it must be the view as it is now, taken off the
    inbox and put back."""
    cookie = cookie_for(agent)

    def customer_writes(text: str):
        return database_sync_to_async(actions.receive_customer_message)(inbox, actions.InboundMessage(contact_external_id="z", text=text))

    async def scenario():
        first = tab(cookie)
        assert (await first.connect())[0]
        await until_pong(first)
        assert (await database_sync_to_async(admin_api.patch)(f"/inboxes/{inbox.pk}", {"member_ids": []})).status_code == 200
        assert [e["type"] for f in await until_pong(first) for e in f] == ["access.changed"]
        second = tab(cookie)
        assert (await second.connect())[0]
        await customer_writes("secreto")
        assert await until_pong(first) == [] and await until_pong(second) == []
        answer = await database_sync_to_async(admin_api.patch)(f"/inboxes/{inbox.pk}", {"member_ids": [agent.pk]})
        assert answer.status_code == 200
        third = tab(cookie)
        assert (await third.connect())[0]
        for socket in (first, second):
            assert [e["type"] for f in await until_pong(socket) for e in f] == ["access.changed"]
        await customer_writes("de vuelta")
        for socket in (first, second, third):
            assert "conversation.changed" in [e["type"] for f in await until_pong(socket) for e in f]
            await socket.disconnect()

    async_to_sync(scenario)()


@pytest.fixture
def private_redis(settings):
    """Realtime through a Redis of this test's own, which it stops and starts."""
    from mostrador.realtime import relay

    redis = PrivateRedis()
    settings.REDIS_URL, settings.MOSTRADOR_REDIS_PREFIX = redis.url, "hardening"
    relay.READY_WAIT, ready_wait = 0.5, relay.READY_WAIT
    yield redis
    relay.READY_WAIT = ready_wait
    redis.stop()


async def frames_until(socket, wanted: str) -> list[dict]:
    """The events a socket hears up to and including the first of type `wanted`."""
    heard: list[dict] = []
    while not any(e["type"] == wanted for e in heard):
        heard.extend(await socket.receive_json_from(timeout=15))
    return heard


def test_open_sockets_outlive_a_redis_restart_and_are_told_to_catch_up(agent, inbox, private_redis):
    """Redis restarting under open sockets: none is closed. Each is told it is not live while the
    subscription is cut, and to fetch afresh once it is back (it may have missed events); then
    news reaches it again. Redis holds nothing per socket, so nothing is left behind."""
    cookie = cookie_for(agent)

    async def scenario():
        sockets = [tab(cookie) for _ in range(3)]
        connections = []
        for socket in sockets:
            assert (await socket.connect())[0]
            await until_pong(socket)
            connections.append(await asyncio.to_thread(private_redis.clients))
        # One subscription for the whole process: more sockets hold no more in Redis.
        assert connections[0] == connections[-1]
        await asyncio.to_thread(private_redis.stop)
        for socket in sockets:
            assert [e["type"] for e in await frames_until(socket, "live.paused")][-1] == "live.paused"
        await asyncio.to_thread(private_redis.start)
        for socket in sockets:
            await frames_until(socket, "live.resumed")
        await database_sync_to_async(actions.receive_customer_message)(inbox, actions.InboundMessage(contact_external_id="r", text="¿siguen ahí?"))
        for socket in sockets:
            assert "message.created" in [e["type"] for e in await frames_until(socket, "message.created")]
        for socket in sockets:
            await socket.disconnect()
        # The last socket gone, the process stops listening.
        assert await asyncio.to_thread(private_redis.clients) < connections[0]

    async_to_sync(scenario)()


def test_a_socket_opened_while_redis_is_away_is_served_and_told_when_it_is_back(agent, inbox, private_redis):
    private_redis.stop()
    cookie = cookie_for(agent)

    async def scenario():
        socket = tab(cookie)
        assert (await socket.connect())[0]
        await frames_until(socket, "live.paused")
        await asyncio.to_thread(private_redis.start)
        await frames_until(socket, "live.resumed")
        await database_sync_to_async(actions.receive_customer_message)(inbox, actions.InboundMessage(contact_external_id="s", text="hola"))
        await frames_until(socket, "message.created")
        await socket.disconnect()

    async_to_sync(scenario)()
