"""Daily rollups of closed cases (CaseDay rows), so a report over any number of days reads a few
rows per day instead of every case.

Each closed case adds its tally to the day it closed (its opening to the day it opened), in every
slice it belongs to: everything, its inbox, its team, its agent and their combinations, so any
combination of the summary's filters is one slice. Rows are changed under a row lock in a fixed
order, inside the transaction that closes the case, so the rollups move with the cases or not at
all.
"""

from __future__ import annotations

import secrets
from collections import OrderedDict, defaultdict
from collections.abc import Iterable
from datetime import date, datetime, time, timedelta
from itertools import combinations
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from mostrador.rules import tally as tallies
from mostrador.rules import wait_curve
from mostrador.rules.cases import CaseClock

from . import clock_store
from .models import Case, CaseDay

Key = tuple[date, str]


def org_zone() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def day_of(moment: datetime) -> date:
    return moment.astimezone(org_zone()).date()


def midnight(day: date) -> datetime:
    """The instant a day starts in the organisation's time zone."""
    return datetime.combine(day, time(), tzinfo=org_zone())


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
        CaseDay.objects.bulk_create([CaseDay(day=d, slice=s, tally={}, version=new_version()) for d, s in keys], ignore_conflicts=True)
        # Rows are locked in the order they are read: one fixed order, so two closes never wait
        # on each other crosswise.
        rows = CaseDay.objects.select_for_update().filter(_keys_q(keys)).order_by("day", "slice")
        changed = []
        for row in rows:
            change = changes.get((row.day, row.slice))
            if change is not None:
                tallies.add(row.tally, change, sign)
                row.version = new_version()
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


def new_version() -> int:
    return secrets.randbits(62)


# Merged tallies of rows that have not changed, by the rows' (id, version) and the keys read:
# a report over thirty days re-reads only the rows that moved since (today's, mostly).
_merged: OrderedDict[tuple, tallies.Tally] = OrderedDict()
MERGED_KEPT = 256


def totals(groups: dict, first: date | None, last: date | None, keys: tuple[str, ...] | None = None) -> dict:
    """The tally of whole days first..last of each group of slices ({key: [slice names]}), read
    with a few queries for all groups: the rows' versions, the rows not merged before (a group's
    past days, merged once and kept), and today's. The tallies returned are the kept ones: the
    caller copies what it adds to (`tally.thawed`)."""
    rows = days_of({name for names in groups.values() for name in names}, first, last)
    # Past days and today (and later) apart, so no date is read back: the versions are all a
    # warm read needs, and converting a date per row would cost more than the rest of it.
    today = day_of(timezone.now())
    by_slice: dict[str, list[tuple[int, int, bool]]] = defaultdict(list)
    for settled, part in ((True, rows.filter(day__lt=today)), (False, rows.filter(day__gte=today))):
        for pk, name, version in part.values_list("pk", "slice", "version").iterator(chunk_size=2000):
            by_slice[name].append((pk, version, settled))
    # Each group's rows as (id, version): its past days and its recent ones.
    plans = {}
    for key, names in groups.items():
        group = sorted(row for name in set(names) for row in by_slice.get(name, ()))
        plans[key] = (tuple(row[:2] for row in group if row[2]), tuple(row[:2] for row in group if not row[2]))
    results = {}
    bases = {}
    wanted: set[int] = set()
    for key, (settled, recent) in list(plans.items()):
        whole = _kept((keys, settled, recent))
        if whole is not None:
            results[key] = whole  # nothing changed since it was last read
            del plans[key]
            continue
        # Held here: keeping other groups' merges below may push it out of the memory.
        bases[key] = _kept((keys, settled))
        if bases[key] is None:
            wanted.update(pk for pk, _ in settled)
        wanted.update(pk for pk, _ in recent)
    read = {pk: tally for pk, tally in _with_tallies(CaseDay.objects.filter(pk__in=sorted(wanted)), ("pk",), keys)} if wanted else {}
    for key, (settled, recent) in plans.items():
        base = bases[key]
        if base is None:
            base = _keep((keys, settled), tallies.total(read[pk] for pk, _ in settled if pk in read))
        fresh = [read[pk] for pk, _ in recent if pk in read]
        results[key] = _keep((keys, settled, recent), tallies.total([base, *fresh])) if fresh else base
    return results


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
            [CaseDay(day=d, slice=s, tally=t, version=new_version()) for (d, s), t in changes.items() if t], batch_size=500
        )
        return counted


def day_span(
    since: datetime | None, until: datetime | None
) -> tuple[tuple[date | None, date | None] | None, list[tuple[datetime, datetime]]]:
    """Split [since, until) into whole local days, (first, last) inclusive with None for an open
    end, or None when the range holds no whole day; and the partial days at its edges, which
    are read from the cases themselves."""
    first = last = None
    head = tail = None
    if since is not None:
        first = day_of(since)
        if midnight(first) != since:
            first += timedelta(days=1)
            head = (since, midnight(first))
    if until is not None:
        end = day_of(until)
        last = end - timedelta(days=1)
        if midnight(end) != until:
            tail = (midnight(end), until)
    if since is not None and until is not None and first > last:
        return None, [(since, until)]
    return (first, last), [edge for edge in (head, tail) if edge]
