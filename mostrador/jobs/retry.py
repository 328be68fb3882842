"""The one retry policy for background work: jobs that failed, provider calls that may succeed
later, and runners that lost their database. Exponential, capped, with jitter so that many
waiting things do not all come back in the same second."""

from __future__ import annotations

import random
from datetime import timedelta

FIRST_SECONDS = 2.0
CAP_SECONDS = 300.0


def backoff_seconds(attempt: int, *, first: float = FIRST_SECONDS, cap: float = CAP_SECONDS) -> float:
    """How long to wait before try number `attempt + 1` (attempt counts from 1): `first`,
    doubling each time up to `cap`, each wait drawn between 80 % and 100 % of that."""
    ceiling = min(cap, first * 2 ** max(0, attempt - 1))
    return ceiling * (0.8 + 0.2 * random.random())  # noqa: S311 - spreading retries, not security


def backoff(attempt: int, **limits) -> timedelta:
    return timedelta(seconds=backoff_seconds(attempt, **limits))
