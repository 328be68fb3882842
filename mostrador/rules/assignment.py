"""Who gets a chat that needs a person (DESIGN.md section 4). Plain Python: the caller passes the
candidates with their availability, loads and capacities; the rule answers with one of them, or
None when nobody has room and the chat waits in the queue.

- `round_robin`: the online agent with room who was assigned a chat least recently.
- `balanced`: the online agent with room who holds the fewest open chats; ties go to the one
  assigned least recently, so equal loads still take turns.
- A returning customer goes back to their last agent (`sticky`) when that agent is online and has
  room, whatever the policy.
- `manual`: nobody is chosen; people assign by hand.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from enum import Enum


class Policy(str, Enum):
    MANUAL = "manual"
    ROUND_ROBIN = "round_robin"
    BALANCED = "balanced"


class Availability(str, Enum):
    ONLINE = "online"
    AWAY = "away"
    OFFLINE = "offline"


@dataclass(frozen=True)
class Candidate:
    agent_id: int
    availability: Availability
    # Open chats this agent holds in the inbox (kept by the actions, never counted here).
    load: int
    # At most this many open chats; None: no limit.
    capacity: int | None
    last_assigned_at: datetime | None = None

    @property
    def has_room(self) -> bool:
        return self.capacity is None or self.load < self.capacity

    @property
    def can_take(self) -> bool:
        return self.availability is Availability.ONLINE and self.has_room


def effective_capacity(inbox_capacity: int | None, agent_capacity: int | None) -> int | None:
    """An agent's own capacity overrides the inbox's; neither set means no limit."""
    return agent_capacity if agent_capacity is not None else inbox_capacity


def choose(policy: Policy, candidates: Iterable[Candidate], sticky_agent_id: int | None = None) -> int | None:
    """The agent who takes the chat, or None: queue it (or, under `manual`, leave it alone)."""
    if policy is Policy.MANUAL:
        return None
    able = [c for c in candidates if c.can_take]
    if not able:
        return None
    if sticky_agent_id is not None:
        for c in able:
            if c.agent_id == sticky_agent_id:
                return c.agent_id
    if policy is Policy.BALANCED:
        return min(able, key=lambda c: (c.load, _turn(c), c.agent_id)).agent_id
    return min(able, key=lambda c: (_turn(c), c.load, c.agent_id)).agent_id


def _turn(c: Candidate) -> tuple[int, datetime | None]:
    """Never assigned sorts before any time: a newcomer gets the next chat."""
    return (0, None) if c.last_assigned_at is None else (1, c.last_assigned_at)


def may_assign(target: Candidate, *, overrides_capacity: bool) -> str | None:
    """Whether a person may hand a chat to `target` by hand: a code for the refusal, or None.
    Capacity binds agents; a supervisor may go past it. Availability never blocks a manual choice
    (a seller may leave a chat for a colleague who is away)."""
    if not target.has_room and not overrides_capacity:
        return "over_capacity"
    return None
