"""Cases and their metrics (DESIGN.md section 3), as plain Python.

A case is one episode of a long-lived conversation. Its metrics are kept as things happen, by
folding each event into a `CaseClock`: nothing is recomputed from messages when a report reads
them. Every function takes the moment `t` of the event; out-of-order times (a message with an old
send time) never make a duration negative.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from .attention import AuthorKind


class HandledBy(enum.StrEnum):
    AI = "ai"
    AI_THEN_PEOPLE = "ai_then_people"
    PEOPLE = "people"
    NONE = "none"


class CloseReason(enum.StrEnum):
    RESOLVED = "resolved"
    INACTIVITY = "inactivity"


def seconds(start: datetime | None, end: datetime | None) -> float | None:
    """end - start in seconds, never negative; None until both are known."""
    if start is None or end is None:
        return None
    return max((end - start).total_seconds(), 0.0)


@dataclass(frozen=True)
class CaseClock:
    """What a case has measured so far."""

    opened_at: datetime
    first_response_at: datetime | None = None
    first_human_response_at: datetime | None = None
    ai_replied: bool = False
    person_replied: bool = False
    last_customer_at: datetime | None = None
    # The business's last message to the customer, for the customer's response time.
    last_business_at: datetime | None = None
    # Who wrote last (customer or business): a change is one interaction.
    last_side: str = ""
    interactions: int = 0
    # The wait running now: when it began, and whether the AI has answered in it yet.
    wait_started_at: datetime | None = None
    ai_answered_wait: bool = False
    # When the case last became pending (None while it is not), and the time pending so far.
    pending_since: datetime | None = None
    queue_seconds: float = 0.0
    transfers: int = 0
    left_on_read: int = 0
    # Since when the case's current assignee holds it (for handling time), None while no one does.
    assigned_at: datetime | None = None
    # The wait the first human response ended (the wait curve buckets cases by it).
    first_human_wait: float | None = None
    # The first transfer (a re-route): when, and by whom (a user id, None for the system).
    first_transfer_at: datetime | None = None
    first_transfer_by: int | None = None
    # Why the AI handed the case to people, each time it did ("agent", "error", "timeout"...).
    handoffs: tuple[str, ...] = ()
    # When a bot route placed the case (a re-route is timed from there, else from the opening).
    routed_at: datetime | None = None
    # Samples, in seconds, in the order they happened.
    response_people: tuple[float, ...] = ()
    response_ai: tuple[float, ...] = ()
    customer_response: tuple[float, ...] = ()

    @property
    def handled_by(self) -> HandledBy:
        if self.ai_replied and self.person_replied:
            return HandledBy.AI_THEN_PEOPLE
        if self.person_replied:
            return HandledBy.PEOPLE
        if self.ai_replied:
            return HandledBy.AI
        return HandledBy.NONE

    @property
    def first_response_seconds(self) -> float | None:
        return seconds(self.opened_at, self.first_response_at)

    @property
    def first_human_response_seconds(self) -> float | None:
        return seconds(self.opened_at, self.first_human_response_at)

    @property
    def end_to_end_seconds(self) -> float | None:
        return seconds(self.opened_at, self.last_customer_at)

    @property
    def continued(self) -> bool:
        """The customer wrote again after the first human response (the wait curve's question)."""
        return (
            self.first_human_response_at is not None
            and self.last_customer_at is not None
            and self.last_customer_at > self.first_human_response_at
        )

    @property
    def reroute_seconds(self) -> float | None:
        return seconds(self.routed_at or self.opened_at, self.first_transfer_at)

    def handling_seconds(self, closed_at: datetime) -> float:
        """From the assignment (or, never assigned, the opening) to the close."""
        return seconds(self.assigned_at or self.opened_at, closed_at) or 0.0


def open_case(t: datetime, waiting_since: datetime | None, assigned: bool = False) -> CaseClock:
    """A case opens with the customer's first message when none is open. A chat that is already
    someone's (they kept it from an earlier case) is theirs from the start."""
    return CaseClock(opened_at=t, wait_started_at=waiting_since, assigned_at=t if assigned else None)


def on_assigned(c: CaseClock, t: datetime, to_person: bool) -> CaseClock:
    """The chat was given to a person (handling time starts again) or taken from everyone."""
    return replace(c, assigned_at=t if to_person else None)


def on_handoff(c: CaseClock, cause: str) -> CaseClock:
    return replace(c, handoffs=(*c.handoffs, cause or "agent"))


def on_routed(c: CaseClock, t: datetime) -> CaseClock:
    """A bot route handed the case to people (the first route counts)."""
    return c if c.routed_at is not None else replace(c, routed_at=t)


def on_transfer(c: CaseClock, t: datetime, by: int | None) -> CaseClock:
    """A transfer: one more re-route; the first one is timed, for the routes report."""
    if c.first_transfer_at is not None:
        return replace(c, transfers=c.transfers + 1)
    return replace(c, transfers=c.transfers + 1, first_transfer_at=t, first_transfer_by=by)


def _turn(c: CaseClock, side: str) -> dict[str, Any]:
    """The changes of a message from `side`: a change of side is one more interaction."""
    if c.last_side and c.last_side != side:
        return {"last_side": side, "interactions": c.interactions + 1}
    return {"last_side": side}


def on_message(c: CaseClock, author: AuthorKind, t: datetime, waiting_since: datetime | None) -> CaseClock:
    """Fold one message to or from the customer; `waiting_since` is the conversation's after it.
    (Each branch gathers its changes and applies them once: this runs for every message.)"""
    if author is AuthorKind.SYSTEM:
        return c  # automations (surveys, auto-replies) are not the business answering
    if author is AuthorKind.CUSTOMER:
        changes = _turn(c, "customer")
        changes["last_customer_at"] = max(filter(None, (c.last_customer_at, t)))
        gap = seconds(c.last_business_at, t) if c.last_side == "business" else None
        if gap is not None:
            changes["customer_response"] = (*c.customer_response, gap)
        if c.wait_started_at is None and waiting_since is not None:
            changes.update(wait_started_at=waiting_since, ai_answered_wait=False)
        return replace(c, **changes)
    changes = _turn(c, "business")
    changes.update(last_business_at=t, first_response_at=c.first_response_at or t)
    if author is AuthorKind.AI:
        changes["ai_replied"] = True
        if c.wait_started_at is not None and not c.ai_answered_wait:
            changes.update(ai_answered_wait=True, response_ai=(*c.response_ai, seconds(c.wait_started_at, t) or 0.0))
        return replace(c, **changes)
    # A person answered: the wait ends, and so does any time pending.
    changes.update(person_replied=True, first_human_response_at=c.first_human_response_at or t)
    if c.first_human_response_at is None and c.wait_started_at is not None:
        changes["first_human_wait"] = seconds(c.wait_started_at, t)
    if c.wait_started_at is not None:
        changes["response_people"] = (*c.response_people, seconds(c.wait_started_at, t) or 0.0)
    return end_wait(replace(c, **changes), t)


def became_pending(c: CaseClock, t: datetime) -> CaseClock:
    return c if c.pending_since is not None else replace(c, pending_since=t)


def end_wait(c: CaseClock, t: datetime, pending_from: datetime | None = None) -> CaseClock:
    """The wait is over (a person answered, or the case closed): time pending is added up.
    `pending_from` is when it became pending if no event said so (a late timer)."""
    start = c.pending_since or pending_from
    queued = seconds(start, t) if start is not None and (c.wait_started_at or c.pending_since) else None
    return replace(
        c, pending_since=None, wait_started_at=None, ai_answered_wait=False,
        queue_seconds=c.queue_seconds + (queued or 0.0),
    )


def percentile(values: list[float], share: float) -> float | None:
    """The value at `share` (0–1) of the sorted samples, by the nearest-rank method."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, -(-int(share * 1000) * len(ordered) // 1000))
    return ordered[min(rank, len(ordered)) - 1]
