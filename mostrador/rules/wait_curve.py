"""The wait curve (DESIGN.md section 3): of the cases whose first human response came after a
wait of so long, what share of customers never wrote again. Where that share jumps is the wait
customers will put up with, which is the suggested wait target.

Buckets have fixed edges, fine where a sales chat lives (seconds to minutes) and coarse beyond,
so a day's counts can be kept in a rollup and any range is the sum of its days.
"""

from __future__ import annotations

import bisect
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

# Bucket i holds waits in [EDGES[i], EDGES[i + 1]); the last is open-ended.
EDGES: tuple[float, ...] = (
    0, 1, 2, 3, 5, 10, 15, 20, 30, 45, 60, 90, 120, 180, 300, 600, 900, 1200, 1800, 2700,
    3600, 5400, 7200, 10800, 14400, 21600, 28800, 43200, 86400,
)  # fmt: skip

# A jump smaller than this between the share before and after a wait is noise, not a limit.
MIN_JUMP = 0.2


def bucket_index(wait_seconds: float) -> int:
    return max(0, bisect.bisect_right(EDGES, max(0.0, wait_seconds)) - 1)


@dataclass(frozen=True)
class Bucket:
    wait_from: float
    wait_to: float | None
    cases: int
    no_continuation: int

    @property
    def no_continuation_share(self) -> float:
        return round(self.no_continuation / self.cases, 4) if self.cases else 0.0


def buckets(counts: Mapping[int, tuple[int, int]]) -> list[Bucket]:
    """The non-empty buckets, shortest waits first, from {index: (cases, no_continuation)}."""
    result = []
    for index in sorted(counts):
        cases, gone = counts[index]
        if cases <= 0:
            continue
        upper = EDGES[index + 1] if index + 1 < len(EDGES) else None
        result.append(Bucket(EDGES[index], upper, cases, gone))
    return result


def suggested_target(curve: Sequence[Bucket]) -> float | None:
    """The wait at which customers start giving up: the start of the bucket after which the share
    of no continuation, taken over all cases on each side, rises the most. None when there are not
    two sides to compare or the rise is too small to be told from noise."""
    best, best_jump = None, MIN_JUMP
    for split in range(1, len(curve)):
        left, right = curve[:split], curve[split:]
        share_left = sum(b.no_continuation for b in left) / sum(b.cases for b in left)
        share_right = sum(b.no_continuation for b in right) / sum(b.cases for b in right)
        jump = share_right - share_left
        if jump > best_jump + 1e-9:
            best, best_jump = curve[split].wait_from, jump
    return best
