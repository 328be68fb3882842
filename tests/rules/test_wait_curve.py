"""The wait curve (rules/wait_curve.py): buckets in order, and the suggested target where customers
start giving up."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from mostrador.rules import wait_curve as curve

waits = st.floats(min_value=0, max_value=10 * 86400, allow_nan=False)


@given(waits, waits)
def test_buckets_never_reorder_waits_and_hold_their_wait(a, b):
    low, high = sorted((a, b))
    assert curve.bucket_index(low) <= curve.bucket_index(high)
    index = curve.bucket_index(a)
    assert curve.EDGES[index] <= a
    assert index + 1 == len(curve.EDGES) or a < curve.EDGES[index + 1]


counts = st.dictionaries(st.integers(0, len(curve.EDGES) - 1), st.integers(1, 50).flatmap(lambda n: st.tuples(st.just(n), st.integers(0, n))))


@given(counts)
def test_the_target_is_where_a_bucket_starts_and_the_share_rises_there(found):
    buckets = curve.buckets(found)
    assert [b.wait_from for b in buckets] == sorted(b.wait_from for b in buckets)
    target = curve.suggested_target(buckets)
    if target is None:
        return
    split = [b.wait_from for b in buckets].index(target)
    assert split > 0
    before, after = buckets[:split], buckets[split:]
    share = lambda part: sum(b.no_continuation for b in part) / sum(b.cases for b in part)  # noqa: E731
    assert share(after) - share(before) > curve.MIN_JUMP


@given(st.integers(1, len(curve.EDGES) - 2), st.integers(1, 30), st.integers(1, 30))
def test_customers_who_all_leave_past_a_wait_give_that_wait_as_the_target(cut, kept, lost):
    # Every bucket below `cut` kept its customers; every bucket from it on lost them all.
    found = {i: (kept, 0) for i in range(cut)} | {i: (lost, lost) for i in range(cut, len(curve.EDGES))}
    assert curve.suggested_target(curve.buckets(found)) == curve.EDGES[cut]


def test_one_bucket_or_a_flat_curve_suggests_nothing():
    assert curve.suggested_target(curve.buckets({3: (10, 9)})) is None
    assert curve.suggested_target(curve.buckets({0: (10, 3), 5: (10, 3), 9: (10, 4)})) is None
