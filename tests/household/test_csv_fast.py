"""The fast path of ``read_transactions`` reads every file as the plain strict reader does.

``household.csvio.read_transactions`` takes the common row (a buy, sell or
reinvestment with no event column) on a fast path: the whole file checked once
for control characters, values kept as lists, plain numbers read without the
regular expressions, the record built without re-running its converters. The
reference here is the plain reader written out again (``csv.reader``, each value
checked with :func:`household.strict.bad_character` and stripped, every number,
date and symbol read by :mod:`household.strict`, the row built by
:func:`lots.events.transaction_from_fields`). On random files mixing good rows
with bad cells (a letter in a number, a 13-digit price, a negative fee, a zero
price, an unknown account, an upper-case action, spaces, quotes, a tab, a
non-ASCII id), both must give the same transactions, field for field, or the
same error naming file, row and field.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal
from pathlib import Path

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from household.csvio import _trade, read_transactions
from household.strict import bad_character, decode_text, parse_date, parse_decimal, parse_symbol
from lots.errors import InputError
from lots.events import CSV_COLUMNS, transaction_from_fields
from lots.records import Account, AccountType, Action, Transaction
from tests.strategies import History, histories

ACCOUNTS = [
    Account("joint", AccountType.JOINT, lot_method="fifo"),
    Account("ira", AccountType.TRADITIONAL_IRA),
    Account("spec", AccountType.INDIVIDUAL, lot_method="specific"),
]
HEADER = "date,account_id,symbol,action,quantity,price,fees,lot_id\n"


def reference(path: Path, accounts: list[Account]) -> list[Transaction]:
    """The plain strict reader of ``transactions.csv`` (what the fast path must equal)."""
    name = str(path)
    parsed = list(csv.reader(io.StringIO(decode_text(path.read_bytes()), newline="")))
    columns = [column.strip().lower() for column in parsed[0]]
    records = []
    for line, values in enumerate(parsed[1:], start=2):
        if not any(value.strip() for value in values):
            continue
        if len(values) != len(columns):
            raise InputError(
                f"{len(values)} values but the header has {len(columns)} columns",
                file=name,
                row=line,
            )
        for column, value in zip(columns, values, strict=True):
            problem = bad_character(value)
            if problem:
                raise InputError(f"holds {problem}", file=name, row=line, field=column)
        records.append((line, {c: v.strip() for c, v in zip(columns, values, strict=True)}))
    known = {account.account_id: account for account in accounts}
    readers = {
        **dict.fromkeys(
            ("quantity", "price", "fees", "cash_per_share", "amount_per_share"), parse_decimal
        ),
        **dict.fromkeys(("basis_fraction", "donor_basis", "fmv"), parse_decimal),
        "date": parse_date,
        "donor_acquired": parse_date,
        "symbol": parse_symbol,
        "new_symbol": parse_symbol,
    }
    order = [*readers]  # numbers first, then dates, then symbols: the first error shown
    order.sort(
        key=lambda c: 0 if readers[c] is parse_decimal else 1 if readers[c] is parse_date else 2
    )
    transactions = []
    for line, record in records:
        fields: dict[str, object] = dict(record)
        for column in order:
            if record.get(column):
                try:
                    fields[column] = readers[column](record[column])
                except ValueError as error:
                    raise InputError(str(error), file=name, row=line, field=column) from None
        t = transaction_from_fields(fields, file=name, row=line, accounts=known)
        if t.action in (Action.BUY, Action.SELL, Action.REINVEST) and t.price <= 0:
            raise InputError(f"{t.price} must be positive", file=name, row=line, field="price")
        if (
            t.action is Action.SELL
            and t.lot_id is None
            and known[t.account_id].lot_method == ("specific")
        ):
            raise InputError(
                f"is empty, but account {t.account_id!r} uses specific identification "
                "(name the lot sold, or set another lot_method)",
                file=name,
                row=line,
                field="lot_id",
            )
        transactions.append(t)
    return transactions


_VALUES = {
    "date": ["2026-01-05", "2026-01-05", "2026-03-10", "2026-02-30", "2026-1-5", "", " 2026-01-06"],
    "account_id": ["joint", "joint", "ira", "spec", "nobody", "", " joint "],
    "symbol": ["XYZ", "XYZ", "xyz", "BRK.B", "VT I", "", " ABC"],
    "action": ["buy", "buy", "sell", "sell", "reinvest", "BUY", " Sell", "split", "bogus", ""],
    "quantity": [
        "10",
        "10",
        "0.5",
        "1e2",
        "+5",
        "007",
        "-1",
        "0",
        "",
        "abc",
        "1,5",
        "1234567890123",
        "123456789012",
        "1.000000000000001",
        "0.0000000000000001",
        "3.1000",
    ],  # fmt: skip
    "price": ["10", "10.00", "235.5", "0", "0.00", "", "-2", "1e400", "$10", "1.5e1"],
    "fees": ["", "", "0", "1", "0.25", "-1", "x", "0E+3", " "],
    "lot_id": ["", "", "L1", "L2", "lot \u00e9", "L\t1", "L\u200b1", "  "],
    "ratio": ["", "", "", "2:1", "x"],
    "new_symbol": ["", "", "", "NEW"],
    "amount_per_share": ["", "", "", "0.5"],
    "fmv": ["", "", "", "100"],
}
_OPTIONAL = ["fees", "lot_id", "ratio", "new_symbol", "amount_per_share", "fmv"]
_REQUIRED = ["date", "account_id", "symbol", "action", "quantity", "price"]


@st.composite
def files(draw: st.DrawFn) -> str:
    """A ``transactions.csv``: the required columns and some optional ones, in any order;
    rows mostly good, some with a bad cell; sometimes every value quoted or a blank row."""
    columns = _REQUIRED + draw(st.lists(st.sampled_from(_OPTIONAL), unique=True))
    columns = draw(st.permutations(columns))
    rows = draw(
        st.lists(
            st.fixed_dictionaries({c: st.sampled_from(_VALUES[c]) for c in columns}),
            min_size=1,
            max_size=12,
        )
    )
    # Mostly good: a good row is drawn from the first values of each column.
    good = draw(st.lists(st.booleans(), min_size=len(rows), max_size=len(rows)))
    buffer = io.StringIO()
    quoting = draw(st.sampled_from([csv.QUOTE_MINIMAL, csv.QUOTE_ALL]))
    writer = csv.writer(
        buffer, lineterminator=draw(st.sampled_from(["\n", "\r\n"])), quoting=quoting
    )
    writer.writerow(columns)
    for row, plain in zip(rows, good, strict=True):
        if plain:
            row = {c: (_VALUES[c][0] if c in _REQUIRED else "") for c in columns} | {
                "action": row["action"] if row["action"] in ("buy", "sell", "reinvest") else "buy"
            }
        writer.writerow([row[c] for c in columns])
        blank = draw(st.integers(0, 12))
        if blank == 0 and quoting == csv.QUOTE_MINIMAL:
            buffer.write("\n")
        elif blank in (0, 1):
            writer.writerow([" " if blank else ""] * len(columns))
    return buffer.getvalue()


def _outcome(read: object, path: Path) -> object:
    try:
        return [attrs.asdict(t, recurse=False) for t in read(path, ACCOUNTS)]  # type: ignore[operator]
    except InputError as error:
        return ("refused", str(error), error.file, error.row, error.field)


@settings(max_examples=300)
@given(files())
def test_fast_reader_equals_the_plain_reader(
    tmp_path_factory: pytest.TempPathFactory, text: str
) -> None:
    path = tmp_path_factory.mktemp("csv") / "transactions.csv"
    path.write_bytes(text.encode("utf-8"))
    assert _outcome(read_transactions, path) == _outcome(reference, path)


@settings(max_examples=100)
@given(
    st.dates(),
    st.sampled_from(["joint", "ira"]),
    st.sampled_from(["XYZ", "BRK.B"]),
    st.sampled_from([Action.BUY, Action.SELL, Action.REINVEST]),
    st.decimals(min_value=Decimal("0.000001"), max_value=10**9, places=6),
    st.decimals(min_value=Decimal("0.01"), max_value=10**6, places=4),
    st.decimals(min_value=0, max_value=100, places=2),
    st.one_of(st.none(), st.text(min_size=1, max_size=4)),
    st.integers(2, 10**6),
)
def test_trade_record_equals_the_attrs_record(
    date: dt.date,
    account_id: str,
    symbol: str,
    action: Action,
    quantity: Decimal,
    price: Decimal,
    fees: Decimal,
    lot_id: str | None,
    row: int,
) -> None:
    built = Transaction(
        date, account_id, symbol, action, quantity, price, fees, lot_id, row, "t.csv"
    )
    fast = _trade(date, account_id, symbol, action, quantity, price, fees, lot_id, row, "t.csv")
    assert type(fast) is Transaction
    assert attrs.asdict(fast, recurse=False) == attrs.asdict(built, recurse=False)
    assert fast == built and hash(fast) == hash(built)


def _refusal(tmp_path: Path, rows: str) -> InputError:
    path = tmp_path / "transactions.csv"
    path.write_text(HEADER + rows, encoding="utf-8")
    with pytest.raises(InputError) as caught:
        read_transactions(path, ACCOUNTS)
    assert caught.value.file == str(path)
    return caught.value


GOOD = "2026-01-05,joint,XYZ,buy,10,100,,L1\n"


@pytest.mark.parametrize(
    ("row", "field", "message"),
    [
        ("2026-01-05,joint,XYZ,buy,1O,100,,\n", "quantity", "'1O' is not a number"),
        (
            "2026-01-05,joint,XYZ,buy,10,1000000000000,,\n",
            "price",
            "'1000000000000' is out of range",
        ),
        ("2026-01-05,joint,XYZ,buy,10,0,,\n", "price", "0 must be positive"),
        ("2026-01-05,joint,XYZ,sell,10,100,-1,\n", "fees", "-1 must not be negative"),
        ("2026-01-05,joint,XYZ,buy,-10,100,,\n", "quantity", "-10 must be positive"),
        ("2026-01-05,nobody,XYZ,buy,10,100,,\n", "account_id", "unknown account 'nobody'"),
        ("2026-02-30,joint,XYZ,buy,10,100,,\n", "date", "'2026-02-30' is not a date"),
        ("2026-01-05,joint,VT I,buy,10,100,,\n", "symbol", "'VT I' is not a symbol"),
        ("2026-01-05,spec,XYZ,sell,10,100,,\n", "lot_id", "is empty, but account 'spec'"),
        ("2026-01-05,joint,XYZ,buy,10,100,,L\t1\n", "lot_id", "holds a control character"),
    ],
)
def test_a_bad_cell_of_a_common_row_is_refused_with_its_row_and_field(
    tmp_path: Path, row: str, field: str, message: str
) -> None:
    # The bad row comes third (line 4: the header is line 1), after two good rows whose
    # texts the fast path has already read and remembered.
    error = _refusal(tmp_path, GOOD + GOOD.replace("L1", "L2") + row)
    assert (error.row, error.field) == (4, field)
    assert message in error.message


def test_common_rows_read_by_hand(tmp_path: Path) -> None:
    """Upper-case actions, spaces, an exponent and a quoted value read as the plain reader
    reads them: ``1e2`` is 100 shares, `` 2026-01-06`` the date, ``xyz`` the symbol XYZ."""
    path = tmp_path / "transactions.csv"
    path.write_text(
        HEADER
        + GOOD
        + "2026-01-06 , joint ,xyz, SELL ,1e2,101.5,1,\n"
        + '2026-01-07,ira,"XYZ",reinvest,3,99,0,\n',
        encoding="utf-8",
    )
    buy, sell, reinvest = read_transactions(path, ACCOUNTS)
    assert (buy.action, buy.quantity, buy.price, buy.fees, buy.lot_id, buy.row) == (
        Action.BUY, Decimal(10), Decimal(100), Decimal(0), "L1", 2
    )  # fmt: skip
    assert (sell.date, sell.account_id, sell.symbol, sell.action) == (
        dt.date(2026, 1, 6), "joint", "XYZ", Action.SELL
    )  # fmt: skip
    assert (sell.quantity, sell.price, sell.fees, sell.lot_id) == (
        Decimal(100), Decimal("101.5"), Decimal(1), None
    )  # fmt: skip
    assert (reinvest.account_id, reinvest.action, reinvest.quantity, reinvest.row) == (
        "ira", Action.REINVEST, Decimal(3), 4
    )  # fmt: skip


def _history_csv(history: History) -> str:
    """A generated history as ``transactions.csv`` (every column, events included)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for t in history.transactions:
        values = attrs.asdict(t, recurse=False)
        values["action"] = t.action.value
        values["ratio"] = f"{t.ratio[0]}:{t.ratio[1]}" if t.ratio else None
        writer.writerow(["" if values[c] is None else values[c] for c in CSV_COLUMNS])
    return buffer.getvalue()


@settings(max_examples=60)
@given(histories(events=True))
def test_fast_reader_equals_the_plain_reader_on_generated_histories(
    tmp_path_factory: pytest.TempPathFactory, history: History
) -> None:
    path = tmp_path_factory.mktemp("csv") / "transactions.csv"
    path.write_text(_history_csv(history), encoding="utf-8")
    accounts = list(history.accounts)
    fast = read_transactions(path, accounts)
    assert fast == reference(path, accounts)
    # The common rows read back as generated (the file's row and source aside).
    for read, generated in zip(fast, history.transactions, strict=True):
        if read.action in (Action.BUY, Action.SELL, Action.REINVEST):
            assert attrs.evolve(read, row=None, source=None) == attrs.evolve(
                generated, row=None, source=None
            )
