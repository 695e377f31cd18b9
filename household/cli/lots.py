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
import functools
import gc
import sys
from collections.abc import Callable, Sequence
from decimal import ROUND_HALF_EVEN, Context, Decimal
from json.encoder import encode_basestring_ascii
from pathlib import Path
from typing import Any

from household.cli import BadUsage
from household.cli.common import OutputFormat, add_allow_extra_columns, add_format
from household.csvio import identical_groups, read_accounts, read_securities, read_transactions
from household.render import csv_text, money_text, quantity_text, tables_text
from lots.fastreplay import FastReplay
from lots.gains import INHERITED, FormRow, TermTotals, form_row, summarize
from lots.numbers import micro_text, plain, round_units
from lots.records import Disposition, Lot, Term
from lots.relief import LotMethod
from lots.washsale import LazyLedger, Ledger, WashMatch, promote_survivors, replay


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


def without_cycle_collection(command: Callable[[argparse.Namespace], int]) -> Callable[..., int]:
    """Run ``command`` with Python's cyclic garbage collector paused (reference counting
    still frees everything that is not in a cycle).

    A history of 100,000 events is several hundred thousand records, lists and
    Decimals, alive until the output is written; none is in a reference cycle, but
    the collector walks them all again and again as they are made (about 6% of
    ``wash-sales --format json`` at 100,000 events, with the same peak memory
    without it). The collector's state is restored afterwards, the objects made
    meanwhile moved to its oldest generation (``lots.washsale.promote_survivors``).
    """

    @functools.wraps(command)
    def run(args: argparse.Namespace) -> int:
        enabled = gc.isenabled()
        gc.disable()
        try:
            return command(args)
        finally:
            if enabled:
                promote_survivors()
                gc.enable()

    return run


@without_cycle_collection
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
    if output is OutputFormat.JSON:
        _write(wash_sales_json(ledger))
        return 0
    dispositions = [disposition_json(d) for d in ledger.reportable]
    lots = [lot_json(lot) for lot in ledger.lots]
    matches = [match_json(m) for m in ledger.matches]
    columns = list(_DISPOSITION_COLUMNS)
    if any("event" in row for row in dispositions):
        columns.append("event")
    if output is OutputFormat.CSV:
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


@without_cycle_collection
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
    totals = {
        "short": totals_json(summary.short),
        "long": totals_json(summary.long),
        "all": totals_json(summary.total),
    }
    if output is OutputFormat.JSON:
        _write(gains_json(summary, year, totals))
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


def json_text(value: Any, indent: str = "") -> str:
    """``json.dumps(household.render.to_jsonable(value), indent=2)``, for plain data.

    ``json.dump(..., indent=2)`` runs the pure-Python encoder (the C one cannot
    indent). This writes the same text, byte for byte, for the values these commands
    print (dicts, lists, strings, dates, Decimals, enums, bools, ints, None); the
    record writers below write the big arrays without it.

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


# -- JSON out, record by record -------------------------------------------------------
#
# ``wash-sales --format json`` prints thousands of records of three kinds; each is
# written straight from the record to its text, one f-string per record, the text
# ``json_text`` (and so ``json.dumps(..., indent=2)``) gives for the dicts of
# ``disposition_json``, ``lot_json`` and ``match_json``, byte for byte
# (``tests/household/test_cli_json_records.py`` checks it on random records).


def _write(text: str) -> None:
    """Print one JSON document (and a newline) on stdout in one write."""
    sys.stdout.write(text)


def wash_sales_json(ledger: Ledger) -> str:
    """``json_text({"dispositions": ..., "lots": ..., "matches": ...})`` of ``wash-sales``,
    and a newline.

    A ledger of the integer replay (``lots.washsale.LazyLedger``) is printed straight
    from its fixed-scale integers (:func:`_units_json`), without building its records.
    """
    if isinstance(ledger, LazyLedger):
        return _units_json(ledger.units)
    dates = _Dates()
    return "".join(
        [
            '{\n  "dispositions": ',
            *_array(_dispositions_text(ledger.reportable, dates, form=False)),
            ',\n  "lots": ',
            *_array(_lots_text(ledger.lots, dates)),
            ',\n  "matches": ',
            *_array(_matches_text(ledger.matches, dates)),
            "\n}\n",
        ]
    )


def gains_json(summary: Any, year: int | None, totals: dict[str, Any]) -> str:
    """``json_text({"year": ..., "dispositions": ..., "totals": ...})`` of ``gains``, and a
    newline."""
    rows = _dispositions_text([row.disposition for row in summary.rows], _Dates(), form=True)
    return "".join(
        [
            '{\n  "year": ',
            _scalar(year),
            ',\n  "dispositions": ',
            *_array(rows),
            ',\n  "totals": ',
            json_text(totals, "  "),
            "\n}\n",
        ]
    )


def _array(items: list[str]) -> list[str]:
    """The text of a JSON array at depth 1 whose items' texts (indented) are ``items``."""
    if not items:
        return ["[]"]
    return ["[\n", ",\n".join(items), "\n  ]"]


class _Dates(dict[dt.date, str]):
    """date -> its JSON text (``"2026-03-10"``), each distinct date formatted once."""

    def __missing__(self, date: dt.date) -> str:
        text = self[date] = f'"{date.isoformat()}"'
        return text


class _Quantities(dict[Decimal, str]):
    """quantity -> ``quantity_text(quantity)``, each distinct nonzero value formatted once
    (equal nonzero Decimals have one text; a zero's sign shows, so zeros are not kept)."""

    def __missing__(self, value: Decimal) -> str:
        # ``quantity_text``: rounded half-even to 6 places, trailing zeros dropped (the
        # point too, for a whole number), never an exponent.
        text = str(_quantize(value, _MICRO, ROUND_HALF_EVEN)).rstrip("0").rstrip(".")
        if value:
            self[value] = text
        return text


_quantize = Decimal.quantize
_CENT = Decimal("0.01")
_MICRO = Decimal("0.000001")
_NO_CENTS = Decimal("0.00")


def _money(value: Decimal) -> str:
    """``money_text(value)``: rounded half-even to cents, never ``-0.00``."""
    if not value:
        return "0.00"
    cents = _quantize(value, _CENT, ROUND_HALF_EVEN)
    return str(cents) if cents else "0.00"


#: The text of one item of each array (``%`` fills the values: each ``%s`` of a string
#: field is its JSON text, quotes included; of a number, its digits inside the quotes).
_DISPOSITION = (
    "    {\n"
    '      "sale_date": %s,\n'
    '      "account_id": %s,\n'
    '      "symbol": %s,\n'
    '      "lot_id": %s,\n'
    '      "quantity": "%s",\n'
    '      "acquired": %s,\n'
    '      "term": %s,\n'
    '      "proceeds": "%s",\n'
    '      "cost_basis": "%s",\n'
    '      "code": "%s",\n'
    '      "adjustment": "%s",\n'
    '      "gain": "%s",\n'
    '      "permanently_disallowed": "%s"\n'
    "    }"
)
_DISPOSITION_EVENT = _DISPOSITION[: -len("\n    }")] + ',\n      "event": %s\n    }'
_LOT = (
    "    {\n"
    '      "account_id": %s,\n'
    '      "symbol": %s,\n'
    '      "lot_id": %s,\n'
    '      "quantity": "%s",\n'
    '      "purchased": %s,\n'
    '      "acquired": %s,\n'
    '      "cost_basis": "%s",\n'
    '      "wash_sale_adjustment": "%s"\n'
    "    }"
)
_MATCH = (
    "    {\n"
    '      "sale_date": %s,\n'
    '      "account_id": %s,\n'
    '      "symbol": %s,\n'
    '      "lot_id": %s,\n'
    '      "quantity": "%s",\n'
    '      "replacement_account_id": %s,\n'
    '      "replacement_symbol": %s,\n'
    '      "replacement_lot_id": %s,\n'
    '      "replacement_purchased": %s,\n'
    '      "disallowed": "%s",\n'
    '      "permanent": %s\n'
    "    }"
)


def _dispositions_text(
    dispositions: Sequence[Disposition], dates: _Dates, *, form: bool
) -> list[str]:
    """The items of ``[disposition_json(d, form=form) for d in dispositions]``, as text.

    The money columns are rounded as :func:`lots.gains.form_row` rounds them
    (``disposition_json`` takes them from it): (d) and (e) to cents, (g) chosen on a
    wash-sale row so that (h) = (d) - (e) + (g) is the exact gain rounded.
    """
    quantities = _Quantities()
    quantize, cent, even, encode = _quantize, _CENT, ROUND_HALF_EVEN, encode_basestring_ascii
    short, long = Term.SHORT, Term.LONG
    texts = []
    append = texts.append
    for d in dispositions:
        proceeds = quantize(d.proceeds, cent, even)
        cost_basis = quantize(d.cost_basis, cent, even)
        raw_adjustment = d.adjustment
        adjustment = quantize(raw_adjustment, cent, even) if raw_adjustment else _NO_CENTS
        if adjustment:
            adjustment = quantize(d.gain, cent, even) - proceeds + cost_basis
        gain = proceeds - cost_basis + adjustment
        values = (
            dates[d.sale_date],
            encode(d.account_id),
            encode(d.symbol),
            encode(d.lot_id),
            quantities[d.quantity],
            '"INHERITED"' if form and d.inherited else dates[d.acquired],
            # (An Enum hashes in Python: compared by identity instead of looked up.)
            '"short"' if d.term is short else '"long"' if d.term is long else encode(d.term.value),
            proceeds if proceeds else "0.00",
            cost_basis if cost_basis else "0.00",
            "W" if raw_adjustment > 0 else "",
            adjustment if adjustment else "0.00",
            gain if gain else "0.00",
            _money(d.permanently_disallowed) if d.permanently_disallowed else "0.00",
        )
        event = d.event
        if event is None:
            append(_DISPOSITION % values)
        else:
            append(_DISPOSITION_EVENT % (*values, encode(event.value)))
    return texts


def _lots_text(lots: Sequence[Lot], dates: _Dates) -> list[str]:
    """The items of ``[lot_json(lot) for lot in lots]``, as text."""
    quantities = _Quantities()
    encode = encode_basestring_ascii
    return [
        _LOT
        % (
            encode(lot.account_id),
            encode(lot.symbol),
            encode(lot.lot_id),
            quantities[lot.quantity],
            dates[lot.purchased],
            dates[lot.acquired],
            _money(lot.cost_basis),
            _money(lot.wash_sale_adjustment),
        )
        for lot in lots
    ]


def _matches_text(matches: Sequence[WashMatch], dates: _Dates) -> list[str]:
    """The items of ``[match_json(m) for m in matches]``, as text."""
    quantities = _Quantities()
    encode = encode_basestring_ascii
    return [
        _MATCH
        % (
            dates[m.sale_date],
            encode(m.account_id),
            encode(m.symbol),
            encode(m.lot_id),
            quantities[m.quantity],
            encode(m.replacement_account_id),
            encode(m.replacement_symbol),
            encode(m.replacement_lot_id),
            dates[m.replacement_purchased],
            _money(m.disallowed),
            "true" if m.permanent else "false",
        )
        for m in matches
    ]


# -- JSON out, from the integer replay's units ------------------------------------------
#
# The same text again, from the fixed-scale integers of ``lots.fastreplay`` (money in
# units of 10**-20 of a dollar, quantities of 10**-18 of a share) instead of the
# records: each amount is rounded to cents half-even in integers (``round_units``), as
# ``Decimal.quantize`` rounds the equal Decimal, and printed by ``cents_text``; each
# quantity to millionths, printed by ``micro_text``
# (``tests/household/test_cli_json_records.py`` checks the two paths byte for byte).

_CENT_UNITS = 10**18  # money units per cent
_HALF_CENT_UNITS = _CENT_UNITS // 2
_MICRO_UNITS = 10**12  # quantity units per millionth of a share


def _units_money(units: int) -> str:
    """``cents_text(round_units(units, 10**18))``, in one call (the writer's hot path)."""
    if not units:
        return "0.00"
    cents, rest = divmod(units + _HALF_CENT_UNITS, _CENT_UNITS)
    if not rest and cents & 1:
        cents -= 1  # a tie goes to the even cent
    return str(_scaleb(Decimal(cents), _MINUS_2))


_scaleb = Context(prec=80).scaleb
_MINUS_2 = Decimal(-2)


class _UnitQuantities(dict[int, str]):
    """quantity units -> their ``quantity_text``, each distinct quantity once."""

    def __missing__(self, units: int) -> str:
        text = self[units] = micro_text(round_units(units, _MICRO_UNITS))
        return text


def _units_json(units: FastReplay) -> str:
    """:func:`wash_sales_json` of the ledger of the integer replay ``units``."""
    dates = _Dates()
    quantities = _UnitQuantities()
    encode = encode_basestring_ascii
    money = _units_money
    # ``cents_text``, inlined: the Decimal of the cents at exponent -2, printed.
    text, scaleb, decimal, minus_2 = str, _scaleb, Decimal, _MINUS_2
    short = Term.SHORT
    step, half = _CENT_UNITS, _HALF_CENT_UNITS
    template, with_event = _DISPOSITION, _DISPOSITION_EVENT
    rows = []
    append = rows.append
    for (
        date, account_id, symbol, lot_id, shares, acquired, _purchased, term, proceeds,
        basis, adjustment, permanent, reportable, event, _inherited,
    ) in units.rows:  # fmt: skip
        if not reportable:
            continue
        # Proceeds and basis to cents, half-even (``round_units``, inlined).
        proceeds_cents, rest = divmod(proceeds + half, step)
        if not rest and proceeds_cents & 1:
            proceeds_cents -= 1
        basis_cents, rest = divmod(basis + half, step)
        if not rest and basis_cents & 1:
            basis_cents -= 1
        adjustment_cents = round_units(adjustment, step) if adjustment else 0
        if adjustment_cents:
            # (g) makes the row add up to the exact gain rounded, as ``form_row`` does.
            adjustment_cents = (
                round_units(proceeds - basis + adjustment, step) - proceeds_cents + basis_cents
            )
        gain_cents = proceeds_cents - basis_cents + adjustment_cents
        values = (
            dates[date],
            encode(account_id),
            encode(symbol),
            encode(lot_id),
            quantities[shares],
            dates[acquired],
            '"short"' if term is short else '"long"',
            text(scaleb(decimal(proceeds_cents), minus_2)),
            text(scaleb(decimal(basis_cents), minus_2)),
            "W" if adjustment > 0 else "",
            text(scaleb(decimal(adjustment_cents), minus_2)) if adjustment_cents else "0.00",
            text(scaleb(decimal(gain_cents), minus_2)),
            money(permanent),
        )
        if event is None:
            append(template % values)
        else:
            append(with_event % (*values, encode(event.value)))
    lots = [
        _LOT
        % (
            encode(p.account_id),
            encode(p.symbol),
            encode(p.lot_id),
            quantities[p.quantity],
            dates[p.purchased],
            dates[p.acquired],
            money(p.cost_basis),
            money(p.adjustment),
        )
        for p in units.open_pieces()
    ]
    matches = [
        _MATCH
        % (
            dates[m[1]],
            encode(m[2]),
            encode(m[3]),
            encode(m[4]),
            quantities[m[5]],
            encode(m[6]),
            encode(m[7]),
            encode(m[8]),
            dates[m[9]],
            money(m[10]),
            "true" if m[11] else "false",
        )
        for m in units.sorted_matches()
    ]
    return "".join(
        [
            '{\n  "dispositions": ',
            *_array(rows),
            ',\n  "lots": ',
            *_array(lots),
            ',\n  "matches": ',
            *_array(matches),
            "\n}\n",
        ]
    )
