"""The dates a plan looks at: the wash-sale look-back of recent sales, and cash flows.

A recent sale with a ``cost_basis`` is a loss only when its proceeds fall
short of it; without one it is treated as a loss (the safe reading). Only a
loss sale in the 30 days up to the plan date blocks buying the symbol (or its
identical group) again.

Fixture ``plan_contribution``: one joint account, STK $100, BND $50; a $2,000
contribution buys 39 BND (see test_plan_e2e).
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal as D
from pathlib import Path
from typing import Any

import pytest

from household.loader import household_from_dict
from household.plan import rebalance

FIXTURE = Path(__file__).resolve().parents[2] / "fixtures" / "households" / "plan_contribution.json"
AS_OF = dt.date(2026, 6, 1)


def household_with(sale: dict[str, Any]) -> Any:
    data = json.loads(FIXTURE.read_text(), parse_float=D)
    data["recent_transactions"] = [sale]
    return household_from_dict(data, source=str(FIXTURE))


SALE = {
    "date": "2026-05-20",
    "account_id": "joint",
    "symbol": "BND",
    "action": "sell",
    "quantity": "10",
    "price": "50",
}


@pytest.mark.parametrize(
    ("extra", "blocked", "known"),
    [
        # Proceeds 10 x 50 = 500 against a basis of 450: a gain, nothing to wash.
        ({"cost_basis": "450"}, False, True),
        # Proceeds 500 against 500: no loss.
        ({"cost_basis": "500"}, False, True),
        # Proceeds 500 - 5 fees = 495 against 500: a loss of 5.
        ({"cost_basis": "500", "fees": "5"}, True, True),
        # No basis given: treated as a loss.
        ({}, True, False),
        # Sold 31 days before the plan date (May 1): outside the window.
        ({"date": "2026-05-01"}, False, False),
        # Sold exactly 30 days before (May 2): inside.
        ({"date": "2026-05-02"}, True, False),
    ],
)
def test_only_recent_losses_block_a_buy(extra: dict[str, str], blocked: bool, known: bool) -> None:
    household = household_with({**SALE, **extra})
    losses = household.recent_loss_sales(AS_OF)
    assert ("BND" in losses) is blocked
    if blocked:
        assert losses["BND"][1] is known
    plan = rebalance(household, AS_OF)
    bought = [t for t in plan.trades if t.symbol == "BND" and t.action.value == "buy"]
    assert bool(bought) is not blocked
    if not blocked:
        # The contribution buys 39 BND, as without any recent sale.
        assert bought[0].quantity == D(39)
    assert not [c for c in plan.checks if c.name == "wash_sales" and not c.passed]


def test_cost_basis_round_trips_through_the_file() -> None:
    from household.loader import household_to_dict

    household = household_with({**SALE, "cost_basis": "450.25"})
    (sale,) = household_to_dict(household)["recent_transactions"]
    assert sale["cost_basis"] == "450.25"


def test_a_recent_loss_inside_an_ira_blocks_nothing() -> None:
    data = json.loads(FIXTURE.read_text(), parse_float=D)
    data["accounts"].append({"account_id": "ira", "owner": "pat", "type": "traditional_ira"})
    # Sold at a loss (500 against 900) but inside the IRA: never a wash sale.
    data["recent_transactions"] = [{**SALE, "account_id": "ira", "cost_basis": "900"}]
    household = household_from_dict(data, source=str(FIXTURE))
    assert household.recent_loss_sales(AS_OF) == {}


def test_import_fills_the_basis_of_each_recent_sell(tmp_path: Path) -> None:
    from household.importing import import_household

    demo = FIXTURE.parents[1] / "csv" / "demo"
    document = import_household(
        demo / "accounts.csv", demo / "transactions.csv", demo / "securities.csv"
    )
    sells = {
        (t["date"], t["account_id"], t["symbol"]): t.get("cost_basis")
        for t in document["recent_transactions"]
        if t["action"] == "sell"
    }
    # J-BND-1: 250 x 71.80 = 17,950 + 462.50 washed in from sam's BND sale = 18,412.50.
    assert sells[("2026-10-01", "joint", "BND")] == "18412.5"
    # joint's VXUS lot: 300 x 58.20 + 4.95 fees = 17,464.95.
    assert sells[("2025-04-07", "joint", "VXUS")] == "17464.95"


@pytest.mark.parametrize(("date", "netted"), [("2026-07-02", True), ("2026-07-03", False)])
def test_a_cash_flow_more_than_31_days_away_waits(date: str, netted: bool) -> None:
    from household.snapshot import take

    data = json.loads(FIXTURE.read_text(), parse_float=D)
    data["cash_flows"][0]["date"] = date  # the $2,000 contribution; plan date 2026-06-01
    household = household_from_dict(data, source=str(FIXTURE))
    snapshot = take(household, AS_OF)
    (joint,) = snapshot.accounts
    # June 1 + 31 days = July 2: netted now; July 3: left for a later plan, and logged.
    assert joint.cash_flow == (D(2000) if netted else D(0))
    logged = [n for n in snapshot.notes if n.code == "future_cash_flow"]
    assert len(logged) == (0 if netted else 1)
