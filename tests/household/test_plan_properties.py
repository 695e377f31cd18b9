"""Property tests on random households: the invariants every plan keeps.

For any household the generator can build:

* no plan creates a wash sale (the plan replayed through the wash-sale ledger
  disallows no loss; no buy is of a symbol sold in the last 30 days);
* cash and shares reconcile to the cent, and every lot sold is a lot of the
  file with its basis;
* restricted symbols are never bought, no-sell symbols never sold;
* after the trades every class is inside its band, or the exception log says
  why; every account's cash is at or above its reserve, or the plan is refused
  because a withdrawal could not be met (``cash_short``).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from household.model import Household
from household.plan import Plan, harvest, rebalance
from household.plan.blotter import transactions
from household.plan.exposure import history
from household.plan.rounding import Quantities
from household.plan.taxfacts import tax_facts
from lots.netting import added_tax
from lots.numbers import ZERO
from lots.records import Action, Term
from lots.relief import belongs_to
from lots.washsale import replay

AS_OF = dt.date(2026, 6, 1)
SYMBOLS = {
    "STK": ("stocks", "us"),
    "STK2": ("stocks", "us"),
    "INT": ("intl", None),
    "INT2": ("intl", None),
    "BND": ("bonds", "bd"),
    "BND2": ("bonds", "bd"),
}
TYPES = ["individual", "joint", "traditional_ira", "roth_ira", "401k"]

money = st.integers(min_value=0, max_value=50_000).map(lambda c: str(Decimal(c)))
price = st.integers(min_value=500, max_value=30_000).map(lambda c: str(Decimal(c) / 100))
day = st.integers(min_value=1, max_value=2_000).map(lambda n: AS_OF - dt.timedelta(days=n))
recent_day = st.integers(min_value=0, max_value=45).map(lambda n: AS_OF - dt.timedelta(days=n))


@st.composite
def households(draw: st.DrawFn) -> Household:
    n_accounts = draw(st.integers(min_value=1, max_value=3))
    accounts = [
        {
            "account_id": f"a{i}",
            "type": draw(st.sampled_from(TYPES)),
            "cash": draw(money),
            "lot_method": draw(st.sampled_from([None, "fifo", "hifo", "min_tax"])),
        }
        for i in range(n_accounts)
    ]
    for account in accounts:
        if account["lot_method"] is None:
            del account["lot_method"]
    securities = []
    for symbol, (asset_class, sector) in SYMBOLS.items():
        security: dict[str, Any] = {"symbol": symbol, "asset_class": asset_class}
        security["price"] = draw(price)
        if sector:
            security["sector"] = sector
        partner = symbol[:-1] if symbol.endswith("2") else symbol + "2"
        security["substitutes"] = [partner]
        securities.append(security)
    lots = []
    for index in range(draw(st.integers(min_value=1, max_value=12))):
        lots.append(
            {
                "account_id": f"a{draw(st.integers(0, n_accounts - 1))}",
                "symbol": draw(st.sampled_from(list(SYMBOLS))),
                "lot_id": f"L{index}",
                "quantity": str(draw(st.integers(min_value=1, max_value=400))),
                "purchased": draw(day).isoformat(),
                "cost_basis": draw(money),
            }
        )
    recent = []
    for _ in range(draw(st.integers(min_value=0, max_value=3))):
        recent.append(
            {
                "date": draw(recent_day).isoformat(),
                "account_id": f"a{draw(st.integers(0, n_accounts - 1))}",
                "symbol": draw(st.sampled_from(list(SYMBOLS))),
                "action": draw(st.sampled_from(["buy", "sell"])),
                "quantity": "1",
                "price": "50",
            }
        )
    flows = []
    for account in accounts:
        amount = draw(st.integers(min_value=-5_000, max_value=5_000))
        if amount:
            kind = "contribution" if amount > 0 else "withdrawal"
            flows.append(
                {
                    "account_id": account["account_id"],
                    "date": "2026-06-10",
                    "amount": str(amount),
                    "kind": kind,
                }
            )
    data = {
        "schema_version": 1,
        "household_id": "random",
        "as_of": AS_OF.isoformat(),
        "horizon_years": 20,
        "tax": {"ordinary": "0.32", "qualified": "0.15", "state": "0.05"},
        "asset_classes": {
            "stocks": {"expected_return": "0.07", "qualified_yield": "0.015"},
            "intl": {"expected_return": "0.07", "qualified_yield": "0.02"},
            "bonds": {"expected_return": "0.04", "ordinary_yield": "0.04"},
        },
        "targets": {"stocks": "0.5", "intl": "0.2", "bonds": "0.3"},
        "accounts": accounts,
        "securities": securities,
        "lots": lots,
        "bands": {
            "absolute": draw(st.sampled_from(["0.02", "0.05"])),
            "relative": "0.25",
            "outer_absolute": draw(st.sampled_from(["0.06", "0.10"])),
            "outer_relative": "0.5",
        },
        "constraints": {
            "min_trade": draw(st.sampled_from(["0", "100", "2000"])),
            "fractional_shares": draw(st.booleans()),
            "restricted": draw(st.lists(st.sampled_from(list(SYMBOLS)), max_size=2)),
            "no_sell": draw(st.lists(st.sampled_from(list(SYMBOLS)), max_size=1)),
            "max_security_weight": draw(st.sampled_from([None, "0.5"])),
            "cash_reserve": {"a0": draw(st.sampled_from(["0", "500"]))},
        },
        "costs": {
            "commission_per_trade": draw(st.sampled_from(["0", "4.95"])),
            "commission_per_share": draw(st.sampled_from(["0", "0.005"])),
            "half_spread_bps": "2",
            "impact_coefficient": "0.1",
        },
        "cash_flows": flows,
        "harvest": {"min_loss_dollars": "100", "min_loss_percent": "0.02"},
        "tax_budget": draw(st.sampled_from([None, "0", "2000"])),
        "recent_transactions": recent,
    }
    if data["constraints"]["max_security_weight"] is None:
        del data["constraints"]["max_security_weight"]
    if data["tax_budget"] is None:
        del data["tax_budget"]
    return Household.from_dict(data)


def _class_values_after(household: Household, plan: Plan) -> dict[str, Decimal]:
    """Plain arithmetic: priced, mapped holdings plus buys less sells, per class."""
    values: dict[str, Decimal] = {}
    for lot in household.lots:
        security = household.securities.get(lot.symbol)
        if (
            security is None
            or security.price is None
            or security.asset_class not in household.targets
        ):
            continue
        values[security.asset_class] = (
            values.get(security.asset_class, ZERO) + lot.quantity * security.price
        )
    for trade in plan.trades:
        sign = 1 if trade.action is Action.BUY else -1
        values[trade.asset_class] = (
            values.get(trade.asset_class, ZERO) + sign * trade.quantity * trade.price
        )
    return values


def assert_invariants(household: Household, plan: Plan, as_of: dt.date = AS_OF) -> None:
    # the plan replayed through the wash-sale ledger: what it disallows is what the plan
    # reports, lot by lot, and no buy is of a group the plan sells at a loss
    groups = {s.symbol: s.identity for s in household.securities.values()}
    if plan.trades:
        past = history(household, as_of)
        replayed = replay(
            [*past.transactions, *transactions(household, _quantities(plan), as_of)],
            household.accounts,
            identical_group=groups,
            opening_lots=past.opening_lots,
        )
        disallowed = sum(
            (
                d.adjustment
                for d in replayed.dispositions
                if not any(belongs_to(d.lot_id, lot_id) for lot_id in past.sale_lots)
            ),
            ZERO,
        )
        reported = sum((s.disallowed for t in plan.trades for s in t.lots), ZERO)
        assert disallowed == reported
        loss_groups = {
            groups[t.symbol]
            for t in plan.trades
            for s in t.lots
            if s.taxable and s.proceeds < s.basis
        }
        assert not any(
            t.action is Action.BUY and groups[t.symbol] in loss_groups for t in plan.trades
        )
    # reported tax is the exact netted tax of the replayed gains
    short = sum((d.gain for d in plan.dispositions if d.reportable and d.term is Term.SHORT), ZERO)
    long = sum((d.gain for d in plan.dispositions if d.reportable and d.term is Term.LONG), ZERO)
    facts = tax_facts(household)
    assert plan.tax == added_tax(facts.year_to_date, short, long, facts.rates)
    # cash at or above the reserve on every day to the horizon, unless refused
    settle = as_of + dt.timedelta(days=1)
    for account in household.accounts:
        a = account.account_id
        change = sum((t.cash_change for t in plan.trades if t.account_id == a), ZERO)
        for day in sorted({settle, *(f.date for f in household.cash_flows if f.account_id == a)}):
            flows = sum(
                (f.amount for f in household.cash_flows if f.account_id == a and f.date <= day),
                ZERO,
            )
            before = account.cash + flows
            if before >= household.cash_reserve(a):
                assert before + change >= household.cash_reserve(a) or plan.refused, (a, day)
    # every class inside its outer band, or the plan is refused
    if plan.kind == "rebalance" and not plan.refused:
        managed = plan.snapshot.managed
        values = _class_values_after(household, plan)
        for k, target in household.targets.items():
            width = household.bands.outer_width(target)
            assert abs(values.get(k, ZERO) / managed - target) <= width
    for trade in plan.trades:
        if trade.action is Action.BUY:
            assert not household.is_restricted(trade.symbol)
        else:
            assert trade.symbol not in household.constraints.no_sell
            assert sum((s.quantity for s in trade.lots), Decimal(0)) == trade.quantity
        if not household.constraints.fractional_shares:
            assert trade.quantity == trade.quantity.to_integral_value()
        assert trade.notional >= household.constraints.min_trade


def _quantities(plan: Plan) -> Quantities:
    tickets = {(t.account_id, t.symbol, t.action.value): t.quantity for t in plan.trades}
    lots = {
        (t.account_id, s.lot.lot_id): s.quantity for t in plan.trades for s in t.lots if s.taxable
    }
    return Quantities(tickets, lots)


def _empty_plan_value(plan: Plan, household: Household) -> float | None:
    """The objective of trading nothing, by plain arithmetic; ``None`` when it is infeasible.

    Every objective term is a change, so trading nothing scores 0 less the inner-band
    penalty on the dollars already outside the inner bands; it is infeasible when a class
    is outside its outer band or an account's spendable cash is below its reserve.
    """
    managed = plan.snapshot.managed
    values = plan.snapshot.class_values()
    outside = Decimal(0)
    for k, target in household.targets.items():
        off = abs(values.get(k, ZERO) - target * managed)
        if off > household.bands.outer_width(target) * managed:
            return None
        outside += max(ZERO, off - household.bands.inner_width(target) * managed)
    if any(a.cash < a.reserve for a in plan.snapshot.accounts):
        return None
    return -10.0 * float(outside)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(households())
def test_rebalance_invariants(household: Household) -> None:
    plan = rebalance(household, AS_OF)
    assert_invariants(household, plan)
    # never worse than trading nothing where trading nothing is feasible
    empty = _empty_plan_value(plan, household)
    if empty is not None:
        assert plan.solve.objective >= empty - 1e-3 * (1 + abs(empty)), (plan.solve, empty)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(households())
def test_harvest_invariants(household: Household) -> None:
    plan = harvest(household, AS_OF)
    assert_invariants(household, plan)
