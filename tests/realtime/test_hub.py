"""The hub: each socket hears exactly what its person may see, in order, with one encoding per
distinct frame; and batches arriving close together share a frame."""

from __future__ import annotations

import asyncio
import json

from hypothesis import given, settings
from hypothesis import strategies as st

from mostrador.realtime import events, hub
from mostrador.teamwork.notices import NOTIFICATION_CREATED

INBOXES = [1, 2, 3]
PEOPLE = [10, 11, 12]


class Ear:
    """A socket reduced to what it is sent."""

    def __init__(self, user_id: int, view: hub.View, watching: str | None = None):
        self.user_id, self.view, self.watching = user_id, view, watching
        self.heard: list[str] = []

    def push(self, text: str) -> None:
        self.heard.append(text)


views = st.builds(
    lambda everything, whole, own: hub.View(everything, frozenset(whole), frozenset(own - whole)),
    st.booleans(), st.sets(st.sampled_from(INBOXES)), st.sets(st.sampled_from(INBOXES)),
)
chat_events = st.builds(
    lambda inbox, conv, reason: events.make(events.CONVERSATION_CHANGED, conversation_id=conv, inbox_id=inbox, state="pending", reason=reason),
    st.sampled_from(INBOXES), st.integers(1, 6), st.sampled_from(["message", "assigned"]),
)
personal_events = st.builds(
    lambda user, conv: events.make(NOTIFICATION_CREATED, user_id=user, notification_id=1, conversation_id=conv, kind="pending"),
    st.sampled_from(PEOPLE), st.integers(1, 6),
)
people_events = st.just({"type": "availability.changed", "user_id": 10, "availability": "online"})


def may_see(ear: Ear, event: dict, assignees: dict) -> bool:
    """The rule written out plainly, event by event (inbox.policy's, for one socket)."""
    if event["type"] in events.PERSONAL:
        return event["user_id"] == ear.user_id
    if "inbox_id" not in event:
        return True
    inbox = event["inbox_id"]
    if inbox in ear.view.own_only:
        # A chat given to someone: whoever held it before, maybe this person, must drop it.
        given = event.get("reason") == "assigned"
        return given or assignees.get(event["conversation_id"]) in (None, ear.user_id)
    return ear.view.everything or inbox in ear.view.inbox_ids


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.tuples(st.sampled_from(PEOPLE), views), min_size=1, max_size=8),
    st.lists(st.one_of(chat_events, personal_events, people_events), min_size=1, max_size=12),
    st.dictionaries(st.integers(1, 6), st.one_of(st.none(), st.sampled_from(PEOPLE))),
)
def test_every_socket_hears_exactly_what_it_may_see_in_order(sockets, batch, assignees):
    the_hub = hub.Hub(asyncio.new_event_loop())
    ears = [Ear(user, view) for user, view in sockets]
    for ear in ears:
        the_hub.add(ear)
    the_hub.loop.run_until_complete(the_hub._send(batch, the_hub._plan(batch, assignees), {}))
    texts = {}
    for ear in ears:
        expected = [e for e in batch if may_see(ear, e, assignees)]
        heard = [e for text in ear.heard for e in json.loads(text)]
        assert heard == expected
        assert len(ear.heard) == (1 if expected else 0)
        if ear.heard:
            # The same frame is the same string, encoded once and shared.
            texts.setdefault(ear.heard[0], ear.heard[0])
            assert texts[ear.heard[0]] is ear.heard[0]
    the_hub.loop.close()


def test_batches_arriving_together_share_a_frame_and_a_quiet_one_goes_at_once(settings):
    settings.MOSTRADOR_REALTIME_FRAME_SECONDS = 0.5

    async def scenario():
        here = hub.here()
        sent: list[tuple[float, str]] = []
        loop = asyncio.get_running_loop()

        async def send(text):
            sent.append((loop.time(), text))

        ear = hub.Receiver(10, hub.View(everything=True), send)
        here.add(ear)
        ear.release()
        people = {"type": "availability.changed", "user_id": 11, "availability": "online"}
        started = loop.time()
        here.take([people])
        await here.settled()
        await asyncio.sleep(0)
        # A quiet hub sends at once...
        assert len(sent) == 1 and sent[0][0] - started < 0.1
        # ...and what comes within the next half second rides in one frame, sent when it is up.
        here.take([{**people, "availability": "away"}])
        here.take([{**people, "availability": "offline"}])
        await here.settled()
        await asyncio.sleep(0)
        assert len(sent) == 2
        assert [e["availability"] for e in json.loads(sent[1][1])] == ["away", "offline"]
        assert sent[1][0] - sent[0][0] >= 0.5
        here.remove(ear)

    asyncio.run(scenario())


def test_a_socket_that_cannot_keep_up_is_told_to_fetch_afresh():
    async def scenario():
        gate = asyncio.Event()
        sent = []

        async def slow(text):
            await gate.wait()
            sent.append(text)

        ear = hub.Receiver(10, hub.View(everything=True), slow)
        ear.release()
        for n in range(hub.MAX_BACKLOG + 5):
            ear.push(hub.frame([{"type": "x", "n": n}]))
        gate.set()
        while ear.sending:
            await asyncio.sleep(0)
        # Past the limit, the backlog became one "fetch afresh"; what came after follows it.
        assert sent[0] == hub.RESYNC
        assert [json.loads(text)[0]["n"] for text in sent[1:]] == list(range(hub.MAX_BACKLOG + 1, hub.MAX_BACKLOG + 5))

    asyncio.run(scenario())


def run_with(lister: hub.ListRows, scenario):
    """`scenario()` run on a loop of its own, with `lister` making the frames' list items."""
    previous, hub.rows = hub.rows, lister
    try:
        return asyncio.run(scenario())
    finally:
        hub.rows = previous


class Lister(hub.ListRows):
    """Rows written out as what they were rendered from; a list named "mine" is each person's."""

    def __init__(self):
        self.rendered: list[tuple] = []

    def share_key(self, user_id, view, watching):
        return (view, watching, user_id if watching == "mine" else None)

    def render(self, jobs, kept):
        self.rendered.extend(jobs)
        return [None if watching == "broken" else {"type": hub.LIST_ROWS, "list": watching, "asked": list(ids), "for": user_id}
                for user_id, watching, ids in jobs]


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.tuples(st.sampled_from(PEOPLE), views, st.sampled_from([None, "pending", "mine", "broken"])), min_size=1, max_size=8),
    st.lists(st.one_of(chat_events, personal_events, people_events), min_size=1, max_size=12),
    st.dictionaries(st.integers(1, 6), st.one_of(st.none(), st.sampled_from(PEOPLE))),
)
def test_a_frame_carries_the_rows_of_the_chats_it_names_rendered_once_per_alike_list(sockets, batch, assignees):
    lister = Lister()
    previous, hub.rows = hub.rows, lister
    loop = asyncio.new_event_loop()
    try:
        the_hub = hub.Hub(loop)
        ears = [Ear(user, view, watching) for user, view, watching in sockets]
        for ear in ears:
            the_hub.add(ear)
        plan = the_hub._plan(batch, assignees)
        loop.run_until_complete(the_hub._send(batch, plan, loop.run_until_complete(the_hub._rows(batch, plan))))
    finally:
        hub.rows = previous
        loop.close()
    groups = set()
    for ear in ears:
        expected = [e for e in batch if may_see(ear, e, assignees)]
        heard = [e for text in ear.heard for e in json.loads(text)]
        named = list(dict.fromkeys(e["conversation_id"] for e in expected if "conversation_id" in e))
        if ear.watching is not None and named:
            groups.add((lister.share_key(ear.user_id, ear.view, ear.watching), tuple(named)))
        if ear.watching in ("pending", "mine") and named:
            # The events, then the rows of exactly the chats they name, as this list shows them.
            assert heard[:-1] == expected
            assert heard[-1]["type"] == hub.LIST_ROWS and heard[-1]["list"] == ear.watching
            assert heard[-1]["asked"] == named
            if ear.watching == "mine":
                assert heard[-1]["for"] == ear.user_id
        else:
            # No list said, none that could be rendered, or nothing in it changed: events only.
            assert heard == expected
    # One rendering per distinct list, view and set of chats, however many sockets share it.
    assert len(lister.rendered) == len(groups)


class SlowLister(Lister):
    """Rows that take a while to make, as many groups of a busy team's lists would: 0.2 s of
    work."""

    def render(self, jobs, kept):
        import time

        began = time.thread_time()
        while time.thread_time() - began < 0.2:
            pass
        return super().render(jobs, kept)


class WaitingLister(Lister):
    """Rows whose thread waits 0.2 s doing nothing (for the interpreter, on a busy server)."""

    def render(self, jobs, kept):
        import time

        time.sleep(0.2)
        return super().render(jobs, kept)


def frames_while_the_first_is_made(settings, lister) -> list[tuple[float, str]]:
    settings.MOSTRADOR_REALTIME_FRAME_SECONDS = 0.05

    async def scenario():
        here = hub.here()
        loop = asyncio.get_running_loop()
        sent: list[tuple[float, str]] = []

        async def send(text):
            sent.append((loop.time(), text))

        ear = hub.Receiver(10, hub.View(everything=True), send, watching="pending")
        here.add(ear)
        ear.release()
        chat = lambda conv: events.make(events.CONVERSATION_CHANGED, conversation_id=conv, inbox_id=1, state="pending", reason="message")  # noqa: E731
        here.take([chat(1)])
        await asyncio.sleep(0.05)
        # Customers keep writing while the first frame's rows are being made.
        for conv in range(2, 6):
            here.take([chat(conv)])
            await asyncio.sleep(0.02)
        await here.settled()
        await asyncio.sleep(0)
        return sent

    sent = run_with(lister, scenario)
    assert len(sent) == 2
    first, second = (json.loads(text) for _, text in sent)
    assert first[-1]["asked"] == [1] and second[-1]["asked"] == [2, 3, 4, 5]
    return sent


def test_frames_that_take_long_to_make_come_less_often_and_fuller(settings):
    sent = frames_while_the_first_is_made(settings, SlowLister())
    # The first took 0.2 s of work to make: the next began as long again after it ended, not
    # FRAME_SECONDS after, so they went out 0.4 s apart (0.2 s without the wait).
    assert sent[1][0] - sent[0][0] >= 0.35


def test_a_frame_whose_thread_only_waited_does_not_hold_back_the_next(settings):
    """Time the frames thread spent waiting, not working, is no cost to the process: the next
    frame goes FRAME_SECONDS after the first began, at once since the first took longer."""
    sent = frames_while_the_first_is_made(settings, WaitingLister())
    assert sent[1][0] - sent[0][0] < 0.35


class HeldLoopLister(Lister):
    """Rows whose grouping holds the loop 0.3 s on the first frame without working, as waiting
    for the interpreter or for a core does on a busy server."""

    held = False

    def share_key(self, user_id, view, watching):
        import time

        if not self.held:
            self.held = True
            time.sleep(0.3)
        return super().share_key(user_id, view, watching)


def test_a_frame_whose_loop_was_held_up_without_working_does_not_hold_back_the_next(settings):
    """Nor is the loop's own wait: what a frame costs is the CPU time it took, so a server whose
    cores are all busy does not also space its frames further apart. A change that comes just
    after a frame that took 0.3 s of waiting goes out at once, not 0.3 s later."""
    settings.MOSTRADOR_REALTIME_FRAME_SECONDS = 0.05

    async def scenario():
        here = hub.here()
        loop = asyncio.get_running_loop()
        sent: list[float] = []

        async def send(text):
            sent.append(loop.time())

        ear = hub.Receiver(10, hub.View(everything=True), send, watching="pending")
        here.add(ear)
        ear.release()
        chat = lambda conv: events.make(events.CONVERSATION_CHANGED, conversation_id=conv, inbox_id=1, state="pending", reason="message")  # noqa: E731
        here.take([chat(1)])
        await here.settled()
        here.take([chat(2)])
        await here.settled()
        await asyncio.sleep(0)
        return sent

    sent = run_with(HeldLoopLister(), scenario)
    assert len(sent) == 2
    assert sent[1] - sent[0] < 0.15


def test_a_fan_out_to_many_sockets_lets_other_work_in_between():
    """A webhook's POST that arrives while a frame goes to a thousand sockets is read after a
    chunk of them, not after all: the loop gets its turn between chunks."""
    loop = asyncio.new_event_loop()
    the_hub = hub.Hub(loop)
    ears = [Ear(user, hub.View(everything=True)) for user in range(1, 1001)]
    for ear in ears:
        the_hub.add(ear)
    batch = [events.make(events.CONVERSATION_CHANGED, conversation_id=1, inbox_id=1, state="pending", reason="message")]
    sent_before_the_post = []

    async def fan_out_while_a_post_arrives():
        sending = loop.create_task(the_hub._send(batch, the_hub._plan(batch, {}), {}))
        await asyncio.sleep(0)  # the fan-out has begun
        # What the loop runs next for a request that came in: how many sockets had their frame by then.
        loop.call_soon(lambda: sent_before_the_post.append(sum(1 for ear in ears if ear.heard)))
        await sending

    loop.run_until_complete(fan_out_while_a_post_arrives())
    loop.close()
    assert all(len(ear.heard) == 1 for ear in ears)
    assert 0 < sent_before_the_post[0] < len(ears) // 10, sent_before_the_post


class BehindLister(Lister):
    """A lister whose first frame carries something read earlier: it asks to be asked again 0.1 s
    later, and then has an item for the "pending" list alone."""

    def render(self, jobs, kept):
        if all(ids for _, _, ids in jobs):
            kept["behind"] = True
            return super().render(jobs, kept)
        self.rendered.extend(jobs)
        kept["behind"] = False
        return [{"type": hub.LIST_ROWS, "list": watching, "asked": [], "recount": True} if watching == "pending" else None
                for _, watching, _ in jobs]

    def again_in(self, kept):
        return 0.1 if kept.get("behind") else None


def test_a_list_that_carried_something_behind_gets_a_frame_of_its_item_alone_when_due(settings):
    settings.MOSTRADOR_REALTIME_FRAME_SECONDS = 0.05
    lister = BehindLister()

    async def scenario():
        here = hub.here()
        ears = {name: Ear(10, hub.View(everything=True), watching=name) for name in ("pending", "mine", None)}
        for ear in ears.values():
            here.add(ear)
        here.take([events.make(events.CONVERSATION_CHANGED, conversation_id=1, inbox_id=1, state="pending", reason="message")])
        await here.settled()
        assert here.recount_at is not None, "the lister said when"
        deadline = asyncio.get_running_loop().time() + 2
        while not (len(ears["pending"].heard) == 2 and here.recount_at is None and hub.RECOUNT not in here.owed):
            assert asyncio.get_running_loop().time() < deadline, "no recount came"
            await asyncio.sleep(0.02)
        await here.settled()
        return {name: [json.loads(text) for text in ear.heard] for name, ear in ears.items()}

    heard = run_with(lister, scenario)
    # The change's frame, then the "pending" list's item alone; nothing more for the others, and
    # nothing asked again once nothing was behind.
    assert [frame[-1]["type"] for frame in heard["pending"]] == [hub.LIST_ROWS, hub.LIST_ROWS]
    assert heard["pending"][1] == [{"type": hub.LIST_ROWS, "list": "pending", "asked": [], "recount": True}]
    assert len(heard["mine"]) == 1 and len(heard[None]) == 1
    assert [ids for _, _, ids in lister.rendered] == [(1,), (1,), (), ()]


class PagesLister(Lister):
    """First pages written out as what they were made from; a "broken" list has none."""

    def __init__(self):
        super().__init__()
        self.pages: list[tuple] = []

    def first_pages(self, jobs):
        self.pages.extend(jobs)
        return [None if watching == "broken" else {"type": hub.LIST_ROWS, "list": watching, "whole": True, "for": user_id}
                for user_id, watching in jobs]


def frames_after(lister: hub.ListRows, sockets: list[tuple[int, str | None]], happen) -> list[list]:
    """The frames each socket ((person, list) each, all seeing everything) heard once
    `happen(hub, ears)` had been done and the hub had settled."""

    async def scenario():
        here = hub.here()
        ears = [Ear(person, hub.View(everything=True), watching) for person, watching in sockets]
        for ear in ears:
            here.add(ear)
        happen(here, ears)
        await here.settled()
        return [[json.loads(text) for text in ear.heard] for ear in ears]

    return run_with(lister, scenario)


def test_after_a_gap_every_socket_is_told_with_its_lists_first_page_made_once_per_alike_list(settings):
    settings.MOSTRADOR_REALTIME_FRAME_SECONDS = 0.05
    lister = PagesLister()
    sockets = [(10, "pending"), (11, "pending"), (10, "pending"), (10, "mine"), (11, "mine"), (12, "broken"), (12, None)]
    heard = frames_after(lister, sockets, lambda here, ears: here.resume())
    resumed = {"type": "live.resumed"}
    for frames, (person, watching) in zip(heard[:5], [(10, "pending"), (11, "pending"), (10, "pending"), (10, "mine"), (11, "mine")], strict=True):
        assert len(frames) == 1 and frames[0][0] == resumed
        assert frames[0][1]["whole"] and frames[0][1]["list"] == watching
        if watching == "mine":
            assert frames[0][1]["for"] == person
    # No first page to carry, or no list said: told alone, and the page fetches what it shows.
    assert heard[5] == [[resumed]] and heard[6] == [[resumed]]
    # One "pending" for all who see it alike, one "mine" each, one "broken": never one per socket.
    assert sorted(watching for _, watching in lister.pages) == ["broken", "mine", "mine", "pending"]
    assert {person for person, watching in lister.pages if watching == "mine"} == {10, 11}


def test_sockets_opening_together_get_their_lists_first_page_made_once_per_alike_list(settings):
    settings.MOSTRADOR_REALTIME_FRAME_SECONDS = 0.05
    lister = PagesLister()

    def reconnect(here, ears):
        # A whole team reconnecting: every page asks, and one closes before its page is made.
        for ear in ears:
            here.first_page(ear)
        here.remove(ears[-1])

    sockets = [(10, "pending"), (11, "pending"), (10, "mine"), (12, None), (12, "broken"), (11, "pending")]
    heard = frames_after(lister, sockets, reconnect)
    for frames, watching in zip(heard[:3], ["pending", "pending", "mine"], strict=True):
        # The first page alone: nothing else happened.
        assert len(frames) == 1 and len(frames[0]) == 1
        assert frames[0][0]["whole"] and frames[0][0]["list"] == watching
    # A page that said no list it shows, or whose list has no first page to give, fetches.
    assert heard[3] == [[{"type": "live.resumed"}]] and heard[4] == [[{"type": "live.resumed"}]]
    assert heard[5] == []
    assert sorted(watching for _, watching in lister.pages) == ["broken", "mine", "pending"]


def test_an_access_review_reads_every_persons_view_at_once_and_again_for_sockets_opened_meanwhile(monkeypatch):
    """Five tabs of one person are one read, not five; a socket opened during the read may hold a
    view from before the change, so it is reviewed too; one closed during the read stays out."""
    reads: list[set[int]] = []

    async def scenario():
        here = hub.here()
        ears = [Ear(10, hub.View(everything=True)) for _ in range(5)] + [Ear(11, hub.View(everything=True))]
        for ear in ears:
            here.add(ear)
        late = Ear(12, hub.View(everything=True))

        async def views_of(user_ids):
            reads.append(set(user_ids))
            if len(reads) == 1:
                here.add(late)
                here.remove(ears[-1])
            return {user_id: hub.View(inbox_ids=frozenset({user_id})) for user_id in user_ids}, 0.0

        monkeypatch.setattr(hub, "_views_of", views_of)
        here.take([events.make(events.ACCESS_CHANGED)])
        await here.settled()
        return here, ears, late

    here, ears, late = asyncio.run(scenario())
    assert reads == [{10, 11}, {12}]
    assert all(ear.view == hub.View(inbox_ids=frozenset({10})) for ear in ears[:5])
    assert late.view == hub.View(inbox_ids=frozenset({12}))
    assert set(here.receivers) == {*ears[:5], late} and len(here) == 6
    assert set(here.people) == {10, 12}
