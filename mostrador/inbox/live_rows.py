"""The rows a live frame carries: each page says over its socket which list it shows, and when
chats change, the hub asks here for their rows in that list, rendered once for every socket that
sees the same list the same way (realtime/hub.py)."""

from __future__ import annotations

import time
from collections.abc import Hashable
from dataclasses import dataclass

from django.conf import settings
from django.http import QueryDict
from django.utils import timezone, translation

from mostrador.accounts.models import User
from mostrador.inbox.listing import PAGE, changed_html, every_state, list_filters, list_query, marked
from mostrador.inbox.models import Conversation
from mostrador.inbox.policy import Scope, remember_scopes, scope_of
from mostrador.inbox.queries import (
    EXACT_COUNTS,
    STATES,
    ListFilters,
    PageEnd,
    capped_counts,
    first_pages_end,
    first_pages_ids,
    open_waits,
    read_rows,
    state_filter,
)
from mostrador.inbox.row import row_html
from mostrador.realtime import hub
from mostrador.rules.attention import State

# Longer than any list query the pane writes (tab, whose, inbox, team).
LONGEST_QUERY = 200
# A frame carries the rows of every changed chat in a list, up to a first page's worth. A busy
# frame names more (hundreds of customers writing at once): it then carries the rows of those
# among the list's first page only, which is what a page that has not scrolled holds, and the
# page drops those it held that moved past it. Sending every open tab off to fetch its whole list
# instead would come all at once, from every tab, and stall the server for seconds.
MOST_IN_FRAME = PAGE


@dataclass(frozen=True)
class Watched:
    """One list as a page shows it: its query as the pane writes it, and the page's language."""

    query: str
    language: str
    mine: bool  # "Mine": the same query lists other chats for each person
    # What of the list does not depend on the person (state, inbox, team, "unassigned"): the
    # changed chats are read once per these for everyone.
    shared: ListFilters


class ListRows(hub.ListRows):
    def watch(self, query: object, language: object) -> Watched | None:
        if not isinstance(query, str) or len(query) > LONGEST_QUERY:
            return None
        shared, selected = list_filters(QueryDict(query), None)
        return Watched(list_query(selected), _spoken(language), mine=selected["scope"] == "mine", shared=shared)

    def share_key(self, user_id: int, view: hub.View, watching: Hashable) -> Hashable:
        assert isinstance(watching, Watched)
        # Those who see every chat of the same inboxes see the same rows and counts (and the same
        # Pendientes in the top bar); in an inbox where sellers see only their own chats, or in
        # "Mine", the rows are each person's.
        personal = watching.mine or bool(view.own_only)
        return (view, watching, user_id if personal else None)

    def render(self, jobs: list[tuple[int, Hashable, tuple[int, ...]]], kept: dict | None = None) -> list[dict | None]:
        frame = _Frame(jobs, Recounts(kept) if kept is not None else None)
        return [frame.item(user_id, watching, ids) if ids or frame.recounted(user_id, watching) else None
                for user_id, watching, ids in jobs]

    def again_in(self, kept: dict) -> float | None:
        return Recounts(kept).again_in()

    def first_pages(self, jobs: list[tuple[int, Hashable]]) -> list[dict | None]:
        # Each list's first page as its person sees it now, all read together, then those chats'
        # rows as any frame carries them, with counts read afresh (no recount memory: nothing
        # carried is trusted).
        people = User.objects.filter(is_active=True).in_bulk({user_id for user_id, _ in jobs})
        remember_scopes(list(people.values()))
        known = [(user_id, watching) for user_id, watching in jobs if user_id in people]
        asks = [(people[user_id], list_filters(QueryDict(watching.query), user_id)[0]) for user_id, watching in known]
        pages = first_pages_ids(asks, PAGE, timezone.now())
        items = dict(zip(known, self.render([(*job, tuple(page)) for job, page in zip(known, pages, strict=True)]), strict=True))
        return [None if items.get(job) is None else {**items[job], "whole": True} for job in jobs]


class Recounts:
    """When each list's capped history counts were last read, for one hub (`kept` is its memory).

    Reading them is most of a busy frame's cost: with the sellers of an "own chats" inbox each
    counting their own, fifty scopes times three tabs of capped subqueries, every frame. So a
    frame reads a scope's history counts again only when they are MOSTRADOR_REALTIME_RECOUNT_SECONDS
    old, and otherwise carries the ones it read last; those lists are then "behind", and the hub
    asks once more when they are due, with no chat changed, so the last counts a page gets are
    always read after the last change. Pendientes and Con IA are always exact and current."""

    def __init__(self, kept: dict) -> None:
        # Each counts key's last reading: (when, the counts).
        self.last: dict[tuple, tuple[float, dict[str, int]]] = kept.setdefault("last", {})
        self.behind: set[tuple] = kept.setdefault("behind", set())

    def due(self, key: tuple, now: float, recount: bool) -> bool:
        """Whether this frame reads the key's counts (else it carries the last ones read)."""
        if recount:
            return key in self.behind
        return key not in self.last or now - self.last[key][0] >= settings.MOSTRADOR_REALTIME_RECOUNT_SECONDS

    def read(self, key: tuple, counts: dict[str, int], now: float) -> None:
        self.last[key] = (now, counts)
        self.behind.discard(key)

    def reused(self, key: tuple) -> dict[str, int]:
        self.behind.add(key)
        return self.last[key][1]

    def again_in(self) -> float | None:
        now = clock()
        # Scopes nobody asked about for long are forgotten (people who closed their tabs).
        for key in [k for k, (at, _) in self.last.items() if now - at > FORGET_AFTER and k not in self.behind]:
            del self.last[key]
        if not self.behind:
            return None
        return max(0.0, min(self.last[key][0] for key in self.behind) + settings.MOSTRADOR_REALTIME_RECOUNT_SECONDS - now)


FORGET_AFTER = 600.0
# The recounts' clock (tests move it by hand).
clock = time.monotonic


class _Frame:
    """One frame's rows and counts for every group that asked, sharing what does not depend on
    the person: each list's changed chats are read once for all (whom each may see is decided on
    that same read, by their scope), each row is rendered once per list and language, and the
    exact tab counts are sums of one grouped count (queries.open_waits). Only the capped history
    counts are read per scope, all of them in one statement (queries.capped_counts)."""

    def __init__(self, jobs: list[tuple[int, Hashable, tuple[int, ...]]], recounts: Recounts | None) -> None:
        self.now = timezone.now()
        self.people = User.objects.filter(is_active=True).in_bulk({user_id for user_id, _, _ in jobs})
        remember_scopes(list(self.people.values()))
        self.waits = open_waits(self.now)
        self.rows: dict[tuple, str] = {}
        self.exact: dict[tuple, dict[str, int]] = {}
        # Each job's list as its person sees it, read from the page's query once.
        self.filters: dict[tuple[int, Hashable], tuple[ListFilters, dict]] = {}
        # The capped history counts of every scope that asked, and where each busy list ends its
        # first page: each read for all of them together.
        asks: dict[tuple, tuple[User, ListFilters]] = {}
        busy: dict[tuple, tuple[User, ListFilters]] = {}
        # Jobs naming no chat ask only for counts that were carried while behind (Recounts).
        recounting = any(not ids for _, _, ids in jobs)
        self.fresh: set[tuple] = set()
        for user_id, watching, ids in jobs:
            person = self.people.get(user_id)
            if person is not None:
                assert isinstance(watching, Watched)
                if (user_id, watching) not in self.filters:
                    self.filters[(user_id, watching)] = list_filters(QueryDict(watching.query), user_id)
                filters = self.filters[(user_id, watching)][0]
                asks.setdefault(_counts_key(scope_of(person), filters), (person, every_state(filters)))
                if len(ids) > MOST_IN_FRAME:
                    busy.setdefault((_scope_key(scope_of(person)), filters), (person, filters))
        self.capped = self._capped(asks, recounts, recounting)
        self.ends = dict(zip(busy, first_pages_end(list(busy.values()), PAGE, self.now), strict=True))
        # Each list's changed chats, read once for the ids every group of it asked about, and in
        # a busy frame only as far as the furthest first page among them: at a thousand messages
        # a second, a frame names thousands of chats and shows a page of them.
        wanted: dict[ListFilters, set[int]] = {}
        reach: dict[ListFilters, PageEnd | None] = {}
        for user_id, watching, ids in jobs:
            assert isinstance(watching, Watched)
            if not ids:
                continue
            wanted.setdefault(watching.shared, set()).update(ids)
            if user_id in self.people:
                end = self._end(user_id, watching, ids)
                had = reach.get(watching.shared, end)
                reach[watching.shared] = None if end is None or had is None else max(end, had, key=lambda e: e.key)
        self.read = {shared: {c.pk: c for c in self._read(shared, ids, reach.get(shared))} for shared, ids in wanted.items()}

    def _capped(self, asks: dict[tuple, tuple[User, ListFilters]], recounts: Recounts | None, recounting: bool) -> dict:
        """Each scope's capped history counts: read now if due, else those read last."""
        moment = clock()
        due = [key for key in asks if recounts is None or recounts.due(key, moment, recounting)]
        capped = dict(zip(due, capped_counts([asks[key] for key in due], CAPPED, self.now), strict=True))
        self.fresh = set(due)
        if recounts is not None:
            for key in asks:
                if key in capped:
                    recounts.read(key, capped[key], moment)
                elif not recounting:
                    # Carried while its chats changed: behind. A recount has nothing to say of
                    # the others (nothing of theirs changed since they were read).
                    capped[key] = recounts.reused(key)
        return capped

    def recounted(self, user_id: int, watching: Hashable) -> bool:
        """Whether this frame read afresh the counts that person's list had been carrying behind."""
        person = self.people.get(user_id)
        return person is not None and _counts_key(scope_of(person), self.filters[(user_id, watching)][0]) in self.fresh

    def _end(self, user_id: int, watching: Watched, ids: tuple[int, ...]) -> PageEnd | None:
        """Where the rows this job carries end: its list's first page in a busy frame, else nowhere."""
        if len(ids) <= MOST_IN_FRAME:
            return None
        return self.ends[(_scope_key(scope_of(self.people[user_id])), self.filters[(user_id, watching)][0])]

    def _read(self, shared: ListFilters, ids: set[int], end: PageEnd | None) -> list:
        found = Conversation.objects.filter(state_filter(shared.state, self.now), pk__in=sorted(ids))
        if end is not None:
            found = found.filter(end.holding())
        found = found.filter(**{k: v for k, v in (("inbox_id", shared.inbox_id), ("team_id", shared.team_id)) if v is not None})
        if shared.unassigned:
            found = found.filter(assignee__isnull=True)
        return marked(read_rows(found), shared)

    def item(self, user_id: int, watching: Hashable, ids: tuple[int, ...]) -> dict | None:
        assert isinstance(watching, Watched)
        person = self.people.get(user_id)
        if person is None:
            return None  # the page fetches its list instead
        scope = scope_of(person)
        filters, selected = self.filters[(user_id, watching)]
        read = self.read.get(watching.shared, {})
        listed = [read[pk] for pk in ids if pk in read and scope.sees(read[pk].inbox_id, read[pk].assignee_id)
                  and (filters.assignee_id is None or read[pk].assignee_id == filters.assignee_id)]
        busy = len(ids) > MOST_IN_FRAME
        end = self._end(user_id, watching, ids)
        if end is not None:
            last = end.key
            listed = [c for c in listed if c.sort_key <= last]
        with translation.override(watching.language):
            rows = [self._row(watching, c, selected) for c in listed]
            counts = {**self._exact(scope, filters), **self.capped[_counts_key(scope, filters)]}
            html = changed_html(rows, list(ids), counts)
        # With the person's Pendientes across every inbox (the top bar's), a frame of messages
        # leaves the page nothing to ask for.
        pending = self._exact(scope, ListFilters())[State.PENDING.value]
        item = {"type": hub.LIST_ROWS, "list": watching.query, "asked": list(ids), "html": html, "pending": pending}
        if busy:
            # The rows are those of the first page alone: a page that scrolled further asks for its list.
            item["first_page"] = PAGE
        return item

    def _row(self, watching: Watched, c, selected: dict) -> str:
        key = (watching.query, watching.language, c.pk)
        if key not in self.rows:
            self.rows[key] = row_html(c, selected, self.now)
        return self.rows[key]

    def _exact(self, scope: Scope, filters: ListFilters) -> dict[str, int]:
        key = _counts_key(scope, filters)
        if key not in self.exact:
            counts = self.exact[key] = {State.PENDING.value: 0, State.WITH_AI.value: 0}
            for wait in self.waits:
                if scope.sees(wait["inbox_id"], wait["assignee_id"]) and _matches(wait, filters):
                    counts[State.PENDING.value] += wait["pending"]
                    counts[State.WITH_AI.value] += wait["with_ai"]
        return self.exact[key]


# The tabs whose counts stop at COUNT_CAP, read per scope and filters.
CAPPED = [state for state in STATES if state not in EXACT_COUNTS]


def _counts_key(scope: Scope, filters: ListFilters) -> tuple:
    """A list's tab counts: the person's scope and the list's filters other than its state."""
    return (*_scope_key(scope), every_state(filters))


def _scope_key(scope: Scope) -> tuple:
    """What of a person decides which chats they see: the same for everyone who sees the same
    inboxes wholly, each person's own where they see only their own chats."""
    return (scope.everything, scope.whole, scope.own_only, scope.user_id if scope.own_only else None)


def _matches(wait: dict, filters: ListFilters) -> bool:
    return (
        (filters.inbox_id is None or wait["inbox_id"] == filters.inbox_id)
        and (filters.team_id is None or wait["team_id"] == filters.team_id)
        and (filters.assignee_id is None or wait["assignee_id"] == filters.assignee_id)
        and (not filters.unassigned or wait["assignee_id"] is None)
    )


def _spoken(language: object) -> str:
    """The product language closest to the page's, else the organisation's."""
    if isinstance(language, str) and 0 < len(language) < 20:
        try:
            return translation.get_supported_language_variant(language.lower())
        except LookupError:
            pass
    return settings.LANGUAGE_CODE
