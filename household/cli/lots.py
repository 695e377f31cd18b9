"""``household wash-sales`` and ``household gains``: the lots engine on CSV inputs.

Both read ``accounts.csv``, ``transactions.csv`` and optionally
``securities.csv`` (for ``identical_group``), replay the history through the
wash-sale ledger (:func:`lots.washsale.replay`) and print the result as
``docs/formats.md`` specifies.
"""

from __future__ import annotations

import argparse
import datetime as dt
import enum
import sys
from decimal import Decimal
from json.encoder import encode_basestring_ascii
from pathlib import Path
from typing import Any

from household.cli import BadUsage
from household.cli.common import OutputFormat, add_allow_extra_columns, add_format
from household.csvio import identical_groups, read_accounts, read_securities, read_transactions
from household.render import csv_text, money_text, quantity_text, tables_text
from lots.gains import INHERITED, FormRow, TermTotals, form_row, summarize
from lots.numbers import plain
from lots.records import Disposition, Lot
from lots.relief import LotMethod
from lots.washsale import Ledger, WashMatch, replay


def configure(parser: argparse.ArgumentParser, name: str) -> None:
    """Arguments of ``wash-sales`` and ``gains``."""
    parser.add_argument("--accounts", type=Path, required=True, help="accounts.csv")
    parser.add_argument("--transactions", type=Path, required=True, help="transactions.csv")
    parser.add_argument("--securities", type=Path, default=None, help="securities.csv")
    parser.add_argument(
        "--method",
        default=None,
        help="lot method for accounts without one: fifo|lifo|hifo|min_tax; specific "
        "identification (specific) is chosen per sale by its lot_id, or per account by "
        "lot_method=specific in accounts.csv",
    )
    add_allow_extra_columns(parser)
    if name == "gains":
        parser.add_argument("--year", type=int, default=None, help="tax year (default: all)")
    parser.add_argument(
        "--same-sale-replacement",
        action="store_true",
        help="a lot sold later in one sale may replace an earlier lot's loss "
        "(each lot its own sale)",
    )
    add_format(parser)
    parser.set_defaults(run=wash_sales if name == "wash-sales" else gains)


def run_ledger(
    accounts_path: Path,
    transactions_path: Path,
    securities_path: Path | None,
    method: str | None,
    same_sale_replacement: bool = False,
    *,
    allow_extra_columns: bool = False,
) -> Ledger:
    """Read the CSV set and replay it; bad input raises a ``LotsError``."""
    default_method = LotMethod.FIFO
    if method is not None:
        try:
            default_method = LotMethod.parse(method)
        except ValueError as error:
            raise BadUsage(f"--method: {error}") from None
        if default_method is LotMethod.SPECIFIC:
            raise BadUsage("--method: specific identification is chosen per sale (lot_id)")
    extra = allow_extra_columns
    accounts = read_accounts(accounts_path, allow_extra_columns=extra)
    transactions = read_transactions(transactions_path, accounts, allow_extra_columns=extra)
    groups = (
        identical_groups(read_securities(securities_path, allow_extra_columns=extra))
        if securities_path
        else {}
    )
    return replay(
        transactions,
        accounts,
        groups,
        default_method,
        same_sale_replacement=same_sale_replacement,
    )


def disposition_json(d: Disposition, *, form: bool = False) -> dict[str, Any]:
    """A disposition as ``docs/formats.md`` prints it, rounded as on Form 8949.

    Money is rounded to cents half-even the way :func:`lots.gains.form_row` does,
    so ``gain = proceeds - cost_basis + adjustment`` holds on the printed row.
    With ``form`` (the rows of ``gains``), ``acquired`` is Form 8949 column (b):
    ``INHERITED`` for shares acquired from a decedent, else the date.
    """
    row = form_row(d)
    event = {"event": d.event.value} if d.event is not None else {}
    return {
        "sale_date": d.sale_date,
        "account_id": d.account_id,
        "symbol": d.symbol,
        "lot_id": d.lot_id,
        "quantity": quantity_text(d.quantity),
        "acquired": INHERITED if form and d.inherited else d.acquired,
        "term": d.term.value,
        "proceeds": money_text(row.proceeds),
        "cost_basis": money_text(row.cost_basis),
        "code": d.code,
        "adjustment": money_text(row.adjustment),
        "gain": money_text(row.gain),
        "permanently_disallowed": money_text(d.permanently_disallowed),
        **event,
    }


def lot_json(lot: Lot) -> dict[str, Any]:
    """An open lot as ``docs/formats.md`` prints it."""
    return {
        "account_id": lot.account_id,
        "symbol": lot.symbol,
        "lot_id": lot.lot_id,
        "quantity": quantity_text(lot.quantity),
        "purchased": lot.purchased,
        "acquired": lot.acquired,
        "cost_basis": money_text(lot.cost_basis),
        "wash_sale_adjustment": money_text(lot.wash_sale_adjustment),
    }


def match_json(match: WashMatch) -> dict[str, Any]:
    """A wash-sale match: which loss shares went to which replacement lot."""
    return {
        "sale_date": match.sale_date,
        "account_id": match.account_id,
        "symbol": match.symbol,
        "lot_id": match.lot_id,
        "quantity": quantity_text(match.quantity),
        "replacement_account_id": match.replacement_account_id,
        "replacement_symbol": match.replacement_symbol,
        "replacement_lot_id": match.replacement_lot_id,
        "replacement_purchased": match.replacement_purchased,
        "disallowed": money_text(match.disallowed),
        "permanent": match.permanent,
    }


def wash_sales(args: argparse.Namespace) -> int:
    """Replay the history and apply the wash-sale rule across all accounts."""
    ledger = run_ledger(
        args.accounts,
        args.transactions,
        args.securities,
        args.method,
        args.same_sale_replacement,
        allow_extra_columns=args.allow_extra_columns,
    )
    output = args.output
    dispositions = [disposition_json(d) for d in ledger.reportable]
    lots = [lot_json(lot) for lot in ledger.lots]
    matches = [match_json(m) for m in ledger.matches]
    columns = list(_DISPOSITION_COLUMNS)
    if any("event" in row for row in dispositions):
        columns.append("event")
    if output is OutputFormat.JSON:
        print_json_fast({"dispositions": dispositions, "lots": lots, "matches": matches})
    elif output is OutputFormat.CSV:
        print(csv_text(dispositions, columns), end="")
    else:
        print(
            tables_text(
                [
                    ("Dispositions (taxable accounts)", dispositions, columns),
                    ("Wash-sale matches", matches, list(matches[0]) if matches else []),
                    ("Open lots", lots, list(lots[0]) if lots else _LOT_COLUMNS),
                ]
            ),
            end="",
        )
    return 0


_DISPOSITION_COLUMNS = (
    "sale_date",
    "account_id",
    "symbol",
    "lot_id",
    "quantity",
    "acquired",
    "term",
    "proceeds",
    "cost_basis",
    "code",
    "adjustment",
    "gain",
    "permanently_disallowed",
)
_LOT_COLUMNS = ["account_id", "symbol", "lot_id", "quantity", "purchased", "acquired"]

#: Form 8949 columns (a) to (h), with the part (I short-term, II long-term) in front.
FORM_8949_COLUMNS = (
    "part",
    "(a) description",
    "(b) date acquired",
    "(c) date sold",
    "(d) proceeds",
    "(e) cost basis",
    "(f) code",
    "(g) adjustment",
    "(h) gain or loss",
)


def form_row_csv(row: FormRow) -> dict[str, Any]:
    """A Form 8949 row under the columns (a) to (h)."""
    return dict(
        zip(
            FORM_8949_COLUMNS,
            (
                row.part,
                row.description,
                row.date_acquired,
                row.sold.strftime("%m/%d/%Y"),
                money_text(row.proceeds),
                money_text(row.cost_basis),
                row.code,
                money_text(row.adjustment) if row.adjustment else "",
                money_text(row.gain),
            ),
            strict=True,
        )
    )


def totals_json(totals: TermTotals) -> dict[str, Any]:
    return {
        "rows": totals.rows,
        "proceeds": money_text(totals.proceeds),
        "cost_basis": money_text(totals.cost_basis),
        "adjustment": money_text(totals.adjustment),
        "gain": money_text(totals.gain),
        "permanently_disallowed": money_text(totals.permanently_disallowed),
    }


def gains(args: argparse.Namespace) -> int:
    """The realized gains summary: Form 8949 rows and short- and long-term totals."""
    ledger = run_ledger(
        args.accounts,
        args.transactions,
        args.securities,
        args.method,
        args.same_sale_replacement,
        allow_extra_columns=args.allow_extra_columns,
    )
    year, output = args.year, args.output
    summary = summarize(ledger.dispositions, year)
    if output is OutputFormat.CSV:
        print(csv_text([form_row_csv(row) for row in summary.rows], FORM_8949_COLUMNS), end="")
        return 0
    rows = [disposition_json(row.disposition, form=True) for row in summary.rows]
    totals = {
        "short": totals_json(summary.short),
        "long": totals_json(summary.long),
        "all": totals_json(summary.total),
    }
    if output is OutputFormat.JSON:
        print_json_fast({"year": year, "dispositions": rows, "totals": totals})
        return 0
    total_rows = [{"term": term, **values} for term, values in totals.items()]
    form_rows = [form_row_csv(r) for r in summary.rows]
    print(
        tables_text(
            [
                ("Form 8949 rows", form_rows, FORM_8949_COLUMNS),
                (f"Totals ({year or 'all years'})", total_rows, list(total_rows[0])),
            ]
        ),
        end="",
    )
    return 0


# -- JSON out, fast --------------------------------------------------------------------


def print_json_fast(document: Any) -> None:
    """Print one JSON document on stdout: ``household.render.print_json``'s text, faster.

    ``json.dump(..., indent=2)`` runs the pure-Python encoder (the C one cannot
    indent), which was a third of ``wash-sales --format json`` at 100,000 events.
    :func:`json_text` writes the same text, byte for byte, for the values these
    commands print (dicts, lists, strings, dates, Decimals, enums, bools, ints, None).
    """
    sys.stdout.write(json_text(document))
    sys.stdout.write("\n")


def json_text(value: Any, indent: str = "") -> str:
    """``json.dumps(household.render.to_jsonable(value), indent=2)``, for plain data.

    >>> print(json_text({"a": [], "b": [{"c": Decimal("1.50"), "d": True}]}))
    {
      "a": [],
      "b": [
        {
          "c": "1.5",
          "d": true
        }
      ]
    }
    """
    if isinstance(value, dict):
        if not value:
            return "{}"
        inner = indent + "  "
        items = [
            f"{inner}{encode_basestring_ascii(str(key))}: {json_text(item, inner)}"
            for key, item in value.items()
        ]
        return "{\n" + ",\n".join(items) + "\n" + indent + "}"
    if isinstance(value, list | tuple):
        if not value:
            return "[]"
        inner = indent + "  "
        items = [inner + json_text(item, inner) for item in value]
        return "[\n" + ",\n".join(items) + "\n" + indent + "]"
    return _scalar(value)


def _scalar(value: Any) -> str:
    if isinstance(value, str):
        return encode_basestring_ascii(value)
    if value is True:
        return "true"
    if value is False:
        return "false"
    if value is None:
        return "null"
    if isinstance(value, Decimal):
        return encode_basestring_ascii(str(plain(value)))
    if isinstance(value, dt.date):
        return encode_basestring_ascii(value.isoformat())
    if isinstance(value, enum.Enum):
        return _scalar(value.value)
    if isinstance(value, int):
        return int.__repr__(value)
    raise TypeError(f"no JSON text for {value!r}")
