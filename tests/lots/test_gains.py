"""Form 8949 rows and totals, on a small year of sales worked by hand."""

from __future__ import annotations

import json
from decimal import Decimal as D
from pathlib import Path

from lots.gains import INHERITED, form_rows, summarize
from lots.washsale import Ledger
from tests.cli_runner import invoke
from tests.lots.textledger import run

YEAR = """
accounts: me=individual ira=traditional_ira
2024-03-01 me buy 10 LT @ 100 L1
2025-12-01 me buy 30 ST @ 33.3333 S1
2026-01-15 me sell 10 LT @ 130
2026-02-01 me sell 30 ST @ 30 fees 1
2026-02-10 me buy 10 ST @ 31 S2
2026-03-01 ira buy 5 LT @ 120 I1
2026-04-01 ira sell 5 LT @ 90
2025-06-01 me buy 1 OLD @ 10 O1
2025-07-01 me sell 1 OLD @ 5
"""


def test_rows_and_totals_of_a_year() -> None:
    ledger = run(YEAR)
    summary = summarize(ledger.dispositions, 2026)
    # 2026 rows: LT +300 (1,300 - 1,000); ST sale of 30 at 30 less $1 fees =
    # 899 proceeds against 999.999 basis: 10 shares washed by S2.
    parts = [(r.part, r.description, r.proceeds, r.cost_basis, r.code, r.adjustment, r.gain)
             for r in summary.rows]  # fmt: skip
    assert parts == [
        ("II", "10 sh LT", D("1300.00"), D("1000.00"), "", D("0.00"), D("300.00")),
        # 10/30 of 899 = 299.666..; 10/30 of 999.999 = 333.333; the loss, 33.666..,
        # is washed in full, so (h) is 0.00 and (g) = 333.33 - 299.67 = 33.66.
        ("I", "10 sh ST", D("299.67"), D("333.33"), "W", D("33.66"), D("0.00")),
        # 20/30: 599.333.. and 666.666 round to 599.33 and 666.67: (h) = -67.34.
        ("I", "20 sh ST", D("599.33"), D("666.67"), "", D("0.00"), D("-67.34")),
    ]
    # Totals add the rounded rows: short proceeds 299.67 + 599.33 = 899.00.
    assert summary.short.proceeds == D("899.00")
    assert summary.short.cost_basis == D("1000.00")
    assert summary.short.adjustment == D("33.66")
    assert summary.short.gain == D("-67.34")
    assert summary.long.gain == D("300.00")
    assert summary.total.gain == D("232.66")
    # The IRA sale is not reported; the 2025 sale is in 2025 only.
    assert summarize(ledger.dispositions, 2025).total.gain == D("-5.00")
    assert len(form_rows(ledger.dispositions)) == 4


def test_inherited_shares_read_inherited_in_column_b(tmp_path: Path) -> None:
    # Publication 559 ("Basis of Inherited Property"): 100 XYZ inherited at a death on
    # 2026-02-01, fair market value $5,000 that day: basis $5,000, long-term however
    # soon sold. Sold 2026-03-02 with 10 bought shares at $55: the inherited 100 give
    # proceeds 5,500.00, basis 5,000.00, gain +500.00 in Part II, and Form 8949
    # column (b) reads INHERITED instead of a date (Form 8949 instructions, column (b));
    # the 10 bought 2026-02-10 at $50 give 550.00 - 500.00 = +50.00, short-term, dated.
    (tmp_path / "accounts.csv").write_text("account_id,owner,type\nme,o,individual\n")
    (tmp_path / "transactions.csv").write_text(
        "date,account_id,symbol,action,quantity,price,lot_id,fmv\n"
        "2026-02-01,me,XYZ,inherited,100,,H1,5000\n"
        "2026-02-10,me,XYZ,buy,10,50,B1,\n"
        "2026-03-02,me,XYZ,sell,110,55,,\n"
    )
    paths = [
        *("--accounts", str(tmp_path / "accounts.csv")),
        *("--transactions", str(tmp_path / "transactions.csv")),
    ]
    csv_out = invoke(["gains", "--format", "csv", *paths])
    assert csv_out.exit_code == 0, csv_out.output
    assert csv_out.stdout.splitlines()[1:] == [
        "II,100 sh XYZ,INHERITED,03/02/2026,5500.00,5000.00,,,500.00",
        "I,10 sh XYZ,02/10/2026,03/02/2026,550.00,500.00,,,50.00",
    ]
    rows = json.loads(invoke(["gains", "--format", "json", *paths]).stdout)["dispositions"]
    assert [(r["lot_id"], r["acquired"], r["term"]) for r in rows] == [
        ("H1", "INHERITED", "long"),
        ("B1", "2026-02-10", "short"),
    ]
    # The ledger itself keeps the date (the holding period's start, the date of death).
    ledger = json.loads(invoke(["wash-sales", "--format", "json", *paths]).stdout)
    assert ledger["dispositions"][0]["acquired"] == "2026-02-01"
    (row, _) = summarize(run_csv(tmp_path).dispositions).rows
    assert (row.date_acquired, row.disposition.inherited) == (INHERITED, True)


def run_csv(directory: Path) -> Ledger:
    from household.cli.lots import run_ledger

    return run_ledger(directory / "accounts.csv", directory / "transactions.csv", None, None)
