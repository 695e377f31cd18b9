"""Reconciliation: custodian breaks and 1099-B adjustments, on small hand-made cases."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from decimal import Decimal
from pathlib import Path

from household.loader import household_from_dict
from household.store import EventKind, Store
from household.store.reconcile import (
    BREAK_COLUMNS,
    TAX_ROW_COLUMNS,
    CustodianLot,
    reconcile_lots,
)
from lots.records import Account, AccountType, Action, Lot, Transaction
from tests.cli_runner import invoke
from tests.household.store.helpers import household_document

D = dt.date


def test_custodian_breaks_of_every_kind() -> None:
    lots = [
        Lot("joint", "AAA", "L1", "100", "1000.00", D(2025, 1, 5)),
        Lot("joint", "AAA", "L2", "50", "600.00", D(2025, 2, 5)),
        Lot("joint", "BBB", "L3", "10", "100.00", D(2025, 3, 5)),
        Lot("joint", "CCC", "L4", "5", "50.00", D(2025, 3, 5)),
    ]
    custodian = [
        CustodianLot(2, "joint", "AAA", Decimal("100"), Decimal("1000.004"), D(2025, 1, 5)),
        CustodianLot(3, "joint", "AAA", Decimal("50"), Decimal("600.00"), D(2025, 2, 6)),
        CustodianLot(4, "joint", "BBB", Decimal("9"), Decimal("100.00"), D(2025, 3, 5)),
        CustodianLot(5, "joint", "DDD", Decimal("1"), Decimal("10.00"), D(2025, 3, 5)),
    ]
    found = [(b.kind, b.symbol, b.lot_id, b.line) for b in reconcile_lots(lots, custodian)]
    assert found == [
        # L1's basis differs by 0.004: inside the 0.01 tolerance, no break.
        ("date", "AAA", "L2", 3),  # same quantity, acquired a day apart
        ("quantity", "BBB", "L3", 4),  # 10 against 9
        ("missing", "CCC", "L4", None),  # the custodian has no CCC
        ("extra", "DDD", None, 5),  # the store has no DDD
    ]


def test_a_bad_lots_row_refuses_the_file(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'h.db'}"
    accounts = [Account("joint", AccountType.JOINT, lot_method="fifo")]
    Store(url).init()
    Store(url).add_household(household_from_dict(household_document("h", accounts)))
    lots = tmp_path / "lots.csv"
    lots.write_text(  # the second row is bad
        "account_id,symbol,quantity,cost_basis,acquired\n"
        "joint,AAA,1,10,2025-01-05\n"
        "joint,AAA,1,lots,2025-01-05\n"
    )
    before = Store(url).events("h")
    for accept in ([], ["--accept"]):
        result = invoke(["reconcile", "h", "--custodian", str(lots), "--store", url, *accept])
        assert result.exit_code == 2
        (line,) = result.stderr.splitlines()  # one line, no traceback
        assert line.startswith(f"household: {lots}:3: cost_basis: 'lots' is not a number")
        assert result.stdout == ""  # no break listed from the good first row either
    # Refused whole: the good first row (an extra AAA lot at the custodian) was not accepted.
    assert Store(url).events("h") == before


def test_a_cross_account_wash_sale_the_broker_cannot_see(store: Store, tmp_path: Path) -> None:
    # Alex sells 100 AAA in the joint account at a loss of 100 * (10.00 - 9.00) = 100.00; Sam
    # buys 100 AAA in his own (taxable) account 10 days later: a wash sale across accounts.
    # The joint broker reports no adjustment; the household adds W 100.00, and the basis of
    # Sam's lot becomes 100 * 9.50 + 100.00 = 1,050.00.
    accounts = [
        Account("joint", AccountType.JOINT, lot_method="fifo"),
        Account("sam", AccountType.INDIVIDUAL, lot_method="fifo"),
    ]
    store.add_household(household_from_dict(household_document("h", accounts)))
    store.append(
        "h",
        [
            (
                EventKind.OPEN_LOT,
                D(2025, 6, 2),
                Lot("joint", "AAA", "L1", "100", "1000", D(2025, 6, 2)),
            ),
            (
                EventKind.TRADE,
                D(2026, 3, 10),
                Transaction(D(2026, 3, 10), "joint", "AAA", Action.SELL, "100", "9"),
            ),
            (
                EventKind.TRADE,
                D(2026, 3, 20),
                Transaction(D(2026, 3, 20), "sam", "AAA", Action.BUY, "100", "9.50"),
            ),
            (
                EventKind.TRADE,
                D(2026, 4, 1),
                Transaction(D(2026, 4, 1), "sam", "BBB", Action.BUY, "1", "5"),
            ),
            (
                EventKind.TRADE,
                D(2026, 4, 2),
                Transaction(D(2026, 4, 2), "sam", "BBB", Action.SELL, "1", "6"),
            ),
        ],
    )
    rows = tmp_path / "1099b.csv"
    rows.write_text(
        "account_id,symbol,quantity,acquired,sold,proceeds,cost_basis,code,adjustment\n"
        "joint,AAA,100,2025-06-02,2026-03-10,900.00,1000.00,,0\n"
        "joint,AAA,5,2025-06-02,2026-05-10,45.00,50.00,,0\n"
    )
    url = store.url.render_as_string(hide_password=False)
    result = invoke(["reconcile", "h", "--1099b", str(rows), "--store", url, "--format", "json"])
    assert result.exit_code == 0, result.stderr
    first, second = json.loads(result.stdout)["rows"]
    assert first["status"] == "adjust"
    assert first["add"] == {"code": "W", "adjustment": "100.00"}
    assert "cross-account wash sale" in first["reasons"][0] and "sam" in first["reasons"][0]
    assert second["status"] == "unmatched"  # no such sale in the household's records
    lot = next(lot for lot in store.lots("h") if lot.account_id == "sam" and lot.symbol == "AAA")
    assert lot.cost_basis == Decimal("1050.00")
    # The broker of Sam's account would be asked about the BBB sale only if its rows were given.
    assert all(row["account_id"] == "joint" for row in json.loads(result.stdout)["rows"])

    # As CSV: one line per row, the unmatched row's household columns empty, and nothing lost.
    as_csv = invoke(["reconcile", "h", "--1099b", str(rows), "--store", url, "--format", "csv"])
    assert as_csv.exit_code == 0, as_csv.stderr
    lines = list(csv.DictReader(io.StringIO(as_csv.stdout)))
    assert tuple(lines[0]) == TAX_ROW_COLUMNS
    assert [(r["status"], r["add_adjustment"], r["household_lots"]) for r in lines] == [
        ("adjust", "100.00", "L1"),
        ("unmatched", "", ""),
    ]
    # No break at all: the CSV still has its header. Sam's lot carries L1's holding period
    # (Pub. 550): held 2025-06-02 to 2026-03-10, 281 days, so acquired 2026-03-20 - 281 days =
    # 2025-06-12, and a custodian that knows the wash sale says so.
    custodian = tmp_path / "lots.csv"
    custodian.write_text(
        "account_id,symbol,quantity,cost_basis,acquired\nsam,AAA,100,1050.00,2025-06-12\n"
    )
    breaks = invoke(
        ["reconcile", "h", "--custodian", str(custodian), "--store", url, "--format", "csv"]
    )
    assert breaks.exit_code == 0, breaks.stderr
    assert breaks.stdout == ",".join(BREAK_COLUMNS) + "\n"
