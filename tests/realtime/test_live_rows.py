"""A page that says which list it shows gets the changed chats' rows in the frame itself, as that
list shows them to its person and in its language: no request back for them."""

from __future__ import annotations

import re

import pytest
from asgiref.sync import async_to_sync
from channels.db import database_sync_to_async
from channels.testing.websocket import WebsocketCommunicator
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from mostrador.asgi import application
from mostrador.inbox import actions
from mostrador.realtime import hub
from tests.realtime.test_consumer import session_cookie


async def opened(cookie: str, watch: dict | None) -> WebsocketCommunicator:
    comm = WebsocketCommunicator(application, "/ws/events", headers=[(b"cookie", cookie.encode()), (b"origin", b"http://127.0.0.1"), (b"host", b"127.0.0.1")])
    connected, _ = await comm.connect()
    assert connected
    if watch is not None:
        await comm.send_json_to({"type": "watch", **watch})
    # The answer to a ping comes after everything said before it was handled (and after the news
    # of this person coming online, when this is their first tab).
    await comm.send_json_to({"type": "ping"})
    for _ in range(3):
        if await comm.receive_json_from(timeout=2) == [{"type": "pong"}]:
            return comm
    raise AssertionError("no answer to a ping")


def write(inbox, who: str, text: str):
    return database_sync_to_async(actions.receive_customer_message)(inbox, actions.InboundMessage(contact_external_id=who, contact_name=who, text=text))


def waiting_title(html: str) -> str:
    """The words of a row's wait chip (each page's rows speak its language)."""
    return re.search(r'data-wait title="([^"]*)"', html).group(1)


def count(html: str, tab: str) -> str:
    return re.search(rf'data-count="{tab}">([^<]*)<', html).group(1)


@pytest.mark.django_db(transaction=True)
def test_the_frame_carries_the_new_row_and_counts_of_the_list_the_page_shows(client, agent, inbox):
    cookie = session_cookie(client, agent)

    async def scenario():
        english = await opened(cookie, {"list": "scope=all&tab=pending", "lang": "en"})
        spanish = await opened(cookie, {"list": "tab=pending&scope=all", "lang": "es-CL"})
        silent = await opened(cookie, None)
        await write(inbox, "Lucía Pérez", "¿Tienen la talla 38?")
        frames = [await comm.receive_json_from(timeout=2) for comm in (english, spanish, silent)]
        for comm in (english, spanish, silent):
            await comm.disconnect()
        return frames

    english, spanish, silent = async_to_sync(scenario)()
    conversation_id = english[0]["conversation_id"]
    rows = english[-1]
    assert rows["type"] == hub.LIST_ROWS
    # The list as the pane writes it, whatever order the page said it in.
    assert rows["list"] == "tab=pending&scope=all"
    assert rows["asked"] == [conversation_id]
    assert f'data-id="{conversation_id}"' in rows["html"] and "Lucía Pérez" in rows["html"] and "talla 38" in rows["html"]
    assert count(rows["html"], "pending").strip() == "1"
    # And the top bar's Pendientes, so a frame of messages leaves the page nothing to ask for.
    assert rows["pending"] == 1
    assert waiting_title(rows["html"]) == "Customer waiting for"
    assert waiting_title(spanish[-1]["html"]) == "El cliente espera hace"
    # A page that said nothing gets the events only, and fetches what it shows.
    assert all(event["type"] != hub.LIST_ROWS for event in silent)
    assert silent == english[:-1]


@pytest.mark.django_db(transaction=True)
def test_a_socket_just_opened_gets_its_lists_first_page_when_the_page_asks(client, agent, inbox):
    """What changed before the socket opened was told to nobody: the page asks for its list over
    the socket instead of fetching it."""
    cookie = session_cookie(client, agent)
    actions.receive_customer_message(inbox, actions.InboundMessage(contact_external_id="Lucía Pérez", contact_name="Lucía Pérez", text="¿Tienen la talla 38?"))

    async def scenario():
        comm = WebsocketCommunicator(application, "/ws/events", headers=[(b"cookie", cookie.encode()), (b"origin", b"http://127.0.0.1"), (b"host", b"127.0.0.1")])
        assert (await comm.connect())[0]
        await comm.send_json_to({"type": "watch", "list": "tab=pending&scope=all", "lang": "es", "page": True})
        frames = []
        while not any(item.get("type") == hub.LIST_ROWS for frame in frames for item in frame):
            frames.append(await comm.receive_json_from(timeout=2))
        await comm.disconnect()
        return frames[-1]

    rows = async_to_sync(scenario)()
    assert len(rows) == 1 and rows[0]["whole"] is True and rows[0]["list"] == "tab=pending&scope=all"
    assert "Lucía Pérez" in rows[0]["html"] and count(rows[0]["html"], "pending").strip() == "1"
    assert rows[0]["pending"] == 1


@pytest.mark.django_db(transaction=True)
def test_mine_carries_only_the_persons_own_rows_and_a_nonsense_list_changes_nothing(client, agent, inbox):
    cookie = session_cookie(client, agent)

    async def scenario():
        mine = await opened(cookie, {"list": "tab=pending&scope=mine", "lang": "es"})
        nonsense = await opened(cookie, {"list": ["tab"], "lang": 7})
        await write(inbox, "Pedro", "hola")
        frames = [await mine.receive_json_from(timeout=2), await nonsense.receive_json_from(timeout=2)]
        # The socket that said nonsense is still open and answers.
        await nonsense.send_json_to({"type": "ping"})
        frames.append(await nonsense.receive_json_from(timeout=2))
        for comm in (mine, nonsense):
            await comm.disconnect()
        return frames

    mine, nonsense, pong = async_to_sync(scenario)()
    rows = mine[-1]
    assert rows["type"] == hub.LIST_ROWS and rows["list"] == "tab=pending&scope=mine"
    # Nobody has taken the chat: it is not among hers, and her pending count stays at 0.
    assert "data-id=" not in rows["html"]
    assert count(rows["html"], "pending").strip() == "0"
    # The top bar counts every inbox she works, whoever holds the chat.
    assert rows["pending"] == 1
    assert all(event["type"] != hub.LIST_ROWS for event in nonsense)
    assert pong == [{"type": "pong"}]


@pytest.mark.django_db(transaction=True)
def test_someone_who_cannot_see_the_inbox_gets_no_rows_of_it(client, agent, outsider, inbox):
    cookie = session_cookie(client, outsider)

    async def scenario():
        theirs = await opened(cookie, {"list": "tab=all&scope=all", "lang": "es"})
        await write(inbox, "Marta", "precio del sillón")
        quiet = await theirs.receive_nothing(timeout=0.5)
        await theirs.disconnect()
        return quiet

    assert async_to_sync(scenario)()


@pytest.mark.django_db
def test_a_busy_frame_carries_the_rows_of_the_lists_first_page(agent, inbox, monkeypatch):
    """A busy number's frame names many chats at once: up to a first page's worth, their rows all
    come in it; beyond that, the rows of those on the list's first page (what a page that has not
    scrolled holds), never a request back from every open tab at once."""
    from mostrador.inbox import live_rows
    from mostrador.inbox.models import Conversation
    from mostrador.inbox.queries import ListFilters, conversation_list

    monkeypatch.setattr(live_rows, "PAGE", 10)
    monkeypatch.setattr(live_rows, "MOST_IN_FRAME", 10)
    for i in range(30):
        actions.receive_customer_message(inbox, actions.InboundMessage(contact_external_id=f"c{i}", contact_name=f"Cliente {i}", text="hola"))
    ids = tuple(Conversation.objects.order_by("?").values_list("pk", flat=True))
    lister = live_rows.ListRows()
    watching = lister.watch("tab=pending&scope=all", "es")
    few, busy = lister.render([(agent.pk, watching, ids[:10]), (agent.pk, watching, ids)])

    assert few["asked"] == list(ids[:10]) and "first_page" not in few
    assert {int(i) for i in re.findall(r'data-id="(\d+)"', few["html"])} == set(ids[:10])

    first_page, _ = conversation_list(agent, ListFilters(state="pending"), limit=10, cursor=None)
    assert busy["asked"] == list(ids), "every chat named, so a page drops those it holds that moved on"
    assert busy["first_page"] == 10
    assert {int(i) for i in re.findall(r'data-id="(\d+)"', busy["html"])} == {c.pk for c in first_page}
    assert count(busy["html"], "pending").strip() == "30"


# ---- the frame's shared reading against the page's own request, chat by chat -------------------

CHATS = st.lists(
    st.tuples(
        st.sampled_from(["whole", "own"]),  # which inbox
        st.sampled_from([None, "ana", "beto"]),  # assignee
        st.booleans(),  # in the team
        st.sampled_from(["pending", "with_ai", "awaiting_customer", "resolved"]),
    ),
    min_size=1, max_size=8,
)
LISTS = st.tuples(
    st.sampled_from(["pending", "with_ai", "awaiting_customer", "resolved", "all"]),
    st.sampled_from(["all", "mine", "unassigned"]),
    st.sampled_from(["", "inbox", "team"]),
)


def parts(html: str) -> tuple:
    """What a page takes from a changed-rows answer: each row (by id, place and state) and the
    tab counts."""
    rows = set(re.findall(r'data-id="(\d+)" data-sort="([^"]+)" data-state="(\w+)"', html))
    counts = dict(re.findall(r'data-count="(\w+)">([^<]*)<', html))
    return rows, counts


@pytest.mark.django_db
@hsettings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(chats=CHATS, lists=st.lists(LISTS, min_size=1, max_size=4), asked=st.lists(st.integers(0, 7), min_size=1, max_size=8))
def test_a_frames_rows_and_counts_are_what_each_persons_own_request_would_show(chats, lists, asked, monkeypatch):
    """Pages of three rows here: a frame naming more chats carries those of the first page only."""
    from datetime import timedelta

    from django.db import transaction
    from django.http import QueryDict
    from django.utils import timezone

    from mostrador.accounts.models import Role, Team
    from mostrador.inbox import live_rows
    from mostrador.inbox.actions.inboxes import create_inbox
    from mostrador.inbox.listing import changed_rows, list_filters
    from mostrador.inbox.models import Contact, Conversation
    from mostrador.inbox.queries import conversation_list
    from tests.conftest import make_user

    monkeypatch.setattr(live_rows, "PAGE", 3)
    monkeypatch.setattr(live_rows, "MOST_IN_FRAME", 3)

    with transaction.atomic():
        people = {
            "ana": make_user("ana@x.test", Role.AGENT), "beto": make_user("beto@x.test", Role.AGENT),
            "sup": make_user("sup@x.test", Role.SUPERVISOR),
        }
        team = Team.objects.create(name="Repuestos")
        boxes = {"whole": create_inbox("Tienda", "api", {}), "own": create_inbox("Propia", "api", {"visibility": "own_and_unassigned"})}
        boxes["whole"].members.add(people["ana"])
        boxes["own"].members.add(people["ana"], people["beto"])
        now = timezone.now()
        hour = timedelta(hours=1)
        states = {
            "pending": {"waiting_since": now - hour},
            "with_ai": {"waiting_since": now - hour, "ai_deadline": now + hour},
            "awaiting_customer": {},
            "resolved": {"resolved": True},
        }
        made = []
        for k, (box, assignee, in_team, state) in enumerate(chats):
            contact = Contact.objects.create(name=f"Cliente {k}")
            made.append(Conversation.objects.create(
                inbox=boxes[box], contact=contact, assignee=people.get(assignee), team=team if in_team else None,
                last_activity_at=now - timedelta(minutes=k), **states[state],
            ).pk)
        ids = tuple(dict.fromkeys(made[i % len(made)] for i in asked))
        lister = live_rows.ListRows()
        jobs = []
        for tab, scope, extra in lists:
            query = f"tab={tab}&scope={scope}" + {"": "", "inbox": f"&inbox={boxes['own'].pk}", "team": f"&team={team.pk}"}[extra]
            for person in people.values():
                jobs.append((person.pk, lister.watch(query, "es"), ids))
        items = lister.render(jobs)
        for (user_id, watching, _), item in zip(jobs, items, strict=True):
            person = next(p for p in people.values() if p.pk == user_id)
            filters, selected = list_filters(QueryDict(watching.query), user_id)
            own_rows, own_counts = parts(changed_rows(person, filters, selected, list(ids), timezone.now()))
            if len(ids) > 3:
                first_page = {str(c.pk) for c in conversation_list(person, filters, limit=3, cursor=None)[0]}
                own_rows = {row for row in own_rows if row[0] in first_page}
            assert parts(item["html"]) == (own_rows, own_counts), (person.email, watching.query)
        # After a gap, each list's whole first page: what the person's own list would show.
        pages = lister.first_pages([(user_id, watching) for user_id, watching, _ in jobs])
        for (user_id, watching, _), item in zip(jobs, pages, strict=True):
            person = next(p for p in people.values() if p.pk == user_id)
            filters, selected = list_filters(QueryDict(watching.query), user_id)
            first_page = [c.pk for c in conversation_list(person, filters, limit=3, cursor=None)[0]]
            assert item["whole"] and item["asked"] == first_page
            assert parts(item["html"]) == parts(changed_rows(person, filters, selected, first_page, timezone.now()))
        transaction.set_rollback(True)


# ---- the capped history counts, read at most every RECOUNT_SECONDS while chats keep changing ----

@pytest.mark.django_db
def test_busy_frames_carry_the_history_counts_read_last_and_a_recount_brings_them_up_to_date(agent, inbox, settings, monkeypatch):
    from mostrador.inbox import live_rows

    settings.MOSTRADOR_REALTIME_RECOUNT_SECONDS = 2
    now = [1000.0]
    monkeypatch.setattr(live_rows, "clock", lambda: now[0])
    lister = live_rows.ListRows()
    pending = lister.watch("tab=pending&scope=all", "es")
    resolved = lister.watch("tab=resolved&scope=all", "es")  # the same counts as Pendientes'
    mine = lister.watch("tab=pending&scope=mine", "es")
    kept: dict = {}

    def frame(*jobs):
        return lister.render(list(jobs), kept)

    def chat(who):
        message, _ = actions.receive_customer_message(inbox, actions.InboundMessage(contact_external_id=who, contact_name=who, text="hola"))
        return message.conversation_id

    first = chat("c1")
    [item] = frame((agent.pk, pending, (first,)))
    assert count(item["html"], "all") == "1" and count(item["html"], "pending") == "1"
    assert lister.again_in(kept) is None, "nothing carried behind"

    # A second later another customer writes: Todos is carried as read, Pendientes is exact.
    now[0] += 1
    second = chat("c2")
    [item] = frame((agent.pk, pending, (second,)))
    assert count(item["html"], "all") == "1" and count(item["html"], "pending") == "2"
    assert lister.again_in(kept) == pytest.approx(1.0), "due two seconds after they were read"

    # When due, a recount with no chat named carries the current counts to the lists that carried
    # them behind; a list whose counts were not gets nothing.
    now[0] += 1
    [recount, alike, other] = frame((agent.pk, pending, ()), (agent.pk, resolved, ()), (agent.pk, mine, ()))
    assert recount["asked"] == [] and "data-id=" not in recount["html"]
    assert count(recount["html"], "all") == "2" and count(recount["html"], "pending") == "2"
    assert recount["pending"] == 2
    assert alike["list"] == "tab=resolved&scope=all" and count(alike["html"], "all") == "2"
    assert other is None
    assert lister.again_in(kept) is None

    # Two seconds after the last reading, a frame reads them again itself.
    now[0] += 2
    third = chat("c3")
    [item] = frame((agent.pk, pending, (third,)))
    assert count(item["html"], "all") == "3"
    assert lister.again_in(kept) is None


@pytest.mark.django_db(transaction=True)
def test_after_a_burst_the_page_gets_its_history_counts_as_they_ended(client, agent, inbox, settings):
    """Frames a moment apart carry Todos as first read; a last frame, with no chat in it, brings
    the count the burst left."""
    settings.MOSTRADOR_REALTIME_RECOUNT_SECONDS = 0.3
    cookie = session_cookie(client, agent)

    async def scenario():
        page = await opened(cookie, {"list": "tab=pending&scope=all", "lang": "es"})
        await write(inbox, "Ana", "hola")
        first = await page.receive_json_from(timeout=2)
        await write(inbox, "Beto", "hola")
        second = await page.receive_json_from(timeout=2)
        recount = await page.receive_json_from(timeout=2)
        await page.disconnect()
        return first, second, recount

    first, second, recount = async_to_sync(scenario)()
    assert count(first[-1]["html"], "all") == "1"
    assert count(second[-1]["html"], "all") == "1" and count(second[-1]["html"], "pending") == "2"
    assert len(recount) == 1 and recount[0]["type"] == hub.LIST_ROWS and recount[0]["asked"] == []
    assert count(recount[0]["html"], "all") == "2" and recount[0]["pending"] == 2


@pytest.mark.django_db(transaction=True)
def test_a_chat_given_to_a_colleague_leaves_the_other_sellers_lists_of_an_own_chats_inbox(client, agent, outsider):
    """In an inbox where sellers see their own chats and the unassigned ones, a chat one of them
    takes leaves the others' open lists at once: their frame names it, without its row, and
    their Pendientes count drops."""
    from django.test import Client

    from mostrador.inbox.actions.inboxes import create_inbox
    from mostrador.inbox.models import Conversation

    box = create_inbox("Mayoristas", "api", {"visibility": "own_and_unassigned"})
    box.members.set([agent, outsider])
    actions.receive_customer_message(box, actions.InboundMessage(contact_external_id="lu", contact_name="Lucía Pérez", text="¿Precio por mayor?"))
    chat = Conversation.objects.get(inbox=box)
    cookie = session_cookie(Client(), outsider)

    async def scenario():
        comm = await opened(cookie, {"list": "tab=pending&scope=all", "lang": "es"})
        await database_sync_to_async(actions.assign)(chat, actions.Actor.person(agent), user=agent)
        frame = await comm.receive_json_from(timeout=3)
        await comm.disconnect()
        return frame

    frame = async_to_sync(scenario)()
    rows = frame[-1]
    assert rows["type"] == hub.LIST_ROWS and rows["asked"] == [chat.pk]
    assert f'data-id="{chat.pk}"' not in rows["html"] and "Lucía" not in rows["html"]
    assert count(rows["html"], "pending").strip() == "0"
    # The event itself says no more than which chat changed: no name, no text.
    assert all(set(event) <= {"type", "conversation_id", "inbox_id", "state", "reason"} for event in frame[:-1])
