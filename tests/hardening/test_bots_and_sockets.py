"""A bot never takes the turn back; a socket survives nonsense and follows its person's access."""

from __future__ import annotations

import pytest
from asgiref.sync import async_to_sync
from channels.db import database_sync_to_async

from mostrador.inbox import actions
from tests.conftest import customer_says
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


@pytest.fixture
def fresh_layer():
    """These tests break the channel layer on purpose, and a receive cut short there leaves the
    Redis layer's locks bound to this test's loop: the next test gets a new layer, as a new
    process would."""
    yield
    from channels.layers import channel_layers

    channel_layers.backends.pop("default", None)


def test_a_socket_opened_while_the_layer_is_down_is_told_to_come_back(agent, monkeypatch, fresh_layer):
    """Redis restarting: the handshake is not a 500; the socket closes with 1013 (try again
    later), and the page reconnects with backoff."""
    from channels.layers import get_channel_layer

    layer = get_channel_layer()

    async def down(*args, **kwargs):
        raise ConnectionError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(layer, "group_add", down)
    cookie = cookie_for(agent)

    async def scenario():
        socket = tab(cookie)
        connected, _ = await socket.connect()
        assert connected
        closing = await socket.receive_output(timeout=3)
        assert closing == {"type": "websocket.close", "code": 1013}
        await socket.wait()

    async_to_sync(scenario)()


def test_a_socket_whose_layer_fails_is_closed_with_try_again_later(agent, monkeypatch, fresh_layer):
    """Redis restarting under open sockets: each gets a close frame (1013), not a dropped
    connection, so the page reconnects and catches up."""
    import asyncio

    from channels.layers import get_channel_layer

    layer = get_channel_layer()
    real = layer.receive
    cookie = cookie_for(agent)

    async def scenario():
        cut = asyncio.Event()

        async def until_cut(channel):
            got = asyncio.ensure_future(real(channel))
            gone = asyncio.ensure_future(cut.wait())
            done, _ = await asyncio.wait({got, gone}, return_when=asyncio.FIRST_COMPLETED)
            if got in done:
                gone.cancel()
                return got.result()
            got.cancel()
            raise ConnectionError("Connection closed by server.")

        monkeypatch.setattr(layer, "receive", until_cut)
        socket = tab(cookie)
        assert (await socket.connect())[0]
        await until_pong(socket)
        cut.set()  # the layer goes away under the open socket
        while (frame := await socket.receive_output(timeout=3))["type"] == "websocket.send":
            pass  # news that was already on its way (someone coming online…)
        assert frame == {"type": "websocket.close", "code": 1013}
        await socket.wait()

    async_to_sync(scenario)()
