"""Output helpers shared by the commands: JSON with decimal strings, CSV, tables for people.

In JSON and CSV every decimal is a plain string so nothing is lost to floating
point; money is rounded to cents half-even, quantities to 6 decimals
(``docs/formats.md``). Tables (``--format table``) and the HTML report are for
people, so there money reads ``$1,234.50`` and weights ``12.50%``:

>>> money_display(Decimal("-1500"))
'-$1,500.00'
>>> money_display(Decimal("-0.001"))
'$0.00'
>>> percent_display(Decimal("0.125"))
'12.50%'

(never ``$-1,500.00``, never a negative zero). Tables fit the terminal's width
(``COLUMNS`` when output is not a terminal, else 200 characters), wrapping long
cells instead of cutting them; they are drawn here, without rich, so that a
command starts fast.
"""

from __future__ import annotations

import csv
import datetime as dt
import enum
import io
import json
import os
import shutil
import sys
from collections.abc import Iterable, Mapping, Sequence
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any

from lots.numbers import money, plain, quantity

#: Columns that hold money, in every report (wash-sales, gains, plans, location).
MONEY_COLUMNS = frozenset(
    {
        "price",
        "notional",
        "commission",
        "spread_cost",
        "impact",
        "total_cost",
        "short_gain",
        "long_gain",
        "estimated_tax",
        "target_value",
        "value_before",
        "value_after",
        "dollars_off",
        "gains",
        "losses",
        "net",
        "disallowed",
        "cash_before",
        "cash_after",
        "reserve",
        "cash_flow",
        "tax",
        "cost",
        "full_cost",
        "full_worth",
        "band_edge_cost",
        "managed_before",
        "managed_after",
        "base_tax",
        "optimiser_tax",
        "after_tax_value",
        "limit_price",
        "value",
        "objective",
        "bound",
        "disallowed_loss",
        "tax_saving",
        "loss",
        "basis",
        "short_loss",
        "long_loss",
        "proceeds",
        "cost_basis",
        "adjustment",
        "gain",
        "permanently_disallowed",
        "wash_sale_adjustment",
        "dollars",
        "(d) proceeds",
        "(e) cost basis",
        "(g) adjustment",
        "(h) gain or loss",
    }
)
#: Columns that hold weights or rates (fractions), shown as percentages.
WEIGHT_COLUMNS = frozenset(
    {
        "target",
        "actual",
        "drift",
        "relative_drift",
        "inner_band",
        "outer_band",
        "actual_after",
        "drift_after",
        "weight_before",
        "weight_after",
        "weight",
        "rate",
        "fraction",
        "tracking_error_before",
        "tracking_error_after",
    }
)
DEFAULT_WIDTH = 200
"""Table width when the output is not a terminal and ``COLUMNS`` is not set."""

#: The columns of each plan report section (the README's table), so an empty
#: section's CSV still has its header and its DataFrame its columns.
REPORT_COLUMNS: dict[str, tuple[str, ...]] = {
    "drift": (
        "rank",
        "asset_class",
        "target",
        "actual",
        "drift",
        "relative_drift",
        "inner_band",
        "outer_band",
        "status",
        "severity",
        "dollars_off",
        "actual_after",
        "drift_after",
        "status_after",
    ),
    "location": (
        "account_id",
        "asset_class",
        "value_before",
        "value_after",
        "growth",
    ),
    "trades": (
        "account_id",
        "symbol",
        "asset_class",
        "side",
        "quantity",
        "price",
        "notional",
        "lots_sold",
        "lot_taxes",
        "commission",
        "spread_cost",
        "impact",
        "short_gain",
        "long_gain",
        "disallowed_loss",
        "estimated_tax",
        "limit_price",
        "reason",
    ),
    "tax_impact": (
        "term",
        "gains",
        "losses",
        "disallowed",
        "net",
        "rate",
        "estimated_tax",
    ),
    "costs": (
        "account_id",
        "trades",
        "notional",
        "commission",
        "spread_cost",
        "impact",
        "total_cost",
    ),
    "allocation": (
        "scope",
        "asset_class",
        "target",
        "value_before",
        "weight_before",
        "value_after",
        "weight_after",
    ),
    "exceptions": (
        "stage",
        "code",
        "account_id",
        "symbol",
        "asset_class",
        "message",
    ),
    "checks": (
        "check",
        "passed",
        "detail",
    ),
    "harvest": (
        "account_id",
        "symbol",
        "substitute",
        "short_loss",
        "long_loss",
        "tax_saving",
        "safe_to_rebuy",
    ),
    "blocks": (
        "symbol",
        "side",
        "quantity",
        "allocations",
    ),
}


def money_text(value: Decimal) -> str:
    """A money amount as a string with cents: ``"1234.50"`` (never ``"-0.00"``)."""
    cents = money(value)
    return str(cents.copy_abs() if cents.is_zero() else cents)


def quantity_text(value: Decimal) -> str:
    """A quantity with up to 6 decimals and no trailing zeros: ``"100"``, ``"0.5"``."""
    return str(quantity(value))


def money_display(value: Decimal) -> str:
    """Money for a person: ``$1,234.50``, ``-$1,500.00``, rounded to cents half-even."""
    cents = money(value)
    if cents.is_zero():
        return "$0.00"
    sign = "-" if cents < 0 else ""
    return f"{sign}${cents.copy_abs():,.2f}"


def percent_display(value: Decimal, places: int = 2) -> str:
    """A fraction as a percentage for a person: ``0.125`` -> ``12.50%``."""
    step = Decimal(1).scaleb(-places)
    shown = (value * 100).quantize(step, rounding=ROUND_HALF_EVEN)
    if shown.is_zero():
        shown = shown.copy_abs()
    return f"{shown:,}%"


def display_cell(column: str, value: Any) -> str:
    """One cell as a table or the HTML report shows it (money with ``$``, weights in %)."""
    if value is None:
        return ""
    if isinstance(value, str) and column in MONEY_COLUMNS | WEIGHT_COLUMNS:
        try:
            value = Decimal(value)
        except ArithmeticError:
            return value
    if isinstance(value, Decimal | int) and not isinstance(value, bool):
        number = Decimal(value)
        if column in MONEY_COLUMNS:
            return money_display(number)
        if column in WEIGHT_COLUMNS:
            return percent_display(number)
        return str(plain(number)) if isinstance(value, Decimal) else str(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, enum.Enum):
        return str(value.value)
    return str(value)


def display_row(row: Mapping[str, Any]) -> dict[str, str]:
    """A row with every cell as :func:`display_cell` shows it."""
    return {column: display_cell(column, value) for column, value in row.items()}


def is_numeric_cell(text: str) -> bool:
    """Whether a displayed cell is a number (right-aligned): ``$1,234.50``, ``12.50%``, ``-3``."""
    core = text.replace("$", "").replace(",", "").replace("%", "").lstrip("-")
    if not core:
        return False
    try:
        Decimal(core)
    except ArithmeticError:
        return False
    return True


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
    """Rows as CSV text, header first (with ``columns`` given, even when there are no rows)."""
    buffer = io.StringIO()
    names = list(columns) if columns is not None else (list(rows[0]) if rows else [])
    if not names:
        return ""
    writer = csv.DictWriter(buffer, fieldnames=names, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: to_jsonable(v) for k, v in row.items()})
    return buffer.getvalue()


def terminal_width() -> int:
    """The width tables fit: the terminal's, else ``COLUMNS``, else :data:`DEFAULT_WIDTH`."""
    if sys.stdout.isatty():
        return shutil.get_terminal_size((DEFAULT_WIDTH, 24)).columns
    columns = os.environ.get("COLUMNS", "")
    return int(columns) if columns.isdigit() and int(columns) > 20 else DEFAULT_WIDTH


def _widths(natural: list[int], minimum: list[int], room: int) -> list[int]:
    """Column widths that fit ``room`` characters: the widest columns give way first."""
    widths = list(natural)
    while sum(widths) > room:
        widest = max(range(len(widths)), key=lambda i: (widths[i] - minimum[i] > 0, widths[i]))
        if widths[widest] <= minimum[widest]:
            break  # every column at its minimum: the table is wider than the room
        widths[widest] -= 1
    return widths


def _wrap(text: str, width: int) -> list[str]:
    import textwrap

    if len(text) <= width:
        return [text]
    return textwrap.wrap(text, width, break_long_words=True, break_on_hyphens=False) or [""]


def table_text(
    title: str,
    rows: Iterable[Mapping[str, Any]],
    columns: Sequence[str],
    width: int | None = None,
) -> str:
    """A table for a person, as text: money with ``$``, weights in %, long cells wrapped.

    Numbers are right-aligned; the table fits ``width`` (default
    :func:`terminal_width`) by narrowing its widest columns and wrapping their
    cells over several lines, never cutting them.
    """
    cells = [[display_cell(c, row.get(c)) for c in columns] for row in rows]
    if not columns:
        return f"{title}: none\n"
    numeric = [
        bool(cells) and all(is_numeric_cell(row[i]) or row[i] in ("", "-") for row in cells)
        for i in range(len(columns))
    ]
    natural = [max([len(c), *(len(row[i]) for row in cells)]) for i, c in enumerate(columns)]
    minimum = [
        min(n, max(6, len(c) if len(c) <= 12 else 6)) for n, c in zip(natural, columns, strict=True)
    ]
    for i in range(len(columns)):
        if numeric[i]:  # a number is never broken over lines: its column keeps its width
            minimum[i] = max(minimum[i], *(len(row[i]) for row in cells))
    room = (width or terminal_width()) - (3 * len(columns) + 1)
    widths = _widths(natural, minimum, room)

    def line(left: str, fill: str, middle: str, right: str) -> str:
        return left + middle.join(fill * (w + 2) for w in widths) + right

    def block(values: Sequence[str], align: Sequence[bool]) -> list[str]:
        wrapped = [_wrap(v, w) for v, w in zip(values, widths, strict=True)]
        height = max(len(w) for w in wrapped)
        out = []
        for k in range(height):
            parts = []
            for i, lines in enumerate(wrapped):
                piece = lines[k] if k < len(lines) else ""
                parts.append(piece.rjust(widths[i]) if align[i] else piece.ljust(widths[i]))
            out.append("\u2502 " + " \u2502 ".join(parts) + " \u2502")
        return out

    text = [title, line("\u250c", "\u2500", "\u252c", "\u2510")]
    text += block(list(columns), [False] * len(columns))
    text.append(line("\u251c", "\u2500", "\u253c", "\u2524"))
    for row in cells:
        text += block(row, numeric)
    text.append(line("\u2514", "\u2500", "\u2534", "\u2518"))
    return "\n".join(text) + "\n"


def print_table(title: str, rows: Iterable[Mapping[str, Any]], columns: Sequence[str]) -> None:
    """Print :func:`table_text` on stdout."""
    sys.stdout.write(table_text(title, rows, columns))


def tables_text(tables: Iterable[tuple[str, Sequence[Mapping[str, Any]], Sequence[str]]]) -> str:
    """Several tables as text (``(title, rows, columns)`` each; an empty one says "none")."""
    parts = []
    for title, rows, columns in tables:
        parts.append(table_text(title, rows, columns) if rows else f"{title}: none\n")
    return "\n".join(parts)


class TextTable(str):
    """A table already drawn as text (what :func:`table` returns)."""


def table(title: str, rows: Iterable[Mapping[str, Any]], columns: Sequence[str]) -> TextTable:
    """A table for a person (:func:`table_text`), to print with :func:`console`."""
    materialized = list(rows)
    if not materialized and not columns:
        return TextTable(f"{title}: none\n")
    return TextTable(table_text(title, materialized, columns))


class TextConsole:
    """What :func:`console` returns: ``print(item)`` writes text or a table on stdout."""

    def __init__(self, file: Any = None) -> None:
        self.file = file

    def print(self, item: Any = "", **_: Any) -> None:
        """Write ``item`` (a :class:`TextTable` as drawn, anything else as text) and a newline."""
        out = self.file if self.file is not None else sys.stdout
        text = str(item)
        out.write(text if text.endswith("\n") else text + "\n")


def console(file: Any = None) -> TextConsole:
    """A console for :func:`table` (the interface the commands used with rich)."""
    return TextConsole(file)
