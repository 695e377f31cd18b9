"""Holding-period terms at their edges (Publication 550, "Holding Period")."""

from __future__ import annotations

import pytest

from lots.records import Term
from lots.terms import long_term_from, one_year_after, term_of
from tests.lots.textledger import day


@pytest.mark.parametrize(
    ("acquired", "sold", "term"),
    [
        # Held exactly one year is short-term; one day more is long-term.
        ("2025-03-10", "2026-03-10", Term.SHORT),
        ("2025-03-10", "2026-03-11", Term.LONG),
        ("2025-03-10", "2025-03-10", Term.SHORT),
        # Bought on Feb 29: the anniversary is Feb 28; long-term from Mar 1.
        ("2024-02-29", "2025-02-28", Term.SHORT),
        ("2024-02-29", "2025-03-01", Term.LONG),
        # Bought Feb 28 in a year before a leap year: anniversary Feb 28.
        ("2023-02-28", "2024-02-28", Term.SHORT),
        ("2023-02-28", "2024-02-29", Term.LONG),
        # Bought Mar 1 before a leap day: anniversary Mar 1, Feb 29 in between.
        ("2023-03-01", "2024-03-01", Term.SHORT),
        ("2023-03-01", "2024-03-02", Term.LONG),
        # Year end.
        ("2025-12-31", "2026-12-31", Term.SHORT),
        ("2025-12-31", "2027-01-01", Term.LONG),
    ],
)
def test_term_edges(acquired: str, sold: str, term: Term) -> None:
    assert term_of(day(acquired), day(sold)) is term


def test_long_term_from() -> None:
    assert one_year_after(day("2024-02-29")) == day("2025-02-28")
    assert long_term_from(day("2024-02-29")) == day("2025-03-01")
    assert long_term_from(day("2025-03-10")) == day("2026-03-11")
