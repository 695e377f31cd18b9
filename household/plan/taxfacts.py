"""The household's tax facts in the netting's terms: rates, year to date, carryforwards.

:mod:`lots.netting` computes this year's capital-gains tax exactly; a plan
adds its short- and long-term gains to what the year has realised so far
(``tax.year_to_date`` in the household file, with the carryforwards from last
year) and reports the difference (:func:`lots.netting.added_tax`). The rates
are flat marginal totals: short-term ``short_term + state + niit``, long-term
``qualified + state + niit``, and a net loss offsetting ordinary income saves
``ordinary + state`` per dollar (no NIIT), up to the filing status's limit.

Worked example: a single filer at 37% / 20% federal, 13.3% state, 3.8% NIIT:
short-term 0.541, long-term 0.371, ordinary offset 0.503; a plan realising a
$5,000 long-term gain with nothing else this year adds 5,000 x 0.371 =
$1,855.00; with a $2,000 short-term loss realised earlier this year it adds
(5,000 - 2,000) x 0.371 = $1,113.00 less the $2,000 x 0.503 = $1,006.00 the
earlier loss was already saving: $2,119.00.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import attrs

from household.model import Household
from lots.netting import FilingStatus, NettingRates, YearToDate, added_tax, netted_tax
from lots.numbers import ZERO


@attrs.frozen
class TaxFacts:
    """The netting's inputs for one household.

    Attributes:
        rates: the three rates and the filing status.
        year_to_date: realised so far this year and the carryforwards in.
    """

    rates: NettingRates
    year_to_date: YearToDate

    @property
    def base_tax(self) -> Decimal:
        """This year's netted tax without the plan."""
        return netted_tax(self.year_to_date, self.rates).tax

    def added(self, plan_short: Decimal, plan_long: Decimal) -> Decimal:
        """What a plan with these gains adds to this year's tax (``lots.netting.added_tax``)."""
        return added_tax(self.year_to_date, plan_short, plan_long, self.rates)


def _get(source: Any, *names: str) -> Any:
    for name in names:
        if source is None:
            return None
        source = getattr(source, name, None)
    return source


def tax_facts(household: Household) -> TaxFacts:
    """The household's :class:`TaxFacts` (zero year to date where the file gives none)."""
    tax = household.tax
    status = _get(tax, "filing_status")
    if isinstance(status, str):
        status = FilingStatus.parse(status)
    if status is None:
        status = FilingStatus.SINGLE
    rates = NettingRates.from_parts(
        ordinary=tax.ordinary,
        qualified=tax.qualified,
        state=tax.state,
        niit=tax.niit,
        short_term=tax.short_term,
        filing_status=status,
    )
    ytd = _get(tax, "year_to_date")
    carry = _get(tax, "carryforward")
    if isinstance(ytd, YearToDate):
        year = ytd
    else:
        year = YearToDate(
            short_gain=_get(ytd, "short_gain") or _get(ytd, "short") or ZERO,
            long_gain=_get(ytd, "long_gain") or _get(ytd, "long") or ZERO,
            carryforward_short=_get(carry, "short") or _get(ytd, "carryforward_short") or ZERO,
            carryforward_long=_get(carry, "long") or _get(ytd, "carryforward_long") or ZERO,
        )
    return TaxFacts(rates, year)
