"""Rounding the placement to cents: rows add to each account, columns to each class.

Split out of :mod:`location.engine` (behaviour unchanged).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np


def _largest_remainder(values: Sequence[float], total_cents: int) -> list[int]:
    """Whole cents for ``values`` (dollars) that add to ``total_cents`` exactly."""
    if not values:
        assert total_cents == 0, "cents to spread over nothing"
        return []
    scaled = [max(v, 0.0) * 100 for v in values]
    cents = list(map(math.floor, scaled))
    short = total_cents - sum(cents)
    if short > 0:
        remainders = [s - c for s, c in zip(scaled, cents, strict=True)]
        order = sorted(range(len(values)), key=remainders.__getitem__, reverse=True)
        while short > 0:
            for i in order[:short]:
                cents[i] += 1
            short = total_cents - sum(cents)
    while short < 0:
        i = max(range(len(cents)), key=lambda j: cents[j])
        cents[i] -= 1
        short += 1
    return cents


def reconcile(values: np.ndarray, usable: np.ndarray, account_cents: np.ndarray) -> np.ndarray:
    """Round a placement to whole cents: each row adds to its account's cents exactly.

    Column targets are the program's class totals rounded by largest remainder (so they
    add to the household's cents); each row's residue goes to its cells whose column is
    short (or long), then cents move inside rows from long columns to short ones, so the
    columns come out right too wherever the placement allows.

    Args:
        values: dollars, accounts x classes (floats from the solver).
        usable: which cells may hold money (on the account's menu).
        account_cents: the cents each account must place.

    Returns:
        Whole cents, accounts x classes (``int64``).
    """
    values = np.where(usable, np.maximum(values, 0.0), 0.0)
    cents = np.rint(values * 100).astype(np.int64)
    column_target = _largest_remainder(values.sum(axis=0).tolist(), int(account_cents.sum()))
    column_gap = [t - c for t, c in zip(column_target, cents.sum(axis=0).tolist(), strict=True)]
    account_gap = (account_cents - cents.sum(axis=1)).tolist()
    if not any(account_gap) and not any(column_gap):
        result: np.ndarray = cents
        return result
    # A few cents to move: Python lists are quicker than arrays at this size.
    rows, dollars, offered = cents.tolist(), values.tolist(), usable.tolist()
    for a, gap in enumerate(account_gap):
        if not gap:
            continue
        row, row_dollars = rows[a], dollars[a]
        cells = [j for j, on_menu in enumerate(offered[a]) if on_menu]
        assert cells or gap == 0, "an account with dollars and no usable cell"
        while gap:
            step = 1 if gap > 0 else -1
            candidates = cells if step > 0 else [j for j in cells if row[j] > 0]
            # the cell whose column is most short (long), then one in use, then the largest
            best = max(
                candidates,
                key=lambda j: (
                    (column_gap[j] * step * 1e15 + (1e14 if row_dollars[j] > 0 else 0.0))
                    + row_dollars[j]
                ),
            )
            amount = step * max(1, min(abs(gap), abs(column_gap[best])))
            if step < 0:
                amount = max(amount, -row[best])
            row[best] += amount
            column_gap[best] -= amount
            gap -= amount
    for _ in range(4 * values.size):
        long_ = [k for k, g in enumerate(column_gap) if g < 0]
        short = [k for k, g in enumerate(column_gap) if g > 0]
        if not long_ or not short:
            break
        moved = False
        for k_long in long_:
            for k_short in short:
                a = next(
                    (
                        a
                        for a, (row, row_dollars) in enumerate(zip(rows, dollars, strict=True))
                        if row[k_long] > 0 and row_dollars[k_short] > 0
                    ),
                    -1,
                )
                if a >= 0:
                    amount = min(-column_gap[k_long], column_gap[k_short], rows[a][k_long])
                    rows[a][k_long] -= amount
                    rows[a][k_short] += amount
                    column_gap[k_long] += amount
                    column_gap[k_short] -= amount
                    moved = True
                    break
            if moved:
                break
        if not moved:
            break
    return np.array(rows, dtype=np.int64).reshape(cents.shape)
