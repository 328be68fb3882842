"""The WebSocket only streams events of inboxes the signed-in user may see."""

import pytest
from asgiref.sync import async_to_sync
from channels.testing.websocket import WebsocketCommunicator

from mostrador.asgi import application
from mostrador.inbox import actions
from mostrador.inbox.actions.inboxes import create_inbox


def session_cookie(client, user):
    client.force_login(user)
    return f"sessionid={client.cookies['sessionid'].value}"


@pytest.mark.django_db(transaction=True)
def test_socket_streams_only_visible_inboxes(client, agent, inbox):
    other = create_inbox("Otra tienda", "api", {})
    cookie = session_cookie(client, agent)

    async def scenario():
        comm = WebsocketCommunicator(application, "/ws/events", headers=[(b"cookie", cookie.encode()), (b"origin", b"http://127.0.0.1"), (b"host", b"127.0.0.1")])
        connected, _ = await comm.connect()
        assert connected
        from channels.db import database_sync_to_async

        # Opening the tab brought this person online, which everyone signed in hears of.
        assert await comm.receive_json_from(timeout=2) == [{"type": "availability.changed", "user_id": agent.pk, "availability": "online"}]
        await database_sync_to_async(actions.receive_customer_message)(other, actions.InboundMessage(contact_external_id="x", text="secreto"))
        # A timed-out receive cancels the app in the test harness, so ask for silence instead.
        assert await comm.receive_nothing(timeout=0.5)
        await database_sync_to_async(actions.receive_customer_message)(inbox, actions.InboundMessage(contact_external_id="y", text="hola"))
        # One frame for the committed change, holding its events in order.
        got = await comm.receive_json_from(timeout=2)
        assert await comm.receive_nothing(timeout=0.3)
        await comm.disconnect()
        return got

    got = async_to_sync(scenario)()
    assert [e["type"] for e in got] == ["message.created", "conversation.changed"]
    assert all(e["inbox_id"] == inbox.pk for e in got)
    assert "secreto" not in str(got)


@pytest.mark.django_db(transaction=True)
def test_anonymous_socket_is_refused(db):
    async def scenario():
        comm = WebsocketCommunicator(application, "/ws/events", headers=[(b"origin", b"http://127.0.0.1"), (b"host", b"127.0.0.1")])
        connected, _ = await comm.connect()
        return connected

    assert async_to_sync(scenario)() is False
