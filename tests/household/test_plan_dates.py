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
from household.plan.exposure import measure

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
    exposure, notes = measure(household, AS_OF)
    bnd = exposure.for_symbol("BND")
    assert bnd.blocked_buy is blocked
    if blocked:
        # 10 shares sold at a loss, none replaced since: a buy today would wash them.
        (sale,) = bnd.loss_sales
        assert sale.quantity == D(10)
        if known:
            assert sale.loss == D(5)  # 500 - 495
        assert [n.code.value for n in notes] == ["recent_loss_sale"]
        assert ("no cost_basis" in notes[0].message) is not known
    plan = rebalance(household, AS_OF)
    assert all(t.symbol != "BND" or t.action.value != "buy" for t in plan.trades) or not blocked


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
    assert not measure(household, AS_OF)[0].for_symbol("BND").blocked_buy


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


@pytest.mark.parametrize(
    ("date", "code"),
    [
        ("2026-06-02", None),
        ("2026-07-02", "future_contribution"),
        ("2026-07-03", "future_cash_flow"),
    ],
)
def test_a_contribution_counts_only_from_its_date(date: str, code: str | None) -> None:
    from household.plan.snapshot import take

    data = json.loads(FIXTURE.read_text(), parse_float=D)
    data["cash_flows"][0]["date"] = date  # the $2,000 contribution; plan date 2026-06-01
    household = household_from_dict(data, source=str(FIXTURE))
    snapshot, notes = take(household, AS_OF)
    (joint,) = snapshot.accounts
    # Trades of Monday June 1 settle Tuesday June 2: a contribution dated June 2 is
    # spendable; one of July 2 (within the 31-day horizon) arrives after settlement
    # and is not spent now; one of July 3 is beyond the horizon and waits.
    assert joint.cash_flow == (D(2000) if code is None else D(0))
    assert [n.code.value for n in notes] == ([] if code is None else [code])
