"""Holding-period terms.

A lot is long-term when held *more than one year*: the holding period starts the
day after acquisition, so shares acquired on 2025-03-10 sold on 2026-03-10 are
short-term and sold on 2026-03-11 long-term (Publication 550, "Holding Period").
One year after a Feb 29 acquisition is Feb 28 of the next year
(``dateutil.relativedelta``), so such a lot is long-term from Mar 1.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

from dateutil.relativedelta import relativedelta

from lots.records import Term


@lru_cache(maxsize=1 << 16)
def one_year_after(acquired: dt.date) -> dt.date:
    """The anniversary of ``acquired``; a sale after it is long-term."""
    anniversary: dt.date = acquired + relativedelta(years=1)
    return anniversary


def long_term_from(acquired: dt.date) -> dt.date:
    """The first sale date on which a lot acquired on ``acquired`` is long-term."""
    return one_year_after(acquired) + dt.timedelta(days=1)


def term_of(acquired: dt.date, sale_date: dt.date) -> Term:
    """Short or long term for a sale on ``sale_date`` of shares acquired on ``acquired``."""
    return Term.LONG if sale_date > one_year_after(acquired) else Term.SHORT
