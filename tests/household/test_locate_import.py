"""``household import``: a CSV set becomes a household file without loss."""

from __future__ import annotations

import json
import sys
from decimal import Decimal
from pathlib import Path

import pytest

from household.cli import main
from household.csvio import read_accounts, read_transactions
from household.importing import import_household
from household.loader import household_from_dict, load_household

DEMO = Path(__file__).resolve().parents[2] / "fixtures" / "csv" / "demo"


def test_demo_converts_without_loss() -> None:
    document = import_household(
        DEMO / "accounts.csv", DEMO / "transactions.csv", DEMO / "securities.csv"
    )
    household = household_from_dict(json.loads(json.dumps(document)))
    accounts = read_accounts(DEMO / "accounts.csv")
    transactions = read_transactions(DEMO / "transactions.csv", accounts)
    assert household.account_ids == tuple(a.account_id for a in accounts)
    # an empty lot_method in the CSV means FIFO there, so it is written as fifo
    assert household.account("joint").lot_method == "fifo"
    assert household.account("sam").lot_method == "hifo"
    assert household.account("joint").name == "Joint brokerage"
    assert len(household.recent_transactions) == len(transactions)
    for mine, theirs in zip(household.recent_transactions, transactions, strict=True):
        assert (
            mine.date,
            mine.account_id,
            mine.symbol,
            mine.action,
            mine.quantity,
            mine.price,
            mine.fees,
            mine.lot_id,
        ) == (
            theirs.date,
            theirs.account_id,
            theirs.symbol,
            theirs.action,
            theirs.quantity,
            theirs.price,
            theirs.fees,
            theirs.lot_id,
        )
    vti = household.securities["VTI"]
    assert vti.identical_group == "vanguard_total_market"
    assert vti.substitutes == ("ITOT", "SCHB") and vti.price == Decimal("270.00")
    # placeholder targets: equal, summing to 1
    assert sum(household.targets.values()) == 1
    # every open lot has shares, and the wash-sale carry-over survives the trip
    assert household.lots and all(lot.quantity > 0 for lot in household.lots)
    washed = next(lot for lot in household.lots if lot.lot_id == "J-VXUS-2")
    assert washed.wash_sale_adjustment == Decimal("300.475")
    assert str(washed.acquired) == "2026-05-30" and str(washed.purchased) == "2026-07-31"


def test_template_supplies_policy(tmp_path: Path) -> None:
    template = {
        "household_id": "demo-family",
        "horizon_years": 25,
        "tax": {"ordinary": "0.32", "qualified": "0.15", "withdrawal": "0.25"},
        "asset_classes": {
            "us_equity": {"expected_return": "0.07", "qualified_yield": "0.015"},
            "intl_equity": {"expected_return": "0.07", "qualified_yield": "0.02"},
            "us_bonds": {"expected_return": "0.04", "ordinary_yield": "0.04"},
        },
        "targets": {"us_equity": "0.5", "intl_equity": "0.2", "us_bonds": "0.3"},
        "accounts": [{"account_id": "joint", "type": "joint", "cash": "2500.00"}],
    }
    document = import_household(
        DEMO / "accounts.csv",
        DEMO / "transactions.csv",
        DEMO / "securities.csv",
        template=template,
    )
    household = household_from_dict(document)
    assert household.household_id == "demo-family" and household.horizon_years == 25
    assert household.account("joint").cash == Decimal("2500.00")
    assert household.targets["us_bonds"] == Decimal("0.3")


def test_command_writes_a_loadable_file(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    out = tmp_path / "demo.json"
    argv = [
        "household",
        "import",
        "--accounts",
        str(DEMO / "accounts.csv"),
        "--transactions",
        str(DEMO / "transactions.csv"),
        "--securities",
        str(DEMO / "securities.csv"),
        "--out",
        str(out),
        "--as-of",
        "2026-11-20",
    ]
    old, sys.argv = sys.argv, argv
    try:
        with pytest.raises(SystemExit) as info:
            main()
    finally:
        sys.argv = old
    assert info.value.code in (0, None)
    household = load_household(out)
    assert str(household.as_of) == "2026-11-20"


def test_bad_csv_exits_2(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    bad = tmp_path / "accounts.csv"
    bad.write_text("account_id,owner,type\njoint,A,brokerage\n")
    argv = [
        "household",
        "import",
        "--accounts",
        str(bad),
        "--transactions",
        str(DEMO / "transactions.csv"),
    ]
    old, sys.argv = sys.argv, argv
    try:
        with pytest.raises(SystemExit) as info:
            main()
    finally:
        sys.argv = old
    assert info.value.code == 2
    assert "accounts.csv:2: type:" in capsys.readouterr().err
