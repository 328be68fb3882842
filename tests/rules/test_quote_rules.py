"""The quote ladder (rules/quotes.py): one step at a time is always allowed (lost with its
reason); a skip needs a reason; a card never moves onto its own stage."""

from __future__ import annotations

from decimal import Decimal, localcontext

from hypothesis import example, given
from hypothesis import strategies as st

from mostrador.rules.quotes import NEXT, Refusal, Stage, refuse_amount, refuse_move

stages = st.sampled_from(list(Stage))
words = st.text(min_size=0, max_size=8)


@given(stages, stages, words, words)
def test_every_move_is_allowed_exactly_when_the_ladder_and_reasons_allow_it(current, target, reason, lost_reason):
    refusal = refuse_move(current, target, reason, lost_reason)
    if current is target:
        assert refusal is Refusal.SAME_STAGE
    elif target not in NEXT[current] and not reason.strip() and not (target is Stage.LOST and lost_reason.strip()):
        assert refusal is Refusal.SKIPS_A_STEP
    elif target is Stage.LOST and not (reason.strip() or lost_reason.strip()):
        assert refusal is Refusal.NO_LOST_REASON
    else:
        assert refusal is None


def test_the_ladder_reaches_every_stage_one_step_at_a_time():
    reached, frontier = {Stage.TO_QUOTE}, [Stage.TO_QUOTE]
    while frontier:
        for nxt in NEXT[frontier.pop()]:
            if nxt not in reached:
                reached.add(nxt)
                frontier.append(nxt)
    assert reached == set(Stage)
    assert Stage.WON not in NEXT[Stage.TO_QUOTE] and Stage.LOST not in NEXT[Stage.TO_QUOTE]


@given(st.decimals(allow_nan=True, allow_infinity=True), st.text(max_size=4))
@example(Decimal("1E26"), "")
@example(Decimal("25.990"), "CLP")
@example(Decimal("25.999"), "CLP")
@example(Decimal("2077910963517859632597808739.143"), "000")
@example(Decimal("0.000"), "CLP")
def test_an_amount_is_a_finite_non_negative_decimal_of_cents_with_a_currency(amount, currency):
    refused = refuse_amount(amount, currency) is Refusal.BAD_AMOUNT
    with localcontext() as exact:
        exact.prec = 10_000  # no rounding: a hundredfold of any generated decimal fits
        whole_cents = amount.is_finite() and (amount * 100) == (amount * 100).to_integral_value()
    fine = whole_cents and amount >= 0 and len(currency) == 3
    assert refused is not fine
