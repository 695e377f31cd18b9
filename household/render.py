"""Output helpers shared by the commands: JSON with decimal strings, CSV, rich tables.

In JSON every decimal is a string so nothing is lost to floating point; money
is rounded to cents half-even, quantities to 6 decimals (``FORMATS.md``).
"""

from __future__ import annotations

import csv
import datetime as dt
import enum
import io
import json
import sys
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from typing import Any

from rich.console import Console
from rich.table import Table

from lots.numbers import money, plain, quantity


def money_text(value: Decimal) -> str:
    """A money amount as a string with cents: ``"1234.50"`` (never ``"-0.00"``)."""
    cents = money(value)
    return str(cents.copy_abs() if cents.is_zero() else cents)


def quantity_text(value: Decimal) -> str:
    """A quantity with up to 6 decimals and no trailing zeros: ``"100"``, ``"0.5"``."""
    return str(quantity(value))


def to_jsonable(value: Any) -> Any:
    """Dates to ISO strings, decimals to plain strings, enums to values; recursive."""
    if isinstance(value, Decimal):
        return str(plain(value))
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, Mapping):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [to_jsonable(v) for v in value]
    return value


def print_json(document: Any) -> None:
    """Print one JSON document on stdout."""
    json.dump(to_jsonable(document), sys.stdout, indent=2)
    sys.stdout.write("\n")


def csv_text(rows: Sequence[Mapping[str, Any]], columns: Sequence[str] | None = None) -> str:
    """Rows as CSV text (header first)."""
    buffer = io.StringIO()
    names = list(columns) if columns is not None else (list(rows[0]) if rows else [])
    writer = csv.DictWriter(buffer, fieldnames=names, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: to_jsonable(v) for k, v in row.items()})
    return buffer.getvalue()


def console() -> Console:
    """A console for tables: wide enough when stdout is not a terminal."""
    if sys.stdout.isatty():
        return Console()
    return Console(width=200, color_system=None)


def table(title: str, rows: Iterable[Mapping[str, Any]], columns: Sequence[str]) -> Table:
    """A rich table of ``rows``; numbers right-aligned."""
    rendered = Table(title=title, title_justify="left")
    materialized = [{k: to_jsonable(v) for k, v in row.items()} for row in rows]
    for column in columns:
        numeric = bool(materialized) and all(
            _looks_numeric(row.get(column)) for row in materialized
        )
        rendered.add_column(column, justify="right" if numeric else "left")
    for row in materialized:
        rendered.add_row(*("" if row.get(c) is None else str(row.get(c)) for c in columns))
    return rendered


def _looks_numeric(value: Any) -> bool:
    if value in (None, ""):
        return True
    try:
        Decimal(str(value))
    except Exception:
        return False
    return True
