"""The assignment rule: whoever it names can take the chat, it queues only when nobody can, and
it is fair (round robin takes turns, balanced never lets loads drift apart)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mostrador.rules.assignment import Availability, Candidate, Policy, choose, effective_capacity, may_assign

T0 = datetime(2026, 1, 1, tzinfo=timezone.utc)

candidate = st.builds(
    Candidate,
    agent_id=st.integers(1, 50),
    availability=st.sampled_from(list(Availability)),
    load=st.integers(0, 8),
    capacity=st.one_of(st.none(), st.integers(1, 8)),
    last_assigned_at=st.one_of(st.none(), st.integers(0, 1000).map(lambda s: T0 + timedelta(seconds=s))),
)
teams = st.lists(candidate, max_size=12, unique_by=lambda c: c.agent_id)
auto = st.sampled_from([Policy.ROUND_ROBIN, Policy.BALANCED])


@given(auto, teams, st.one_of(st.none(), st.integers(1, 50)))
def test_the_chosen_agent_is_online_with_room_and_nobody_is_passed_over_for_the_queue(policy, people, sticky):
    chosen = choose(policy, people, sticky)
    able = [c for c in people if c.availability is Availability.ONLINE and (c.capacity is None or c.load < c.capacity)]
    if not able:
        assert chosen is None
    else:
        assert chosen in {c.agent_id for c in able}


@given(auto, teams, st.integers(1, 50))
def test_a_returning_customers_agent_gets_them_whenever_they_can(policy, people, sticky):
    can = any(c.agent_id == sticky and c.can_take for c in people)
    if can:
        assert choose(policy, people, sticky) == sticky


@given(teams)
def test_balanced_picks_the_lowest_load(people):
    chosen = choose(Policy.BALANCED, people)
    if chosen is not None:
        able = [c for c in people if c.can_take]
        assert next(c for c in people if c.agent_id == chosen).load == min(c.load for c in able)


@given(teams)
def test_round_robin_picks_whoever_waited_longest_for_a_chat(people):
    chosen = choose(Policy.ROUND_ROBIN, people)
    if chosen is not None:
        able = [c for c in people if c.can_take]
        never = [c for c in able if c.last_assigned_at is None]
        picked = next(c for c in people if c.agent_id == chosen)
        if never:
            assert picked.last_assigned_at is None
        else:
            assert picked.last_assigned_at == min(c.last_assigned_at for c in able)


@given(teams)
def test_manual_never_chooses(people):
    assert choose(Policy.MANUAL, people) is None


def run(policy: Policy, people: dict[int, Candidate], chats: int) -> list[int | None]:
    """Assign `chats` chats one after another, updating loads and turns as the actions would."""
    out = []
    for n in range(chats):
        chosen = choose(policy, people.values())
        out.append(chosen)
        if chosen is not None:
            c = people[chosen]
            people[chosen] = Candidate(c.agent_id, c.availability, c.load + 1, c.capacity, T0 + timedelta(seconds=n + 1))
    return out


@given(st.integers(1, 20), st.integers(0, 5), st.integers(0, 200), auto)
def test_with_equal_loads_no_agent_gets_two_more_than_another(agents, start, chats, policy):
    people = {i: Candidate(i, Availability.ONLINE, start, None) for i in range(1, agents + 1)}
    run(policy, people, chats)
    loads = [c.load for c in people.values()]
    assert max(loads) - min(loads) <= 1


@given(st.lists(st.integers(0, 6), min_size=1, max_size=10), st.integers(0, 60))
def test_balanced_evens_out_unequal_loads_before_anyone_pulls_ahead(starts, chats):
    people = {i: Candidate(i, Availability.ONLINE, load, None) for i, load in enumerate(starts, start=1)}
    run(Policy.BALANCED, people, chats)
    loads = [c.load for c in people.values()]
    # Nobody is given a chat while someone else holds fewer, so the spread only shrinks to 1.
    assert max(loads) - min(loads) <= max(1, max(starts) - min(starts))
    assert max(loads) <= max(max(starts), min(loads) + 1)


@given(st.integers(1, 8), st.integers(1, 4), st.integers(0, 60), auto)
def test_capacity_is_never_exceeded_and_the_rest_queue(agents, capacity, chats, policy):
    people = {i: Candidate(i, Availability.ONLINE, 0, capacity) for i in range(1, agents + 1)}
    got = run(policy, people, chats)
    assert all(c.load <= capacity for c in people.values())
    assert got.count(None) == max(0, chats - agents * capacity)


@pytest.mark.parametrize(
    ("inbox", "agent", "expected"), [(None, None, None), (3, None, 3), (3, 5, 5), (None, 2, 2)]
)
def test_an_agents_capacity_overrides_the_inboxes(inbox, agent, expected):
    assert effective_capacity(inbox, agent) == expected


def test_a_full_agent_is_refused_by_hand_unless_the_person_may_override():
    full = Candidate(1, Availability.AWAY, 2, 2)
    assert may_assign(full, overrides_capacity=False) == "over_capacity"
    assert may_assign(full, overrides_capacity=True) is None
    # Away does not block a hand-picked colleague.
    assert may_assign(Candidate(1, Availability.AWAY, 0, 2), overrides_capacity=False) is None
