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
import operator
import re
from collections.abc import Callable, Iterator, Sequence
from decimal import Decimal
from pathlib import Path
from typing import TypeVar

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
from lots.numbers import ZERO
from lots.records import Account, AccountType, Action, Transaction
from lots.relief import LotMethod

_T = TypeVar("_T")


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
        # Each row's values, stripped, in the header's order (ignored columns included:
        # readers skip them by position); the dicts of ``__iter__`` are built on demand.
        self.values: list[tuple[int, list[str]]] = []
        width = len(self.columns)
        body = parsed[1:]
        if '"' not in text and text.isascii() and _printable_lines(text):
            # The common file: printable ASCII only and no quoting (so every line break
            # ends a row), hence no value holds a control or invisible character (what
            # ``bad_character`` looks for), checked once for the whole file. Without a
            # space in it, nothing needs stripping either.
            spaced = " " in text
            if not spaced and set(map(len, body)) <= {width} and all(map(any, body)):
                self.values = list(enumerate(body, start=2))  # no blank row, none to strip
                return
            for line, values in enumerate(body, start=2):
                if spaced:
                    values = [value.strip() for value in values]
                if not any(values):
                    continue
                if len(values) != width:
                    raise self._width(line, values)
                self.values.append((line, values))
            return
        for line, values in enumerate(body, start=2):
            if not any(value.strip() for value in values):
                continue
            if len(values) != width:
                raise self._width(line, values)
            joined = "".join(values)
            if not (joined.isascii() and joined.isprintable()):
                for i, column in enumerate(self.columns):
                    if i in self.ignored:
                        continue
                    problem = bad_character(values[i])
                    if problem:
                        raise InputError(f"holds {problem}", file=self.name, row=line, field=column)
            self.values.append((line, [value.strip() for value in values]))

    def _width(self, line: int, values: list[str]) -> InputError:
        return InputError(
            f"{len(values)} values but the header has {len(self.columns)} columns",
            file=self.name,
            row=line,
        )

    def record(self, values: list[str]) -> dict[str, str]:
        """One row's values by column (the ignored columns left out)."""
        if not self.ignored:
            return dict(zip(self.columns, values, strict=True))
        return {
            column: value
            for i, (column, value) in enumerate(zip(self.columns, values, strict=True))
            if i not in self.ignored
        }

    def __iter__(self) -> Iterator[tuple[int, dict[str, str]]]:
        record = self.record
        return ((line, record(values)) for line, values in self.values)

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


def _printable_lines(text: str) -> bool:
    """Whether every line of ``text`` (line breaks aside) is printable."""
    return text.replace("\r", "").replace("\n", "").isprintable()


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

    The common row, a ``buy``, ``sell`` or ``reinvest`` with no event column filled,
    whose values all read (a known account, a positive quantity and price, fees not
    negative, a named lot where the account needs one), is built directly, to the
    same :class:`~lots.records.Transaction` the general path builds; any other row,
    and any row with something wrong, takes the general path, which names the file,
    row and field of the first problem exactly as before.
    """
    rows = _Rows(
        path,
        ["date", "account_id", "symbol", "action", "quantity", "price"],
        TRANSACTION_COLUMNS,
        allow_extra=allow_extra_columns,
    )
    known = {account.account_id: account for account in accounts}
    name = rows.name
    transactions: list[Transaction] = []
    append = transactions.append
    # A text reads as the same number, date or symbol in any row and column (only its
    # errors name the row and field), and a history repeats its prices, quantities,
    # dates and symbols: each distinct text is read once (Decimals are immutable).
    # The caches hold only texts that read; a text that does not is left to the
    # general path, which names the row and field.
    numbers: dict[str, Decimal] = {"": ZERO}  # "" only ever looked up for fees
    dates: dict[str, dt.date] = {}
    symbols: dict[str, str] = {}
    position = {column: i for i, column in enumerate(rows.columns) if i not in rows.ignored}
    at_date, at_account, at_symbol, at_action, at_quantity, at_price = (
        position[column]
        for column in ("date", "account_id", "symbol", "action", "quantity", "price")
    )
    at_fees = position.get("fees")
    at_lot = position.get("lot_id")
    filled = [i for column, i in position.items() if column in _EVENT_ONLY]
    # Each index twice, so that even one event column gives a tuple to ``any``.
    events = operator.itemgetter(*filled, *filled) if filled else None
    for line, values in rows.values:
        action = _FAST_ACTIONS.get(values[at_action])
        if action is not None and not (events is not None and any(events(values))):
            date = dates.get(values[at_date])
            if date is None:
                date = _read(dates, values[at_date], parse_date)
            symbol = symbols.get(values[at_symbol])
            if symbol is None:
                symbol = _read(symbols, values[at_symbol], parse_symbol)
            quantity = numbers.get(values[at_quantity])
            if quantity is None:
                quantity = _read(numbers, values[at_quantity], _number)
            price = numbers.get(values[at_price])
            if price is None:
                price = _read(numbers, values[at_price], _number)
            fees_text = "" if at_fees is None else values[at_fees]
            fees = numbers.get(fees_text)
            if fees is None:
                fees = _read(numbers, fees_text, _number)
            account_id = values[at_account]
            account = known.get(account_id)
            lot_id = (values[at_lot] or None) if at_lot is not None else None
            if (
                date is not None
                and symbol is not None
                and account is not None
                and quantity is not None
                and price is not None
                and fees is not None
                and quantity > 0
                and price > 0
                and fees >= 0
                and not (
                    lot_id is None and action is Action.SELL and account.lot_method == "specific"
                )
            ):
                append(
                    _trade(
                        date, account_id, symbol, action, quantity, price, fees, lot_id, line, name
                    )
                )
                continue
        append(_general_row(rows, line, rows.record(values), known, numbers, dates, symbols))
    return transactions


#: The actions of the common row, as the fast path of :func:`read_transactions` takes them
#: (exactly as written; ``BUY`` or `` Sell`` take the general path, which reads them too).
_FAST_ACTIONS = {action.value: action for action in _PRICED}
#: The columns a common row (a buy, sell or reinvestment) leaves empty.
_EVENT_ONLY = frozenset(TRANSACTION_COLUMNS) - {
    "date",
    "account_id",
    "symbol",
    "action",
    "quantity",
    "price",
    "fees",
    "lot_id",
}


#: ``Transaction``'s fields, in order: checked at import against ``attrs.fields``, so a
#: field added to the record cannot be left unset by :func:`_trade`.
_TRADE_FIELDS = ("date", "account_id", "symbol", "action", "quantity", "price", "fees", "lot_id")
_FIELDS = (*_TRADE_FIELDS, "row", "source", "cost_basis", "ratio", "new_symbol", "cash_per_share",
           "amount_per_share", "basis_fraction", "to_account_id", "donor_basis", "donor_acquired",
           "fmv")  # fmt: skip
if tuple(field.name for field in attrs.fields(Transaction)) != _FIELDS:  # pragma: no cover
    raise ImportError("household.csvio._trade is out of step with lots.records.Transaction")
_SET = {name: getattr(Transaction, name).__set__ for name in _FIELDS}
(_set_date, _set_account, _set_symbol, _set_action, _set_quantity, _set_price, _set_fees,
 _set_lot, _set_row, _set_source) = (_SET[name] for name in _FIELDS[:10])  # fmt: skip
_SET_NONE = tuple(_SET[name] for name in _FIELDS[10:])
_new = object.__new__


def _trade(
    date: dt.date,
    account_id: str,
    symbol: str,
    action: Action,
    quantity: Decimal,
    price: Decimal,
    fees: Decimal,
    lot_id: str | None,
    row: int,
    source: str,
) -> Transaction:
    """``Transaction(date, account_id, ..., row, source)`` of a common row whose values
    :func:`read_transactions` has read and checked (an ``Action``, Decimals with
    ``quantity > 0``, ``price > 0``, ``fees >= 0``), without the record's converters
    and validators, which would check them again. The event fields are None, as their
    defaults are. ``tests/household/test_csv_fast.py`` checks it equals the record
    built by ``Transaction(...)`` field for field."""
    transaction = _new(Transaction)
    _set_date(transaction, date)
    _set_account(transaction, account_id)
    _set_symbol(transaction, symbol)
    _set_action(transaction, action)
    _set_quantity(transaction, quantity)
    _set_price(transaction, price)
    _set_fees(transaction, fees)
    _set_lot(transaction, lot_id)
    _set_row(transaction, row)
    _set_source(transaction, source)
    for set_none in _SET_NONE:
        set_none(transaction, None)
    return transaction


def _read(cache: dict[str, _T], text: str, parse: Callable[[str], _T]) -> _T | None:
    """``parse(text)``, remembered in ``cache``; None for a text that does not read."""
    if not text:
        return None
    try:
        value = cache[text] = parse(text)
    except ValueError:
        return None
    return value


#: A number as most files write it: an optional sign, at most 12 digits, optionally a
#: point and at most 15 more. It is always within :func:`household.strict.parse_decimal`'s
#: range (below 10**12, at most 15 places), so ``Decimal(text)`` is what it returns.
_PLAIN_NUMBER = re.compile(r"[-+]?[0-9]{1,12}(?:\.[0-9]{1,15})?")


def _number(text: str) -> Decimal:
    """:func:`household.strict.parse_decimal`, without its checks on a plain number."""
    if _PLAIN_NUMBER.fullmatch(text):
        return Decimal(text)
    return parse_decimal(text)


def _general_row(
    rows: _Rows,
    line: int,
    record: dict[str, str],
    known: dict[str, Account],
    numbers: dict[str, Decimal],
    dates: dict[str, dt.date],
    symbols: dict[str, str],
) -> Transaction:
    """One row of ``transactions.csv`` by the general path: every column read strictly,
    then :func:`lots.events.transaction_from_fields`; bad input raises ``InputError``."""
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
    return transaction


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
