"""The case rules: worked examples as a table, and properties that hold for any sequence."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mostrador.rules.attention import AuthorKind
from mostrador.rules.cases import CaseClock, HandledBy, became_pending, end_wait, on_message, open_case, percentile

T0 = datetime(2026, 1, 1, 10, 0, tzinfo=timezone.utc)
C, P, A, S = AuthorKind.CUSTOMER, AuthorKind.AGENT, AuthorKind.AI, AuthorKind.SYSTEM


def at(minutes: float) -> datetime:
    return T0 + timedelta(minutes=minutes)


def play(steps) -> CaseClock:
    """Steps: (minute, author) messages, ("pending", minute) and ("end", minute)."""
    clock = on_message(open_case(at(0), at(0)), C, at(0), at(0))  # the message that opened it
    waiting = at(0)
    for step in steps:
        if step[0] == "pending":
            clock = became_pending(clock, at(step[1]))
        elif step[0] == "end":
            clock = end_wait(clock, at(step[1]))
        else:
            minute, author = step
            if author is C and waiting is None:
                waiting = at(minute)
            elif author is P:
                waiting = None
            clock = on_message(clock, author, at(minute), waiting)
    return clock


EXAMPLES = {
    # The AI answers at 10:01 and hands off at 10:02; a person answers at 10:07.
    "ai then hand-off": (
        [(1, A), ("pending", 2), (7, P)],
        dict(first_response=60, first_human=420, queue=300, handled=HandledBy.AI_THEN_PEOPLE, people=[420], ai=[60]),
    ),
    # AI window of 5 minutes runs out at 10:05; a person answers at 10:09.
    "person after the ai window": (
        [("pending", 5), (9, P)],
        dict(first_response=540, first_human=540, queue=240, handled=HandledBy.PEOPLE, people=[540], ai=[]),
    ),
    # Answered at 10:02; the customer writes again at 10:10 and waits until 10:12.
    "a second wait": (
        [("pending", 0), (2, P), (10, C), ("pending", 10), (12, P)],
        dict(first_response=120, first_human=120, queue=240, handled=HandledBy.PEOPLE, people=[120, 120], ai=[]),
    ),
    # Resolved at 10:03 with no reply at all.
    "resolved with no reply": (
        [("pending", 0), ("end", 3)],
        dict(first_response=None, first_human=None, queue=180, handled=HandledBy.NONE, people=[], ai=[]),
    ),
    # An auto-reply at 10:00:30 is not a response; the person answers at 10:04.
    "system messages in the middle": (
        [("pending", 0), (0.5, S), (4, P)],
        dict(first_response=240, first_human=240, queue=240, handled=HandledBy.PEOPLE, people=[240], ai=[]),
    ),
}


@pytest.mark.parametrize("name", EXAMPLES)
def test_worked_examples(name):
    steps, want = EXAMPLES[name]
    clock = play(steps)
    assert clock.first_response_seconds == want["first_response"]
    assert clock.first_human_response_seconds == want["first_human"]
    assert clock.queue_seconds == want["queue"]
    assert clock.handled_by is want["handled"]
    assert list(clock.response_people) == want["people"] and list(clock.response_ai) == want["ai"]


def test_interactions_count_turn_changes_and_customer_response_time():
    clock = play([(1, P), (3, C), (3.5, C), (4, A), (6, C)])
    assert clock.interactions == 4  # C → P → C → A → C
    assert list(clock.customer_response) == [120, 120]  # 10:01 → 10:03 and 10:04 → 10:06
    assert clock.end_to_end_seconds == 360


steps = st.lists(
    st.one_of(
        st.tuples(st.floats(-600, 600), st.sampled_from([C, P, A, S])),
        st.tuples(st.just("pending"), st.floats(-600, 600)),
        st.tuples(st.just("end"), st.floats(-600, 600)),
    ),
    max_size=25,
)


@given(steps)
def test_no_duration_is_ever_negative_whatever_the_order_of_times(sequence):
    clock = play(sequence)
    for value in (clock.first_response_seconds, clock.first_human_response_seconds, clock.end_to_end_seconds):
        assert value is None or value >= 0
    assert clock.queue_seconds >= 0
    assert all(v >= 0 for v in (*clock.response_people, *clock.response_ai, *clock.customer_response))


@given(steps)
def test_handled_by_says_who_replied(sequence):
    clock = play(sequence)
    authors = {s[1] for s in sequence if not isinstance(s[0], str)}
    assert (A in authors) == clock.ai_replied and (P in authors) == clock.person_replied
    assert (clock.first_response_at is None) == (not ({A, P} & authors))


@given(st.lists(st.floats(0, 1e6, allow_nan=False), min_size=1, max_size=50), st.floats(0.01, 1))
def test_percentiles_are_samples_in_order(values, share):
    p = percentile(values, share)
    assert p in values
    assert percentile(values, 0.01) <= p <= percentile(values, 1.0) == max(values)
