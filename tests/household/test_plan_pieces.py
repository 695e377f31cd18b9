"""The optimiser's tax pieces: which it solves, and that its tax is the netted one.

The household: 30% short-term, 15% long-term, a $10,000 long-term gain
realised so far this year; 80 shares of VTI at $100 bought long ago for $0 (a
long-term gain of up to 80 x 100 = $8,000) and 10 shares of ITOT at $50 bought
three months ago for $100 a share (a short-term loss of up to 10 x 50 = $500).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D
from typing import Any

from household.model import Household
from household.plan import exposure, optimise, rebalance, snapshot
from household.plan.costs import cost_model
from household.plan.taxfacts import tax_facts
from lots.netting import added_tax

AS_OF = dt.date(2026, 6, 1)


def household() -> Household:
    data: dict[str, Any] = {
        "schema_version": 1,
        "household_id": "pieces",
        "horizon_years": 10,
        "tax": {
            "ordinary": "0.30",
            "qualified": "0.15",
            "short_term": "0.30",
            "year_to_date": {"long_gain": "10000"},
        },
        "asset_classes": {
            "stocks": {"expected_return": "0.07", "qualified_yield": "0.015"},
            "bonds": {"expected_return": "0.04", "ordinary_yield": "0.04"},
        },
        "targets": {"stocks": "0.60", "bonds": "0.40"},
        "accounts": [{"account_id": "taxable", "type": "individual", "cash": "0"}],
        "securities": [
            {"symbol": "VTI", "asset_class": "stocks", "price": "100"},
            {"symbol": "ITOT", "asset_class": "stocks", "price": "50"},
            {"symbol": "BND", "asset_class": "bonds", "price": "50"},
        ],
        "lots": [
            {
                "account_id": "taxable",
                "symbol": "VTI",
                "lot_id": "GAIN",
                "quantity": "80",
                "purchased": "2015-01-05",
                "cost_basis": "0",
            },
            {
                "account_id": "taxable",
                "symbol": "ITOT",
                "lot_id": "LOSS",
                "quantity": "10",
                "purchased": "2026-03-02",
                "cost_basis": "1000",
            },
        ],
        "bands": {
            "absolute": "0.05",
            "relative": "1",
            "outer_absolute": "0.10",
            "outer_relative": "1",
        },
        "costs": {"half_spread_bps": "1"},
    }
    return Household.from_dict(data)


def test_unreachable_pieces_are_skipped() -> None:
    # s in [-500, 0], l in [0, 8,000]; L = 10,000 + l >= 10,000 and N = S + L >= 9,500.
    # SHORT_GAIN_NET needs L <= 0; LOSS_WITHIN_LIMIT and LOSS_OVER_LIMIT need N <= 0: none
    # can hold. BOTH_GAINS (S >= 0, at s = 0) and LONG_GAIN_NET (S <= 0) remain.
    item = household()
    snap, _ = snapshot.take(item, AS_OF)
    wash, _ = exposure.measure(item, AS_OF)
    inputs, _ = optimise.inputs_of(
        item, snap, wash, cost_model(item), tax_facts(item), optimise.Params()
    )
    built = optimise._build(inputs)
    assert set(built.pieces) == {"both_gains", "long_gain_net"}


def test_the_optimisers_tax_is_the_netted_tax_of_the_replayed_plan() -> None:
    # Stocks are 8,000 + 500 = 8,500 of 8,500 (100% against 60%, outer band 10 points):
    # the plan must sell at least 30 points of stocks, $2,550, into bonds. The loss lot
    # goes first (tax -0.15 x 500 = -75: the short-term loss offsets long-term gain),
    # then gain shares at 15%.
    plan = rebalance(household(), AS_OF)
    assert not plan.refused
    year = tax_facts(household()).year_to_date
    rates = household().tax.netting_rates()
    exact = added_tax(year, plan.short_gain, plan.long_gain, rates)
    assert plan.tax == exact
    assert abs(D(repr(plan.solve.tax)) - exact) < D("0.01")
    sold = {s.lot.lot_id: s.quantity for t in plan.trades for s in t.lots}
    assert sold.get("LOSS") == D(10)
    assert plan.short_gain == D(-500)
    # LONG_GAIN_NET: netted 0.15 x (10,000 + l - 500) less 0.15 x 10,000 = 0.15 x (l - 500).
    assert plan.tax == D("0.15") * (plan.long_gain - 500)
