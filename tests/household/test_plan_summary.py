"""The plan's summary: after-tax value at the horizon and tracking error before and after.

The after-tax value is written again here plainly from its definition
(``household.plan.pipeline.after_tax_value``: the objective's factors) and
checked to the cent; the tracking errors are worked out by hand for a 2-class
household under a covariance the file gives.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from decimal import Decimal as D
from pathlib import Path
from typing import Any

from household.loader import household_from_dict, load_household
from household.locating import growth_table
from household.model import Household
from household.plan import Plan, harvest, rebalance
from household.whatif import compare
from lots.netting import netted_tax
from lots.records import TaxTreatment
from tests.household.documents import two_class_document

AS_OF = dt.date(2026, 6, 1)
FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "households"
# Annual covariance: stocks 20% volatility (0.04), bonds 5% (0.0025), covariance 0.01.
COVARIANCE = {"stocks": {"stocks": "0.04", "bonds": "0.01"}, "bonds": {"bonds": "0.0025"}}


def two_classes(**changes: Any) -> Household:
    # One taxable account: 70 VTI at $100 and 60 BND at $50, each bought at its price
    # (no gain, no tax on any sale): $7,000 + $3,000 = $10,000, weights 0.70 / 0.30
    # against 0.60 / 0.40.
    data = two_class_document(
        household_id="summary",
        securities=[
            {"symbol": "VTI", "asset_class": "stocks", "price": "100"},
            {"symbol": "BND", "asset_class": "bonds", "price": "50"},
        ],
        lots=[
            {
                "account_id": "taxable",
                "symbol": "VTI",
                "lot_id": "S1",
                "quantity": "70",
                "purchased": "2024-01-10",
                "cost_basis": "7000",
            },
            {
                "account_id": "taxable",
                "symbol": "BND",
                "lot_id": "B1",
                "quantity": "60",
                "purchased": "2024-01-10",
                "cost_basis": "3000",
            },
        ],
        risk={"covariance": COVARIANCE},
    )
    data.update(changes)
    return household_from_dict(data)


def te_by_hand(stocks: D, bonds: D) -> D:
    # sqrt(d' S d), d = w - target, S = [[0.04, 0.01], [0.01, 0.0025]].
    ds, db = stocks - D("0.60"), bonds - D("0.40")
    variance = D("0.04") * ds * ds + 2 * D("0.01") * ds * db + D("0.0025") * db * db
    return D(repr(math.sqrt(float(variance)))).quantize(D("1e-6"))


def test_tracking_error_before_and_after_by_hand() -> None:
    item = two_classes()
    plan = rebalance(item, AS_OF)
    assert not plan.refused, plan.refused_because
    # Before: d = (0.70 - 0.60, 0.30 - 0.40) = (0.10, -0.10);
    # d' S d = 0.04 x 0.01 + 2 x 0.01 x (0.10 x -0.10) + 0.0025 x 0.01
    #        = 0.0004 - 0.0002 + 0.000025 = 0.000225; sqrt = 0.015 (1.5%).
    assert plan.tracking_error_before == D("0.015000")
    # After: the weights the trades leave (dollars per class over the $10,000 managed).
    held = {
        k: sum(per.get(k, D(0)) for per in plan.class_after.values()) for k in ("stocks", "bonds")
    }
    managed = plan.snapshot.managed
    assert managed == D(10000)
    after = te_by_hand(held["stocks"] / managed, held["bonds"] / managed)
    assert plan.tracking_error_after == after
    assert plan.tracking_error_after < plan.tracking_error_before


def test_tracking_error_of_a_plan_on_target_is_zero() -> None:
    # 60 VTI ($6,000) and 80 BND ($4,000): already 0.60 / 0.40, d = 0: no tracking error.
    lots = [
        {"account_id": "taxable", "symbol": "VTI", "lot_id": "S1", "quantity": "60",
         "purchased": "2024-01-10", "cost_basis": "6000"},
        {"account_id": "taxable", "symbol": "BND", "lot_id": "B1", "quantity": "80",
         "purchased": "2024-01-10", "cost_basis": "4000"},
    ]  # fmt: skip
    plan = rebalance(two_classes(lots=lots), AS_OF)
    assert not plan.trades
    assert plan.tracking_error_before == plan.tracking_error_after == D("0.000000")


def plain_after_tax_value(household: Household, plan: Plan) -> D:
    # The definition, written out again: growth from the growth table made neutral to
    # the class mix (g[a,k] - g[ref,k] + sum_j t_j g[ref,j], ref the first taxable
    # account), cash worth 1 (1 - withdrawal in a deferred account), the plan's tax and
    # its spread and impact grown at the target mix's taxable growth, and the loss it
    # adds to the carryforward at the long-term rate.
    raw = growth_table(household)
    ref = next(
        (a.account_id for a in household.accounts if a.treatment is TaxTreatment.TAXABLE),
        household.accounts[0].account_id,
    )
    targets = {k: float(v) for k, v in household.targets.items()}
    mix = sum(targets[k] * raw[(ref, k)] for k in targets)
    value = 0.0
    for account_id, per_class in plan.class_after.items():
        for k, dollars in per_class.items():
            g = raw[(account_id, k)] - raw[(ref, k)] + mix
            value += float(dollars) * g
    withdrawal = float(household.tax.withdrawal)
    for account in household.accounts:
        c = 1 - withdrawal if account.treatment is TaxTreatment.DEFERRED else 1.0
        value += float(plan.cash_after[account.account_id]) * c
    spread = sum(float(t.cost.spread + t.cost.impact) for t in plan.trades)
    value -= mix * (float(plan.tax) + spread)
    from household.plan.taxfacts import tax_facts

    facts = tax_facts(household)
    before = netted_tax(facts.year_to_date, facts.rates)
    after = netted_tax(facts.year_to_date, facts.rates, plan.short_gain, plan.long_gain)
    carried = float(
        after.carryforward_short + after.carryforward_long
        - before.carryforward_short - before.carryforward_long
    )  # fmt: skip
    value += float(household.tax.long_term_total) * carried
    return D(repr(value)).quantize(D("0.01"))


def test_after_tax_value_is_the_objectives_value_written_again() -> None:
    # The 2-class household, the demo (five accounts, real tax) and a harvest that
    # carries a loss forward (the fixture's 5,000 + 1,000 of losses pass the $3,000 limit).
    cases = [
        (two_classes(), rebalance),
        (load_household(FIXTURES / "high_earner_munis.json"), rebalance),
        (load_household(FIXTURES / "plan_harvest.json"), harvest),
    ]
    for household, run in cases:
        as_of = household.as_of or AS_OF
        plan = run(household, as_of)
        assert plan.after_tax_value is not None
        # float sums against the plan's Decimal sums: equal to a cent.
        assert abs(plan.after_tax_value - plain_after_tax_value(household, plan)) <= D("0.01")


def test_after_tax_value_by_hand_in_one_taxable_account() -> None:
    # One taxable account: every class's neutral growth is the target mix's growth
    # m = 0.6 g[stocks] + 0.4 g[bonds], so the value is m x (dollars invested after) +
    # cash after - m x (tax + spread). No gain is realised (tax 0); the spread is 1 bp of
    # each trade's notional.
    item = two_classes()
    plan = rebalance(item, AS_OF)
    raw = growth_table(item)
    m = 0.6 * raw[("taxable", "stocks")] + 0.4 * raw[("taxable", "bonds")]
    invested = sum(sum(per.values(), D(0)) for per in plan.class_after.values())
    notional = sum(t.quantity * t.price for t in plan.trades)
    assert plan.tax == 0
    spread = sum(t.cost.spread for t in plan.trades)
    assert spread == notional / 10000
    cash = sum(plan.cash_after.values(), D(0))
    expected = D(repr(m * float(invested) + float(cash) - m * float(spread))).quantize(D("0.01"))
    assert abs(plan.after_tax_value - expected) <= D("0.01")


def test_the_summary_carries_them_and_the_what_if_compares_them() -> None:
    a = rebalance(two_classes(), AS_OF)
    b = rebalance(two_classes(risk={"covariance": COVARIANCE, "risk_aversion": "0"}), AS_OF)
    summary = json.loads(json.dumps(a.to_json_dict()))["summary"]
    assert summary["after_tax_value"] == str(a.after_tax_value)
    assert summary["tracking_error_before"] == "0.015000"
    assert summary["tracking_error_after"] == str(a.tracking_error_after)
    comparison = compare(a, b).to_json_dict()
    assert comparison["a"]["after_tax_value"] == str(a.after_tax_value)
    assert comparison["a"]["tracking_error_before"] == "0.015000"
    assert "not available" not in comparison["explanation"]
