"""``household wash-sales`` and ``household gains``: output contract and bad input.

Bad input exits 2 with one line on stderr, ``file:row: field: message``, and
no traceback (docs/formats.md, "Conventions").
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from household.cli import main

ACCOUNTS = "account_id,owner,type,lot_method\njoint,A&S,joint,\nira,A,traditional_ira,\n"
TRANSACTIONS = """date,account_id,symbol,action,quantity,price,fees,lot_id
2026-01-05,joint,XYZ,buy,100,10,0,L1
2026-03-10,joint,XYZ,SELL,100,9,0,
2026-03-20,joint,XYZ,Buy,100,10.50,0,L2
"""


def invoke(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    old = sys.argv
    sys.argv = ["household", *args]
    try:
        main()
        code = 0
    except SystemExit as exit_:
        code = int(exit_.code or 0)
    finally:
        sys.argv = old
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def write(tmp_path: Path, accounts: str = ACCOUNTS, transactions: str = TRANSACTIONS) -> list[str]:
    (tmp_path / "accounts.csv").write_text(accounts)
    (tmp_path / "transactions.csv").write_text(transactions)
    return [
        "--accounts",
        str(tmp_path / "accounts.csv"),
        "--transactions",
        str(tmp_path / "transactions.csv"),
    ]


def test_wash_sales_json_is_the_contract(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = invoke(["wash-sales", *write(tmp_path), "--format", "json"], capsys)
    assert (code, err) == (0, "")
    document = json.loads(out)
    assert document["dispositions"] == [
        {
            "sale_date": "2026-03-10",
            "account_id": "joint",
            "symbol": "XYZ",
            "lot_id": "L1",
            "quantity": "100",
            "acquired": "2026-01-05",
            "term": "short",
            "proceeds": "900.00",
            "cost_basis": "1000.00",
            "code": "W",
            "adjustment": "100.00",
            "gain": "0.00",
            "permanently_disallowed": "0.00",
        }
    ]
    # Held Jan 5 -> Mar 10 = 64 days; Mar 20 - 64 days = Jan 15.
    assert document["lots"] == [
        {
            "account_id": "joint",
            "symbol": "XYZ",
            "lot_id": "L2",
            "quantity": "100",
            "purchased": "2026-03-20",
            "acquired": "2026-01-15",
            "cost_basis": "1150.00",
            "wash_sale_adjustment": "100.00",
        }
    ]


def test_gains_json_and_form_8949_csv(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    transactions = TRANSACTIONS + "2026-06-01,joint,XYZ,sell,100,12,1,\n"
    files = write(tmp_path, transactions=transactions)
    code, out, _ = invoke(["gains", *files, "--year", "2026", "--format", "json"], capsys)
    assert code == 0
    totals = json.loads(out)["totals"]
    # Short: 900 - 1,000 + 100 = 0, then 1,199 - 1,150 = 49.
    assert totals["short"] == {
        "rows": 2,
        "proceeds": "2099.00",
        "cost_basis": "2150.00",
        "adjustment": "100.00",
        "gain": "49.00",
        "permanently_disallowed": "0.00",
    }
    assert totals["long"]["rows"] == 0
    code, out, _ = invoke(["gains", *files, "--format", "csv"], capsys)
    lines = out.splitlines()
    assert lines[0].startswith("part,(a) description,(b) date acquired,(c) date sold")
    assert lines[1] == "I,100 sh XYZ,01/05/2026,03/10/2026,900.00,1000.00,W,100.00,0.00"
    assert lines[2] == "I,100 sh XYZ,01/15/2026,06/01/2026,1199.00,1150.00,,,49.00"


def test_table_output_is_readable(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = invoke(["wash-sales", *write(tmp_path)], capsys)
    assert code == 0
    assert "Dispositions" in out and "$1,150.00" in out


BAD = [
    # (accounts, transactions, expected stderr fragment)
    ("account_id,owner\njoint,A\n", TRANSACTIONS, "accounts.csv:1: type: missing column"),
    (ACCOUNTS.replace("traditional_ira", "pension"), TRANSACTIONS,
     "accounts.csv:3: type: unknown account type 'pension'"),
    (ACCOUNTS, TRANSACTIONS.replace("2026-01-05,joint", "2026-01-05,brokerage"),
     "transactions.csv:2: account_id: unknown account 'brokerage'"),
    (ACCOUNTS, TRANSACTIONS.replace("buy,100,10,", "buy,abc,10,"),
     "transactions.csv:2: quantity: 'abc' is not a number"),
    (ACCOUNTS, TRANSACTIONS.replace("2026-03-20", "2026-13-20"),
     "transactions.csv:4: date: '2026-13-20' is not a date (YYYY-MM-DD)"),
    (ACCOUNTS, TRANSACTIONS.replace("buy,100,10,", "buy,-100,10,"),
     "transactions.csv:2: quantity: -100 must be positive"),
    (ACCOUNTS, TRANSACTIONS.replace("SELL,100,9", "SELL,150,9"),
     "transactions.csv:3: quantity: sells 150 shares but the account holds 100"),
    (ACCOUNTS, TRANSACTIONS.replace("SELL,100,9,0,", "SELL,10,9,0,L9"),
     "transactions.csv:3: lot_id: lot 'L9' is not held"),
    (ACCOUNTS, TRANSACTIONS.replace("SELL", "short"),
     "transactions.csv:3: action: 'short' is not a known action"),
    (ACCOUNTS, "date,account_id,symbol,action,quantity\n",
     "transactions.csv:1: price: missing column"),
    (ACCOUNTS, TRANSACTIONS.replace("L2", "L1"),
     "transactions.csv:4: lot_id: duplicate lot id 'L1' in account 'joint'"),
    (ACCOUNTS, TRANSACTIONS.replace("100,10.50,0", "100,10.50,-1"),
     "transactions.csv:4: fees: -1 must not be negative"),
]  # fmt: skip


@pytest.mark.parametrize(("accounts", "transactions", "message"), BAD)
@pytest.mark.parametrize("command", ["wash-sales", "gains"])
def test_bad_input_exits_2_with_file_row_field(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    command: str,
    accounts: str,
    transactions: str,
    message: str,
) -> None:
    code, out, err = invoke([command, *write(tmp_path, accounts, transactions)], capsys)
    assert code == 2
    assert out == ""
    assert message in err
    assert err.count("\n") == 1
    assert "Traceback" not in err


def test_missing_file_and_bad_method(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    files = write(tmp_path)
    files[1] = str(tmp_path / "nope.csv")
    code, _, err = invoke(["wash-sales", *files], capsys)
    assert code == 2 and "nope.csv: file not found" in err
    code, _, err = invoke(["wash-sales", *write(tmp_path), "--method", "average"], capsys)
    assert code == 2 and "--method" in err


def test_method_option_applies_to_accounts_without_one(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    transactions = """date,account_id,symbol,action,quantity,price
2025-01-02,joint,A,buy,10,10
2025-06-02,joint,A,buy,10,20
2026-07-01,joint,A,sell,10,15
"""
    files = write(tmp_path, transactions=transactions)
    _, out, _ = invoke(["gains", *files, "--format", "json"], capsys)
    assert json.loads(out)["totals"]["all"]["gain"] == "50.00"  # FIFO: 150 - 100
    _, out, _ = invoke(["gains", *files, "--format", "json", "--method", "hifo"], capsys)
    assert json.loads(out)["totals"]["all"]["gain"] == "-50.00"  # HIFO: 150 - 200


def test_money_text_never_prints_negative_zero() -> None:
    from decimal import Decimal

    from household.render import money_text

    # -0.001 and -0.005 round half-even to zero cents: shown as 0.00.
    assert money_text(Decimal("-0.001")) == "0.00"
    assert money_text(Decimal("-0.005")) == "0.00"
    assert money_text(Decimal("-0.006")) == "-0.01"
