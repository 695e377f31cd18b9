"""End-to-end rebalances of the ``fixtures/households/plan_*.json`` households, checked by hand.

Every fixture: tax 30% short-term, 15% long-term, no state tax; prices STK $100,
STK2 $40, BND $50, BND2 $25; plan date 2026-06-01.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest

from household.loader import load_household
from household.model import Household
from household.plan import Plan, rebalance
from lots.records import Action

D = Decimal
FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "households"
AS_OF = dt.date(2026, 6, 1)


def load(name: str) -> Household:
    return load_household(FIXTURES / f"{name}.json")


def plan_of(name: str) -> Plan:
    return rebalance(load(name), AS_OF)


def blotter(plan: Plan) -> list[tuple[str, str, str, Decimal]]:
    return [(t.account_id, t.action.value, t.symbol, t.quantity) for t in plan.trades]


def codes(plan: Plan) -> set[str]:
    return {note.code for note in plan.notes}


def test_contribution_fixes_drift_with_no_sales() -> None:
    plan = plan_of("plan_contribution")
    # Before: STK 60 * 100 = 6,000; BND 40 * 50 = 2,000; cash 0 + 2,000 contributed.
    # Managed 10,000: bonds 20% against 40% (drift -0.20, an outer breach).
    bonds = next(d for d in plan.drift_before if d.asset_class == "bonds")
    assert bonds.absolute == D("-0.2")
    # The contribution buys bonds: shortfall 0.4 * 10,000 - 2,000 = 2,000; cash 2,000
    # less the $1 ticket: (2,000 - 1) / 50 = 39.98 -> 39 whole shares = $1,950.
    assert blotter(plan) == [("joint", "buy", "BND", D(39))]
    trade = plan.trades[0]
    # costs: commission 1; spread 1,950 * 10 bps = 1.95; no impact
    assert (trade.cost.commission, trade.cost.spread, trade.cost.impact) == (1, D("1.95"), 0)
    assert plan.mode == "cash_flows"
    assert not plan.refused
    # cash after: 2,000 - 1,950 - 1 = 49
    assert plan.cash_after == {"joint": D(49)}
    # bonds after: 3,950 / (6,000 + 3,950 + 49) = 0.39504 -> inside the +-5 point band
    bonds_after = next(d for d in plan.drift_after if d.asset_class == "bonds")
    assert bonds_after.value == D(3950)
    assert bonds_after.status.value == "inside"
    assert plan.tax == 0


def test_withdrawal_from_taxable_is_raised_from_losses_first() -> None:
    plan = plan_of("plan_withdrawal")
    # Lots of STK at $100 (min tax): L3 20 sh at $120 bought 2026-03-02 (short-term loss
    # $20/sh), L1 100 sh at $120 (long-term loss $20/sh), L2 50 sh at $80 (long-term gain).
    # $3,000 to raise -> 30 shares: all of L3 (ST first), then 10 of L1.
    assert blotter(plan) == [("taxable", "sell", "STK", D(30))]
    sales = [(s.lot.lot_id, s.quantity, s.gain, s.tax) for s in plan.trades[0].lots]
    # L3: 20 * (100 - 120) = -400 at 30% = -120; L1: 10 * -20 = -200 at 15% = -30
    assert sales == [("L3", D(20), D(-400), D(-120)), ("L1", D(10), D(-200), D(-30))]
    assert plan.tax == D(-150)
    assert plan.cash_after == {"taxable": D(0)}
    assert plan.trades[0].reason == "withdrawal"
    assert not plan.refused
    tax = plan.to_json_dict()["tax_impact"]
    assert tax[0] == {
        "term": "short",
        "gains": "0.00",
        "losses": "-400.00",
        "disallowed": "0.00",
        "net": "-400.00",
        "rate": "0.300000",
        "estimated_tax": "-120.00",
    }
    assert tax[2]["estimated_tax"] == "-150.00"


def test_drift_inside_the_outer_band_is_deferred_when_it_would_realise_gains() -> None:
    plan = plan_of("plan_deferred")
    # STK 110 * 100 = 11,000, BND 110 * 50 = 5,500: stocks 11,000 / 16,500 = 0.6667,
    # drift +0.0667: past the 0.05 inner band, inside the 0.10 outer band.
    stocks = next(d for d in plan.drift_before if d.asset_class == "stocks")
    assert stocks.status.value == "inner_breach"
    # Both STK lots are gains (T1 $50/sh long-term, T2 $10/sh short-term): nothing is sold.
    assert plan.trades == ()
    assert "deferred_gain" in codes(plan)
    assert "band_exception" in codes(plan)
    assert not plan.refused  # the bands check passes: the exception log explains it


def test_same_drift_with_an_ira_is_fixed_inside_the_ira_at_no_tax() -> None:
    data = load("plan_deferred").to_dict()
    data["accounts"].append({"account_id": "ira", "owner": "pat", "type": "traditional_ira"})
    data["lots"].append(
        {
            "account_id": "ira",
            "symbol": "STK",
            "lot_id": "I1",
            "quantity": "40",
            "purchased": "2019-01-02",
            "cost_basis": "2000",
        }
    )
    household = Household.from_dict(data)
    plan = rebalance(household, AS_OF)
    # Managed 16,500 + 4,000 = 20,500; stocks 15,000 / 20,500 = 0.7317 (outer breach).
    # Full rebalance: stocks to 0.6 * 20,500 = 12,300: sell 2,700 = 27 STK, buy 54 BND,
    # all in the IRA (tax-advantaged first), no tax.
    assert all(t.account_id == "ira" for t in plan.trades)
    assert blotter(plan) == [("ira", "sell", "STK", D(27)), ("ira", "buy", "BND", D(54))]
    assert plan.tax == 0
    assert not plan.refused


def test_restricted_security_is_neither_bought_nor_sold() -> None:
    plan = plan_of("plan_restricted")
    # EMPL 30 * 100 = 3,000 (restricted), STK 10 * 100 = 1,000, BND 120 * 50 = 6,000:
    # stocks 0.40 vs 0.60. Full rebalance: +2,000 stocks. EMPL is the largest holding of
    # the class but restricted: the buy goes to STK (20 sh); BND sells 40 sh.
    assert blotter(plan) == [("ira", "sell", "BND", D(40)), ("ira", "buy", "STK", D(20))]
    assert {"restricted", "restricted_buy"} <= codes(plan)
    assert all(t.symbol != "EMPL" for t in plan.trades)
    assert not plan.refused
    stocks = next(d for d in plan.drift_after if d.asset_class == "stocks")
    assert stocks.actual == D("0.6")  # (3,000 + 3,000) / 10,000


def test_trade_below_the_minimum_is_suppressed_and_logged() -> None:
    plan = plan_of("plan_min_trade")
    # STK 5,600 vs 5,000 target: sell $600 = 6 sh, below the $1,000 minimum.
    assert plan.trades == ()
    messages = [n.message for n in plan.notes if n.code == "below_min_trade"]
    assert messages == ["sell of 6 shares ($600.00) below the minimum trade of $1000: not traded"]
    assert not plan.refused


def test_partial_rebalance_to_the_band_edge_when_the_full_one_costs_more_than_it_is_worth() -> None:
    data = load("plan_min_trade").to_dict()
    data["constraints"]["min_trade"] = "0"
    data["costs"]["half_spread_bps"] = "10"
    household = Household.from_dict(data)
    # Drift +0.06 on a 0.05 band: lambda = 1 - 0.05 / 0.06 = 1/6 of the way: $100.
    plan = rebalance(household, AS_OF, drift_value_rate=D(0))
    assert plan.mode == "band_edge"
    assert blotter(plan) == [("ira", "sell", "STK", D(1)), ("ira", "buy", "BND", D(2))]
    # full: 600 + 600 at 10 bps = 1.20; band edge: 100 + 100 at 10 bps = 0.20
    assert plan.extra["full_cost"] == D("1.2")
    assert plan.extra["band_edge_cost"] == D("0.2")
    assert "partial_rebalance" in codes(plan)
    # the default rate (1 cent per dollar put in place: $6 for $600) keeps the full one
    full = rebalance(household, AS_OF)
    assert full.mode == "full"
    assert blotter(full) == [("ira", "sell", "STK", D(6)), ("ira", "buy", "BND", D(12))]


@pytest.mark.parametrize("name", ["high_earner_munis", "retired_couple", "young_couple"])
def test_shared_fixtures_give_plans_that_pass_or_explain(name: str) -> None:
    household = load(name)
    assert household.as_of is not None
    plan = rebalance(household, household.as_of)
    # the checks that never depend on judgement always pass
    passed = {c.name: c.passed for c in plan.checks}
    assert passed["wash_sales"] and passed["lot_basis"] and passed["reconciliation"]
    assert passed["restricted_and_caps"]
    for trade in plan.trades:
        assert not (trade.action is Action.BUY and household.is_restricted(trade.symbol))
