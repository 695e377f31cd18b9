"""Realized gains: Form 8949 rows and per-term totals.

Every sale in a taxable account relieves one or more lots; each relieved lot
(or washed part of one) is a row of Form 8949: (a) description, (b) date
acquired, (c) date sold, (d) proceeds, (e) cost basis, (f) code, (g) adjustment,
(h) gain or loss = (d) - (e) + (g). Short-term rows (held one year or less) go
to Part I, long-term rows to Part II; Schedule D takes the totals.

The engine keeps exact amounts. A form rounds: :func:`form_rows` rounds (d)
and (e) to cents (half-even); (h) is (d) - (e) on a row without adjustment, and
on a wash-sale row (g) is chosen so that (h) is the exact gain rounded (0.00 for
a loss washed in full), so every row adds across; :func:`summarize` totals
those rounded rows, so the totals add down, as a reviewer checking the form would add them.

Column (b) of shares acquired from a decedent reads ``INHERITED`` instead of a
date (Form 8949 instructions, column (b)); such a row is always long-term
(Part II), however soon after the death the shares are sold.

Example: a wash sale of 100 XYZ bought 2026-01-05 for $1,000 and sold
2026-03-10 for $900, replaced on 2026-03-20::

    (a) 100 sh XYZ  (b) 01/05/2026  (c) 03/10/2026  (d) 900.00  (e) 1000.00
    (f) W  (g) 100.00  (h) 0.00
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal

import attrs

from lots.numbers import ZERO, money, quantity
from lots.records import Disposition, DispositionEvent, Term

#: Form 8949 column (b) of inherited property: "enter INHERITED instead of a date".
INHERITED = "INHERITED"


@attrs.frozen
class FormRow:
    """One Form 8949 row, columns (a) to (h), rounded to cents."""

    part: str
    description: str
    acquired: dt.date
    sold: dt.date
    proceeds: Decimal
    cost_basis: Decimal
    code: str
    adjustment: Decimal
    disposition: Disposition

    @property
    def gain(self) -> Decimal:
        """Column (h): (d) - (e) + (g)."""
        return self.proceeds - self.cost_basis + self.adjustment

    @property
    def term(self) -> Term:
        return self.disposition.term

    @property
    def date_acquired(self) -> str:
        """Column (b) as written on the form: ``MM/DD/YYYY``, or ``INHERITED`` for shares
        acquired from a decedent (Form 8949 instructions, column (b))."""
        if self.disposition.inherited:
            return INHERITED
        return self.acquired.strftime("%m/%d/%Y")


@attrs.frozen
class TermTotals:
    """Totals of one part of Form 8949 (Schedule D lines 1b/8b style)."""

    rows: int = 0
    proceeds: Decimal = ZERO
    cost_basis: Decimal = ZERO
    adjustment: Decimal = ZERO
    gain: Decimal = ZERO
    permanently_disallowed: Decimal = ZERO

    def add(self, row: FormRow) -> TermTotals:
        return TermTotals(
            rows=self.rows + 1,
            proceeds=self.proceeds + row.proceeds,
            cost_basis=self.cost_basis + row.cost_basis,
            adjustment=self.adjustment + row.adjustment,
            gain=self.gain + row.gain,
            permanently_disallowed=self.permanently_disallowed
            + money(row.disposition.permanently_disallowed),
        )

    def __add__(self, other: TermTotals) -> TermTotals:
        return TermTotals(
            rows=self.rows + other.rows,
            proceeds=self.proceeds + other.proceeds,
            cost_basis=self.cost_basis + other.cost_basis,
            adjustment=self.adjustment + other.adjustment,
            gain=self.gain + other.gain,
            permanently_disallowed=self.permanently_disallowed + other.permanently_disallowed,
        )


@attrs.frozen
class GainsSummary:
    """The realized gains of a year (or of all years when ``year`` is None)."""

    year: int | None
    rows: tuple[FormRow, ...]
    short: TermTotals
    long: TermTotals

    @property
    def total(self) -> TermTotals:
        return self.short + self.long


def form_row(disposition: Disposition) -> FormRow:
    """The Form 8949 row of one disposition, rounded to cents."""
    proceeds, cost_basis = money(disposition.proceeds), money(disposition.cost_basis)
    adjustment = money(disposition.adjustment)
    if adjustment:
        # A wash-sale row: choose (g) so that (h) is the exact gain rounded, e.g. 0.00
        # for a loss washed in full, however (d) and (e) rounded.
        adjustment = money(disposition.gain) - proceeds + cost_basis
    return FormRow(
        part="I" if disposition.term is Term.SHORT else "II",
        description=_description(disposition),
        acquired=disposition.acquired,
        sold=disposition.sale_date,
        proceeds=proceeds,
        cost_basis=cost_basis,
        code=disposition.code,
        adjustment=adjustment,
        disposition=disposition,
    )


_EVENT_NOTES = {
    DispositionEvent.CASH_IN_LIEU: "cash in lieu",
    DispositionEvent.MERGER_BOOT: "merger cash",
    DispositionEvent.RETURN_OF_CAPITAL_EXCESS: "nondividend distribution exceeding basis",
}


def _description(disposition: Disposition) -> str:
    """Column (a): ``10 sh XYZ``; an event's row says what it was (no shares for cash)."""
    text = f"{quantity(disposition.quantity)} sh {disposition.symbol}"
    if disposition.event is None:
        return text
    if not disposition.quantity:
        text = disposition.symbol
    return f"{text} ({_EVENT_NOTES[disposition.event]})"


def form_rows(dispositions: Iterable[Disposition], year: int | None = None) -> list[FormRow]:
    """Form 8949 rows of the reportable dispositions (of ``year`` if given), in sale order."""
    return [
        form_row(d)
        for d in dispositions
        if d.reportable and (year is None or d.sale_date.year == year)
    ]


def summarize(dispositions: Iterable[Disposition], year: int | None = None) -> GainsSummary:
    """Rows and short- and long-term totals of the reportable dispositions.

    Args:
        dispositions: dispositions from the wash-sale ledger (any order kept).
        year: keep only sales of this tax year; None keeps all.

    Returns:
        The rows and the totals of Part I (short) and Part II (long).
    """
    rows = form_rows(dispositions, year)
    short, long = TermTotals(), TermTotals()
    for row in rows:
        if row.term is Term.SHORT:
            short = short.add(row)
        else:
            long = long.add(row)
    return GainsSummary(year=year, rows=tuple(rows), short=short, long=long)
