"""Quote requests (DESIGN.md section 5): the stage ladder and who may move a card where.

to_quote → quoted → won | lost. One step at a time, forwards or back; a move that skips a step
(to_quote → won) needs a reason, and `lost` always needs its lost reason (which also explains a
skip into it). Pure: no Django.
"""

from __future__ import annotations

import enum
from decimal import Decimal


class Stage(enum.StrEnum):
    TO_QUOTE = "to_quote"
    QUOTED = "quoted"
    WON = "won"
    LOST = "lost"


# Where each stage may go in one step.
NEXT: dict[Stage, frozenset[Stage]] = {
    Stage.TO_QUOTE: frozenset({Stage.QUOTED}),
    Stage.QUOTED: frozenset({Stage.TO_QUOTE, Stage.WON, Stage.LOST}),
    Stage.WON: frozenset({Stage.QUOTED}),
    Stage.LOST: frozenset({Stage.QUOTED}),
}

# The counters and the board's first column: the price is still owed.
OPEN = frozenset({Stage.TO_QUOTE})


class Refusal(enum.StrEnum):
    SAME_STAGE = "same_stage"
    SKIPS_A_STEP = "skips_a_step"
    NO_LOST_REASON = "no_lost_reason"
    BAD_AMOUNT = "bad_amount"


def refuse_move(current: Stage, target: Stage, reason: str = "", lost_reason: str = "") -> Refusal | None:
    """Why the move may not happen, or None when it may."""
    if current is target:
        return Refusal.SAME_STAGE
    # Into `lost`, its lost reason also explains a skipped step.
    why = reason.strip() or (lost_reason.strip() if target is Stage.LOST else "")
    if target not in NEXT[current] and not why:
        return Refusal.SKIPS_A_STEP
    if target is Stage.LOST and not (lost_reason.strip() or reason.strip()):
        return Refusal.NO_LOST_REASON
    return None


def refuse_amount(amount: Decimal | None, currency: str) -> Refusal | None:
    """An amount is a non-negative decimal with at most two places, always with its currency."""
    if amount is None:
        return None
    exponent = _places(amount) if amount.is_finite() else None
    if exponent is None or exponent < -2 or amount < 0 or len(currency) != 3:
        return Refusal.BAD_AMOUNT
    return None


def _places(amount: Decimal) -> int:
    """The exponent of the amount's last significant digit (-3 for 1.234, 0 for 1.000). Not
    `normalize()`, which rounds to the context's 28 digits and so hid a third decimal place."""
    digits, exponent = list(amount.as_tuple().digits), amount.as_tuple().exponent
    assert isinstance(exponent, int)
    if not any(digits):
        return 0
    while digits[-1] == 0:
        digits.pop()
        exponent += 1
    return exponent
