"""The whole-share stage of a large plan: which counts may move, and which way.

:func:`household.plan.optimise._whole_shares` rounds a coarse plan's
fractional share counts in a box (:func:`_box`); where the rounding leaves a
band, an account's cash or the budget short, the whole counts that can mend
it may move one share, only the way that mends it (:func:`_short_of`). Worked
here on a program of three columns: a buy of BND (bonds, $50 a share) and a
sale of AGG (bonds, $25) in the IRA, and a buy of VTI (stocks, $200) in the
taxable account.
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import numpy as np

from household.plan.optimise import _box, _short_of

BUY_BND, SELL_AGG, BUY_VTI = 0, 1, 2
INNER_BONDS_HIGH, CASH_IRA, CASH_TAXABLE = 3, 4, 5


def _program() -> Any:
    model = SimpleNamespace(
        lower=[0.0] * 6,
        upper=[100.0, 40.0, 10.0, np.inf, np.inf, np.inf],
        integer=[True, True, True, False, False, False],
    )
    return SimpleNamespace(
        model=model,
        shares=frozenset({BUY_BND, SELL_AGG, BUY_VTI}),
        # dollars per share a column adds to its class (a buy +price, a sale -price)
        weight_terms={"bonds": {BUY_BND: 50.0, SELL_AGG: -25.0}, "stocks": {BUY_VTI: 200.0}},
        slack={
            "inner:bonds+": INNER_BONDS_HIGH,
            "cash:ira": CASH_IRA,
            "cash:taxable": CASH_TAXABLE,
        },
        ticket_quantity={0: {BUY_BND: 1.0}, 1: {SELL_AGG: 1.0}, 2: {BUY_VTI: 1.0}},
        lot_column={},
    )


def _inputs() -> Any:
    tickets = [
        SimpleNamespace(account_id="ira", side="buy"),
        SimpleNamespace(account_id="ira", side="sell"),
        SimpleNamespace(account_id="taxable", side="buy"),
    ]
    return SimpleNamespace(tickets=tickets)


def _answer(values: list[float]) -> Any:
    return SimpleNamespace(values=np.asarray(values, dtype=float))


def test_a_class_above_its_band_buys_less_and_sells_more() -> None:
    built = _program()
    before = _answer([10, 4, 2, 0, 0, 0])
    after = _answer([10, 4, 2, 12.5, 0, 0])  # bonds $12.50 above the inner band
    # BND is bought: one share fewer brings bonds down; AGG is sold: one share more does.
    assert _short_of(built, _inputs(), before, after) == {BUY_BND: -1, SELL_AGG: 1}


def test_an_account_short_of_cash_buys_less_and_sells_more() -> None:
    built = _program()
    before = _answer([10, 4, 2, 0, 0, 0])
    after = _answer([10, 4, 2, 0, 0.12, 0])  # the IRA 12 cents short; the taxable account not
    assert _short_of(built, _inputs(), before, after) == {BUY_BND: -1, SELL_AGG: 1}


def test_two_shortfalls_that_pull_a_column_both_ways_free_it_both_ways() -> None:
    built = _program()
    built.slack = {**built.slack, "inner:bonds-": 6}
    built.model.upper.append(np.inf)
    before = _answer([10, 4, 2, 0, 0, 0, 0])
    # bonds below its band (buy more BND, sell less AGG) and the IRA short of cash (the reverse)
    after = _answer([10, 4, 2, 0, 3.0, 0, 20.0])
    assert _short_of(built, _inputs(), before, after) == {BUY_BND: 0, SELL_AGG: 0}


def test_the_box_rounds_fractional_counts_and_moves_whole_ones_only_the_way_given() -> None:
    built = _program()
    values = np.asarray([10.0, 4.0, 2.4, 0.0, 0.0, 0.0])
    # only the fractional count moves: 2.4 between floor - 1 = 1 and ceil = 3
    lower, upper = _box(built, values, {}, keep_whole=True)
    assert list(lower[:3]) == [10.0, 4.0, 1.0]
    assert list(upper[:3]) == [10.0, 4.0, 3.0]
    # widened: BND one share down at most, AGG one up at most
    lower, upper = _box(built, values, {}, keep_whole=True, widen={BUY_BND: -1, SELL_AGG: 1})
    assert list(lower[:2]) == [9.0, 4.0]
    assert list(upper[:2]) == [10.0, 5.0]
    # either way, within the column's own bounds (AGG holds 40 shares, none more to sell)
    values[SELL_AGG] = 40.0
    lower, upper = _box(built, values, {}, keep_whole=True, widen={BUY_BND: 0, SELL_AGG: 0})
    assert list(lower[:2]) == [9.0, 39.0]
    assert list(upper[:2]) == [11.0, 40.0]
    # without keep_whole every count may give back a share (and a zero stays zero)
    values[BUY_BND] = 0.0
    lower, upper = _box(built, values, {})
    assert list(lower[:3]) == [0.0, 39.0, 1.0]
    assert list(upper[:3]) == [0.0, 40.0, 3.0]
