"""Fills against a stored plan: statuses, slippage, costs and tax, worked by hand.

The plan (``fixtures/households/plan_harvest.json``, harvested on 2026-06-01; no
commission, spread or impact; the joint account holds no cash):

* sell 100 VTI (lot J1, basis 30,000.00, bought 2026-01-15) at an estimated 250.00:
  a short-term loss of 30,000.00 - 25,000.00 = 5,000.00;
* sell 100 VXUS (lot J2, basis 7,000.00, bought 2024-03-01) at 60.00: a long-term
  loss of 1,000.00, of which 1.5 shares' worth (1,000.00 / 100 x 1.5 = 15.00) is
  washed by Sam's IRA buying 1.5 VXUS on 2026-05-26, so -985.00;
* buy 85 IXUS at 70.00 and 1,002 SCHB at 25.00 (5,950.00 + 25,050.00 = 31,000.00 =
  25,000.00 + 6,000.00: all the proceeds). (An exact tie, to the cent, with 3 BND at
  50.00 and 996 SCHB, the plan before the optimiser's rewrite: both put the 150.00 in
  the same account and neither moves a class outside its harvest tolerance; the
  optimiser now takes the plan with one ticket fewer.)

Its estimated tax is netted: -5,985.00 of net loss offsets at most 3,000.00 of
ordinary income, at 30%: -900.00.
"""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest

from household.store import EventKind, Store
from tests.cli_runner import invoke

ROOT = Path(__file__).resolve().parents[3]
HARVEST = ROOT / "fixtures" / "households" / "plan_harvest.json"

FILLS = """date,account_id,symbol,side,quantity,price,fees
2026-06-02,joint,VTI,sell,100,250.10,1.00
2026-06-02,joint,VXUS,sell,100,59.90,0
2026-06-02,joint,SCHB,buy,600,25.01,1.00
2026-06-03,joint,SCHB,buy,395,25.02,0
2026-06-03,joint,IXUS,buy,85,69.98,0
2026-06-03,joint,AGG,buy,0.3,100,0
"""


def _planned(store: Store) -> tuple[str, int]:
    url = store.url.render_as_string(hide_password=False)
    assert invoke(["store", "add", str(HARVEST), "--store", url]).exit_code == 0
    result = invoke(["harvest", "--store", url, "plan-harvest", "--format", "json"])
    assert result.exit_code == 0, result.stderr
    plan = json.loads(result.stdout)
    # The plan these hand numbers are worked against (see the module docstring).
    assert sorted(
        (t["symbol"], t["side"], t["quantity"], t["lots_sold"]) for t in plan["trades"]
    ) == [
        ("IXUS", "buy", "85", ""),
        ("SCHB", "buy", "1002", ""),
        ("VTI", "sell", "100", "J1:100"),
        ("VXUS", "sell", "100", "J2:100"),
    ]
    assert plan["summary"]["tax"] == "-900.00"  # -3,000 x 0.30
    return url, plan["summary"]["plan_id"]


def _import(url: str, path: Path, plan_id: int) -> dict:
    result = invoke(
        ["fills", "import", str(path), "--plan", str(plan_id), "--store", url, "--format", "json"]
    )
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def test_fills_are_reconciled_and_appended(store: Store, tmp_path: Path) -> None:
    url, plan_id = _planned(store)
    fills = tmp_path / "fills.csv"
    fills.write_text(FILLS)
    before = len(store.events("plan-harvest"))
    report = _import(url, fills, plan_id)
    tickets = {(t["symbol"], t["side"]): t for t in report["tickets"]}
    vti, vxus, schb = tickets["VTI", "sell"], tickets["VXUS", "sell"], tickets["SCHB", "buy"]
    ixus, agg = tickets["IXUS", "buy"], tickets["AGG", "buy"]
    assert set(tickets) == {
        ("VTI", "sell"),
        ("VXUS", "sell"),
        ("SCHB", "buy"),
        ("IXUS", "buy"),
        ("AGG", "buy"),
    }
    assert [t["status"] for t in (vti, vxus, schb, ixus, agg)] == [
        "filled",
        "filled",
        "partial",  # 995 of 1,002
        "filled",
        "unplanned",
    ]
    # VTI: sold 100 at 250.10 against 250.00: slippage -(25,010 - 25,000) = -10.00 (a gain);
    # actual cost = fees 1.00 - 10.00 = -9.00.
    assert (vti["slippage"], vti["actual_cost"], vti["estimated_cost"]) == (
        "-10.00",
        "-9.00",
        "0.00",
    )
    # VXUS: sold 100 at 59.90 against 60.00: slippage 100 x 0.10 = 10.00 (a cost), no fees.
    assert (vxus["slippage"], vxus["actual_cost"]) == ("10.00", "10.00")
    # SCHB: 600 x 25.01 + 395 x 25.02 = 15,006.00 + 9,882.90 = 24,888.90 for 995 shares,
    # against 995 x 25.00 = 24,875.00: slippage 13.90; with fees 1.00, cost 14.90.
    assert (schb["planned"], schb["filled"]) == ("1002", "995")
    assert (schb["slippage"], schb["actual_cost"]) == ("13.90", "14.90")
    assert schb["average_price"] == "25.01397"  # 24,888.90 / 995 = 25.0139698... to 6 places
    assert schb["rows"] == "4;5"
    # IXUS: 85 at 69.98 against 70.00: -(85 x 0.02) = -1.70.
    assert (ixus["filled"], ixus["slippage"]) == ("85", "-1.70")
    assert (agg["planned"], agg["filled"], agg["slippage"]) == ("0", "0.3", "0.00")
    totals = report["totals"]
    assert totals["slippage"] == "12.20"  # -10.00 + 10.00 + 13.90 - 1.70
    assert totals["actual_cost"] == "14.20"  # -9.00 + 10.00 + 14.90 - 1.70
    assert totals["fees"] == "2.00"
    # Tax by replay. J1 sold for 25,010.00 - 1.00 fees = 25,009.00 against 30,000.00: a
    # short-term loss of 4,991.00 (SCHB is not identical to VTI: no wash sale). J2 sold for
    # 5,990.00 against 7,000.00: a loss of 10.10 a share; the IRA's 1.5 shares (2026-05-26,
    # within 30 days before) replace 1.5 of them: 1.5 x 10.10 = 15.15 disallowed for good
    # (J2.1), and J2.2 is 98.5 x 59.90 - 98.5 x 70 = 5,900.15 - 6,895.00 = -994.85, long-term.
    assert totals["actual_short_gain"] == "-4991.00"
    assert totals["actual_long_gain"] == "-994.85"
    # Netted as the estimate is: -5,985.85 of net loss, over the 3,000 limit: -3,000 x 0.30.
    assert totals["actual_tax"] == "-900.00"
    assert totals["estimated_tax"] == "-900.00"
    assert report["next_review"] == "2026-07-01"  # quarterly, after the last fill on 06-03
    # The events moved the lots and the cash.
    events = store.events("plan-harvest")
    fills_events = events[before:]
    assert [e.kind for e in fills_events] == [EventKind.FILL] * 6
    assert report["events"] == [before + 1, before + 6]
    assert fills_events[0].record().lot_id == "J1"  # the plan's lot, by specific identification
    assert fills_events[1].record().lot_id == "J2"
    lots = {(lot.symbol, lot.quantity): lot.cost_basis for lot in store.lots("plan-harvest")}
    assert ("VTI", Decimal(100)) not in lots and ("VXUS", Decimal(100)) not in lots
    assert lots["SCHB", Decimal(600)] == Decimal("15007.00")  # 15,006.00 + 1.00 fees
    assert lots["SCHB", Decimal(395)] == Decimal("9882.90")
    assert lots["IXUS", Decimal(85)] == Decimal("5948.30")  # 85 x 69.98
    assert lots["AGG", Decimal("0.3")] == Decimal("30.0")
    assert lots["VXUS", Decimal("1.5")] == Decimal("90.00")  # in an IRA: no basis added
    # Cash: 25,009.00 + 5,990.00 - 15,007.00 - 9,882.90 - 5,948.30 - 30.00 = 130.80.
    assert store.state("plan-harvest").cash() == {"joint": Decimal("130.80"), "sam-ira": 0}
    assert store.next_reviews()["plan-harvest"].isoformat() == "2026-07-01"
    (imported,) = store.imports("plan-harvest")
    assert (imported["plan_id"], imported["totals"]) == (plan_id, totals)

    # The same file again is recognised, and nothing is applied twice.
    again = invoke(["fills", "import", str(fills), "--plan", str(plan_id), "--store", url])
    assert again.exit_code == 2
    assert "imported already" in again.stderr
    assert len(store.events("plan-harvest")) == len(events)
    assert len(store.imports("plan-harvest")) == 1


def test_a_missing_and_an_over_filled_ticket(store: Store, tmp_path: Path) -> None:
    url, plan_id = _planned(store)
    fills = tmp_path / "fills.csv"
    fills.write_text(
        "date,account_id,symbol,side,quantity,price,fees\n2026-06-02,joint,VTI,sell,100,250,0\n"
    )
    report = _import(url, fills, plan_id)
    statuses = {t["symbol"]: t["status"] for t in report["tickets"]}
    assert statuses == {
        "VTI": "filled",
        "VXUS": "missing",
        "IXUS": "missing",
        "SCHB": "missing",
    }
    # Only J1 sold: 25,000.00 - 30,000.00 = -5,000.00 short-term, netted: -3,000 x 0.30.
    assert report["totals"]["actual_short_gain"] == "-5000.00"
    assert report["totals"]["actual_tax"] == "-900.00"
    over = tmp_path / "over.csv"
    over.write_text(
        "date,account_id,symbol,side,quantity,price,fees\n2026-06-03,joint,SCHB,buy,1003,24.9,0\n"
    )
    report = _import(url, over, plan_id)
    tickets = {t["symbol"]: t for t in report["tickets"]}
    statuses = {symbol: t["status"] for symbol, t in tickets.items()}
    assert statuses == {  # the plan again, this file alone
        "VTI": "missing",
        "VXUS": "missing",
        "IXUS": "missing",
        "SCHB": "over",  # 1,003 of 1,002
    }
    # Bought 1,003 at 24.90 against 25.00: slippage (24.90 - 25.00) x 1,003 = -100.30.
    assert tickets["SCHB"]["slippage"] == "-100.30"
    # No sale: no gain, no tax.
    assert (report["totals"]["actual_short_gain"], report["totals"]["actual_tax"]) == (
        "0.00",
        "0.00",
    )
    # Cash: 25,000.00 - 1,003 x 24.90 = 25,000.00 - 24,974.70 = 25.30.
    assert store.state("plan-harvest").cash()["joint"] == Decimal("25.30")


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ("2026-06-02,joint,VTI,sell,ten,250,0", "fills.csv:3: quantity: 'ten' is not a number"),
        ("2026-06-02,joint,VTI,short,1,250,0", "fills.csv:3: side: 'short' is not buy or sell"),
        ("2026-06-02,nobody,VTI,sell,1,250,0", "fills.csv:3: account_id: unknown account 'nobody'"),
        ("2026-13-02,joint,VTI,sell,1,250,0", "fills.csv:3: date:"),
        ("2026-06-02,joint,VTI,sell,1,250,-1", "fills.csv:3: fees: -1 must not be negative"),
        ("2026-06-02,joint,VTI,sell,1000,250,0", "fills.csv:3:"),  # more than held
    ],
)
def test_a_bad_row_refuses_the_whole_file(
    store: Store, tmp_path: Path, row: str, message: str
) -> None:
    url, plan_id = _planned(store)
    fills = tmp_path / "fills.csv"
    fills.write_text(
        "date,account_id,symbol,side,quantity,price,fees\n2026-06-02,joint,SCHB,buy,10,25,0\n"
        + row
        + "\n"
    )
    before = store.events("plan-harvest")
    result = invoke(["fills", "import", str(fills), "--plan", str(plan_id), "--store", url])
    assert result.exit_code == 2
    assert message in result.stderr, result.stderr
    assert "Traceback" not in result.stderr
    assert store.events("plan-harvest") == before  # the good first row was not applied either
    assert store.next_reviews() == {}


def test_fills_against_an_unknown_plan(store: Store, tmp_path: Path) -> None:
    url = store.url.render_as_string(hide_password=False)
    fills = tmp_path / "fills.csv"
    fills.write_text(FILLS)
    result = invoke(["fills", "import", str(fills), "--plan", "99", "--store", url])
    assert result.exit_code == 2 and "no plan 99" in result.stderr
