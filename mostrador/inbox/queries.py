"""Read paths: what a user may see, the state lists in their orders, counts and cursors.

The state filters mirror rules.attention.state_at as indexed predicates, so a list is correct at
the moment it is read, whether or not a timer has fired yet.
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from datetime import timezone as dt_timezone

from django.db import connection
from django.db.models import Count, IntegerField, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from mostrador.accounts.models import ApiToken, Role, User
from mostrador.inbox import hooks
from mostrador.inbox.models import OPEN_WAIT, Conversation, Inbox
from mostrador.inbox.policy import inbox_people, scope_of, visible_conversations, visible_inboxes
from mostrador.rules.attention import State

STATES = [s.value for s in State] + ["all"]
__all__ = ["visible_conversations", "visible_inboxes", "conversation_list", "state_counts", "pending_total"]


def state_filter(state: str, now: datetime) -> Q:
    ai_running = Q(ai_deadline__gt=now)
    return {
        State.PENDING.value: OPEN_WAIT & ~ai_running,
        State.WITH_AI.value: OPEN_WAIT & ai_running,
        State.AWAITING_CUSTOMER.value: Q(resolved=False, waiting_since__isnull=True),
        State.RESOLVED.value: Q(resolved=True),
        "all": Q(),
    }[state]


# (field, descending) pairs, always ending in the primary key so the order is total.
ORDERINGS: dict[str, list[tuple[str, bool]]] = {
    State.PENDING.value: [("priority", True), ("waiting_since", False), ("id", False)],
    State.WITH_AI.value: [("ai_deadline", False), ("id", False)],
    State.AWAITING_CUSTOMER.value: [("last_activity_at", True), ("id", True)],
    State.RESOLVED.value: [("last_activity_at", True), ("id", True)],
    "all": [("last_activity_at", True), ("id", True)],
}


@dataclass(frozen=True)
class ListFilters:
    state: str = State.PENDING.value
    inbox_id: int | None = None
    assignee_id: int | None = None
    unassigned: bool = False
    team_id: int | None = None


def filtered(user, filters: ListFilters) -> QuerySet[Conversation]:
    return _narrowed(visible_conversations(user), filters)


def _narrowed(qs: QuerySet[Conversation], filters: ListFilters) -> QuerySet[Conversation]:
    """`qs` narrowed by what the filters choose besides the state."""
    if filters.inbox_id is not None:
        qs = qs.filter(inbox_id=filters.inbox_id)
    if filters.assignee_id is not None:
        qs = qs.filter(assignee_id=filters.assignee_id)
    if filters.unassigned:
        qs = qs.filter(assignee__isnull=True)
    if filters.team_id is not None:
        qs = qs.filter(team_id=filters.team_id)
    return qs


def conversation_list(user, filters: ListFilters, *, limit: int, cursor: str | None, now: datetime | None = None, whole: bool = False):
    """One page of conversations in the state's order; returns (rows, next_cursor). Rows are read
    as a list shows them; `whole` reads every field (the API gives them all)."""
    now = now or timezone.now()
    ordering = ORDERINGS[filters.state]
    qs = in_order(user, filters, now)
    if cursor:
        qs = qs.filter(_after(ordering, decode_cursor(cursor, len(ordering), [f for f, _ in ordering])))
    rows = read_rows(qs[: limit + 1], whole=whole)
    next_cursor = None
    if len(rows) > limit:
        rows = rows[:limit]
        next_cursor = encode_cursor([getattr(rows[-1], f) for f, _ in ordering])
    return rows, next_cursor


def in_order(user, filters: ListFilters, now: datetime) -> QuerySet[Conversation]:
    """The list `filters` describe as `user` sees it, in its state's order."""
    return filtered(user, filters).filter(state_filter(filters.state, now)).order_by(*_order_by(ORDERINGS[filters.state]))


# What no list row shows, left unread when rows are read for a list: JSON documents (decoded on
# every read) and the times and delivery details only a conversation's own screens use. They were
# a fifth of a 200-row page's time.
NOT_IN_ROWS = (
    "fields", "bot_state", "handoff_summary", "created_at", "updated_at", "customer_last_message_at",
    "contact__fields", "contact__email", "contact__language", "contact__created_at",
    "last_message__payload", "last_message__location", "last_message__error_code", "last_message__error_message",
    "last_message__reply_to_external_id", "last_message__external_id", "last_message__edited_at",
    "last_message__deleted_at", "last_message__played_at", "last_message__send_attempted_at",
)


def read_rows(qs: QuerySet[Conversation], whole: bool = False) -> list[Conversation]:
    """Conversations read as a list shows them. Each row has a contact and a last message of its
    own, joined; its inbox and assignee are shared by many rows (a few inboxes, a few people), so
    they are read once each and shared, instead of being joined and built again for every row
    (the join also cost planning time)."""
    qs = qs.select_related("contact", "last_message")
    rows = list(qs if whole else qs.defer(*NOT_IN_ROWS))
    _attach_shared(rows)
    return rows


_INBOX = Conversation._meta.get_field("inbox")
_ASSIGNEE = Conversation._meta.get_field("assignee")


def _attach_shared(rows: list[Conversation]) -> None:
    """Each row's inbox and assignee, in one statement each for the whole page. Django's generic
    prefetch did the same in a third of a 200-row page's time, walking every row's descriptors
    twice; here each row is handed what it shares."""
    if not rows:
        return
    inboxes = Inbox.objects.in_bulk({row.inbox_id for row in rows})
    assignee_ids = {row.assignee_id for row in rows if row.assignee_id is not None}
    people = User.objects.in_bulk(assignee_ids) if assignee_ids else {}
    for row in rows:
        _INBOX.set_cached_value(row, inboxes[row.inbox_id])
        _ASSIGNEE.set_cached_value(row, people.get(row.assignee_id))


def still_listed(user, filters: ListFilters, ids: list[int], now: datetime | None = None) -> list[Conversation]:
    """Those of `ids` that belong in the list `filters` describe now, read as the list reads them
    (a page patching a live change into the rows it holds)."""
    now = now or timezone.now()
    return read_rows(filtered(user, filters).filter(state_filter(filters.state, now), pk__in=ids))


# Wide enough for microseconds since 1970 and for any id, and what a descending field is taken from.
_KEY_WIDTH = 18
_KEY_TOP = 10**_KEY_WIDTH - 1
# Whole microseconds, exactly (a float timestamp would mix up two moments a microsecond apart).
_EPOCH = datetime(1970, 1, 1, tzinfo=dt_timezone.utc)
_MICROSECOND = timedelta(microseconds=1)


def sort_key(conv: Conversation, state: str) -> str:
    """The row's place in its list as a string that sorts the way the list does, so a page can put
    a changed row among the rows it holds without asking for them all again."""
    return _key([getattr(conv, field) for field, _ in ORDERINGS[state]], state)


def _key(values: list, state: str) -> str:
    parts = []
    for value, (_, desc) in zip(values, ORDERINGS[state], strict=True):
        number = (value - _EPOCH) // _MICROSECOND if isinstance(value, datetime) else int(value or 0)
        parts.append(f"{_KEY_TOP - number if desc else number:0{_KEY_WIDTH}d}")
    return ".".join(parts)


# How many lists one statement reads at once at most, when a frame asks the same of many (each
# is a subquery with its own parameters).
PER_STATEMENT = 100


@dataclass(frozen=True)
class PageEnd:
    """Where a list's first page ends: its last row's values in the list's order."""

    state: str
    values: tuple

    @property
    def key(self) -> str:
        """The last row's sort key (rows whose keys are not greater are on the page)."""
        return _key(list(self.values), self.state)

    def holding(self) -> Q:
        """The list's rows up to this one, as a filter (each list's state makes its order's
        fields present: Pendientes have a wait, Con IA a deadline)."""
        return ~_after(ORDERINGS[self.state], list(self.values))


def first_pages_end(asks: list[tuple[object, ListFilters]], size: int, now: datetime) -> list[PageEnd | None]:
    """For each (person, filters): where that list's first `size` rows end, or None when the list
    is no longer. What a page that has not scrolled holds ends there. Each is read from its list's
    index (no row is built), and all of them together: a busy frame asks this for every person
    of an "own chats" inbox at once.

    The sellers of such an inbox whose lists differ only by whose own chats they hold are read
    together on their own (`_ends_alike`): the chats they all see once, then the ones each holds,
    where each seller's list was one more subquery, about a millisecond of Python each to make in
    every busy frame, that walked the shared chats again."""
    lasts = _each_or_alike(
        asks,
        lambda each: [last[0] if last else None for last in _places(each, now, slice(size - 1, size))],
        lambda group: _ends_alike(group, size, now),
    )
    return [PageEnd(filters.state, values) if values is not None else None for (_, filters), values in zip(asks, lasts, strict=True)]


def _each_or_alike(asks: list[tuple[object, ListFilters]], each, alike) -> list:
    """An answer for every ask, in their order: `each(asks)` for those read each on its own (all
    of them in one call), `alike(group)` for every group of alike lists (`_alike`)."""
    found: list = [None] * len(asks)
    rest, groups = _alike(asks)
    for n, answer in zip(rest, each([asks[n] for n in rest]), strict=True):
        found[n] = answer
    for group in groups:
        for n, answer in zip(group, alike([asks[n] for n in group]), strict=True):
            found[n] = answer
    return found


def _alike(asks: list[tuple[object, ListFilters]]) -> tuple[list[int], list[list[int]]]:
    """The places of the asks read each on its own, and the groups of asks (two or more) of
    people who see the same inboxes the same way, with the same filters, in lists that differ
    only by whose own chats they hold (sellers of an "own chats" inbox)."""
    alike: dict[tuple, list[int]] = {}
    for n, (user, filters) in enumerate(asks):
        scope = scope_of(user)
        if scope.own_only and not scope.everything:
            alike.setdefault((scope.whole, scope.own_only, filters), []).append(n)
    groups = [group for group in alike.values() if len(group) > 1]
    together = {n for group in groups for n in group}
    return [n for n in range(len(asks)) if n not in together], groups


def _theirs(asks: list[tuple[object, ListFilters]]) -> QuerySet[Conversation]:
    """The chats of a group of alike lists (`_alike`), each person's own among them, for a query
    on the people: the person is the outer query's row."""
    user, filters = asks[0]
    return _narrowed(Conversation.objects.filter(scope_of(user).conversations(person=OuterRef("pk"))), filters)


def _unheld(asks: list[tuple[object, ListFilters]]) -> QuerySet[Conversation]:
    """What every list of a group of alike lists (`_alike`) holds: all but the chats held in the
    inboxes they see only in part (`Scope.unheld`)."""
    user, filters = asks[0]
    return _narrowed(Conversation.objects.filter(scope_of(user).unheld()), filters)


def _held(asks: list[tuple[object, ListFilters]], **holder) -> QuerySet[Conversation]:
    """The rest of a group of alike lists: the chats held, in the inboxes they see only in part,
    by those `holder` names (`assignee_id__in`, or `assignee_id` as an expression)."""
    user, filters = asks[0]
    return _narrowed(Conversation.objects.filter(inbox_id__in=sorted(scope_of(user).own_only), **holder), filters)


def _ends_alike(asks: list[tuple[object, ListFilters]], size: int, now: datetime) -> list[tuple | None]:
    """The values of the `size`-th row's order in each list, for people who see the same inboxes
    the same way and ask the same filters: each list is what they all hold (`_unheld`) and the
    chats that person holds, read as `_shared_and_held` says. With m of her own ahead of the
    shared page's last row, her first page holds all but the last m + 1 shared rows whatever
    their places, and ends at the (m + 1)-th of those rows and hers together: a sort of 2m + 1
    rows, none for those who hold nothing ahead. Walking each person's whole list instead, one
    subquery each, read the shared chats again for every seller: 71 against 10 ms for 45 sellers
    on PostgreSQL (bench/own_chats.py)."""
    read = _shared_and_held(asks, size, now)
    if read is None:
        return _each_end(asks, size, now)
    shared, held = read
    ends = []
    for person, _ in asks:
        mine = held.get(person.pk, [])
        surely = max(0, size - 1 - len(mine))
        ends.append(sorted(shared[surely:] + mine)[size - 1 - surely][1])
    return ends


def _pages_alike(asks: list[tuple[object, ListFilters]], size: int, now: datetime) -> list[list[tuple]]:
    """The values of the order of each list's first `size` rows, for a group of alike lists
    (`_ends_alike`), in that order: the shared page and each person's rows ahead of its end,
    merged (already in order, as `first_pages_ids` hands them on)."""
    read = _shared_and_held(asks, size, now)
    if read is None:
        return _pages_each(asks, size, now)
    shared, held = read
    return [[values for _, values in sorted(shared + held.get(person.pk, []))[:size]] for person, _ in asks]


def _shared_and_held(asks: list[tuple[object, ListFilters]], size: int, now: datetime):
    """For a group of alike lists: the first `size` rows of what they all hold, and each
    person's rows that come before the last of them (a person's first page is among those), as
    (sort key, the order's values), read in two queries for all of them. None where the shared
    list is shorter than a page, or they hold more chats ahead of it than a page each: their
    lists are then read each on its own."""
    state = asks[0][1].state
    ordering = ORDERINGS[state]
    names = [name for name, _ in ordering]
    shared = list(_unheld(asks).filter(state_filter(state, now)).order_by(*_order_by(ordering)).values_list(*names)[:size])
    if len(shared) < size:
        return None
    people = [person.pk for person, _ in asks]
    most = size * len(people)
    ahead = _held(asks, assignee_id__in=people).filter(state_filter(state, now), PageEnd(state, shared[-1]).holding())
    rows = list(ahead.order_by().values_list("assignee_id", *names)[:most + 1])
    if len(rows) > most:
        return None
    held: dict[int, list[tuple[str, tuple]]] = {}
    for holder, *values in rows:
        held.setdefault(holder, []).append((_key(values, state), tuple(values)))
    return [(_key(list(values), state), values) for values in shared], held


def _each_end(asks: list[tuple[object, ListFilters]], size: int, now: datetime) -> list[tuple | None]:
    """`_ends_alike` read from each person's whole list: the last row's id for each, as a
    subquery on the people, then those rows' values."""
    state = asks[0][1].state
    ordering = ORDERINGS[state]
    last = _theirs(asks).filter(state_filter(state, now)).order_by(*_order_by(ordering)).values("pk")[size - 1:size]
    people = [person.pk for person, _ in asks]
    ids = dict(User.objects.filter(pk__in=people).annotate(last=Subquery(last)).values_list("pk", "last"))
    found = {row[-1]: row for row in Conversation.objects.filter(pk__in={i for i in ids.values() if i is not None})
             .values_list(*(name for name, _ in ordering))}
    return [found.get(ids.get(pk)) for pk in people]


def first_pages_ids(asks: list[tuple[object, ListFilters]], size: int, now: datetime) -> list[list[int]]:
    """For each (person, filters): the chats of that list's first `size` rows, in its order, as
    `conversation_list` would show them; all of them read together (after a restart, every open
    tab asks at once), the sellers of an "own chats" inbox as `first_pages_end` reads them."""
    pages = _each_or_alike(asks, lambda each: _pages_each(each, size, now), lambda group: _pages_alike(group, size, now))
    # The ordering's last field is always the primary key.
    return [[values[-1] for values in page] for page in pages]


def _pages_each(asks: list[tuple[object, ListFilters]], size: int, now: datetime) -> list[list[tuple]]:
    """The values of the order of each list's first `size` rows, in that order, each list read
    on its own (`_places` gives them in no particular order)."""
    return [sorted(page, key=lambda values, state=filters.state: _key(list(values), state))
            for (_, filters), page in zip(asks, _places(asks, now, slice(0, size)), strict=True)]


def _places(asks: list[tuple[object, ListFilters]], now: datetime, rows: slice) -> list[list[tuple]]:
    """For each (person, filters): the values of the list's order of its rows `rows`, in no
    particular order, as the ORM gives them. Every list of one state reads the same columns, so
    they are read together, one statement per hundred lists."""
    places: list[list[tuple]] = [[] for _ in asks]
    by_state: dict[str, list[int]] = {}
    for n, (_, filters) in enumerate(asks):
        by_state.setdefault(filters.state, []).append(n)
    for state, numbers in by_state.items():
        names = [name for name, _ in ORDERINGS[state]]
        compilers = []
        for n in numbers:
            user, filters = asks[n]
            compilers.append(in_order(user, filters, now).values_list(*names)[rows].query.get_compiler(connection=connection))
        parts = [compiler.as_sql() for compiler in compilers]
        # Each row comes labelled with its list's place in `numbers`.
        read = _together(parts, lambda subs: " UNION ALL ".join(f"SELECT {i}, rows_{i}.* FROM ({sub}) rows_{i}" for i, sub in subs))
        # Turned into what the ORM gives by its own converters (SQLite hands back times as text).
        first = compilers[0]
        converted = first.apply_converters([row[1:] for row in read], first.get_converters([column for column, _, _ in first.select]))
        for (i, *_), values in zip(read, converted, strict=True):
            places[numbers[i]].append(tuple(values))
    return places


def _together(parts: list[tuple[str, tuple]], combine) -> list[tuple]:
    """Many subqueries (sql, params) run PER_STATEMENT to a statement; `combine` makes a
    statement of [(place in parts, sql)]. Returns every statement's rows, in order."""
    rows: list[tuple] = []
    with connection.cursor() as cursor:
        for start in range(0, len(parts), PER_STATEMENT):
            chunk = parts[start:start + PER_STATEMENT]
            cursor.execute(combine([(start + i, sql) for i, (sql, _) in enumerate(chunk)]), [p for _, params in chunk for p in params])
            rows.extend(cursor.fetchall())
    return rows


def _order_by(ordering: list[tuple[str, bool]]) -> list[str]:
    return [f"-{field}" if desc else field for field, desc in ordering]


# Pendientes and Con IA are the queues people work, small by nature and counted exactly. The other
# tabs hold history that only grows; counting it exactly would cost a scan on every live refresh,
# so their counts stop at this many and show as "999+".
COUNT_CAP = 1000
EXACT_COUNTS = frozenset({State.PENDING.value, State.WITH_AI.value})


def state_counts(user, filters: ListFilters, now: datetime | None = None, states: list[str] = STATES) -> dict[str, int]:
    now = now or timezone.now()
    qs = filtered(user, filters).order_by()
    counts = {}
    for state in states:
        matching = qs.filter(state_filter(state, now))
        counts[state] = matching.count() if state in EXACT_COUNTS else matching[:COUNT_CAP].count()
    return counts


def capped_counts(asks: list[tuple[object, ListFilters]], states: list[str], now: datetime) -> list[dict[str, int]]:
    """`state_counts` of capped tabs for many (person, filters) at once: each count is the same
    capped subquery, and they are read together in one statement per hundred instead of a query
    each (a live frame counts for every person of an "own chats" inbox whose tab is open). The
    sellers of such an inbox are counted together on their own, as `first_pages_end` reads their
    page ends: the chats they all see once, then what each holds (`_counts_alike`)."""
    return _each_or_alike(asks, lambda each: _counts_each(each, states, now), lambda group: _counts_alike(group, states, now))


def _counts_each(asks: list[tuple[object, ListFilters]], states: list[str], now: datetime) -> list[dict[str, int]]:
    """`capped_counts` of lists read each on its own: a capped subquery per list and state."""
    parts: list[tuple[str, tuple]] = []
    for user, filters in asks:
        qs = filtered(user, filters).order_by()
        for state in states:
            parts.append(qs.filter(state_filter(state, now)).values("pk")[:COUNT_CAP].query.sql_with_params())
    values = [count for row in _together(parts, _counted) for count in row]
    per = len(states)
    return [dict(zip(states, values[k * per:(k + 1) * per], strict=True)) for k in range(len(asks))]


def _counted(subs: list[tuple[int, str]]) -> str:
    """One row of how many rows each (capped) subquery gives."""
    return "SELECT " + ", ".join(f"(SELECT COUNT(*) FROM ({sub}) capped_{i})" for i, sub in subs)


class _CappedCount(Subquery):
    """How many rows a subquery (capped by its own LIMIT) gives."""

    template = "(SELECT COUNT(*) FROM (%(subquery)s) capped)"
    output_field = IntegerField()


def _counts_alike(asks: list[tuple[object, ListFilters]], states: list[str], now: datetime) -> list[dict[str, int]]:
    """The capped counts of `states` in each of a group of alike lists (`_alike`): what they all
    hold (`_unheld`) counted once, plus what each person holds, counted in one query on the
    people. Where the shared count reaches the cap, so does everyone's, and nobody's own is
    counted; counting each person's whole list instead read the shared chats again for every
    seller."""
    unheld = _unheld(asks).order_by()
    parts = [unheld.filter(state_filter(state, now)).values("pk")[:COUNT_CAP].query.sql_with_params() for state in states]
    shared = dict(zip(states, [count for row in _together(parts, _counted) for count in row], strict=True))
    people = [person.pk for person, _ in asks]
    short = [state for state in states if shared[state] < COUNT_CAP]
    own: dict[int, dict[str, int]] = {}
    if short:
        held = _held(asks, assignee_id=OuterRef("pk")).order_by()
        names = [f"count_{i}" for i in range(len(short))]
        rows = User.objects.filter(pk__in=people).annotate(**{
            name: _CappedCount(held.filter(state_filter(state, now)).values("pk")[:COUNT_CAP - shared[state]])
            for name, state in zip(names, short, strict=True)
        }).values_list("pk", *names)
        own = {pk: dict(zip(short, values, strict=True)) for pk, *values in rows}
    return [{state: shared[state] + own.get(pk, {}).get(state, 0) for state in states} for pk in people]


def open_waits(now: datetime) -> list[dict]:
    """Pendientes and Con IA counted once for every inbox, team and assignee: every person's exact
    counts of those two tabs, under any filters, are sums of these (few: the queues people work)."""
    ai_running = Q(ai_deadline__gt=now)
    return list(
        Conversation.objects.filter(OPEN_WAIT)
        .values("inbox_id", "team_id", "assignee_id")
        .annotate(pending=Count("pk", filter=~ai_running), with_ai=Count("pk", filter=ai_running))
        .order_by()
    )


def pending_total(user) -> int:
    """Pendientes across every inbox the person sees: the number the top bar shows on every page."""
    return filtered(user, ListFilters()).filter(state_filter(State.PENDING.value, timezone.now())).order_by().count()


class BadCursor(ValueError):
    pass


def encode_cursor(values: list) -> str:
    plain = [v.isoformat() if isinstance(v, datetime) else v for v in values]
    return base64.urlsafe_b64encode(json.dumps(plain).encode()).decode().rstrip("=")


# Cursor positions that hold a moment; the others hold integers (priority, id).
TIME_FIELDS = frozenset({"waiting_since", "ai_deadline", "last_activity_at", "created_at"})


def decode_cursor(cursor: str, size: int, fields: list[str] | None = None) -> list:
    """The values a cursor carries, each of the kind its position needs (`fields` names the
    ordering's fields): anything else is a cursor this API did not issue."""
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        values = json.loads(base64.urlsafe_b64decode(padded.encode()))
    except (ValueError, TypeError, RecursionError) as exc:
        raise BadCursor("cursor is not one this API issued") from exc
    if not isinstance(values, list) or len(values) != size:
        raise BadCursor("cursor does not belong to this list")
    out = []
    for i, v in enumerate(values):
        wants_time = fields[i] in TIME_FIELDS if fields else isinstance(v, str)
        if wants_time:
            out.append(_moment(v))
        elif isinstance(v, int) and not isinstance(v, bool) and -(2**62) < v < 2**62:
            out.append(v)
        else:
            raise BadCursor("cursor is not one this API issued")
    return out


def _moment(value) -> datetime:
    if not isinstance(value, str):
        raise BadCursor("cursor is not one this API issued")
    try:
        moment = datetime.fromisoformat(value)
        if moment.tzinfo is None:
            raise ValueError("no offset")
        moment.astimezone(dt_timezone.utc)
    except (ValueError, OverflowError) as exc:
        raise BadCursor("cursor is not one this API issued") from exc
    return moment


def _after(ordering: list[tuple[str, bool]], values: list) -> Q:
    """Rows strictly after `values` in `ordering` (keyset pagination: stable under inserts)."""
    q = Q(pk__in=[])
    for i, (field, desc) in enumerate(ordering):
        step = Q(**{f"{field}__{'lt' if desc else 'gt'}": values[i]})
        for prev_field, _ in ordering[:i]:
            step &= Q(**{prev_field: values[ordering.index((prev_field, _))]})
        q |= step
    return q


def ai_answers(inbox: Inbox) -> bool:
    """Whether anything answers this inbox's chats while the AI holds them: a built-in agent (a
    capability says so) or a bot's API token that can reach the inbox. With neither, an AI turn
    only makes the customer wait the AI window, and the screens say so."""
    if hooks.ai_answerers.any(inbox):
        return True
    bots = ApiToken.objects.exclude(bot_name="").filter(user__is_active=True)
    return bots.filter(Q(user__role__in=[Role.ADMIN, Role.SUPERVISOR]) | Q(user__in=inbox_people(inbox))).exists()
