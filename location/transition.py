"""The cost of getting from today's lots to a placement: which lots to sell.

Split out of :mod:`location.engine` (behaviour unchanged).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from location.inputs import HoldingInput, LocationProblem
from location.program import (
    Shape,
    lot_numbers,
    shape_of,
)

LotGroup = tuple[int, int, list[tuple[float, HoldingInput, float, float, float]]]
"""Account row, class column, and the lots there, costliest to sell first:
``(c, lot, value, gain (0 for a loss), tax rate now)``."""


def lot_groups(
    problem: LocationProblem,
    costs: Sequence[float],
    numbers: tuple[list[float], list[float]] | None = None,
    shape: Shape | None = None,
) -> list[LotGroup]:
    """The taxable accounts' lots by account and class, costliest to sell first.

    ``costs`` are the lots' :func:`~location.program.sale_costs`, ``numbers`` their
    :func:`~location.program.lot_numbers` and ``shape`` its :class:`~location.program.Shape`
    (made here when not given).
    """
    if not problem.holdings:
        return []
    shape = shape or shape_of(problem)
    rows, columns = shape.taxable_row, shape.class_column
    values, gains = numbers or lot_numbers(problem)
    groups: dict[tuple[int, int], list[tuple[float, HoldingInput, float, float]]] = {}
    for h, c, value, gain in zip(problem.holdings, costs, values, gains, strict=True):
        i = rows.get(h.account_id)
        if i is not None:
            groups.setdefault((i, columns[h.asset_class]), []).append((c, h, value, gain))
    short, long_ = float(problem.tax.short_term), float(problem.tax.long_term)
    result = []
    for (i, j), lots in groups.items():
        if len(lots) > 1:
            lots.sort(key=lambda lot: -lot[0])  # stable: costliest first, then file order
        result.append(
            (
                i,
                j,
                [
                    (c, h, value, max(gain, 0.0), short if h.short_term else long_)
                    for c, h, value, gain in lots
                ],
            )
        )
    return result


def _sales(
    matrix: np.ndarray, groups: list[LotGroup]
) -> tuple[float, float, list[tuple[str, str, str, str, float, float, float]]]:
    """The cheapest way from today's lots to ``matrix``: keep the costliest-to-sell lots.

    Returns ``(horizon cost, tax now, [(account, lot, symbol, class, sold, tax, cost)])``.
    """
    cost_total = tax_total = 0.0
    sales = []
    for i, j, lots in groups:
        room = float(matrix[i, j])
        for c, h, held, gain, rate in lots:
            keep = min(held, max(room, 0.0))
            room -= keep
            sold = held - keep
            if sold <= 0.005:
                continue
            tax = gain / held * rate * sold if held > 0 else 0.0
            cost_total += c * sold
            tax_total += tax
            sales.append((h.account_id, h.lot_id, h.symbol, h.asset_class, sold, tax, c * sold))
    return cost_total, tax_total, sales
