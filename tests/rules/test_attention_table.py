"""The attention rule, as DESIGN.md section 2 states it, one transition and example per row."""

from datetime import datetime, timedelta, timezone

import pytest

from mostrador.rules.attention import (
    Attention,
    AuthorKind,
    State,
    on_ai_toggled,
    on_handoff,
    on_message,
    on_reopen,
    on_resolve,
    pending_from,
    state_at,
    wait,
)
from mostrador.rules.sla import WaitColour, wait_colour

W = timedelta(minutes=5)


def at(hhmm: str) -> datetime:
    h, m = hhmm.split(":")
    return datetime(2026, 3, 2, int(h), int(m), tzinfo=timezone.utc)


AI_ON = Attention(ai_enabled=True)
AI_OFF = Attention(ai_enabled=False)
WAITING = Attention(waiting_since=at("10:00"))
WAITING_AI = Attention(waiting_since=at("10:00"), ai_enabled=True, ai_since=at("10:00"))
RESOLVED = Attention(resolved=True, ai_enabled=True)


@pytest.mark.parametrize(
    "before, author, t, after",
    [
        # customer message
        (AI_OFF, AuthorKind.CUSTOMER, at("10:00"), Attention(waiting_since=at("10:00"))),
        (AI_ON, AuthorKind.CUSTOMER, at("10:00"), Attention(waiting_since=at("10:00"), ai_enabled=True, ai_since=at("10:00"))),
        (WAITING, AuthorKind.CUSTOMER, at("10:04"), WAITING),
        (WAITING_AI, AuthorKind.CUSTOMER, at("10:04"), WAITING_AI),
        (RESOLVED, AuthorKind.CUSTOMER, at("10:50"), Attention(waiting_since=at("10:50"), ai_enabled=True, ai_since=at("10:50"))),
        # agent message
        (WAITING_AI, AuthorKind.AGENT, at("10:07"), Attention(ai_enabled=True)),
        (RESOLVED, AuthorKind.AGENT, at("10:07"), RESOLVED),
        # ai message
        (WAITING_AI, AuthorKind.AI, at("10:01"), WAITING_AI),
        (AI_ON, AuthorKind.AI, at("10:01"), Attention(waiting_since=at("10:01"), ai_enabled=True, ai_since=at("10:01"))),
        (AI_OFF, AuthorKind.AI, at("10:01"), Attention(waiting_since=at("10:01"))),
        (RESOLVED, AuthorKind.AI, at("10:01"), RESOLVED),
        # system message
        (WAITING_AI, AuthorKind.SYSTEM, at("10:01"), WAITING_AI),
        (RESOLVED, AuthorKind.SYSTEM, at("10:41"), RESOLVED),
        (AI_OFF, AuthorKind.SYSTEM, at("10:41"), AI_OFF),
    ],
)
def test_message_transitions(before, author, t, after):
    assert on_message(before, author, t) == after


def test_resolve_clears_the_wait_and_the_ai_turn():
    assert on_resolve(WAITING_AI) == Attention(resolved=True, ai_enabled=True)


def test_handoff_ends_only_the_ai_turn():
    assert on_handoff(WAITING_AI) == Attention(waiting_since=at("10:00"), ai_enabled=True)


def test_ai_switched_off_ends_the_turn_and_on_starts_one_while_waiting():
    off = on_ai_toggled(WAITING_AI, False, at("10:02"))
    assert off == Attention(waiting_since=at("10:00"))
    assert on_ai_toggled(off, True, at("10:03")) == Attention(
        waiting_since=at("10:00"), ai_enabled=True, ai_since=at("10:03")
    )
    # With no wait running, switching on starts no turn.
    assert on_ai_toggled(AI_OFF, True, at("10:03")) == AI_ON


def test_manual_reopen_needs_work_now_without_the_ai():
    assert on_reopen(RESOLVED, at("11:00")) == Attention(waiting_since=at("11:00"), ai_enabled=True)


def test_state_order():
    assert state_at(RESOLVED, at("10:00"), W) is State.RESOLVED
    assert state_at(AI_ON, at("10:00"), W) is State.AWAITING_CUSTOMER
    assert state_at(WAITING_AI, at("10:04"), W) is State.WITH_AI
    assert state_at(WAITING_AI, at("10:05"), W) is State.PENDING
    assert state_at(WAITING, at("10:00"), W) is State.PENDING


def test_worked_example_1_ai_off_pending_at_once():
    a = on_message(AI_OFF, AuthorKind.CUSTOMER, at("10:00"))
    assert state_at(a, at("10:00"), W) is State.PENDING
    assert wait(a, at("10:00")) == timedelta(0)


def test_worked_example_2_ai_window_runs_out():
    a = on_message(AI_ON, AuthorKind.CUSTOMER, at("10:00"))
    a = on_message(a, AuthorKind.AI, at("10:01"))
    assert state_at(a, at("10:03"), W) is State.WITH_AI
    assert state_at(a, at("10:05"), W) is State.PENDING
    assert pending_from(a, W) == at("10:05")
    assert wait(a, at("10:05")) == timedelta(minutes=5)


def test_worked_example_3_handoff_is_pending_at_once_wait_from_start():
    a = on_message(AI_ON, AuthorKind.CUSTOMER, at("10:00"))
    a = on_message(a, AuthorKind.AI, at("10:01"))
    a = on_handoff(a)
    assert state_at(a, at("10:02"), W) is State.PENDING
    assert wait(a, at("10:02")) == timedelta(minutes=2)


def test_worked_example_4_seller_answers_then_customer_writes_again():
    a = on_message(AI_ON, AuthorKind.CUSTOMER, at("10:00"))
    a = on_message(a, AuthorKind.AGENT, at("10:07"))
    assert state_at(a, at("10:07"), W) is State.AWAITING_CUSTOMER
    a = on_message(a, AuthorKind.CUSTOMER, at("10:30"))
    assert state_at(a, at("10:34"), W) is State.WITH_AI
    assert state_at(a, at("10:35"), W) is State.PENDING


def test_worked_example_5_survey_keeps_resolved_thanks_reopens():
    a = on_message(AI_OFF, AuthorKind.CUSTOMER, at("10:30"))
    a = on_resolve(a)
    a = on_message(a, AuthorKind.SYSTEM, at("10:41"))
    assert state_at(a, at("10:41"), W) is State.RESOLVED
    a = on_message(a, AuthorKind.CUSTOMER, at("10:50"))
    assert state_at(a, at("10:50"), W) is State.PENDING


def test_worked_example_6_reading_is_not_managing():
    # There is no "read" transition at all: the only way out of pending is an answer or resolve.
    a = on_message(AI_OFF, AuthorKind.CUSTOMER, at("10:00"))
    assert state_at(a, at("10:20"), W) is State.PENDING


@pytest.mark.parametrize(
    "minutes, colour",
    [(0, WaitColour.GREEN), (7, WaitColour.GREEN), (7.5, WaitColour.AMBER), (15, WaitColour.AMBER), (15.01, WaitColour.RED)],
)
def test_wait_colour_against_a_15_minute_target(minutes, colour):
    assert wait_colour(timedelta(minutes=minutes), timedelta(minutes=15)) is colour
