"""Tax-loss harvesting on ``fixtures/households/plan_harvest.json``, checked by hand.

joint (taxable): VTI 100 sh bought 2026-01-15 for $30,000, now $250 (loss $5,000,
short-term); VXUS 100 sh for $7,000, now $60 (loss $1,000, long-term); BND 100 sh for
$5,100, now $50 (loss $100). Thresholds: $1,000 and 5% of basis. Short-term rate 30%.
Recent: joint sold ITOT on 2026-05-20; Sam's IRA reinvested a VXUS dividend on 2026-05-26.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

from household.harvest import harvest
from household.loader import load_household
from household.model import Household

D = Decimal
FIXTURE = Path(__file__).resolve().parents[2] / "fixtures" / "households" / "plan_harvest.json"
AS_OF = dt.date(2026, 6, 1)


def test_harvest_swaps_vti_into_the_second_substitute() -> None:
    plan = harvest(load_household(FIXTURE), AS_OF)
    trades = [(t.account_id, t.action.value, t.symbol, t.quantity) for t in plan.trades]
    # VTI: sell all 100 sh (25,000); ITOT (first substitute) was sold on 2026-05-20, so
    # buying it now could wash that sale: SCHB (second) at $25: 25,000 / 25 = 1,000 sh.
    assert trades == [("joint", "sell", "VTI", D(100)), ("joint", "buy", "SCHB", D(1000))]
    [line] = plan.harvest
    assert line.substitute == "SCHB"
    assert line.short_loss == D(-5000)  # 25,000 - 30,000
    assert line.long_loss == 0
    assert line.tax_saving == D(1500)  # 5,000 * 0.30
    assert line.safe_to_rebuy == dt.date(2026, 7, 2)  # 31 days after 2026-06-01
    blocked = [n for n in plan.notes if n.code == "blocked_buy"]
    assert [n.symbol for n in blocked] == ["ITOT"]
    assert not plan.refused


def test_loss_washed_by_the_spouses_ira_dividend_is_not_harvested() -> None:
    plan = harvest(load_household(FIXTURE), AS_OF)
    # VXUS loss $1,000 = 14% of basis passes both thresholds, but Sam's IRA bought VXUS
    # on 2026-05-26: the loss would be disallowed (permanently: the buyer is an IRA).
    washed = [n for n in plan.notes if n.code == "harvest_washed"]
    assert [(n.account_id, n.symbol) for n in washed] == [("joint", "VXUS")]
    assert all(t.symbol != "VXUS" for t in plan.trades)
    # BND's $100 loss is under the $1,000 threshold: neither traded nor logged
    assert all(t.symbol != "BND" and n.symbol != "BND" for t in plan.trades for n in plan.notes)


def test_tax_impact_and_json_of_the_harvest() -> None:
    document = harvest(load_household(FIXTURE), AS_OF).to_json_dict()
    assert document["summary"]["kind"] == "harvest"
    assert document["harvest"] == [
        {
            "account_id": "joint",
            "symbol": "VTI",
            "substitute": "SCHB",
            "short_loss": "-5000.00",
            "long_loss": "0.00",
            "tax_saving": "1500.00",
            "safe_to_rebuy": "2026-07-02",
        }
    ]
    assert document["tax_impact"][2]["estimated_tax"] == "-1500.00"


def test_no_harvest_without_an_available_substitute() -> None:
    data = load_household(FIXTURE).to_dict()
    for security in data["securities"]:
        if security["symbol"] == "VTI":
            security["substitutes"] = ["ITOT"]  # the only one, and it is blocked
    plan = harvest(Household.from_dict(data), AS_OF)
    assert plan.trades == ()
    assert "no_substitute" in {n.code for n in plan.notes}


def test_thresholds_are_both_required() -> None:
    data = load_household(FIXTURE).to_dict()
    data["harvest"] = {"min_loss_dollars": "6000", "min_loss_percent": "0.05"}
    plan = harvest(Household.from_dict(data), AS_OF)
    assert plan.trades == ()  # the $5,000 VTI loss is under $6,000
    data["harvest"] = {"min_loss_dollars": "100", "min_loss_percent": "0.20"}
    plan = harvest(Household.from_dict(data), AS_OF)
    assert plan.trades == ()  # 5,000 / 30,000 = 16.7% is under 20%


def test_substitute_in_the_same_identical_group_bought_by_the_spouses_ira_blocks_the_harvest() -> (
    None
):
    data = load_household(FIXTURE).to_dict()
    for security in data["securities"]:
        if security["symbol"] == "ITOT":
            security["identical_group"] = "us-total"  # the same index as VTI
    data["recent_transactions"] = [
        {
            "date": "2026-05-27",
            "account_id": "sam-ira",
            "symbol": "ITOT",
            "action": "buy",
            "quantity": "10",
            "price": "120",
        }
    ]
    plan = harvest(Household.from_dict(data), AS_OF)
    # ITOT is substantially identical to VTI, and Sam's IRA bought it on 2026-05-27 (5 days
    # ago): selling VTI at a loss now would be a wash sale, so VTI is not harvested.
    assert all(t.symbol != "VTI" for t in plan.trades)
    washed = {n.symbol: n.message for n in plan.notes if n.code == "harvest_washed"}
    assert "us-total was bought on 2026-05-27" in washed["VTI"]
    # VXUS stays unharvested: Sam's IRA lot S2 of VXUS was purchased on 2026-05-26
    assert "VXUS was bought on 2026-05-26" in washed["VXUS"]
    assert plan.trades == ()


def test_no_harvest_when_the_whole_share_substitute_buy_misses_the_minimum_trade() -> None:
    import json

    from household.loader import household_from_dict

    data = json.loads(FIXTURE.read_text(), parse_float=D)
    # VTI's sale is 100 x 250 = 25,000, above a 24,990 minimum trade; its substitute
    # SCHB at $26 buys floor(25,000 / 26) = 961 whole shares = $24,986, below it.
    data.setdefault("constraints", {})["min_trade"] = "24990"
    for security in data["securities"]:
        if security["symbol"] == "SCHB":
            security["price"] = "26"
    plan = harvest(household_from_dict(data, source=str(FIXTURE)), AS_OF)
    # The sale is not made alone: the allocation would change.
    assert all(t.symbol != "VTI" for t in plan.trades)
    [note] = [n for n in plan.notes if n.code == "swap_not_possible"]
    assert "24986.00" in note.message
    assert not plan.refused
