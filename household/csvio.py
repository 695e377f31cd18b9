"""Reading the CSV inputs of ``FORMATS.md``: accounts, transactions, securities.

Each reader validates every row and raises :class:`household.errors.InputError`
naming the file, the line (the header is line 1) and the field, e.g.
``transactions.csv:14: quantity: 'abc' is not a number``. Nothing is
half-read: a reader returns all rows or raises.
"""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Iterator, Sequence
from decimal import Decimal
from pathlib import Path

import attrs

from lots.errors import InputError
from lots.events import transaction_from_fields
from lots.numbers import to_decimal
from lots.records import Account, AccountType, Transaction
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


class _Rows:
    """A CSV file read as dicts, with its name and line numbers for errors."""

    def __init__(self, path: str | Path, required: Sequence[str]) -> None:
        self.name = str(path)
        try:
            with open(path, newline="", encoding="utf-8-sig") as handle:
                text = handle.read()
        except FileNotFoundError:
            raise InputError("file not found", file=self.name) from None
        except (OSError, UnicodeDecodeError) as error:
            raise InputError(f"cannot read the file: {error}", file=self.name) from None
        reader = csv.reader(text.splitlines())
        try:
            header = next(reader)
        except StopIteration:
            raise InputError("the file is empty (no header row)", file=self.name) from None
        self.columns = [column.strip().lower() for column in header]
        for column in required:
            if column not in self.columns:
                raise InputError(
                    f"missing column (the header has: {', '.join(self.columns)})",
                    file=self.name,
                    row=1,
                    field=column,
                )
        self.rows: list[tuple[int, dict[str, str]]] = []
        for line, values in enumerate(reader, start=2):
            if not any(value.strip() for value in values):
                continue
            if len(values) > len(self.columns):
                raise InputError(
                    f"{len(values)} values but the header has {len(self.columns)} columns",
                    file=self.name,
                    row=line,
                )
            record = {
                column: (values[i].strip() if i < len(values) else "")
                for i, column in enumerate(self.columns)
            }
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
            return to_decimal(value)
        except (ValueError, TypeError):
            raise self.error(line, field, f"{value!r} is not a number") from None

    def date(self, line: int, record: dict[str, str], field: str) -> dt.date:
        value = self.text(line, record, field)
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            raise self.error(line, field, f"{value!r} is not a date (YYYY-MM-DD)") from None


def read_accounts(path: str | Path) -> list[Account]:
    """Read ``accounts.csv``: ``account_id,owner,type`` then optional ``lot_method``."""
    rows = _Rows(path, ["account_id", "owner", "type"])
    accounts: list[Account] = []
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
        accounts.append(
            Account(
                account_id=account_id,
                type=account_type,
                owner=record.get("owner", ""),
                lot_method=method,
            )
        )
    return accounts


def read_transactions(path: str | Path, accounts: Sequence[Account]) -> list[Transaction]:
    """Read ``transactions.csv``: ``date,account_id,symbol,action,quantity,price[,fees,lot_id]``
    and the event columns of ``FORMATS.md`` (``ratio``, ``new_symbol``, ...).

    Each row is read by :func:`lots.events.transaction_from_fields`; accounts are
    checked there so an unknown one is reported at its row.
    """
    rows = _Rows(path, ["date", "account_id", "symbol", "action", "quantity", "price"])
    known = {account.account_id: account for account in accounts}
    return [
        transaction_from_fields(record, file=rows.name, row=line, accounts=known)
        for line, record in rows
    ]


_TRUE = {"true", "yes", "y", "1"}
_FALSE = {"false", "no", "n", "0", ""}


def read_securities(path: str | Path) -> list[SecurityRow]:
    """Read ``securities.csv``: ``symbol,asset_class`` then optional columns."""
    rows = _Rows(path, ["symbol", "asset_class"])
    securities: list[SecurityRow] = []
    seen: set[str] = set()
    for line, record in rows:
        symbol = rows.text(line, record, "symbol")
        if symbol in seen:
            raise rows.error(line, "symbol", f"duplicate symbol {symbol!r}")
        seen.add(symbol)
        price = None
        if record.get("price"):
            price = rows.number(line, record, "price")
            if price < 0:
                raise rows.error(line, "price", f"{price} must not be negative")
        restricted_text = record.get("restricted", "").lower()
        if restricted_text not in _TRUE | _FALSE:
            raise rows.error(line, "restricted", f"{restricted_text!r} is not true or false")
        substitutes = tuple(
            part.strip() for part in record.get("substitutes", "").split(";") if part.strip()
        )
        securities.append(
            SecurityRow(
                symbol=symbol,
                asset_class=rows.text(line, record, "asset_class"),
                price=price,
                identical_group=record.get("identical_group") or None,
                substitutes=substitutes,
                restricted=restricted_text in _TRUE,
            )
        )
    return securities


def identical_groups(securities: Sequence[SecurityRow]) -> dict[str, str]:
    """symbol -> identical group, for the symbols that have one."""
    return {s.symbol: s.identical_group for s in securities if s.identical_group}
