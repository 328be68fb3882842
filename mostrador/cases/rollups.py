"""Daily rollups of closed cases (CaseDay rows), so a report over any number of days reads a few
rows per day instead of every case.

Each closed case adds its tally to the day it closed (its opening to the day it opened), in every
slice it belongs to: everything, its inbox, its team, its agent and their combinations, so any
combination of the summary's filters is one slice. Rows are changed under a row lock in a fixed
order, inside the transaction that closes the case, so the rollups move with the cases or not at
all.
"""

from __future__ import annotations

from collections import OrderedDict, defaultdict
from collections.abc import Iterable
from datetime import date, timedelta
from itertools import combinations

from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from mostrador.core.local_days import day_of
from mostrador.rules import tally as tallies
from mostrador.rules import wait_curve
from mostrador.rules.cases import CaseClock

from . import clock_store
from .models import Case, CaseDay

Key = tuple[date, str]


def agent_of(case: Case) -> int | None:
    """The person a case counts for: its assignee at close, else whoever closed it."""
    return case.assignee_id or case.closed_by_id


def counted_for(*agent_ids: int) -> Q:
    """The closed cases agent_of gives to these people, as a filter."""
    return Q(assignee_id__in=agent_ids) | Q(assignee_id__isnull=True, closed_by_id__in=agent_ids)


TAG_CHARS = 40  # of a tag's name in a slice's


def slice_name(inbox_id: int | None = None, team_id: int | None = None, agent_id: int | None = None, tag: str | None = None) -> str:
    parts = [f"{key}{value}" for key, value in (("i", inbox_id), ("t", team_id), ("a", agent_id)) if value]
    if tag:
        parts.append(f"g{tag[:TAG_CHARS]}")
    return ".".join(parts)


def slices_of(case: Case) -> list[str]:
    """Every slice the case belongs to: each subset of its inbox, team and agent, and each of its
    tags alone and with its inbox (a tag with a team or an agent is read from the cases)."""
    dims = [("inbox_id", case.inbox_id), ("team_id", case.team_id), ("agent_id", agent_of(case))]
    known = [(name, value) for name, value in dims if value]
    names = [slice_name(**dict(chosen)) for size in range(len(known) + 1) for chosen in combinations(known, size)]
    for tag in sorted(set(case.tags or ())):
        names += [slice_name(tag=tag), slice_name(case.inbox_id, tag=tag)]
    return names


def figures(case: Case, clock: CaseClock | None = None) -> tallies.CaseFigures:
    samples = case.clock or {}
    clock = clock or clock_store.load(case)
    single = {
        "first_response": case.first_response_seconds,
        "first_human_response": case.first_human_response_seconds,
        "queue": case.queue_seconds,
        "end_to_end": case.end_to_end_seconds,
    }
    durations: dict[str, list[float]] = {name: [value] for name, value in single.items() if value is not None}
    for name in ("response_people", "response_ai", "customer_response"):
        durations[name] = list(samples.get(name) or ())
    if case.closed_at is not None and agent_of(case) is not None:
        durations["handling"] = [clock.handling_seconds(case.closed_at)]
    wait = clock.first_human_wait
    if wait is None and clock.first_human_response_at is not None and clock.response_people:
        wait = clock.response_people[0]  # a case measured before the first wait was kept apart
    return tallies.CaseFigures(
        closed=case.closed_at is not None,
        durations=durations,
        interactions=case.interactions,
        left_on_read=case.left_on_read,
        handled_by=case.handled_by,
        csat=case.csat,
        nps=case.nps,
        wait_bucket=None if wait is None else wait_curve.bucket_index(wait),
        continued=clock.continued,
        handoffs=clock.handoffs,
    )


def opening(case: Case, clock: CaseClock | None = None) -> tallies.Opening:
    clock = clock or clock_store.load(case)
    return tallies.Opening(route=case.route, reroute_seconds=clock.reroute_seconds, rerouted_by=clock.first_transfer_by)


def case_tallies(case: Case) -> dict[Key, tallies.Tally]:
    """What a closed case adds to the rollups, by (day, slice)."""
    if case.closed_at is None:
        return {}
    names = slices_of(case)
    changes: dict[Key, tallies.Tally] = {}
    clock = clock_store.load(case)
    closing = tallies.of_case(figures(case, clock))
    for name in names:
        changes[(day_of(case.closed_at), name)] = dict(closing)
    opened = tallies.of_opening(opening(case, clock))
    for name in names:
        tallies.add(changes.setdefault((day_of(case.opened_at), name), {}), opened)
    return changes


def record_close(cases: Iterable[Case], sign: int = 1) -> None:
    """Add closed cases to the rollups (or take them out, with sign -1)."""
    changes: dict[Key, tallies.Tally] = defaultdict(dict)
    for case in cases:
        for key, tally in case_tallies(case).items():
            tallies.add(changes[key], tally)
    apply(changes, sign)


def record_score(case: Case, kind: str, score: int) -> None:
    """A survey answer given after its case closed counts on the day the case closed."""
    day = day_of(case.closed_at)
    apply({(day, name): tallies.of_score(kind, score) for name in slices_of(case)})


def apply(changes: dict[Key, tallies.Tally], sign: int = 1) -> None:
    if not changes:
        return
    with transaction.atomic():
        keys = sorted(changes)
        CaseDay.objects.bulk_create([CaseDay(day=d, slice=s, tally={}, version=1) for d, s in keys], ignore_conflicts=True)
        # Rows are locked in the order they are read: one fixed order, so two closes never wait
        # on each other crosswise.
        rows = CaseDay.objects.select_for_update().filter(_keys_q(keys)).order_by("day", "slice")
        changed = []
        for row in rows:
            change = changes.get((row.day, row.slice))
            if change is not None:
                tallies.add(row.tally, change, sign)
                row.version += 1
                changed.append(row)
        CaseDay.objects.bulk_update(changed, ["tally", "version"])


def _keys_q(keys: list[Key]) -> Q:
    by_slice: dict[str, list[date]] = defaultdict(list)
    for day, name in keys:
        by_slice[name].append(day)
    query = Q()
    for name, days in by_slice.items():
        query |= Q(slice=name, day__in=days)
    return query


def days_of(slice_names, first: date | None, last: date | None):
    """The rows of days first..last (inclusive; None: unbounded) of the given slices."""
    rows = CaseDay.objects.filter(slice__in=slice_names)
    if first is not None:
        rows = rows.filter(day__gte=first)
    if last is not None:
        rows = rows.filter(day__lte=last)
    return rows


def read_rows(slice_names: list[str], first: date | None, last: date | None, *, by_day: bool = False, keys: tuple[str, ...] | None = None):
    """(slice, tally) of each day first..last of the given slices; with by_day, (slice, day,
    tally). With `keys`, only those parts of each tally are read."""
    lead = ("slice", "day") if by_day else ("slice",)
    return _with_tallies(days_of(slice_names, first, last), lead, keys)


def _with_tallies(rows, lead: tuple[str, ...], keys: tuple[str, ...] | None):
    """The rows' `lead` fields and their tally, whole or (with `keys`) only those parts: the
    database picks them out of the JSON, so a report that needs one histogram never decodes the
    other dozen."""
    if keys is None:
        yield from rows.values_list(*lead, "tally").iterator(chunk_size=500)
        return
    for row in rows.values_list(*lead, *(f"tally__{key}" for key in keys)).iterator(chunk_size=500):
        parts = row[len(lead):]
        yield (*row[: len(lead)], {key: value for key, value in zip(keys, parts, strict=True) if value is not None})


# Merged tallies of rows that have not changed, by the rows' marks and the keys read: a report
# over thirty days re-reads only the rows that moved since (today's, mostly).
_merged: OrderedDict[tuple, tallies.Tally] = OrderedDict()
MERGED_KEPT = 256


def _marks(slice_names: set[str], first: date | None, last: date | None, today: date) -> dict[tuple[str, bool], tuple]:
    """A mark of each slice's rows in the range, past days and today (and later) apart: how many
    rows there are, the sum of their versions and the sum of their ids. A row's version goes up
    by one at every change, and rows are only added (a rebuild makes all of them anew, with
    higher ids), so any change to the rows changes the mark. The database adds them up: a warm
    read fetches one line per slice, not one per day."""
    if not slice_names:
        return {}
    # Written out: the ORM would take longer to build this statement than the database to run it.
    where = [f"slice IN ({', '.join(['%s'] * len(slice_names))})"]
    params: list = [today, *sorted(slice_names)]
    for bound, op in ((first, ">="), (last, "<=")):
        if bound is not None:
            where.append(f"day {op} %s")
            params.append(bound)
    sql = (
        f"SELECT slice, CASE WHEN day >= %s THEN 1 ELSE 0 END, COUNT(*), SUM(version), SUM(id) FROM {CaseDay._meta.db_table} "
        f"WHERE {' AND '.join(where)} GROUP BY 1, 2"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return {(name, bool(recent)): (n, versions, ids) for name, recent, n, versions, ids in cursor.fetchall()}


def totals(groups: dict, first: date | None, last: date | None, keys: tuple[str, ...] | None = None) -> dict:
    """The tally of whole days first..last of each group of slices ({key: [slice names]}), read
    with one query when nothing moved (the rows' marks), and otherwise one more for the past
    days not merged before (a group's past days are merged once and kept) and one for today's.
    The tallies returned are the kept ones: the caller copies what it adds to (`tally.thawed`)."""
    today = day_of(timezone.now())
    marks = _marks({name for names in groups.values() for name in names}, first, last, today)
    span = (keys, first, last, today)
    results: dict = {}
    bases: dict = {}
    stale: dict[bool, set[str]] = {False: set(), True: set()}
    plans = {}
    for key, names in groups.items():
        names = sorted(set(names))
        settled = tuple((name, marks.get((name, False))) for name in names)
        recent = tuple((name, marks.get((name, True))) for name in names)
        whole = _kept((span, settled, recent))
        if whole is not None:
            results[key] = whole  # nothing changed since it was last read
            continue
        # Held here: keeping other groups' merges below may push it out of the memory.
        bases[key] = _kept((span, settled))
        if bases[key] is None:
            stale[False].update(names)
        stale[True].update(name for name, mark in recent if mark)
        plans[key] = (names, settled, recent)
    read = {recent: _tallies_by_slice(names, first, last, today, recent, keys) for recent, names in stale.items()}
    for key, (names, settled, recent) in plans.items():
        base = bases[key]
        if base is None:
            base = _keep((span, settled), tallies.total(t for name in names for t in read[False].get(name, ())))
        fresh = [t for name in names for t in read[True].get(name, ())]
        results[key] = _keep((span, settled, recent), tallies.total([base, *fresh])) if fresh else base
    return results


def _tallies_by_slice(names: set[str], first: date | None, last: date | None, today: date, recent: bool, keys) -> dict[str, list]:
    """Each slice's tallies of the past days of the range (or, `recent`, of today and later)."""
    if not names:
        return {}
    if recent:
        first = today if first is None else max(first, today)
    else:
        yesterday = today - timedelta(days=1)
        last = yesterday if last is None else min(last, yesterday)
    found: dict[str, list] = defaultdict(list)
    if first is None or last is None or first <= last:
        for name, tally in read_rows(sorted(names), first, last, keys=keys):
            found[name].append(tally)
    return found


def _kept(cache_key: tuple) -> tallies.Tally | None:
    found = _merged.get(cache_key)
    if found is not None:
        _merged.move_to_end(cache_key)
    return found


def _keep(cache_key: tuple, tally: tallies.Tally) -> tallies.Tally:
    _merged[cache_key] = tally
    while len(_merged) > MERGED_KEPT:
        _merged.popitem(last=False)
    return tally


def rebuild(progress=None, chunk: int = 2000) -> int:
    """Recompute every rollup from the closed cases; how many cases were counted. Closes that
    happen meanwhile wait for it and are then added on top."""
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(f"LOCK TABLE {CaseDay._meta.db_table} IN EXCLUSIVE MODE")
        CaseDay.objects.all().delete()
        changes: dict[Key, tallies.Tally] = defaultdict(dict)
        counted, last_pk = 0, 0
        closed = Case.objects.filter(closed_at__isnull=False).order_by("pk")
        while batch := list(closed.filter(pk__gt=last_pk)[:chunk]):
            for case in batch:
                for key, tally in case_tallies(case).items():
                    tallies.add(changes[key], tally)
            counted += len(batch)
            last_pk = batch[-1].pk
            if progress is not None:
                progress(len(batch))
        CaseDay.objects.bulk_create(
            [CaseDay(day=d, slice=s, tally=t, version=1) for (d, s), t in changes.items() if t], batch_size=500
        )
        return counted
