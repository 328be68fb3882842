"""Which delivery status an outbound message shows, whatever order the provider's reports arrive in.

Statuses form a ladder and a message only ever climbs it: queued < sent < failed < delivered <
read. "Failed" sits above "sent" (a message accepted and then refused stays refused, even if the
"sent" report comes late) and below "delivered" (if the provider says the customer's phone got
it, it got it). So the status shown is the highest report heard, the same in any order, and a
repeated report changes nothing.
"""

from __future__ import annotations

LADDER = ("queued", "sent", "failed", "delivered", "read")
_RANK = {status: rank for rank, status in enumerate(LADDER)}


def climbs(current: str, reported: str) -> bool:
    """Whether a report of `reported` moves a message now at `current`."""
    return _RANK[reported] > _RANK.get(current, -1)
