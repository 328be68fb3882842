"""The report tallies (rules/tally.py): days add up to ranges, and percentiles stay honest."""

from __future__ import annotations

import copy

from hypothesis import given
from hypothesis import strategies as st

from mostrador.rules import tally
from mostrador.rules.cases import percentile

seconds = st.floats(min_value=0, max_value=90 * 86400, allow_nan=False)
whole_seconds = st.integers(min_value=0, max_value=tally.LINEAR_UNTIL - 1)

figures = st.builds(
    tally.CaseFigures,
    closed=st.just(True),
    durations=st.fixed_dictionaries({name: st.lists(seconds, max_size=3) for name in tally.DURATIONS}),
    interactions=st.integers(0, 40),
    left_on_read=st.integers(0, 3),
    handled_by=st.sampled_from(["ai", "ai_then_people", "people", "none"]),
    csat=st.none() | st.integers(1, 5),
    nps=st.none() | st.integers(0, 10),
    wait_bucket=st.none() | st.integers(0, 28),
    continued=st.booleans(),
    handoffs=st.lists(st.sampled_from(["agent", "error", "timeout"]), max_size=2).map(tuple),
)
openings = st.builds(
    tally.Opening,
    route=st.sampled_from(["", "cotizar", "despacho"]),
    reroute_seconds=st.none() | seconds,
    rerouted_by=st.none() | st.integers(1, 5),
)


def tally_of(values: list[float]) -> tally.Tally:
    return tally.of_case(tally.CaseFigures(closed=True, durations={"queue": values}))


@given(st.lists(whole_seconds, min_size=1, max_size=60))
def test_whole_seconds_below_ten_minutes_come_back_exactly(values):
    got = tally.spread(tally_of(values), "queue")
    assert got["count"] == len(values)
    assert got["p50"] == percentile(values, 0.5) and got["p90"] == percentile(values, 0.9)
    assert got["avg"] == round(sum(values) / len(values), 3)
    assert got == tally.spread_of(values)


@given(st.lists(seconds, min_size=1, max_size=60))
def test_any_percentile_is_within_its_bucket_of_the_exact_one(values):
    got = tally.spread(tally_of(values), "queue")
    exact = percentile(values, 0.9)
    # One-second buckets, then 2 % ones: the error is below a second or 2 %, whichever is larger.
    assert abs(got["p90"] - exact) <= max(1.0, 0.02 * exact) + 1e-6
    assert abs(got["avg"] - sum(values) / len(values)) < 1e-3 + 1e-9 * sum(values)


@given(st.lists(seconds, min_size=2, max_size=200))
def test_buckets_never_reorder_durations(values):
    ordered = sorted(values)
    buckets = [tally.bucket_of(v) for v in ordered]
    assert buckets == sorted(buckets) and buckets[0] >= 0


@given(st.lists(figures, max_size=12), st.integers(0, 12))
def test_the_tally_of_a_range_is_the_sum_of_its_days_in_any_split(cases, cut):
    whole = tally.total(tally.of_case(c) for c in cases)
    split = tally.total([tally.total(tally.of_case(c) for c in cases[:cut]), tally.total(tally.of_case(c) for c in cases[cut:])])
    assert tally.spread(split, "end_to_end") == tally.spread(whole, "end_to_end")
    assert split.get("closed", 0) == len(cases) == whole.get("closed", 0)
    assert tally.counts(split, "csat") == tally.counts(whole, "csat")


@given(st.lists(figures, max_size=8), figures)
def test_taking_a_case_out_leaves_what_was_there_before(cases, extra):
    before = tally.total(tally.of_case(c) for c in cases)
    after = tally.add(copy.deepcopy(before), tally.of_case(extra))
    tally.add(after, tally.of_case(extra), sign=-1)
    assert after.keys() == before.keys()
    for name in tally.DURATIONS:
        assert tally.spread(after, name)["count"] == tally.spread(before, name)["count"]
    assert tally.counts(after, "handled_by") == tally.counts(before, "handled_by")
    assert after.get("wait_curve") == before.get("wait_curve")
    assert tally.counts(after, "handoffs") == tally.counts(before, "handoffs")


@given(st.lists(openings, max_size=12), st.integers(0, 12))
def test_routes_add_up_in_any_split_and_count_each_opening_once(opened, cut):
    whole = tally.total(tally.of_opening(o) for o in opened)
    split = tally.total([tally.total(tally.of_opening(o) for o in opened[:cut]), tally.total(tally.of_opening(o) for o in opened[cut:])])
    assert whole.get("opened", 0) == len(opened) == split.get("opened", 0)
    for route in {o.route for o in opened}:
        mine = [o for o in opened if o.route == route]
        cases, rerouted, summed = whole["routes"][route]
        assert (cases, rerouted) == (len(mine), sum(o.reroute_seconds is not None for o in mine)) == tuple(split["routes"][route][:2])
        assert abs(summed - sum(o.reroute_seconds or 0 for o in mine)) < 1e-3 * max(1, len(mine))


def test_an_empty_tally_has_no_numbers():
    assert tally.spread({}, "first_response") == {"count": 0, "avg": None, "p50": None, "p90": None}
    assert tally.of_case(tally.CaseFigures(closed=False)) == {}


@given(st.lists(figures, max_size=6), st.lists(openings, max_size=6), st.lists(openings, min_size=1, max_size=4))
def test_a_thawed_tally_takes_openings_without_changing_the_kept_one(cases, opened, more):
    kept = tally.total([*(tally.of_case(c) for c in cases), *(tally.of_opening(o) for o in opened)])
    before = copy.deepcopy(kept)
    for parts in (None, ("routes", "rerouted_by")):
        thawed = tally.thawed(kept, parts)
        for o in more:
            tally.add(thawed, tally.of_opening(o))
        assert kept == before
        assert thawed.get("opened", 0) == len(opened) + len(more)
