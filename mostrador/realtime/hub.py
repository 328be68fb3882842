"""This process's open sockets, and how a batch of events reaches them: once per process, not once
per socket.

A published batch arrives here once (from Redis, or straight from the committing thread when one
process serves everything). Batches that arrive close together are sent as one frame: at most one
frame per socket every `MOSTRADOR_REALTIME_FRAME_SECONDS`, and at once when the last was longer
ago, so a quiet inbox hears of a message immediately and a busy one costs a bounded number of
frames whatever the message rate. Each distinct frame is encoded once and shared by every socket
that may see exactly those events. A socket whose page said which list it shows also gets the
changed chats' rows in that list at the end of its frame, rendered once per group of sockets that
see it alike (`ListRows`, which the inbox registers); when what a frame carried was partly read
earlier (the history counts, on a busy inbox), the lister says when to ask again, and a frame of
that item alone follows with no chat changed. After a gap in what the process heard, each socket
is told so with its list's first page as it is now, made the same way; so is a socket just
opened, whose page asks for it.

Hubs are per event loop: `serve` runs one loop, and tests run each socket's loop of their own."""

from __future__ import annotations

import asyncio
import functools
import json
import logging
import threading
import time
import weakref
from collections.abc import Hashable, Iterable
from dataclasses import dataclass, field

from channels.db import database_sync_to_async
from django.conf import settings

from mostrador.core import collector
from mostrador.core.own_thread import own_thread

from . import events

log = logging.getLogger(__name__)

# A socket whose browser reads slower than events come is not fed without limit: past this many
# unsent frames it is told to fetch everything afresh instead.
MAX_BACKLOG = 50


@dataclass(frozen=True)
class View:
    """What one person may hear of: every inbox, or some, and of `own_only` among them only their
    own chats and the unassigned ones (inbox.policy)."""

    everything: bool = False
    inbox_ids: frozenset[int] = frozenset()
    own_only: frozenset[int] = frozenset()

    def shares(self, event: dict) -> bool:
        """Whether every socket of this view hears of `event` (personal events and own-only
        inboxes are decided per socket)."""
        if event["type"] in events.PERSONAL:
            return False
        inbox_id = event.get("inbox_id")
        if inbox_id is None:
            return True
        if inbox_id in self.own_only:
            return False
        return self.everything or inbox_id in self.inbox_ids


@dataclass(eq=False)
class Receiver:
    """One open socket as the hub sees it. `send` writes one frame (a JSON array, already
    encoded); frames go out in order, one at a time, without holding up the other sockets."""

    user_id: int
    view: View
    send: object  # async (text) -> None
    outbox: list[str] = field(default_factory=list)
    # The list the page shows, as `rows.watch` understood it: frames then carry its changed rows.
    watching: Hashable | None = None

    # Held until the socket is accepted: what is published meanwhile waits in the outbox.
    sending: bool = True

    def push(self, text: str) -> None:
        if len(self.outbox) >= MAX_BACKLOG:
            self.outbox[:] = [RESYNC]
        else:
            self.outbox.append(text)
        if not self.sending:
            self._start()

    def release(self) -> None:
        self.sending = False
        if self.outbox:
            self._start()

    def _start(self) -> None:
        self.sending = True
        task = asyncio.get_running_loop().create_task(self._drain())
        _in_flight.add(task)
        task.add_done_callback(_in_flight.discard)

    async def _drain(self) -> None:
        try:
            while self.outbox:
                await self.send(self.outbox.pop(0))  # type: ignore[operator]
        except Exception:  # noqa: BLE001 - a browser gone mid-send; its disconnect follows
            log.debug("could not send a frame", exc_info=True)
            self.outbox.clear()
        finally:
            self.sending = False


def frame(batch: list[dict]) -> str:
    # ASCII on purpose (json.dumps escapes the rest): the server encodes a frame's text to UTF-8
    # again for every socket it goes to, a copy for an ASCII string but a real transcoding
    # otherwise (1.4 against 51 µs for 75 KB of rows in Spanish). A faster encoder that wrote
    # UTF-8 (orjson) saved 200 µs once per frame and lost it many times over per socket.
    return json.dumps(batch, separators=(",", ":"))


# Said to a socket that may have missed events: its page fetches what it shows afresh. When a whole
# process may have (its Redis subscription was cut), "paused" comes first, so the page can say it
# is not live, and "resumed" comes with each list's first page (`Hub.resume`).
PAUSED = frame([{"type": "live.paused"}])
PONG = frame([{"type": "pong"}])
RESUMED = {"type": "live.resumed"}
RESYNC = frame([RESUMED])

# What a frame may owe besides events (`Hub.owed`).
RECOUNT = "recount"
RESUME = "resume"

_in_flight: set[asyncio.Task] = set()

# Sockets handed their frame before the loop may serve anything else (see `Hub._send`).
SEND_CHUNK = 50

# The frame's last item when it carries the changed chats' rows in the list the page shows.
LIST_ROWS = "list.rows"


class ListRows:
    """How a frame comes to carry the rows of the chats it names, as the page's list shows them:
    the inbox registers one (`rows`). Rendering happens once per distinct `share_key` and frame,
    however many sockets share it."""

    def watch(self, query: object, language: object) -> Hashable | None:
        """What a page said it shows (its list's query and language), or None if it makes no sense."""
        raise NotImplementedError

    def share_key(self, user_id: int, view: View, watching: Hashable) -> Hashable:
        """Sockets with the same key are shown the same rows and counts."""
        raise NotImplementedError

    def render(self, jobs: list[tuple[int, Hashable, tuple[int, ...]]], kept: dict) -> list[dict | None]:
        """For each (person, list, chat ids): the frame item carrying those rows, or None for the
        page to fetch them itself. `kept` is the hub's memory for the lister, the same dict on
        every call. Jobs naming no chats come when `again_in` said so: an item for each list that
        has something newer to say, None for the others. Called in a database thread."""
        raise NotImplementedError

    def again_in(self, kept: dict) -> float | None:
        """Seconds after which the lists rendered so far want rendering again though no chat
        changed (they carried something read earlier), or None."""
        return None

    def first_pages(self, jobs: list[tuple[int, Hashable]]) -> list[dict | None]:
        """For each (person, list): the item carrying that list's whole first page as it is now
        (its `whole` set), for sockets that may have missed changes; None for the page to fetch
        its list itself. Called in a database thread."""
        return [None] * len(jobs)


rows: ListRows | None = None


class Hub:
    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.loop = loop
        self.views: dict[View, set[Receiver]] = {}
        # The same sockets by person: a second tab takes the view of the first (`view_for`).
        self.people: dict[int, set[Receiver]] = {}
        self.size = 0
        self.pending: list[dict] = []
        self.flush_at: asyncio.TimerHandle | asyncio.Handle | None = None
        # When the next frame may go: FRAME_SECONDS after the last began, and never sooner than
        # the last cost to make, so making frames takes at most half the process's time however
        # fast events come; a busier hub sends fuller frames instead. The cost is the work done,
        # in CPU time: the loop thread's while the frame was made (what else it served meanwhile
        # included) and the frames thread's, never wall time. On a busy server both threads wait
        # for the interpreter and for a core much of the time: counting the frames thread's wait
        # spaced frames 3-7 s apart (1-4.4 s for 0.35-1.2 s of work, at 200 messages/s with 1,000
        # tabs), and the loop's own wall time was twice its CPU at 1,000 messages/s.
        self.next_flush = 0.0
        # The CPU time the current frame's calls to the frames thread worked.
        self.worked = 0.0
        self.relay = None  # its Redis subscription, when REDIS_URL is set (relay.py)
        # What the lister keeps between frames, and when it asked to render the lists again.
        self.kept: dict = {}
        self.recount_at: asyncio.TimerHandle | None = None
        # What the next frame owes besides the pending events: RECOUNT (see `_recount`), RESUME
        # (events may have been missed: `resume`).
        self.owed: set[str] = set()
        # Sockets just opened whose pages asked for their list's first page (`first_page`).
        self.opening: set[Receiver] = set()
        # Resolved when what is pending has been handed to the sockets' outboxes.
        self.flushed: asyncio.Future | None = None

    @property
    def receivers(self) -> Iterable[Receiver]:
        for members in self.views.values():
            yield from members

    def __len__(self) -> int:
        # A plain count, read from other threads too (publishers): never a walk over the views,
        # which the loop may be changing at that moment.
        return self.size

    def add(self, receiver: Receiver) -> None:
        members = self.views.setdefault(receiver.view, set())
        if receiver not in members:
            members.add(receiver)
            self.people.setdefault(receiver.user_id, set()).add(receiver)
            self.size += 1
            if collector.settling:
                collector.settling.opened()

    def remove(self, receiver: Receiver) -> None:
        members = self.views.get(receiver.view)
        if members is not None and receiver in members:
            members.discard(receiver)
            tabs = self.people[receiver.user_id]
            tabs.discard(receiver)
            if not tabs:
                del self.people[receiver.user_id]
            self.size -= 1
            if collector.settling:
                collector.settling.closed()
            if not members:
                del self.views[receiver.view]

    async def view_for(self, person) -> View:
        """What a socket just opened by `person` may hear of. Their other tabs here have it
        already: after a restart each person's tabs reconnect together (five each, on a team of
        200 with 1,000 open), and reading it once per person spares the rest. Those tabs' view is
        current, as `_review_access` reviews every socket, and any opened while it works."""
        tabs = self.people.get(person.pk)
        if tabs:
            return next(iter(tabs)).view
        return await _view_of_person(person)

    def take(self, batch: list[dict]) -> None:
        """A committed batch reached this process (on the hub's loop)."""
        self.pending.extend(batch)
        if self.flush_at is not None:
            return
        if self.flushed is None or self.flushed.done():
            self.flushed = self.loop.create_future()
        wait = self.next_flush - self.loop.time()
        if wait > 0:
            self.flush_at = self.loop.call_later(wait, self._flush_soon)
        else:
            self.flush_at = self.loop.call_soon(self._flush_soon)

    def say_to_all(self, text: str) -> None:
        for receiver in list(self.receivers):
            receiver.push(text)

    def resume(self) -> None:
        """What was published while this process was not listening reached none of its sockets:
        each is told, with its list's first page as it is now (see `_first_page_items`)."""
        self.owed.add(RESUME)
        self.take([])

    def first_page(self, receiver: Receiver) -> None:
        """A page whose socket has just opened asks for its list's first page as it is now (what
        changed before was told to nobody here), made with those of every socket that opened
        about the same time: after a restart, every open tab reconnects at once."""
        self.opening.add(receiver)
        self.take([])

    def _flush_soon(self) -> None:
        task = self.loop.create_task(self._flush())
        _in_flight.add(task)
        task.add_done_callback(_in_flight.discard)

    async def _flush(self) -> None:
        began = self.loop.time()
        spent = time.thread_time()
        self.worked = 0.0
        batch, self.pending = self.pending, []
        owed, self.owed = self.owed, set()
        opening, self.opening = self.opening, set()
        try:
            if any(e["type"] == events.ACCESS_CHANGED for e in batch):
                await self._review_access()
            if batch:
                plan = self._plan(batch, await self._assignees(batch))
                await self._send(batch, plan, await self._rows(batch, plan))
            if RESUME in owed:
                await self._resume()  # every socket, the opening ones among them
            elif opening:
                await self._open([r for r in opening if r in self.views.get(r.view, ())])
            if RECOUNT in owed:
                await self._recount()
        except Exception:  # noqa: BLE001 - the database is away: the pages fetch afresh later
            log.exception("could not deliver %s realtime events", len(batch))
            self.say_to_all(RESYNC)
        finally:
            cost = time.thread_time() - spent + self.worked
            self.next_flush = max(began + settings.MOSTRADOR_REALTIME_FRAME_SECONDS, began + 2 * cost)
            self.flush_at = None
            if self.pending or self.owed or self.opening:
                self.take([])
            elif self.flushed is not None and not self.flushed.done():
                self.flushed.set_result(None)

    async def settled(self) -> None:
        """Wait until every batch this process has received is in its sockets' outboxes."""
        if self.flushed is not None and not self.flushed.done():
            await asyncio.shield(self.flushed)

    def _plan(self, batch: list[dict], assignees: dict[int, int | None]) -> list[tuple[Receiver, tuple[int, ...]]]:
        """Which of the batch's events each socket hears of, by their places in the batch."""
        personal: dict[int, list[int]] = {}
        for i, event in enumerate(batch):
            if event["type"] in events.PERSONAL:
                personal.setdefault(event["user_id"], []).append(i)
        plan = []
        # One object for each distinct share, across views too: _send keys its frames by identity.
        one: dict[tuple[int, ...], tuple[int, ...]] = {}
        for view, members in self.views.items():
            shared = [i for i, e in enumerate(batch) if view.shares(e)]
            # The own-only inboxes' events by assignee: the unassigned ones are everyone's, and so
            # are those that may have taken a chat from someone (events.CHANGE_HOLDER).
            own: dict[int | None, list[int]] = {}
            for i, e in enumerate(batch):
                if e.get("inbox_id") in view.own_only and e["type"] not in events.PERSONAL:
                    holder = None if events.declared(e, events.CHANGE_HOLDER) else assignees.get(e.get("conversation_id"))
                    own.setdefault(holder, []).append(i)
            everyones = tuple(sorted([*shared, *own.get(None, ())]))
            everyones = one.setdefault(everyones, everyones)
            # The very same tuple for everyone who hears no more than that, and each person's own
            # worked out once, not per tab: what follows is done once per distinct tuple.
            heard_by: dict[int, tuple[int, ...]] = {}
            for receiver in members:
                mine = heard_by.get(receiver.user_id, everyones)
                if receiver.user_id not in heard_by and (receiver.user_id in own or receiver.user_id in personal):
                    mine = tuple(sorted(
                        [*everyones, *own.get(receiver.user_id, ()), *personal.get(receiver.user_id, ())]
                    ))
                    mine = heard_by[receiver.user_id] = one.setdefault(mine, mine)
                if mine:
                    plan.append((receiver, mine))
        return plan

    async def _rows(self, batch: list[dict], plan: list[tuple[Receiver, tuple[int, ...]]]) -> dict[Receiver, tuple[Hashable, dict]]:
        """The changed chats' rows for each socket that said which list it shows, rendered once
        per group of sockets that see that list alike."""
        asks = []
        # The chats each distinct share of the batch names (the plan's tuples are shared, see _plan).
        named: dict[int, tuple[int, ...]] = {}
        for receiver, heard in plan:
            if receiver.watching is None:
                continue
            ids = named.get(id(heard))
            if ids is None:
                ids = named[id(heard)] = tuple(dict.fromkeys(batch[i]["conversation_id"] for i in heard if "conversation_id" in batch[i]))
            if ids:
                asks.append((receiver, ids))
        return await self._items(asks)

    async def _items(self, asks: Iterable[tuple[Receiver, tuple[int, ...]]], whole: bool = False) -> dict[Receiver, tuple[Hashable, dict]]:
        """For each (socket, chat ids): the lister's item, rendered once per group of sockets that
        see that list alike and ask about the same chats; sockets it has nothing for are left out.
        `whole`: each list's first page instead, for sockets that may have missed changes."""
        if rows is None:
            return {}
        # Each group's place in `groups`: a group (a share key and many chat ids) is hashed once
        # per socket, here, and the answer is shared by place and by identity (see _send).
        places: dict[Hashable, int] = {}
        groups: list[Hashable] = []
        jobs: list[tuple[int, Hashable, tuple[int, ...]]] = []
        wanted: dict[Receiver, int] = {}
        for receiver, ids in asks:
            group = (rows.share_key(receiver.user_id, receiver.view, receiver.watching), ids)
            place = places.get(group)
            if place is None:
                place = places[group] = len(groups)
                groups.append(group)
                jobs.append((receiver.user_id, receiver.watching, ids))
            wanted[receiver] = place
        if not jobs:
            return {}
        try:
            if whole:
                rendered = await self._on_thread(_first_pages, rows, [job[:2] for job in jobs])
            else:
                rendered = await self._on_thread(_render, rows, jobs, self.kept)
                self._ask_again()
        except Exception:  # noqa: BLE001 - the pages fetch the rows themselves, as without this
            log.exception("could not render the rows of %s lists", len(groups))
            return {}
        return {receiver: (groups[place], rendered[place]) for receiver, place in wanted.items() if rendered[place] is not None}

    def _ask_again(self) -> None:
        """When the lister wants the lists rendered again with no chat changed (see again_in)."""
        wait = rows.again_in(self.kept) if rows is not None else None
        if wait is not None and self.recount_at is None:
            self.recount_at = self.loop.call_later(wait, self._recount_due)

    def _recount_due(self) -> None:
        self.recount_at = None
        self.owed.add(RECOUNT)
        self.take([])

    async def _recount(self) -> None:
        """A frame of one item, to the sockets whose list has something newer to say though none
        of its chats changed since the last frame (the lister's counts were carried behind): the
        lister is asked about no chats, and a frame of no events goes out with its items."""
        listed = await self._items([(receiver, ()) for receiver in self.receivers if receiver.watching is not None])
        await self._send([], [(receiver, ()) for receiver in listed], listed)

    async def _resume(self) -> None:
        """Every socket is told events may have been missed, each page with its list's first page."""
        receivers = list(self.receivers)
        listed = await self._first_page_items(receivers)
        await self._send([RESUMED], [(receiver, (0,)) for receiver in receivers], listed)

    async def _open(self, receivers: list[Receiver]) -> None:
        """Each just-opened page gets its list's first page, or is told to fetch it."""
        listed = await self._first_page_items(receivers)
        for receiver in receivers:
            if receiver not in listed:
                receiver.push(RESYNC)
        await self._send([], [(receiver, ()) for receiver in listed], listed)

    async def _first_page_items(self, receivers: list[Receiver]) -> dict[Receiver, tuple[Hashable, dict]]:
        """Each page's list's first page as it is now, rendered once per group of sockets that
        see it alike: a thousand tabs catching up at once would otherwise each ask for their
        whole list."""
        return await self._items([(receiver, ()) for receiver in receivers if receiver.watching is not None], whole=True)

    async def _send(self, batch: list[dict], plan: list[tuple[Receiver, tuple[int, ...]]], listed: dict[Receiver, tuple[Hashable, dict]]) -> None:
        # By the identity of the share and of the group: sockets that hear alike are handed the
        # very same objects (_plan, _items), and hashing their contents again per socket cost
        # more than the rest of a send (a share names up to every event of the batch).
        encoded: dict[tuple[int, int], str] = {}
        for n, (receiver, heard) in enumerate(plan, 1):
            if n % SEND_CHUNK == 0:
                # Each push schedules a send, and the loop runs every scheduled callback before it
                # looks at its sockets again: yielding between chunks lets a webhook's POST that
                # came in meanwhile be read and answered without waiting for a thousand sends.
                await asyncio.sleep(0)
            group, item = listed.get(receiver, (None, None))
            key = (id(heard), id(group))
            text = encoded.get(key)
            if text is None:
                said = [batch[i] for i in heard]
                text = encoded[key] = frame([*said, item] if item is not None else said)
            receiver.push(text)

    async def _assignees(self, batch: list[dict]) -> dict[int, int | None]:
        """Who each chat in an own-only inbox is assigned to now: one query per frame, whatever
        the number of sockets."""
        own_only = set().union(*(view.own_only for view in self.views))
        ids = {e["conversation_id"] for e in batch if e.get("inbox_id") in own_only and "conversation_id" in e}
        if not ids:
            return {}
        return await self._on_thread(_assignees_of, ids)

    async def _on_thread(self, call, *args):
        """A call to the frames thread, its CPU time added to the frame's (see next_flush)."""
        value, cpu = await call(*args)
        self.worked += cpu
        return value

    async def _review_access(self) -> None:
        """Inbox members, teams or roles changed: every socket works out its view again, so someone
        taken off an inbox stops hearing of it at once. The views are read for all their people
        together, in a few queries however many sockets are open (one read per socket held every
        frame back for seconds with a thousand open), and again for sockets opened meanwhile: they
        may have read theirs, or taken a tab's, from before the change."""
        reviewed: set[Receiver] = set()
        while todo := [receiver for receiver in self.receivers if receiver not in reviewed]:
            views = await self._on_thread(_views_of, {receiver.user_id for receiver in todo})
            for receiver in todo:
                reviewed.add(receiver)
                # A socket closed during the read stays out.
                if views[receiver.user_id] != receiver.view and receiver in self.views.get(receiver.view, ()):
                    self.remove(receiver)
                    receiver.view = views[receiver.user_id]
                    self.add(receiver)


def _view(scope) -> View:
    if scope.everything:
        return View(everything=True)
    return View(inbox_ids=frozenset(scope.inbox_ids), own_only=frozenset(scope.own_only))


# Off the thread Channels shares among all sockets (see socket_auth.py): a read, needing no order.
# The person is the one the socket's session was just read for (and found active).
@functools.partial(database_sync_to_async, thread_sensitive=False)
def _view_of_person(person) -> View:
    from mostrador.inbox.policy import scope_of

    return _view(scope_of(person))


# A frame's reading and rendering run on a thread of their own (see core/own_thread.py).
_frames_thread = own_thread("frames")


def _on_frames_thread(fn):
    """`fn` made an awaitable that runs on the frames thread and returns (its value, the CPU
    seconds it took there)."""

    @functools.wraps(fn)
    def timed(*args):
        began = time.thread_time()
        return fn(*args), time.thread_time() - began

    return _frames_thread(timed)


@_on_frames_thread
def _render(lister: ListRows, jobs: list[tuple[int, Hashable, tuple[int, ...]]], kept: dict) -> list[dict | None]:
    return lister.render(jobs, kept)


@_on_frames_thread
def _first_pages(lister: ListRows, jobs: list[tuple[int, Hashable]]) -> list[dict | None]:
    return lister.first_pages(jobs)


@_on_frames_thread
def _views_of(user_ids: set[int]) -> dict[int, View]:
    """Each person's view; someone no longer active hears of nothing."""
    from mostrador.accounts.models import User
    from mostrador.inbox.policy import remember_scopes

    people = list(User.objects.filter(pk__in=user_ids, is_active=True))
    remember_scopes(people)
    found = {person.pk: _view(person.remembered_scope) for person in people}
    return {user_id: found.get(user_id, View()) for user_id in user_ids}


@_on_frames_thread
def _assignees_of(ids: set[int]) -> dict[int, int | None]:
    from mostrador.inbox.models import Conversation

    return dict(Conversation.objects.filter(pk__in=ids).values_list("pk", "assignee_id"))


_hubs: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, Hub] = weakref.WeakKeyDictionary()


# Hubs are made on their loops' threads and read from any thread that commits.
_hubs_lock = threading.Lock()


def here() -> Hub:
    """The hub of the running loop."""
    loop = asyncio.get_running_loop()
    with _hubs_lock:
        hub = _hubs.get(loop)
        if hub is None:
            hub = _hubs[loop] = Hub(loop)
    return hub


def hand_to_every_loop(batch: list[dict]) -> None:
    """Without Redis: a committed batch goes straight to this process's hubs, from whatever thread
    committed it (no trip through async_to_sync, which cost a millisecond per call)."""
    try:
        running = asyncio.get_running_loop()
    except RuntimeError:
        running = None
    with _hubs_lock:
        hubs = list(_hubs.items())
    for loop, hub in hubs:
        if not len(hub):
            continue
        if loop is running:
            hub.take(batch)
            continue
        try:
            loop.call_soon_threadsafe(hub.take, batch)
        except RuntimeError:  # that loop has closed (a test's), with nobody left on it
            pass
