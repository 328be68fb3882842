"""Properties of the attention rule that must hold for any sequence of events."""

from datetime import datetime, timedelta, timezone

from hypothesis import given, settings
from hypothesis import strategies as st

from mostrador.rules.attention import (
    Attention,
    AuthorKind,
    State,
    ai_deadline,
    on_ai_toggled,
    on_handoff,
    on_message,
    on_reopen,
    on_resolve,
    state_at,
)
from mostrador.rules.permissions import ai_may_speak

T0 = datetime(2026, 1, 1, tzinfo=timezone.utc)

events = st.one_of(
    st.tuples(st.just("message"), st.sampled_from(list(AuthorKind))),
    st.tuples(st.just("resolve"), st.none()),
    st.tuples(st.just("reopen"), st.none()),
    st.tuples(st.just("handoff"), st.none()),
    st.tuples(st.just("ai"), st.booleans()),
    st.tuples(st.just("note"), st.none()),
    st.tuples(st.just("read"), st.none()),
)


def apply(a: Attention, event, t: datetime) -> Attention:
    kind, arg = event
    if kind == "message":
        return on_message(a, arg, t)
    if kind == "resolve":
        return on_resolve(a)
    if kind == "reopen":
        return on_reopen(a, t) if a.resolved else a
    if kind == "handoff":
        return on_handoff(a)
    if kind == "ai":
        return on_ai_toggled(a, arg, t)
    # Reading a chat and writing an internal note are not attention events.
    return a


histories = st.lists(st.tuples(events, st.integers(min_value=0, max_value=600)), max_size=30)
windows = st.integers(min_value=1, max_value=900).map(lambda s: timedelta(seconds=s))


def replay(history, start=Attention()):
    a, t = start, T0
    for event, gap in history:
        t += timedelta(seconds=gap)
        a = apply(a, event, t)
    return a, t


@given(histories, windows, st.integers(min_value=0, max_value=2000))
def test_a_customer_message_always_leaves_it_pending_or_with_ai(history, window, gap):
    a, t = replay(history)
    t += timedelta(seconds=gap)
    after = on_message(a, AuthorKind.CUSTOMER, t)
    assert state_at(after, t, window) in (State.PENDING, State.WITH_AI)


@given(histories, st.lists(st.tuples(st.sampled_from([AuthorKind.CUSTOMER, AuthorKind.AI, AuthorKind.SYSTEM]), st.integers(0, 600)), max_size=20))
def test_the_wait_start_never_moves_while_a_wait_runs(history, more):
    a, t = replay(history)
    if a.waiting_since is None or a.resolved:
        return
    start, ai_start = a.waiting_since, a.ai_since
    for author, gap in more:
        t += timedelta(seconds=gap)
        a = on_message(a, author, t)
        assert a.waiting_since == start
        # ... and the AI's window does not stretch either.
        assert a.ai_since == ai_start


@given(histories, windows)
def test_only_a_person_or_resolve_ends_a_wait(history, window):
    a, t = replay(history)
    if a.waiting_since is None:
        return
    for author in (AuthorKind.CUSTOMER, AuthorKind.AI, AuthorKind.SYSTEM):
        assert on_message(a, author, t).waiting_since is not None
    assert on_handoff(a).waiting_since is not None
    assert on_message(a, AuthorKind.AGENT, t).waiting_since is None


@given(histories, windows)
def test_with_ai_always_becomes_pending_exactly_at_the_deadline(history, window):
    a, _ = replay(history)
    deadline = ai_deadline(a, window)
    if deadline is None:
        return
    assert state_at(a, deadline - timedelta(microseconds=1), window) is State.WITH_AI
    assert state_at(a, deadline, window) is State.PENDING


@settings(max_examples=200)
@given(histories)
def test_automations_never_start_end_or_reopen_anything(history):
    a, t = replay(history)
    assert on_message(a, AuthorKind.SYSTEM, t) == a


@given(histories)
def test_ai_messages_never_reopen_a_resolved_chat(history):
    a, t = replay(history)
    if a.resolved:
        assert on_message(a, AuthorKind.AI, t).resolved


@given(histories, windows)
@settings(max_examples=300)
def test_the_ai_is_silent_after_a_person_answers_until_the_customer_writes(history, window):
    a, t = replay(history)
    a = on_message(on_ai_toggled(a, True, t), AuthorKind.AGENT, t)
    # Whatever happens next that is not the customer writing, an AI that is on may not speak.
    for event, gap in history:
        if event == ("message", AuthorKind.CUSTOMER) or event[0] in ("ai", "reopen"):
            break
        t += timedelta(seconds=gap)
        if event == ("message", AuthorKind.AI):
            # The actions refuse it, so it never reaches the rule.
            continue
        a = apply(a, event, t)
        assert not ai_may_speak(a, t, window)


@given(histories, windows, st.integers(min_value=0, max_value=900))
@settings(max_examples=300)
def test_the_ai_may_speak_exactly_while_it_holds_the_turn(history, window, later):
    a, t = replay(history)
    now = t + timedelta(seconds=later)
    if a.ai_enabled:
        assert ai_may_speak(a, now, window) == (state_at(a, now, window) is State.WITH_AI)
    else:
        assert ai_may_speak(a, now, window)


def test_a_new_customer_wait_gives_the_ai_its_turn_back():
    window = timedelta(minutes=5)
    a = on_message(Attention(ai_enabled=True), AuthorKind.CUSTOMER, T0)
    a = on_message(a, AuthorKind.AGENT, T0 + timedelta(minutes=1))
    assert not ai_may_speak(a, T0 + timedelta(minutes=2), window)
    a = on_message(a, AuthorKind.CUSTOMER, T0 + timedelta(minutes=3))
    assert ai_may_speak(a, T0 + timedelta(minutes=4), window)
    assert not ai_may_speak(a, T0 + timedelta(minutes=8), window)
