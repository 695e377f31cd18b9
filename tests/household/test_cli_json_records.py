"""The record writers of ``wash-sales``/``gains --format json`` print what ``json.dump`` prints.

``household.cli.lots.wash_sales_json`` and ``gains_json`` write each disposition,
lot and wash-sale match straight to its text (for speed: the whole CLI path at
100,000 events). The reference is the plain path they replace: the dicts of
``disposition_json`` (which rounds through :func:`lots.gains.form_row`),
``lot_json`` and ``match_json``, printed by ``json.dumps(to_jsonable(...),
indent=2)``. On random records (ids with quotes, backslashes, non-ASCII and
control characters; amounts with up to 15 places, sub-cent, half-cent ties,
negative zeros and exponents; every term, event and flag) the two texts must be
equal, byte for byte.
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from household.cli.lots import (
    disposition_json,
    gains_json,
    lot_json,
    match_json,
    totals_json,
    wash_sales_json,
)
from household.render import to_jsonable
from lots.errors import LotsError
from lots.gains import summarize
from lots.records import Disposition, DispositionEvent, Lot, Term
from lots.washsale import Ledger, WashMatch, replay
from tests.strategies import History, histories

_DATES = st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2199, 12, 31))
_IDS = st.one_of(
    st.sampled_from(["joint", "L1", "L1.2", "S17-1990-01-02-1", 'a"b', "a\\b", "caf\u00e9"]),
    st.text(max_size=8),
)


def _amounts(places: int = 15, top: int = 10**11) -> st.SearchStrategy[Decimal]:
    """Amounts as the engine holds them: any scale up to 15 places, with the cases that
    round interestingly (half-cent ties, sub-cent, zeros of any sign and exponent)."""
    return st.one_of(
        st.decimals(min_value=-top, max_value=top, places=places),
        st.decimals(min_value=0, max_value=top, places=2),
        st.sampled_from(
            [
                Decimal("0"),
                Decimal("-0"),
                Decimal("0E-15"),
                Decimal("-0.00"),
                Decimal("0.005"),
                Decimal("0.015"),
                Decimal("-0.005"),
                Decimal("0.0033"),
                Decimal("1E+2"),
                Decimal("123.4550"),
                Decimal("999999.995"),
            ]
        ),
    )


_QUANTITIES = st.one_of(
    st.decimals(min_value=0, max_value=10**9, places=15),
    st.sampled_from(
        [Decimal("0"), Decimal("100"), Decimal("1E+2"), Decimal("0.0000005"), Decimal("2.5000005")]
    ),
)


@st.composite
def dispositions(draw: st.DrawFn) -> Disposition:
    purchased = draw(_DATES)
    return Disposition(
        sale_date=draw(_DATES),
        account_id=draw(_IDS),
        symbol=draw(_IDS),
        lot_id=draw(_IDS),
        quantity=draw(_QUANTITIES),
        acquired=draw(st.one_of(st.just(purchased), _DATES)),
        purchased=purchased,
        term=draw(st.sampled_from(list(Term))),
        proceeds=draw(_amounts()),
        cost_basis=draw(_amounts()),
        adjustment=draw(st.one_of(st.just(Decimal(0)), _amounts())),
        permanently_disallowed=draw(st.one_of(st.just(Decimal(0)), _amounts())),
        reportable=draw(st.booleans()),
        event=draw(st.one_of(st.none(), st.sampled_from(list(DispositionEvent)))),
        inherited=draw(st.booleans()),
    )


@st.composite
def lots(draw: st.DrawFn) -> Lot:
    purchased = draw(_DATES)
    return Lot(
        account_id=draw(_IDS),
        symbol=draw(_IDS),
        lot_id=draw(_IDS),
        quantity=draw(_QUANTITIES.filter(lambda q: q > 0)),
        cost_basis=draw(_amounts().map(abs)),
        purchased=purchased,
        acquired=draw(_DATES.filter(lambda d: d <= purchased)),
        wash_sale_adjustment=draw(_amounts().map(abs)),
    )


@st.composite
def matches(draw: st.DrawFn) -> WashMatch:
    return WashMatch(
        sale_date=draw(_DATES),
        account_id=draw(_IDS),
        symbol=draw(_IDS),
        lot_id=draw(_IDS),
        quantity=draw(_QUANTITIES),
        replacement_account_id=draw(_IDS),
        replacement_symbol=draw(_IDS),
        replacement_lot_id=draw(_IDS),
        replacement_purchased=draw(_DATES),
        disallowed=draw(_amounts()),
        permanent=draw(st.booleans()),
    )


def _dumped(document: Any) -> str:
    """The plain path: ``household.render.print_json``'s text."""
    return json.dumps(to_jsonable(document), indent=2) + "\n"


@settings(max_examples=150)
@given(
    st.lists(dispositions(), max_size=6),
    st.lists(lots(), max_size=4),
    st.lists(matches(), max_size=4),
)
def test_wash_sales_json_is_the_plain_json(
    rows: list[Disposition], open_lots: list[Lot], washes: list[WashMatch]
) -> None:
    ledger = Ledger(tuple(rows), tuple(open_lots), tuple(washes))
    expected = _dumped(
        {
            "dispositions": [disposition_json(d) for d in ledger.reportable],
            "lots": [lot_json(lot) for lot in ledger.lots],
            "matches": [match_json(m) for m in ledger.matches],
        }
    )
    assert wash_sales_json(ledger) == expected


@settings(max_examples=100)
@given(st.lists(dispositions(), max_size=6), st.one_of(st.none(), st.integers(1900, 2199)))
def test_gains_json_is_the_plain_json(rows: list[Disposition], year: int | None) -> None:
    summary = summarize(rows, year)
    totals = {
        "short": totals_json(summary.short),
        "long": totals_json(summary.long),
        "all": totals_json(summary.total),
    }
    expected = _dumped(
        {
            "year": year,
            "dispositions": [disposition_json(r.disposition, form=True) for r in summary.rows],
            "totals": totals,
        }
    )
    assert gains_json(summary, year, totals) == expected


def test_a_wash_sale_row_by_hand() -> None:
    """A loss washed in full, amounts with sub-cent parts, written out by hand.

    Proceeds 900.005 round half-even to 900.00 (the 0 before the tie is even), cost
    1000.015 to 1000.02. The exact gain is 900.005 - 1000.015 + 100.01 = 0.000, so
    (h) is 0.00 and (g) is chosen to make the row add: 0.00 - 900.00 + 1000.02 =
    100.02 (not the adjustment 100.01 rounded). 2.5000005 shares print as 2.5
    (half-even to 6 places: 2.500000, then trailing zeros dropped).
    """
    sale = Disposition(
        sale_date=dt.date(2026, 3, 10),
        account_id="joint",
        symbol="XYZ",
        lot_id='L"1',
        quantity=Decimal("2.5000005"),
        acquired=dt.date(2026, 1, 5),
        purchased=dt.date(2026, 1, 5),
        term=Term.SHORT,
        proceeds=Decimal("900.005"),
        cost_basis=Decimal("1000.015"),
        adjustment=Decimal("100.01"),
        event=DispositionEvent.CASH_IN_LIEU,
    )
    text = wash_sales_json(Ledger((sale,), ()))
    assert text == (
        "{\n"
        '  "dispositions": [\n'
        "    {\n"
        '      "sale_date": "2026-03-10",\n'
        '      "account_id": "joint",\n'
        '      "symbol": "XYZ",\n'
        '      "lot_id": "L\\"1",\n'
        '      "quantity": "2.5",\n'
        '      "acquired": "2026-01-05",\n'
        '      "term": "short",\n'
        '      "proceeds": "900.00",\n'
        '      "cost_basis": "1000.02",\n'
        '      "code": "W",\n'
        '      "adjustment": "100.02",\n'
        '      "gain": "0.00",\n'
        '      "permanently_disallowed": "0.00",\n'
        '      "event": "cash_in_lieu"\n'
        "    }\n"
        "  ],\n"
        '  "lots": [],\n'
        '  "matches": []\n'
        "}\n"
    )


@settings(max_examples=40)
@given(histories(events=True))
def test_replayed_histories_print_the_plain_json(history: History) -> None:
    """The same check on the ledgers of random replayed histories (every event kind)."""
    try:
        ledger = replay(**history.arguments())  # type: ignore[arg-type]
    except LotsError:
        return  # a generated history the ledger refuses: nothing to print
    expected = _dumped(
        {
            "dispositions": [disposition_json(d) for d in ledger.reportable],
            "lots": [lot_json(lot) for lot in ledger.lots],
            "matches": [match_json(m) for m in ledger.matches],
        }
    )
    assert wash_sales_json(ledger) == expected


@settings(max_examples=40)
@given(histories(events=True))
def test_the_integer_writer_prints_the_decimal_replays_text(history: History) -> None:
    """A ledger of the integer replay is printed from its integers (``LazyLedger``); the
    text is the one of the Decimal replay's records, byte for byte."""
    from lots.washsale import LazyLedger, decimal_replay

    try:
        expected = decimal_replay(**history.arguments())  # type: ignore[arg-type]
    except LotsError:
        return
    ledger = replay(**history.arguments())  # type: ignore[arg-type]
    text = wash_sales_json(ledger)
    if isinstance(ledger, LazyLedger):
        assert not ledger._built  # printed without building a record
    assert text == wash_sales_json(expected)
