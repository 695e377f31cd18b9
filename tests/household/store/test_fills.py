"""Fills against a stored plan: statuses, slippage, costs and tax, worked by hand.

The plan (``fixtures/households/plan_harvest.json``, harvested on 2026-06-01):
sell 100 VTI (lot J1, basis 30,000.00, bought 2026-01-15) at an estimated 250.00,
buy 1,000 SCHB at 25.00; no commission, spread or impact; estimated tax
-5,000 * 30% = -1,500.00. The joint account holds no cash.
"""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest

from household.store import EventKind, Store
from tests.cli_runner import invoke

_REPLAN = (
    "the plan tickets changed with the optimiser (issue 7: the harvest now also swaps the VXUS "
    "loss, only its washed part charged); the hand-worked fill numbers are to be re-derived"
)

ROOT = Path(__file__).resolve().parents[3]
HARVEST = ROOT / "fixtures" / "households" / "plan_harvest.json"

FILLS = """date,account_id,symbol,side,quantity,price,fees
2026-06-02,joint,VTI,sell,100,250.10,1.00
2026-06-02,joint,SCHB,buy,600,25.01,1.00
2026-06-03,joint,SCHB,buy,399,25.02,0
2026-06-03,joint,BND,buy,0.3,50,0
"""


def _planned(store: Store) -> tuple[str, int]:
    url = store.url.render_as_string(hide_password=False)
    assert invoke(["store", "add", str(HARVEST), "--store", url]).exit_code == 0
    result = invoke(["harvest", "--store", url, "plan-harvest", "--format", "json"])
    assert result.exit_code == 0, result.stderr
    return url, json.loads(result.stdout)["summary"]["plan_id"]


@pytest.mark.xfail(
    reason=_REPLAN,
    strict=True,
)
def test_fills_are_reconciled_and_appended(store: Store, tmp_path: Path) -> None:
    url, plan_id = _planned(store)
    fills = tmp_path / "fills.csv"
    fills.write_text(FILLS)
    before = len(store.events("plan-harvest"))
    result = invoke(
        ["fills", "import", str(fills), "--plan", str(plan_id), "--store", url, "--format", "json"]
    )
    assert result.exit_code == 0, result.stderr
    report = json.loads(result.stdout)
    tickets = {(t["symbol"], t["side"]): t for t in report["tickets"]}
    vti, schb, bnd = tickets["VTI", "sell"], tickets["SCHB", "buy"], tickets["BND", "buy"]
    assert (vti["status"], schb["status"], bnd["status"]) == ("filled", "partial", "unplanned")
    # VTI: sold 100 at 250.10 against 250.00: slippage -(25,010 - 25,000) = -10.00 (a gain);
    # actual cost = fees 1.00 - 10.00 = -9.00.
    assert (vti["slippage"], vti["actual_cost"], vti["estimated_cost"]) == (
        "-10.00",
        "-9.00",
        "0.00",
    )
    # SCHB: 600 * 25.01 + 399 * 25.02 = 15,006.00 + 9,982.98 = 24,988.98 for 999 shares,
    # against 999 * 25.00 = 24,975.00: slippage 13.98; with fees 1.00, cost 14.98.
    assert (schb["planned"], schb["filled"]) == ("1000", "999")
    assert (schb["slippage"], schb["actual_cost"]) == ("13.98", "14.98")
    assert schb["average_price"] == "25.013994"  # 24,988.98 / 999 = 25.0139939...
    assert schb["rows"] == "3;4"
    assert bnd["planned"] == "0" and bnd["slippage"] == "0.00"
    totals = report["totals"]
    assert totals["slippage"] == "3.98"  # -10.00 + 13.98
    assert totals["actual_cost"] == "5.98"  # -9.00 + 14.98
    # Tax: J1 sold for 25,010.00 - 1.00 fees = 25,009.00 against 30,000.00: a short-term
    # loss of 4,991.00 (SCHB is not identical to VTI: no wash sale); at 30%: -1,497.30.
    assert totals["actual_short_gain"] == "-4991.00"
    assert totals["actual_tax"] == "-1497.30"
    assert totals["estimated_tax"] == "-1500.00"
    assert report["next_review"] == "2026-07-01"  # quarterly, after the last fill on 06-03
    # The events moved the lots and the cash.
    events = store.events("plan-harvest")
    fills_events = events[before:]
    assert [e.kind for e in fills_events] == [EventKind.FILL] * 4
    assert fills_events[0].record().lot_id == "J1"  # the plan's lot, by specific identification
    lots = {(lot.symbol, lot.quantity): lot.cost_basis for lot in store.lots("plan-harvest")}
    assert ("VTI", Decimal(100)) not in lots
    assert lots["SCHB", Decimal(600)] == Decimal("15007.00")  # 15,006.00 + 1.00 fees
    assert lots["SCHB", Decimal(399)] == Decimal("9982.98")
    # Cash: 25,009.00 - 15,007.00 - 9,982.98 - 15.00 = 4.02.
    assert store.state("plan-harvest").cash()["joint"] == Decimal("4.02")
    assert store.next_reviews()["plan-harvest"].isoformat() == "2026-07-01"

    # The same file again is recognised, and nothing is applied twice.
    again = invoke(["fills", "import", str(fills), "--plan", str(plan_id), "--store", url])
    assert again.exit_code == 2
    assert "imported already" in again.stderr
    assert len(store.events("plan-harvest")) == len(events)


@pytest.mark.xfail(
    reason=_REPLAN,
    strict=True,
)
def test_a_missing_and_an_over_filled_ticket(store: Store, tmp_path: Path) -> None:
    url, plan_id = _planned(store)
    fills = tmp_path / "fills.csv"
    fills.write_text(
        "date,account_id,symbol,side,quantity,price,fees\n2026-06-02,joint,VTI,sell,100,250,0\n"
    )
    report = json.loads(
        invoke(
            [
                "fills",
                "import",
                str(fills),
                "--plan",
                str(plan_id),
                "--store",
                url,
                "--format",
                "json",
            ]
        ).stdout
    )
    statuses = {t["symbol"]: t["status"] for t in report["tickets"]}
    assert statuses == {"VTI": "filled", "SCHB": "missing"}
    over = tmp_path / "over.csv"
    over.write_text(
        "date,account_id,symbol,side,quantity,price,fees\n2026-06-03,joint,SCHB,buy,1001,24.9,0\n"
    )
    report = json.loads(
        invoke(
            [
                "fills",
                "import",
                str(over),
                "--plan",
                str(plan_id),
                "--store",
                url,
                "--format",
                "json",
            ]
        ).stdout
    )
    statuses = {t["symbol"]: t["status"] for t in report["tickets"]}
    assert statuses == {"VTI": "missing", "SCHB": "over"}  # the plan again, this file alone
    # Bought 1,001 at 24.90 against 25.00: slippage (24.90 - 25.00) * 1,001 = -100.10.
    assert report["tickets"][1]["slippage"] == "-100.10"


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
