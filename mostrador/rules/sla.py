"""Wait colours against an inbox's wait target: amber from half the target, red past it."""

from __future__ import annotations

import enum
from datetime import timedelta


class WaitColour(str, enum.Enum):
    GREEN = "green"
    AMBER = "amber"
    RED = "red"


def wait_colour(wait: timedelta, target: timedelta) -> WaitColour:
    if wait > target:
        return WaitColour.RED
    if wait >= target / 2:
        return WaitColour.AMBER
    return WaitColour.GREEN
