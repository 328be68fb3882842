"""What reports keep of many cases: counts, sums and duration histograms that add up.

A tally is plain JSON-ready data, so a day's tally can live in one database row, and the tally of
any range is the sum of its days. Percentiles stay honest because durations are kept as fixed
histogram buckets (one second wide up to a minute, then 2 % wide, about 200 buckets to a day), each
with its count and its sum: a percentile is the mean of the bucket holding its rank, so a value
alone in its bucket (every whole number of seconds below a minute, and any bucket whose cases
waited alike) comes back exactly, and no percentile is ever off by more than a second or 2 %.

Its keys: counts ("opened", "closed", "interactions", "left_on_read"); counts by value ("csat",
"nps", "handled_by", "handoffs"); the DURATIONS histograms; and cells of several numbers by key
("wait_curve", "routes", "rerouted_by"), a count first.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from .cases import percentile

# The duration metrics a case feeds, in DESIGN.md section 3's terms.
DURATIONS = (
    "first_response",
    "first_human_response",
    "response_people",
    "response_ai",
    "queue",
    "end_to_end",
    "customer_response",
    "handling",
)

LINEAR_UNTIL = 60  # seconds; below this every bucket is one second wide
GROWTH = 1.02  # above it, each bucket is 2 % wider than the last

Tally = dict[str, Any]


def bucket_of(seconds: float) -> int:
    """The histogram bucket of a duration; never negative, and monotone in `seconds`."""
    value = max(0.0, seconds)
    if value < LINEAR_UNTIL:
        return int(value)
    return LINEAR_UNTIL + int(math.log(value / LINEAR_UNTIL) / math.log(GROWTH))


@dataclass(frozen=True)
class CaseFigures:
    """One case's share of a tally. `closed` False: only its opening counts."""

    closed: bool
    durations: Mapping[str, Iterable[float]] = field(default_factory=dict)
    interactions: int = 0
    left_on_read: int = 0
    handled_by: str = ""
    csat: int | None = None
    nps: int | None = None
    # The wait curve's bucket (rules.wait_curve) and whether the customer wrote again after the
    # first human response; None when no person answered a wait.
    wait_bucket: int | None = None
    continued: bool = False
    # Why the AI handed it to people, once per hand-off.
    handoffs: tuple[str, ...] = ()


@dataclass(frozen=True)
class Opening:
    """What a case adds to the day it opened: it opened, by which route, and its re-route."""

    route: str = ""
    reroute_seconds: float | None = None
    rerouted_by: int | None = None


def of_opening(opening: Opening | None = None, count: int = 1) -> Tally:
    """The tally of `count` openings alike (more than one only for cases never re-routed)."""
    tally: Tally = {"opened": count}
    if opening is None:
        return tally
    rerouted = opening.reroute_seconds is not None
    # [cases, re-routed, seconds to re-route]
    tally["routes"] = {opening.route: [count, int(rerouted), opening.reroute_seconds or 0.0]}
    if rerouted:
        tally["rerouted_by"] = {str(opening.rerouted_by or 0): [1, opening.reroute_seconds]}
    return tally


def of_case(figures: CaseFigures) -> Tally:
    """The tally of one closed case's numbers (its opening is counted apart, on its own day)."""
    tally: Tally = {}
    if not figures.closed:
        return tally
    tally["closed"] = 1
    tally["interactions"] = figures.interactions
    tally["left_on_read"] = figures.left_on_read
    if figures.handled_by:
        tally["handled_by"] = {figures.handled_by: 1}
    for name in ("csat", "nps"):
        score = getattr(figures, name)
        if score is not None:
            tally[name] = {str(score): 1}
    for cause in figures.handoffs:
        causes = tally.setdefault("handoffs", {})
        causes[cause] = causes.get(cause, 0) + 1
    if figures.wait_bucket is not None:
        # [cases, customers who never wrote again]
        tally["wait_curve"] = {str(figures.wait_bucket): [1, int(not figures.continued)]}
    for name in DURATIONS:
        histogram: dict[str, list[float]] = {}
        for value in figures.durations.get(name, ()):
            cell = histogram.setdefault(str(bucket_of(value)), [0, 0.0])
            cell[0] += 1
            cell[1] += max(0.0, value)
        if histogram:
            tally[name] = histogram
    return tally


def of_score(kind: str, score: int) -> Tally:
    """A survey answer that came after the case closed."""
    return {kind: {str(score): 1}}


def add(into: Tally, other: Tally, sign: int = 1) -> Tally:
    """`into` plus (or, with sign -1, minus) `other`, in place; empty entries are dropped so a
    subtraction leaves what was there before the addition."""
    for key, value in other.items():
        if isinstance(value, int):
            into[key] = into.get(key, 0) + sign * value
            if not into[key]:
                del into[key]
            continue
        mine = into.setdefault(key, {})
        for bucket, inner in value.items():
            if isinstance(inner, list):
                # A cell: a count first, then counts or sums that go with it.
                cell = mine.setdefault(bucket, [0] * len(inner))
                for i, part in enumerate(inner):
                    summed = cell[i] + sign * part
                    cell[i] = round(summed, 6) if isinstance(summed, float) else summed
                if not cell[0]:
                    del mine[bucket]
            else:
                mine[bucket] = mine.get(bucket, 0) + sign * inner
                if not mine[bucket]:
                    del mine[bucket]
        if not mine:
            del into[key]
    return into


def thawed(tally: Tally, parts: Iterable[str] | None = None) -> Tally:
    """A copy of a tally that `add` may change without changing the original: whole, or (with
    `parts`) sharing everything but its counts and those parts."""
    if parts is None:
        return total([tally])
    copy = dict(tally)
    for name in parts:
        if name in copy:
            copy[name] = {key: list(cell) if isinstance(cell, list) else cell for key, cell in copy[name].items()}
    return copy


def total(tallies: Iterable[Tally]) -> Tally:
    result: Tally = {}
    for tally in tallies:
        add(result, tally)
    return result


def spread(tally: Tally, name: str) -> dict[str, float | int | None]:
    """count, avg, p50 and p90 (nearest rank) of a duration metric."""
    histogram = sorted(((int(b), c[0], c[1]) for b, c in tally.get(name, {}).items()), key=lambda cell: cell[0])
    count = sum(n for _, n, _ in histogram)
    if count <= 0:
        return {"count": 0, "avg": None, "p50": None, "p90": None}
    return {
        "count": count,
        "avg": round(sum(s for _, _, s in histogram) / count, 3),
        "p50": _at_rank(histogram, count, 0.5),
        "p90": _at_rank(histogram, count, 0.9),
    }


def spread_of(values: list[float]) -> dict[str, float | int | None]:
    """The same four numbers for a few values kept whole, without buckets (the quotes report)."""
    if not values:
        return {"count": 0, "avg": None, "p50": None, "p90": None}
    return {
        "count": len(values),
        "avg": round(sum(values) / len(values), 3),
        "p50": percentile(values, 0.5),
        "p90": percentile(values, 0.9),
    }


def _at_rank(histogram: list[tuple[int, int, float]], count: int, share: float) -> float:
    rank = max(1, -(-int(share * 1000) * count // 1000))
    seen = 0
    for _, n, summed in histogram:
        seen += n
        if seen >= rank:
            return round(summed / n, 3)
    _, n, summed = histogram[-1]
    return round(summed / n, 3)


def counts(tally: Tally, name: str) -> dict[str, int]:
    return {key: int(value) for key, value in tally.get(name, {}).items()}
