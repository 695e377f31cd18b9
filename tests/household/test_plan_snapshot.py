"""The snapshot: managed value, frozen holdings, cash flows (the worked example of snapshot.py)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from household.model import Household
from household.plan import rebalance
from household.plan.snapshot import take

D = Decimal
AS_OF = dt.date(2026, 6, 1)


def household(**changes: Any) -> Household:
    data: dict[str, Any] = {
        "household_id": "snap",
        "horizon_years": 10,
        "tax": {"ordinary": "0.3", "qualified": "0.15"},
        "asset_classes": {"us": {"expected_return": "0.07"}, "bond": {"expected_return": "0.04"}},
        "targets": {"us": "0.6", "bond": "0.4"},
        "accounts": [
            {"account_id": "taxable", "type": "taxable", "cash": "1000"},
            {"account_id": "ira", "type": "traditional_ira", "cash": "0"},
        ],
        "securities": [
            {"symbol": "VTI", "asset_class": "us", "price": "250"},
            {"symbol": "BND", "asset_class": "bond", "price": "75"},
            {"symbol": "OLD", "asset_class": "us"},
        ],
        "lots": [
            {
                "account_id": "taxable",
                "symbol": "VTI",
                "lot_id": "T1",
                "quantity": "10",
                "purchased": "2020-01-02",
                "cost_basis": "1500",
            },
            {
                "account_id": "ira",
                "symbol": "BND",
                "lot_id": "I1",
                "quantity": "20",
                "purchased": "2020-01-02",
                "cost_basis": "1600",
            },
            {
                "account_id": "ira",
                "symbol": "OLD",
                "lot_id": "I2",
                "quantity": "5",
                "purchased": "2020-01-02",
                "cost_basis": "100",
            },
        ],
        "constraints": {"cash_reserve": {"taxable": "500"}},
    }
    data.update(changes)
    return Household.from_dict(data)


def test_managed_value_worked_example() -> None:
    snapshot, _ = take(household(), AS_OF)
    # (1,000 - 500) + 10 * 250 + 20 * 75 = 500 + 2,500 + 1,500 = 4,500; OLD has no price
    assert snapshot.managed == D(4500)
    assert snapshot.class_values() == {"us": D(2500), "bond": D(1500)}
    assert [(n.code.value, n.symbol) for n in snapshot.notes] == [("unpriced", "OLD")]


def test_cash_flows_count_from_their_date() -> None:
    # settlement of a Monday June 1 plan: Tuesday June 2
    flows = [{"account_id": "ira", "date": "2026-06-02", "amount": "300", "kind": "contribution"}]
    snapshot, _ = take(household(cash_flows=flows), AS_OF)
    ira = snapshot.account("ira")
    assert (ira.cash, ira.cash_flow, ira.investable_cash) == (D(300), D(300), D(300))
    assert snapshot.managed == D(4800)
    # the same contribution on June 20 arrives after settlement: not spendable, not in M
    flows[0]["date"] = "2026-06-20"
    snapshot, notes = take(household(cash_flows=flows), AS_OF)
    assert snapshot.account("ira").cash == D(0)
    assert snapshot.managed == D(4500)
    assert [n.code.value for n in notes if n.code.value.startswith("future")] == [
        "future_contribution"
    ]


def test_frozen_holding_is_never_traded() -> None:
    plan = rebalance(household(), AS_OF)
    assert all(t.symbol != "OLD" for t in plan.trades)
    assert not plan.refused
