"""A brute-force reference for the optimiser on tiny households.

Every whole-share plan of a household of at most 2 accounts, 6 lots and 3
securities is enumerated and valued by the objective of
:mod:`household.plan.optimise`, written again here in plain arithmetic
(Decimal tax from ``lots.netting``, the growth table from
``household.locating.growth_table``); the optimiser's objective must equal the
best one. Impact and risk are off (their piecewise-linear forms are the
optimiser's own approximations); commissions, spreads, the netted tax, the
carryforward, the location term, the bands and the cash reserve are in.
"""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal as D
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from household.locating import growth_table
from household.model import Household
from household.plan import rebalance
from lots.netting import netted_tax
from lots.records import TaxTreatment, Term
from lots.terms import term_of

AS_OF = dt.date(2026, 6, 1)
PRICES = {"STK": 100, "STK2": 40, "BND": 50}
CLASS = {"STK": "stocks", "STK2": "stocks", "BND": "bonds"}
INNER, OUTER, HARD, TIE_TARGET, TIE_TRADE = 10.0, 1000.0, 1000.0, 1e-4, 1e-6
# The bands of ``tiny``: inner 0.15 absolute, outer 0.45 absolute, both 100% relative; a
# band's half-width is min(absolute, relative x target). So stocks (target 0.60) have an
# inner half-width min(0.15, 0.60) = 0.15 and an outer one min(0.45, 0.60) = 0.45, bonds
# (target 0.40) min(0.15, 0.40) = 0.15 and min(0.45, 0.40) = 0.40. (Taking 0.45 for bonds
# too was the brute force's own defect: a household all in stocks has bonds 0.40 below
# target, at the edge of the outer band, and the optimiser's margin there costs
# 1000 x 0.010004 = $10.004, the gap once blamed on IRA lots.)
INNER_WIDTH = {"stocks": 0.15, "bonds": 0.15}
OUTER_WIDTH = {"stocks": 0.45, "bonds": 0.40}


@st.composite
def tiny(draw: st.DrawFn) -> Household:
    ira = draw(st.booleans())
    accounts = [{"account_id": "tax", "type": "individual", "cash": str(draw(st.integers(0, 60)))}]
    if ira:
        accounts.append(
            {"account_id": "ira", "type": "traditional_ira", "cash": str(draw(st.integers(0, 90)))}
        )
    lots = []
    for index in range(draw(st.integers(1, 3))):
        account = draw(st.sampled_from(["tax", "ira"])) if ira else "tax"
        symbol = draw(st.sampled_from(["STK", "STK2", "BND"]))
        quantity = draw(st.integers(1, 2))
        basis = draw(st.integers(20, 160)) * quantity
        lots.append(
            {
                "account_id": account,
                "symbol": symbol,
                "lot_id": f"L{index}",
                "quantity": str(quantity),
                "purchased": draw(st.sampled_from(["2020-01-10", "2026-03-02"])),
                "cost_basis": str(basis),
            }
        )
    data: dict[str, Any] = {
        "schema_version": 1,
        "household_id": "tiny",
        "horizon_years": 10,
        "tax": {
            "ordinary": "0.30",
            "qualified": "0.15",
            "short_term": "0.30",
            "withdrawal": "0.25",
        },
        "asset_classes": {
            "stocks": {"expected_return": "0.07", "qualified_yield": "0.015"},
            "bonds": {"expected_return": "0.04", "ordinary_yield": "0.04"},
        },
        "targets": {"stocks": "0.60", "bonds": "0.40"},
        "accounts": accounts,
        "securities": [
            {"symbol": s, "asset_class": CLASS[s], "price": str(p), "half_spread_bps": "5"}
            for s, p in PRICES.items()
        ],
        "lots": lots,
        "bands": {
            "absolute": "0.15",
            "relative": "1",
            "outer_absolute": "0.45",
            "outer_relative": "1",
        },
        "costs": {"commission_per_trade": "1", "half_spread_bps": "5"},
        "constraints": {"fractional_shares": False},
    }
    return Household.from_dict(data)


def plain_value(
    household: Household, sells: dict[tuple[str, str], int], buys: dict[tuple[str, str], int]
) -> float | None:
    """The objective of one whole-share plan, or ``None`` when it breaks a hard constraint."""
    g = growth_table(household)
    reference = "tax"
    mix = sum(float(household.targets[k]) * g[(reference, k)] for k in household.targets)
    growth = {(a, k): v - g[(reference, k)] + mix for (a, k), v in g.items()}
    g_tax = mix
    treatment = {a.account_id: a.treatment for a in household.accounts}
    cash_value = {a: (0.75 if t is TaxTreatment.DEFERRED else 1.0) for a, t in treatment.items()}
    value = 0.0
    cash_change = {a.account_id: 0.0 for a in household.accounts}
    class_dollars = {"stocks": 0.0, "bonds": 0.0}
    for lot in household.lots:
        class_dollars[CLASS[lot.symbol]] += float(lot.quantity) * PRICES[lot.symbol]
    managed = sum(class_dollars.values()) + sum(float(a.cash) for a in household.accounts)
    short = long = D(0)
    loss_sold: set[str] = set()
    tickets: dict[tuple[str, str, str], int] = {}
    for lot in household.lots:
        q = sells.get((lot.account_id, lot.lot_id), 0)
        if q:
            key = (lot.account_id, lot.symbol, "sell")
            tickets[key] = tickets.get(key, 0) + q
            if treatment[lot.account_id] is TaxTreatment.TAXABLE:
                gain = q * (D(PRICES[lot.symbol]) - lot.cost_basis / lot.quantity)
                if gain < 0:
                    loss_sold.add(lot.symbol)
                if term_of(lot.acquired, AS_OF) is Term.SHORT:
                    short += gain
                else:
                    long += gain
    for (a, symbol), q in buys.items():
        if q:
            tickets[(a, symbol, "buy")] = q
            if symbol in loss_sold:
                return None  # a buy would wash a loss sold in the plan (any account)
    for (a, symbol, side), q in tickets.items():
        if side == "sell" and (a, symbol, "buy") in tickets:
            return None  # never both sides of one security in one account
        price = PRICES[symbol]
        sign = 1.0 if side == "buy" else -1.0
        k = CLASS[symbol]
        value += sign * growth[(a, k)] * price * q
        cash_change[a] -= sign * price * q + 1.0  # $1 a ticket
        value -= g_tax * price * q * 5 / 10_000 + TIE_TRADE * price * q
        class_dollars[k] += sign * price * q
    for account in household.accounts:
        a = account.account_id
        value -= HARD * max(0.0, -(float(account.cash) + cash_change[a]))
        value += cash_value[a] * cash_change[a]
    for k, dollars in class_dollars.items():
        target = float(household.targets[k]) * managed
        off = abs(dollars - target)
        margin = 1e-7 * managed + 0.01
        # the optimiser's outer band and cash reserve are slack at HARD dollars per dollar
        value -= HARD * max(0.0, off - (OUTER_WIDTH[k] * managed - margin))
        value -= INNER * max(0.0, off - (INNER_WIDTH[k] * managed - margin))
        value -= TIE_TARGET * off
    rates = household.tax.netting_rates()
    year = household.tax.year_to_date
    with_plan = netted_tax(year, rates, short, long)
    without = netted_tax(year, rates)
    value -= g_tax * float(with_plan.tax - without.tax)
    value += float(household.tax.long_term_total) * 0.0  # tax_unrealized_at_horizon is off
    value += float(rates.long_term) * float(
        with_plan.carryforward_short + with_plan.carryforward_long
    )
    return value


def best_value(household: Household) -> float:
    lots = household.lots
    sell_ranges = [range(int(lot.quantity) + 1) for lot in lots]
    buy_keys = [(a.account_id, s) for a in household.accounts for s in PRICES]
    # an account can spend at most its cash and what it can sell
    money = {
        a.account_id: float(a.cash)
        + sum(float(lot.quantity) * PRICES[lot.symbol] for lot in household.lots_in(a.account_id))
        for a in household.accounts
    }
    buy_ranges = [range(int(money[a] // PRICES[s]) + 1) for a, s in buy_keys]
    best = None
    for sold in itertools.product(*sell_ranges):
        sells = {(lot.account_id, lot.lot_id): q for lot, q in zip(lots, sold, strict=True)}
        for bought in itertools.product(*buy_ranges):
            buys = dict(zip(buy_keys, bought, strict=True))
            value = plain_value(household, sells, buys)
            if value is not None and (best is None or value > best):
                best = value
    assert best is not None
    return best


@settings(
    max_examples=25,
    deadline=None,
    database=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(tiny())
def test_the_optimiser_finds_the_best_whole_share_plan(household: Household) -> None:
    plan = rebalance(household, AS_OF, mip_gap=1e-9)
    assert abs(plan.solve.objective - best_value(household)) <= 1e-6 * (
        1 + abs(plan.solve.objective)
    )


def _debug(household: Household) -> None:  # pragma: no cover - a helper for failures
    plan = rebalance(household, AS_OF, mip_gap=1e-9)
    sells = {(t.account_id, s.lot.lot_id): int(s.quantity) for t in plan.trades for s in t.lots}
    buys = {
        (t.account_id, t.symbol): int(t.quantity) for t in plan.trades if t.action.value == "buy"
    }
    print("optimiser", plan.solve.objective, plain_value(household, sells, buys), sells, buys)
    print(plan.solve.terms)
