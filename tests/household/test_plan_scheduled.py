"""Scheduled buys (``scheduled_buys``): the file's field, and a loss sale they wash.

Rates: 30% short-term and ordinary, 15% long-term, no state tax or NIIT; a net
capital loss offsets ordinary income at 30% up to $3,000. Plan date Monday
2026-06-01.
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal as D
from typing import Any

import pytest

from household.errors import SchemaError
from household.loader import check_plan_date, household_from_dict, household_to_dict
from household.plan import harvest
from household.plan.exposure import measure
from lots.records import Account, AccountType, Action, Lot, Transaction
from lots.washsale import replay
from tests.household.documents import two_class_document

AS_OF = dt.date(2026, 6, 1)
REINVEST = {
    "date": "2026-06-11",
    "account_id": "ira",
    "symbol": "BND",
    "quantity": "2",
    "kind": "reinvest",
}


def document(**changes: Any) -> dict[str, Any]:
    data = two_class_document(
        household_id="scheduled",
        accounts=[
            {"account_id": "taxable", "type": "individual", "cash": "0"},
            {"account_id": "ira", "type": "traditional_ira", "cash": "0"},
        ],
        lots=[
            {
                "account_id": "taxable",
                "symbol": "BND",
                "lot_id": "T1",
                "quantity": "100",
                "purchased": "2020-01-10",
                "cost_basis": "6000",
            },
        ],
        harvest={"min_loss_dollars": "100", "min_loss_percent": "0.01"},
        scheduled_buys=[REINVEST],
    )
    data.update(changes)
    return data


def test_a_scheduled_ira_reinvestment_washes_its_shares_of_todays_harvest() -> None:
    # Taxable: 100 BND bought 2020 at $60 (basis $6,000), now $50: a $10 a share loss,
    # $1,000 in all. The IRA will reinvest a dividend in 2 BND on 2026-06-11, 10 days
    # after the plan date: inside the 30 days after the sale, so 2 of the 100 loss
    # shares sold today are washed, for good (an IRA: Revenue Ruling 2008-5):
    #   washed basis 6,000 x 2/100 = 120, proceeds 5,000 x 2/100 = 100: $20 disallowed;
    #   realised loss 1,000 - 20 = $980, against ordinary income at 30%: -$294.
    # The harvest sells T1 whole and buys AGG (a substitute, not identical) instead.
    item = household_from_dict(document())
    found, notes = measure(item, AS_OF)
    assert found.for_symbol("BND").free_replacements == D(2)
    assert found.for_symbol("BND").permanent_replacements == D(2)
    assert "replacement_shares" in {n.code.value for n in notes}
    plan = harvest(item, AS_OF)
    assert not plan.refused, plan.refused_because
    (sale,) = [s for t in plan.trades for s in t.lots if s.lot.lot_id == "T1"]
    assert (sale.quantity, sale.disallowed) == (D(100), D(20))
    assert plan.tax == D(-294)
    assert any(t.symbol == "AGG" and t.action is Action.BUY for t in plan.trades)
    assert not any(t.symbol == "BND" and t.action is Action.BUY for t in plan.trades)
    # The plan's Form 8949 rows: 2 shares washed ($20, all of it for good), 98 not.
    washed = [(d.quantity, d.adjustment, d.permanently_disallowed) for d in plan.dispositions]
    assert sorted(washed) == [(D(2), D(20), D(20)), (D(98), D(0), D(0))]
    checks = {c.name: c for c in plan.checks}
    assert checks["wash_sales"].passed and checks["reconciliation"].passed

    # Independently: the sale, then the reinvestment, through the replay by hand.
    accounts = [
        Account("taxable", AccountType.INDIVIDUAL),
        Account("ira", AccountType.TRADITIONAL_IRA),
    ]
    lot = Lot("taxable", "BND", "T1", D(100), D(6000), dt.date(2020, 1, 10))
    ledger = replay(
        [
            Transaction(AS_OF, "taxable", "BND", Action.SELL, D(100), D(50), lot_id="T1"),
            Transaction(dt.date(2026, 6, 11), "ira", "BND", Action.BUY, D(2), D(50)),
        ],
        accounts,
        opening_lots=[lot],
    )
    assert sum((d.adjustment for d in ledger.dispositions), D(0)) == D(20)


def test_without_the_reinvestment_the_whole_loss_is_realised() -> None:
    # The same harvest with nothing scheduled: -1,000 x 0.30 = -$300, nothing washed.
    plan = harvest(household_from_dict(document(scheduled_buys=[])), AS_OF)
    (sale,) = [s for t in plan.trades for s in t.lots if s.lot.lot_id == "T1"]
    assert sale.disallowed == 0
    assert plan.tax == D(-300)


def test_a_reinvestment_beyond_the_window_washes_nothing() -> None:
    # On 2026-07-02, 31 days after the sale: outside the window.
    late = {**REINVEST, "date": "2026-07-02"}
    plan = harvest(household_from_dict(document(scheduled_buys=[late])), AS_OF)
    assert plan.tax == D(-300)
    # On 2026-07-01 (day 30) it is inside: -294 as above.
    last = {**REINVEST, "date": "2026-07-01"}
    assert harvest(household_from_dict(document(scheduled_buys=[last])), AS_OF).tax == D(-294)


def test_scheduled_buys_round_trip_through_the_file() -> None:
    item = household_from_dict(document())
    (buy,) = item.scheduled_buys
    assert (buy.date, buy.account_id, buy.symbol, buy.quantity, buy.kind) == (
        dt.date(2026, 6, 11),
        "ira",
        "BND",
        D(2),
        "reinvest",
    )
    again = household_to_dict(item)
    assert again["scheduled_buys"] == [REINVEST]
    assert household_from_dict(json.loads(json.dumps(again), parse_float=D)) == item


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"kind": "dividend"}, "kind"),
        ({"account_id": "nowhere"}, "account_id"),
        ({"symbol": "XYZ"}, "symbol"),
        ({"quantity": "0"}, "quantity"),
        ({"quantity": "-2"}, "quantity"),
        ({"date": "2026-13-01"}, "date"),
        ({"extra": "1"}, None),
    ],
)
def test_a_bad_scheduled_buy_is_refused_naming_its_field(
    change: dict[str, str], field: str | None
) -> None:
    with pytest.raises(SchemaError) as caught:
        household_from_dict(document(scheduled_buys=[{**REINVEST, **change}]), source="h.json")
    message = str(caught.value)
    assert "h.json" in message and "scheduled_buys" in message
    if field is not None:
        assert field in message


def test_a_missing_field_is_refused() -> None:
    without_kind = {k: v for k, v in REINVEST.items() if k != "kind"}
    with pytest.raises(SchemaError, match="kind"):
        household_from_dict(document(scheduled_buys=[without_kind]), source="h.json")


def test_a_scheduled_buy_before_the_plan_date_is_refused() -> None:
    item = household_from_dict(document(), source="h.json")
    check_plan_date(item, dt.date(2026, 6, 11))  # on its date: fine
    with pytest.raises(SchemaError, match=r"scheduled_buys\[0\]") as caught:
        check_plan_date(item, dt.date(2026, 6, 12))
    assert "recent_transactions" in (caught.value.hint or "")


def test_a_recent_buy_that_replaced_a_recent_loss_is_no_replacement_today() -> None:
    # 2026-05-20: the taxable account sold 10 BND at $50 with a basis of $600 (a $100
    # loss, $10 a share); 2026-05-25: the IRA bought 4 BND. The replay of that history
    # washes 4 of the 10 loss shares with the IRA's 4, for good ($40): 6 loss shares
    # ($60) are still unwashed, so a buy of BND today would wash them (blocked), and the
    # IRA's shares are used: nothing is left to wash a loss sale today. The harvest sells
    # T1 (a $1,000 loss) with nothing washed: -1,000 x 0.30 = -$300, and buys no BND.
    recent = [
        {"date": "2026-05-20", "account_id": "taxable", "symbol": "BND", "action": "sell",
         "quantity": "10", "price": "50", "cost_basis": "600"},
        {"date": "2026-05-25", "account_id": "ira", "symbol": "BND", "action": "buy",
         "quantity": "4", "price": "50"},
    ]  # fmt: skip
    item = household_from_dict(document(scheduled_buys=[], recent_transactions=recent))
    found, notes = measure(item, AS_OF)
    bnd = found.for_symbol("BND")
    assert [(s.sale_date, s.quantity, s.loss) for s in bnd.loss_sales] == [
        (dt.date(2026, 5, 20), D(6), D(60))
    ]
    assert bnd.blocked_buy and bnd.free_replacements == 0
    assert [n.message for n in notes if n.code.value == "recent_loss_sale"] == [
        "BND sold at a loss on 2026-05-20: no buy of it until 2026-06-20"
    ]
    plan = harvest(item, AS_OF)
    assert not plan.refused, plan.refused_because
    (sale,) = [s for t in plan.trades for s in t.lots if s.lot.lot_id == "T1"]
    assert sale.disallowed == 0
    assert plan.tax == D(-300)
    assert not any(t.symbol == "BND" and t.action is Action.BUY for t in plan.trades)
    # A scheduled IRA reinvestment of 8 BND on 06-11 first washes the 6 shares the
    # 05-20 sale still has (it is earlier), then 2 of today's: 2 x $10 = $20 for good.
    eight = {**REINVEST, "quantity": "8"}
    item = household_from_dict(document(scheduled_buys=[eight], recent_transactions=recent))
    assert measure(item, AS_OF)[0].for_symbol("BND").free_replacements == D(2)
    plan = harvest(item, AS_OF)
    (sale,) = [s for t in plan.trades for s in t.lots if s.lot.lot_id == "T1"]
    assert sale.disallowed == D(20)
    assert plan.tax == D(-294)
