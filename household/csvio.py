"""Reading the CSV inputs of ``docs/formats.md``: accounts, transactions, securities.

Each reader validates every row and raises :class:`household.errors.InputError`
naming the file, the line (the header is line 1) and the field, e.g.
``transactions.csv:14: quantity: 'abc' is not a number``. Nothing is
half-read: a reader returns all rows or raises.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterator, Sequence
from decimal import Decimal
from pathlib import Path

import attrs

from household.strict import (
    bad_character,
    decode_text,
    parse_date,
    parse_decimal,
    parse_symbol,
)
from lots.errors import InputError
from lots.events import CSV_COLUMNS, transaction_from_fields
from lots.records import Account, AccountType, Action, Transaction
from lots.relief import LotMethod


@attrs.frozen
class SecurityRow:
    """A row of ``securities.csv``."""

    symbol: str
    asset_class: str
    price: Decimal | None = None
    identical_group: str | None = None
    substitutes: tuple[str, ...] = ()
    restricted: bool = False


#: The columns each reader knows, required first. Any other column is refused
#: (``allow_extra_columns=True`` ignores it instead), so a misspelt ``lot id`` or a
#: ``commission`` column is never silently dropped.
ACCOUNT_COLUMNS = ("account_id", "owner", "type", "lot_method", "name", "cash")
TRANSACTION_COLUMNS = CSV_COLUMNS
SECURITY_COLUMNS = (
    "symbol",
    "asset_class",
    "price",
    "identical_group",
    "substitutes",
    "restricted",
)


def normal_symbol(text: str) -> str:
    """A symbol as the engine keys it: upper case (``vtsax`` and ``VTSAX`` are one security)."""
    return text.strip().upper()


def normal_group(text: str) -> str:
    """An identical group as the engine keys it: lower case, so case never splits a group."""
    return text.strip().lower()


class _Rows:
    """A CSV file read as dicts, with its name and line numbers for errors.

    The file is UTF-8 (a byte-order mark is dropped); every header is one of
    ``known`` (default: the required ones; case-insensitive; unknown ones are refused unless
    ``allow_extra``), appears once, and every row has exactly as many values as
    the header. No value holds a control or invisible character.
    """

    def __init__(
        self,
        path: str | Path,
        required: Sequence[str],
        known: Sequence[str] | None = None,
        *,
        allow_extra: bool = False,
    ) -> None:
        self.name = str(path)
        known = tuple(required) if known is None else tuple(known)
        try:
            data = Path(path).read_bytes()
        except FileNotFoundError:
            raise InputError("file not found", file=self.name) from None
        except IsADirectoryError:
            raise InputError("is a directory, not a CSV file", file=self.name) from None
        except OSError as error:
            raise InputError(f"cannot read the file: {error.strerror}", file=self.name) from None
        try:
            text = decode_text(data)
        except ValueError as error:
            raise InputError(str(error), file=self.name) from None
        try:
            parsed = list(csv.reader(io.StringIO(text, newline="")))
        except csv.Error as error:
            raise InputError(f"not a CSV file: {error}", file=self.name) from None
        if not parsed:
            raise InputError("the file is empty (no header row)", file=self.name) from None
        header = parsed[0]
        for position, column in enumerate(header, start=1):
            problem = bad_character(column)
            if problem:
                raise InputError(f"header column {position} holds {problem}", file=self.name, row=1)
        self.columns = [column.strip().lower() for column in header]
        self.ignored: set[int] = set()
        seen: set[str] = set()
        for position, column in enumerate(self.columns):
            if column in seen:
                raise InputError("column appears twice", file=self.name, row=1, field=column)
            seen.add(column)
            if column not in known:
                if allow_extra:
                    self.ignored.add(position)
                    continue
                raise InputError(
                    f"unknown column {column!r} (known: {', '.join(known)}; "
                    "--allow-extra-columns ignores unknown ones)",
                    file=self.name,
                    row=1,
                    field=column or None,
                )
        for column in required:
            if column not in self.columns:
                raise InputError(
                    f"missing column (the header has: {', '.join(self.columns)})",
                    file=self.name,
                    row=1,
                    field=column,
                )
        self.rows: list[tuple[int, dict[str, str]]] = []
        for line, values in enumerate(parsed[1:], start=2):
            if not any(value.strip() for value in values):
                continue
            if len(values) != len(self.columns):
                raise InputError(
                    f"{len(values)} values but the header has {len(self.columns)} columns",
                    file=self.name,
                    row=line,
                )
            joined = "".join(values)
            if not self.ignored and joined.isascii() and joined.isprintable():
                # The common row: printable ASCII only, so no value holds a control or
                # invisible character (what ``bad_character`` looks for), checked at once.
                self.rows.append(
                    (line, dict(zip(self.columns, map(str.strip, values), strict=True)))
                )
                continue
            record = {}
            for i, column in enumerate(self.columns):
                if i in self.ignored:
                    continue
                problem = bad_character(values[i])
                if problem:
                    raise InputError(f"holds {problem}", file=self.name, row=line, field=column)
                record[column] = values[i].strip()
            self.rows.append((line, record))

    def __iter__(self) -> Iterator[tuple[int, dict[str, str]]]:
        return iter(self.rows)

    def error(self, line: int, field: str, message: str) -> InputError:
        return InputError(message, file=self.name, row=line, field=field)

    def text(self, line: int, record: dict[str, str], field: str) -> str:
        value = record.get(field, "")
        if not value:
            raise self.error(line, field, "is empty")
        return value

    def number(
        self, line: int, record: dict[str, str], field: str, *, default: Decimal | None = None
    ) -> Decimal:
        value = record.get(field, "")
        if not value:
            if default is not None:
                return default
            raise self.error(line, field, "is empty")
        try:
            return parse_decimal(value)
        except ValueError as error:
            raise self.error(line, field, str(error)) from None

    def positive(self, line: int, record: dict[str, str], field: str) -> Decimal:
        value = self.number(line, record, field)
        if value <= 0:
            raise self.error(line, field, f"{value} must be positive")
        return value

    def symbol(self, line: int, record: dict[str, str], field: str) -> str:
        try:
            return parse_symbol(self.text(line, record, field))
        except ValueError as error:
            raise self.error(line, field, str(error)) from None

    def date(self, line: int, record: dict[str, str], field: str) -> dt.date:
        value = self.text(line, record, field)
        try:
            return parse_date(value)
        except ValueError as error:
            raise self.error(line, field, str(error)) from None


CsvRows = _Rows
"""The public name of the strict CSV reader above, for the other readers of CSV files
(the store's fills, custodian lots, 1099-B rows and prices): ``CsvRows(path, required,
known)``, iterated as ``(line, record)``, with ``text``, ``number``, ``positive``,
``symbol``, ``date`` and ``error(line, field, message)`` naming file, row and field."""


@attrs.frozen
class AccountRow:
    """A row of ``accounts.csv``: the account and its optional ``name`` and ``cash``."""

    account: Account
    name: str = ""
    cash: Decimal | None = None


def read_account_rows(path: str | Path, *, allow_extra_columns: bool = False) -> list[AccountRow]:
    """Read ``accounts.csv`` with its optional ``name`` and ``cash`` columns."""
    rows = _Rows(
        path, ["account_id", "owner", "type"], ACCOUNT_COLUMNS, allow_extra=allow_extra_columns
    )
    accounts: list[AccountRow] = []
    seen: set[str] = set()
    for line, record in rows:
        account_id = rows.text(line, record, "account_id")
        if account_id in seen:
            raise rows.error(line, "account_id", f"duplicate account {account_id!r}")
        seen.add(account_id)
        try:
            account_type = AccountType.parse(rows.text(line, record, "type"))
        except ValueError as error:
            raise rows.error(line, "type", str(error)) from None
        method = record.get("lot_method", "") or None
        if method is not None:
            try:
                method = LotMethod.parse(method).value
            except ValueError as error:
                raise rows.error(line, "lot_method", str(error)) from None
        cash = None
        if record.get("cash"):
            cash = rows.number(line, record, "cash")
            if cash < 0:
                raise rows.error(line, "cash", f"{cash} must not be negative")
        accounts.append(
            AccountRow(
                Account(
                    account_id=account_id,
                    type=account_type,
                    owner=record.get("owner", ""),
                    lot_method=method,
                ),
                name=record.get("name", ""),
                cash=cash,
            )
        )
    return accounts


def read_accounts(path: str | Path, *, allow_extra_columns: bool = False) -> list[Account]:
    """Read ``accounts.csv``: ``account_id,owner,type`` then optional ``lot_method``."""
    return [row.account for row in read_account_rows(path, allow_extra_columns=allow_extra_columns)]


#: Columns read as strict numbers, dates and symbols before the row is built.
_NUMBER_COLUMNS = (
    "quantity",
    "price",
    "fees",
    "cash_per_share",
    "amount_per_share",
    "basis_fraction",
    "donor_basis",
    "fmv",
)
_DATE_COLUMNS = ("date", "donor_acquired")
_SYMBOL_COLUMNS = ("symbol", "new_symbol")
_PRICED = frozenset({Action.BUY, Action.SELL, Action.REINVEST})


def read_transactions(
    path: str | Path, accounts: Sequence[Account], *, allow_extra_columns: bool = False
) -> list[Transaction]:
    """Read ``transactions.csv``: ``date,account_id,symbol,action,quantity,price[,fees,lot_id]``
    and the event columns of ``docs/formats.md`` (``ratio``, ``new_symbol``, ...).

    Every value is first read strictly (:mod:`household.strict`: numbers, dates,
    symbols upper-cased), then the row is built by
    :func:`lots.events.transaction_from_fields`, which knows what each action
    needs. Accounts are checked so an unknown one is reported at its row, a
    trade's price must be positive, and a sell in an account whose ``lot_method``
    is ``specific`` must name its lot.
    """
    rows = _Rows(
        path,
        ["date", "account_id", "symbol", "action", "quantity", "price"],
        TRANSACTION_COLUMNS,
        allow_extra=allow_extra_columns,
    )
    known = {account.account_id: account for account in accounts}
    transactions: list[Transaction] = []
    # A text reads as the same number, date or symbol in any row and column (only its
    # errors name the row and field), and a history repeats its prices, quantities,
    # dates and symbols: each distinct text is read once (Decimals are immutable).
    numbers: dict[str, Decimal] = {}
    dates: dict[str, dt.date] = {}
    symbols: dict[str, str] = {}
    for line, record in rows:
        fields: dict[str, object] = dict(record)
        for column in _NUMBER_COLUMNS:
            text = record.get(column)
            if text:
                number = numbers.get(text)
                if number is None:
                    number = numbers[text] = rows.number(line, record, column)
                fields[column] = number
        for column in _DATE_COLUMNS:
            text = record.get(column)
            if text:
                date = dates.get(text)
                if date is None:
                    date = dates[text] = rows.date(line, record, column)
                fields[column] = date
        for column in _SYMBOL_COLUMNS:
            text = record.get(column)
            if text:
                symbol = symbols.get(text)
                if symbol is None:
                    symbol = symbols[text] = rows.symbol(line, record, column)
                fields[column] = symbol
        transaction = transaction_from_fields(fields, file=rows.name, row=line, accounts=known)
        if transaction.action in _PRICED and transaction.price <= 0:
            raise rows.error(line, "price", f"{transaction.price} must be positive")
        if (
            transaction.action is Action.SELL
            and transaction.lot_id is None
            and known[transaction.account_id].lot_method == "specific"
        ):
            raise rows.error(
                line,
                "lot_id",
                f"is empty, but account {transaction.account_id!r} uses specific identification "
                "(name the lot sold, or set another lot_method)",
            )
        transactions.append(transaction)
    return transactions


_TRUE = {"true", "yes", "y", "1"}
_FALSE = {"false", "no", "n", "0", ""}


def read_securities(path: str | Path, *, allow_extra_columns: bool = False) -> list[SecurityRow]:
    """Read ``securities.csv``: ``symbol,asset_class`` then optional columns.

    Symbols (and substitutes) are upper-cased and identical groups lower-cased, so
    case never splits a security or a group; a price, where given, is positive.
    """
    rows = _Rows(path, ["symbol", "asset_class"], SECURITY_COLUMNS, allow_extra=allow_extra_columns)
    securities: list[SecurityRow] = []
    seen: set[str] = set()
    for line, record in rows:
        symbol = rows.symbol(line, record, "symbol")
        if symbol in seen:
            raise rows.error(line, "symbol", f"duplicate symbol {symbol!r}")
        seen.add(symbol)
        price = None
        if record.get("price"):
            price = rows.positive(line, record, "price")
        restricted_text = record.get("restricted", "").lower()
        if restricted_text not in _TRUE | _FALSE:
            raise rows.error(line, "restricted", f"{restricted_text!r} is not true or false")
        try:
            substitutes = tuple(
                parse_symbol(part)
                for part in record.get("substitutes", "").split(";")
                if part.strip()
            )
        except ValueError as error:
            raise rows.error(line, "substitutes", str(error)) from None
        group = record.get("identical_group") or None
        securities.append(
            SecurityRow(
                symbol=symbol,
                asset_class=rows.text(line, record, "asset_class"),
                price=price,
                identical_group=normal_group(group) if group else None,
                substitutes=substitutes,
                restricted=restricted_text in _TRUE,
            )
        )
    return securities


def identical_groups(securities: Sequence[SecurityRow]) -> dict[str, str]:
    """symbol -> identical group, for the symbols that have one."""
    return {s.symbol: s.identical_group for s in securities if s.identical_group}
