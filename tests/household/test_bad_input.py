"""Issue 10, bullet by bullet: each bad input, and the exact one line it gets on stderr.

Each case writes a small CSV set or a household file, runs the command in
process and compares stderr with the message a user should see (``file:row:
field: message``, exit 2). Where an input is a documented equivalent (symbol
case, a byte-order mark), the test shows the numbers are the same.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from tests.cli_runner import Result, invoke

ROOT = Path(__file__).resolve().parents[2]
HEADER = "date,account_id,symbol,action,quantity,price,fees,lot_id\n"
ACCOUNTS = "account_id,owner,type,lot_method\njoint,A&S,joint,\nira,A,traditional_ira,\n"
NUMBER_HINT = "(write 1234.56: no thousands separators, currency signs or decimal commas)"
RANGE = "is out of range (at most 10**12 in size and 15 decimal places)"
KNOWN = (
    "known: date, account_id, symbol, action, quantity, price, fees, lot_id, ratio, "
    "new_symbol, cash_per_share, amount_per_share, basis_fraction, to_account_id, "
    "donor_basis, donor_acquired, fmv"
)


def wash_sales(folder: Path, transactions: str, accounts: str = ACCOUNTS, *extra: str) -> Result:
    (folder / "accounts.csv").write_text(accounts, encoding="utf-8")
    (folder / "transactions.csv").write_text(transactions, encoding="utf-8")
    return invoke(
        [
            "wash-sales",
            "--accounts",
            str(folder / "accounts.csv"),
            "--transactions",
            str(folder / "transactions.csv"),
            "--format",
            "json",
            *extra,
        ]
    )


def refused(result: Result, folder: Path) -> str:
    """The one stderr line of a refused run, with the folder taken out."""
    assert result.exit_code == 2, result.output
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    return lines[0].replace(f"{folder}/", "")


BUY = "2026-01-05,joint,XYZ,buy,100,10,0,L1\n"

CSV_CASES = [
    # Silent misreads: a decimal comma, a currency sign, a thousands separator.
    (
        HEADER + '2026-01-05,joint,XYZ,buy,100,"235,00",0,L1\n',
        f"transactions.csv:2: price: '235,00' is not a number {NUMBER_HINT}",
    ),
    (
        HEADER + "2026-01-05,joint,XYZ,buy,100,$235.00,0,L1\n",
        f"transactions.csv:2: price: '$235.00' is not a number {NUMBER_HINT}",
    ),
    (
        HEADER + '2026-01-05,joint,XYZ,buy,100,"1,235.00",0,L1\n',
        f"transactions.csv:2: price: '1,235.00' is not a number {NUMBER_HINT}",
    ),
    # Headers the reader does not know.
    (
        HEADER.replace("lot_id", "lot id") + BUY,
        f"transactions.csv:1: lot id: unknown column 'lot id' ({KNOWN}; "
        "--allow-extra-columns ignores unknown ones)",
    ),
    (
        HEADER.replace("fees", "commission") + BUY,
        f"transactions.csv:1: commission: unknown column 'commission' ({KNOWN}; "
        "--allow-extra-columns ignores unknown ones)",
    ),
    # Control characters in a header or a field.
    (
        HEADER + "2026-01-05,joint,X\x00YZ,buy,100,10,0,L1\n",
        "transactions.csv:2: symbol: holds a control character (U+0000) at position 2",
    ),
    (
        HEADER.replace("date", "da\x00te") + BUY,
        "transactions.csv:1: header column 1 holds a control character (U+0000) at position 3",
    ),
    (
        HEADER + "2026-01-05,joint,XYZ\u200b,buy,100,10,0,L1\n",
        "transactions.csv:2: symbol: holds an invisible character (U+200B) at position 4",
    ),
    # Zero, negative, NaN, infinite.
    (
        HEADER + "2026-01-05,joint,XYZ,buy,0,10,0,L1\n",
        "transactions.csv:2: quantity: 0 must be positive",
    ),
    (
        HEADER + "2026-01-05,joint,XYZ,buy,-5,10,0,L1\n",
        "transactions.csv:2: quantity: -5 must be positive",
    ),
    (
        HEADER + "2026-01-05,joint,XYZ,buy,10,0,0,L1\n",
        "transactions.csv:2: price: 0 must be positive",
    ),
    (
        HEADER + "2026-01-05,joint,XYZ,buy,10,NaN,0,L1\n",
        f"transactions.csv:2: price: 'NaN' is not a number {NUMBER_HINT}",
    ),
    (
        HEADER + "2026-01-05,joint,XYZ,buy,10,inf,0,L1\n",
        f"transactions.csv:2: price: 'inf' is not a number {NUMBER_HINT}",
    ),
    # Huge and tiny numbers.
    (
        HEADER + "2026-01-05,joint,XYZ,buy,10,1e30,0,L1\n",
        f"transactions.csv:2: price: '1e30' {RANGE}",
    ),
    (
        HEADER + "2026-01-05,joint,XYZ,buy,10,1e400,0,L1\n",
        f"transactions.csv:2: price: '1e400' {RANGE}",
    ),
    (
        HEADER + "2026-01-05,joint,XYZ,buy,10,1e-20,0,L1\n",
        f"transactions.csv:2: price: '1e-20' {RANGE}",
    ),
    # Dates: ISO week dates, other forms, out of range.
    (
        HEADER + "2024-W07-1,joint,XYZ,buy,10,10,0,L1\n",
        "transactions.csv:2: date: '2024-W07-1' is not a date (YYYY-MM-DD)",
    ),
    (
        HEADER + "20240212,joint,XYZ,buy,10,10,0,L1\n",
        "transactions.csv:2: date: '20240212' is not a date (YYYY-MM-DD)",
    ),
    (
        HEADER + "9999-12-31,joint,XYZ,buy,10,10,0,L1\n",
        "transactions.csv:2: date: '9999-12-31' is out of range (1900-01-01 to 2199-12-31)",
    ),
    # A lot id used before in the account (even by a lot since sold) is refused.
    (
        HEADER + BUY + "2026-02-05,joint,XYZ,sell,100,10,0,L1\n" + BUY.replace("01-05", "03-05"),
        "transactions.csv:4: lot_id: duplicate lot id 'L1' in account 'joint'",
    ),
]


@pytest.mark.parametrize(("transactions", "message"), CSV_CASES)
def test_bad_csv_value_is_refused_naming_file_row_field(
    tmp_path: Path, transactions: str, message: str
) -> None:
    assert refused(wash_sales(tmp_path, transactions), tmp_path) == f"household: {message}"


def test_specific_identification_sell_without_lot_id(tmp_path: Path) -> None:
    accounts = ACCOUNTS.replace("joint,A&S,joint,", "joint,A&S,joint,specific")
    transactions = HEADER + BUY + "2026-02-05,joint,XYZ,sell,10,10,0,\n"
    assert refused(wash_sales(tmp_path, transactions, accounts), tmp_path) == (
        "household: transactions.csv:3: lot_id: is empty, but account 'joint' uses specific "
        "identification (name the lot sold, or set another lot_method)"
    )


def test_allow_extra_columns_ignores_unknown_ones(tmp_path: Path) -> None:
    transactions = (HEADER.strip() + ",note\n") + BUY.strip() + ",first buy\n"
    assert wash_sales(tmp_path, transactions).exit_code == 2
    result = wash_sales(tmp_path, transactions, ACCOUNTS, "--allow-extra-columns")
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["lots"][0]["cost_basis"] == "1000.00"  # 100 x 10


WASH = """2026-01-05,joint,{a},buy,100,10,0,L1
2026-03-10,joint,{b},sell,100,9,0,
2026-03-20,joint,{c},buy,100,10.50,0,L2
"""


def test_symbol_case_never_splits_a_wash_sale_group(tmp_path: Path) -> None:
    # Bought 100 at $10 ($1,000), sold at $9 ($900): a $100 loss, washed by the
    # buy ten days later whatever the symbol's case.
    mixed = wash_sales(tmp_path, HEADER + WASH.format(a="vtsax", b="VTSAX", c="Vtsax"))
    upper = wash_sales(tmp_path, HEADER + WASH.format(a="VTSAX", b="VTSAX", c="VTSAX"))
    assert mixed.exit_code == 0 and mixed.stdout == upper.stdout
    row = json.loads(mixed.stdout)["dispositions"][0]
    assert (row["symbol"], row["code"], row["adjustment"]) == ("VTSAX", "W", "100.00")


def test_bom_is_accepted_in_csv_and_json_alike(tmp_path: Path) -> None:
    plain = wash_sales(tmp_path, HEADER + BUY)
    (tmp_path / "transactions.csv").write_bytes(b"\xef\xbb\xbf" + (HEADER + BUY).encode())
    again = invoke(
        ["wash-sales", "--accounts", str(tmp_path / "accounts.csv"), "--transactions"]
        + [str(tmp_path / "transactions.csv"), "--format", "json"]
    )
    assert again.stdout == plain.stdout and again.exit_code == 0
    source = ROOT / "fixtures" / "households" / "plan_withdrawal.json"
    (tmp_path / "bom.json").write_bytes(b"\xef\xbb\xbf" + source.read_bytes())
    with_bom = invoke(["rebalance", str(tmp_path / "bom.json"), "--format", "json"])
    without = invoke(["rebalance", str(source), "--format", "json"])
    assert with_bom.exit_code == 0 and with_bom.stdout == without.stdout


# --- household files --------------------------------------------------------------

BASE = json.loads((ROOT / "fixtures" / "households" / "plan_withdrawal.json").read_text())


def rebalance(folder: Path, document: Any = None, raw: bytes | None = None) -> Result:
    path = folder / "h.json"
    if raw is not None:
        path.write_bytes(raw)
    else:
        path.write_text(json.dumps(document), encoding="utf-8")
    return invoke(["rebalance", str(path), "--format", "json"])


def changed(path: tuple[Any, ...], value: Any) -> Any:
    document = copy.deepcopy(BASE)
    parent = document
    for key in path[:-1]:
        parent = parent.setdefault(key, {}) if isinstance(key, str) else parent[key]
    parent[path[-1]] = value
    return document


JSON_CASES = [
    (
        ("securities", 0, "price"),
        "0",
        "h.json:securities[0].price: price: 0 must be positive "
        "(leave price out for an unpriced security)",
    ),
    (
        ("constraints", "cash_reserve"),
        {"taxable": "-1"},
        "h.json:constraints.cash_reserve.taxable: cash_reserve: -1 for account 'taxable' "
        "must not be negative",
    ),
    (
        ("bands",),
        {"absolute": "0.05", "outer_absolute": "0.04"},
        "h.json:bands.absolute: absolute: the inner band absolute 0.05 is wider than the "
        "outer band outer_absolute 0.04",
    ),
    (
        ("bands",),
        {"absolute": "0.08"},
        "h.json:bands.absolute: absolute: the inner band absolute 0.08 is wider than the "
        "outer band outer_absolute 0.06 (the default)",
    ),
    (
        ("securities", 0, "adv"),
        "0",
        "h.json:securities[0].adv: adv: 0 must be positive (leave adv out when it is not known)",
    ),
    (
        ("lots", 0, "wash_sale_adjustment"),
        "12000.01",
        "h.json:lots[0].wash_sale_adjustment: wash_sale_adjustment: 12000.01 is larger than "
        "the lot's cost_basis 12000.00 (the basis includes the adjustment)",
    ),
    (
        ("lots", 0, "purchased"),
        "2024-W07-1",
        "h.json:lots[0].purchased: purchased: '2024-W07-1' is not a date (YYYY-MM-DD)",
    ),
    (
        ("lots", 0, "purchased"),
        "9999-12-31",
        "h.json:lots[0].purchased: purchased: '9999-12-31' is out of range "
        "(1900-01-01 to 2199-12-31)",
    ),
    (
        ("lots", 0, "quantity"),
        "1,000",
        f"h.json:lots[0].quantity: quantity: '1,000' is not a number {NUMBER_HINT}",
    ),
    (
        ("lots", 0, "purchased"),
        "2026-07-01",
        "h.json:lots[0]: purchased: lot 'L1' in account 'taxable' was bought 2026-07-01, "
        "after the plan date 2026-06-01",
    ),
    (
        ("name",),
        "a\x1bb",
        "h.json:name: name: holds a control character (U+001B) at position 2",
    ),
]


@pytest.mark.parametrize(("path", "value", "message"), JSON_CASES)
def test_bad_household_value_is_refused(
    tmp_path: Path, path: tuple[Any, ...], value: Any, message: str
) -> None:
    result = rebalance(tmp_path, changed(path, value))
    assert refused(result, tmp_path) == f"household: {message}"


TEXT = json.dumps(BASE)
RAW_CASES = [
    (TEXT.encode("utf-16"), "h.json: the file is UTF-16 or UTF-32 text; save it as UTF-8"),
    (
        json.dumps({**BASE, "name": "Andr\u00e9"}, ensure_ascii=False).encode("latin-1"),
        "h.json: line 1: byte 0xe9 is not UTF-8 (is the file Latin-1 or Windows-1252? "
        "save it as UTF-8)",
    ),
    (
        TEXT.replace('"quantity": "100"', '"quantity": 1e30', 1).encode(),
        f"h.json:lots[0].quantity: quantity: '1E+30' {RANGE}",
    ),
    (
        TEXT.replace('"quantity": "100"', '"quantity": 1e400', 1).encode(),
        f"h.json:lots[0].quantity: quantity: '1E+400' {RANGE}",
    ),
    (
        TEXT.replace('"quantity": "100"', '"quantity": 1e-20', 1).encode(),
        f"h.json:lots[0].quantity: quantity: '1E-20' {RANGE}",
    ),
    (
        TEXT.replace('"as_of"', '"as_of": "2026-01-01", "as_of"', 1).encode(),
        "h.json: not valid JSON: the key 'as_of' appears twice in one object",
    ),
    (
        TEXT.replace('"quantity": "100"', '"quantity": NaN', 1).encode(),
        "h.json: not valid JSON: NaN is not a number",
    ),
    (
        TEXT.replace('"name"', '"deep": ' + "[" * 5000 + "]" * 5000 + ', "name"', 1).encode(),
        "h.json: nested more than 32 levels deep",
    ),
    (
        TEXT.replace('"name"', '"deep": ' + "[" * 40 + "]" * 40 + ', "name"', 1).encode(),
        "h.json:deep[0]: deep: nested more than 32 levels deep",
    ),
]


@pytest.mark.parametrize(("raw", "message"), RAW_CASES)
def test_bad_household_file_is_refused(tmp_path: Path, raw: bytes, message: str) -> None:
    assert refused(rebalance(tmp_path, raw=raw), tmp_path) == f"household: {message}"


def test_symbols_in_a_household_file_are_upper_cased(tmp_path: Path) -> None:
    document = copy.deepcopy(BASE)
    for lot in document["lots"]:
        lot["symbol"] = lot["symbol"].lower()
    lower = rebalance(tmp_path, document)
    assert lower.exit_code == 0, lower.stderr
    assert lower.stdout == rebalance(tmp_path, BASE).stdout


@pytest.mark.parametrize(
    ("option", "message"),
    [
        ("2024-W07-1", "household: --as-of: '2024-W07-1' is not a date (YYYY-MM-DD)"),
        (
            "9999-12-31",
            "household: --as-of: '9999-12-31' is out of range (1900-01-01 to 2199-12-31)",
        ),
    ],
)
def test_as_of_option_is_read_strictly(option: str, message: str) -> None:
    path = ROOT / "fixtures" / "households" / "plan_withdrawal.json"
    result = invoke(["rebalance", str(path), "--as-of", option])
    assert (result.exit_code, result.stderr) == (2, message + "\n")


def test_specific_identification_in_a_household_file(tmp_path: Path) -> None:
    document = changed(("accounts", 0, "lot_method"), "specific")
    document["recent_transactions"] = [
        {
            "date": "2026-05-20",
            "account_id": "taxable",
            "symbol": "STK",
            "action": "sell",
            "quantity": "1",
            "price": "100",
        }
    ]
    assert refused(rebalance(tmp_path, document), tmp_path) == (
        "household: h.json:recent_transactions[0].lot_id: lot_id: is required: "
        "account 'taxable' uses specific identification"
    )
