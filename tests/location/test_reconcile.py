"""Rounding a placement to cents: rows exact, columns right wherever the placement allows."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from location.rounding import _largest_remainder, reconcile


def test_thirds() -> None:
    # 100.00 split in thirds over two accounts: 33.333.. each. Rows must add to 10000 and
    # 5000 cents; columns to the class totals rounded by largest remainder.
    values = np.array([[100 / 3, 100 / 3, 100 / 3], [50 / 3, 50 / 3, 50 / 3]])
    usable = np.ones_like(values, dtype=bool)
    cents = reconcile(values, usable, np.array([10000, 5000]))
    assert cents.sum(axis=1).tolist() == [10000, 5000]
    # column totals 50.00 each: 5000 cents, and the rows agree
    assert cents.sum(axis=0).tolist() == [5000, 5000, 5000]


def test_cells_off_the_menu_stay_zero() -> None:
    values = np.array([[0.004, 99.996], [60.0, 40.0]])
    usable = np.array([[False, True], [True, True]])
    cents = reconcile(values, usable, np.array([10000, 10000]))
    assert cents[0, 0] == 0 and cents.sum(axis=1).tolist() == [10000, 10000]


def test_largest_remainder() -> None:
    # 0.333.. x 3 = 1.00: floors 33 + 33 + 33 = 99, the extra cent to the largest remainder
    assert _largest_remainder([1 / 3, 1 / 3, 1 / 3], 100) == [34, 33, 33]
    assert _largest_remainder([], 0) == []


@settings(max_examples=200, deadline=None)
@given(
    st.integers(1, 6).flatmap(
        lambda accounts: st.integers(1, 6).flatmap(
            lambda classes: st.tuples(
                st.lists(
                    st.lists(st.integers(0, 10**8), min_size=classes, max_size=classes),
                    min_size=accounts,
                    max_size=accounts,
                ),
                st.lists(
                    st.lists(st.booleans(), min_size=classes, max_size=classes),
                    min_size=accounts,
                    max_size=accounts,
                ),
            )
        )
    )
)
def test_rows_always_exact(data: tuple[list[list[int]], list[list[bool]]]) -> None:
    raw, menu = data
    usable = np.array(menu)
    usable[:, 0] = True  # every account offers something
    # dollars with sub-cent noise, as a solver returns them
    values = np.where(usable, np.array(raw, dtype=float) / 1000 + 1e-7, 0.0)
    targets = np.array([int(round(row.sum() * 100)) for row in values])
    cents = reconcile(values, usable, targets)
    assert cents.sum(axis=1).tolist() == targets.tolist()
    assert (cents >= 0).all() and (cents[~usable] == 0).all()
    # no cell moves more than a few cents from its value
    assert np.abs(cents / 100 - values).max() <= 0.01 * (values.shape[1] + 1)
