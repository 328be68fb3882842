"""Availability from browser tabs (WebSocket presence), the socket's view of own-only inboxes,
and online time from the availability log."""

from __future__ import annotations

from datetime import timedelta

import pytest
from asgiref.sync import async_to_sync
from channels.db import database_sync_to_async
from channels.testing.websocket import WebsocketCommunicator
from django.utils import timezone

from mostrador.accounts.models import AvailabilityChange, User
from mostrador.inbox import actions
from mostrador.teamwork import presence
from mostrador.teamwork.availability import set_availability, time_by_availability
from tests.sockets import cookie_for, say, tab

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def no_grace(settings):
    """Closing the last tab takes effect at once here; the grace for reloads is tested apart."""
    settings.MOSTRADOR_PRESENCE_GRACE_SECONDS = 0
    presence.reset()


def availability_of(user) -> str:
    return User.objects.get(pk=user.pk).availability


async def opened(cookie: bytes) -> WebsocketCommunicator:
    socket = tab(cookie)
    assert (await socket.connect())[0]
    await say(socket, {"type": "hello"})
    return socket


async def closed(socket: WebsocketCommunicator) -> None:
    await socket.disconnect()


def test_tabs_bring_a_person_online_idle_makes_them_away_and_the_last_close_offline(agent):
    cookie = cookie_for(agent)

    async def scenario():
        first = await opened(cookie)
        assert await database_sync_to_async(availability_of)(agent) == "online"
        second = await opened(cookie)
        # One idle tab is not enough: the other is still in use.
        await say(first, {"type": "idle"})
        assert await database_sync_to_async(availability_of)(agent) == "online"
        await say(second, {"type": "idle"})
        assert await database_sync_to_async(availability_of)(agent) == "away"
        # Back at the keyboard: online again, because the browser (not the person) set "away".
        await say(second, {"type": "active"})
        assert await database_sync_to_async(availability_of)(agent) == "online"
        # Closing one tab keeps them online; closing the last makes them offline.
        await closed(first)
        await say(second, {"type": "hello"})
        assert await database_sync_to_async(availability_of)(agent) == "online"
        await closed(second)
        assert await database_sync_to_async(availability_of)(agent) == "offline"

    async_to_sync(scenario)()
    sources = list(AvailabilityChange.objects.filter(user=agent).order_by("at", "id").values_list("availability", "source"))
    assert sources == [("online", "presence"), ("away", "presence"), ("online", "presence"), ("offline", "presence")]


def test_offline_chosen_by_hand_survives_a_reload_and_a_reload_is_not_leaving(agent, settings):
    cookie = cookie_for(agent)

    async def scenario():
        socket = await opened(cookie)
        await database_sync_to_async(set_availability)(agent, "offline")
        await closed(socket)
        again = await opened(cookie)
        assert await database_sync_to_async(availability_of)(agent) == "offline"
        await database_sync_to_async(set_availability)(agent, "away")
        # With a grace period, a tab closed and another opened at once (a reload) changes nothing.
        settings.MOSTRADOR_PRESENCE_GRACE_SECONDS = 0.2
        await closed(again)
        third = await opened(cookie)
        await presence.settle()
        assert await database_sync_to_async(availability_of)(agent) == "away"
        await closed(third)
        await presence.settle()
        assert await database_sync_to_async(availability_of)(agent) == "offline"

    async_to_sync(scenario)()


def test_a_tab_not_heard_from_for_minutes_no_longer_counts(agent):
    import time_machine

    cookie = cookie_for(agent)

    async def scenario():
        lost = await opened(cookie)
        # Its process dies: no close ever comes. Minutes later, another tab comes and goes.
        with time_machine.travel(timezone.now() + timedelta(seconds=presence.STALE_SECONDS + 5), tick=True):
            other = await opened(cookie)
            await closed(other)
        assert await database_sync_to_async(availability_of)(agent) == "offline"
        await lost.disconnect()

    async_to_sync(scenario)()


def test_a_tab_is_kept_by_its_pings_not_by_saying_which_list_it_shows(agent):
    """A page pings every 30 s; what else it says (the list it shows, as its socket opens) is not
    presence, and writes nothing."""
    import time_machine

    start = timezone.now()

    async def scenario():
        tabs = presence.Presence()
        await tabs.opened(agent, "pinging")
        await tabs.opened(agent, "watching")
        with time_machine.travel(start + timedelta(seconds=presence.STALE_SECONDS - 20), tick=False):
            await tabs.said(agent, "pinging", {"type": "ping"})
            await tabs.said(agent, "watching", {"type": "watch", "list": "tab=pending&scope=all", "lang": "es"})
        with time_machine.travel(start + timedelta(seconds=presence.STALE_SECONDS + 20), tick=False):
            assert set(await presence.tabs().live(agent.pk)) == {"pinging"}

    async_to_sync(scenario)()


def test_away_chosen_by_hand_is_not_undone_by_moving_the_mouse(agent):
    cookie = cookie_for(agent)

    async def scenario():
        socket = await opened(cookie)
        await database_sync_to_async(set_availability)(agent, "away")
        await say(socket, {"type": "active"})
        assert await database_sync_to_async(availability_of)(agent) == "away"
        await closed(socket)

    async_to_sync(scenario)()


def test_an_own_only_agent_hears_nothing_of_a_colleagues_chats(agent, outsider):
    from mostrador.inbox.actions.inboxes import create_inbox

    box = create_inbox("Mayoristas", "api", {"visibility": "own_and_unassigned"})
    box.members.set([agent, outsider])
    theirs, _ = actions.receive_customer_message(box, actions.InboundMessage(contact_external_id="a", text="hola"))
    actions.assign(theirs.conversation, actions.Actor.system(), user=outsider)
    cookie = cookie_for(agent)

    async def scenario():
        socket = tab(cookie)
        await socket.connect()
        await database_sync_to_async(actions.receive_customer_message)(box, actions.InboundMessage(contact_external_id="a", text="¿y?"))
        await database_sync_to_async(actions.receive_customer_message)(box, actions.InboundMessage(contact_external_id="b", text="nuevo"))
        # Frames reach one socket in the order they were published, so once the new chat's
        # arrives, anything about the colleague's chat would have come before it. Frames about
        # people (someone came online) may come in between: they are not about chats.
        heard = []
        while not any(e.get("type") == "message.created" and e["conversation_id"] != theirs.conversation_id for e in heard):
            heard.extend(await socket.receive_json_from(timeout=2))
        await socket.disconnect()
        return heard

    heard = async_to_sync(scenario)()
    about_chats = {e["conversation_id"] for e in heard if "conversation_id" in e}
    assert len(about_chats) == 1 and theirs.conversation_id not in about_chats


def test_online_and_away_time_come_from_the_log(agent):
    t0 = timezone.now().replace(microsecond=0) - timedelta(hours=3)
    for minutes, availability in ((0, "online"), (30, "away"), (40, "online"), (100, "offline")):
        AvailabilityChange.objects.create(user=agent, availability=availability, at=t0 + timedelta(minutes=minutes))
    spent = time_by_availability(agent.pk, t0 + timedelta(minutes=10), t0 + timedelta(minutes=120))
    assert spent == {"online": (20 + 60) * 60.0, "away": 10 * 60.0}
    # A window that starts while someone is online counts from its start.
    assert time_by_availability(agent.pk, t0 + timedelta(minutes=50), t0 + timedelta(minutes=60)) == {"online": 600.0, "away": 0.0}


def test_one_persons_changes_keep_their_order_while_others_go_alongside(monkeypatch):
    """A slow change for one person does not hold up a colleague's, and her next change waits
    for it: "online" then "away" never lands as "away" then "online"."""
    import threading
    import time

    done = []
    first_started = threading.Event()

    def change_now(user_id, *, to, **how):
        if (user_id, to) == (1, "online"):
            first_started.set()
            time.sleep(0.2)  # a busy database
        done.append((user_id, to))

    monkeypatch.setattr(presence, "_change_now", change_now)

    async def scenario():
        import asyncio

        first = asyncio.ensure_future(presence._change(1, to="online", when_now=()))
        while not first_started.is_set():
            await asyncio.sleep(0.005)
        second = asyncio.ensure_future(presence._change(1, to="away", when_now=()))
        colleague = asyncio.ensure_future(presence._change(2, to="online", when_now=()))
        await asyncio.wait_for(asyncio.gather(first, second, colleague), 5)

    async_to_sync(scenario)()
    assert done == [(2, "online"), (1, "online"), (1, "away")]
