"""The naive and greedy placements the result is compared with, and placement values.

Split out of :mod:`location.engine` (behaviour unchanged).
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from location.growth import growth_table
from location.inputs import LocationProblem, Treatment
from location.program import (
    Arrays,
    problem_arrays,
)


def naive_matrix(problem: LocationProblem, arrays: Arrays) -> np.ndarray:
    """Every account holds the target mix (renormalised over the classes on its menu)."""
    weights = np.where(arrays.usable, arrays.target[None, :], 0.0)
    totals = weights.sum(axis=1, keepdims=True)
    positive = totals > 0
    if positive.all():
        share = weights / totals
    else:  # a menu with no targeted class: equal parts of what it offers
        share = np.where(positive, weights / np.where(positive, totals, 1.0), arrays.shape.equal)
    result: np.ndarray = arrays.placeable[:, None] * share
    return result


def greedy_matrix(problem: LocationProblem, arrays: Arrays) -> np.ndarray:
    """The rule of thumb: shelter the classes that tax hurts most, best shelter first.

    Classes are ranked by how much tax costs them in a taxable account,
    ``g[k, exempt] - g[k, taxable]``; the exempt accounts are filled first with the
    highest-ranked classes, then the deferred, and what is left goes to taxable. Menus
    and bounds are ignored (it is a baseline for households without them); class totals
    meet the targets as the targets are measured (after-tax: deferred dollars count
    ``1 - withdrawal``), so it is feasible wherever the program has no menus or bounds.
    """
    remaining = (arrays.target * arrays.total).tolist()
    taxable, _, exempt = arrays.class_growth.tolist()
    hurt = [e - t for e, t in zip(exempt, taxable, strict=True)]
    ranked = sorted(range(len(hurt)), key=hurt.__getitem__, reverse=True)
    scales, placeable = arrays.scale.tolist(), arrays.placeable.tolist()
    rows = [[0.0] * len(hurt) for _ in scales]
    for i in arrays.shape.fill_order:  # exempt accounts first, then deferred, then taxable
        scale, row = scales[i], rows[i]
        room = scale * placeable[i]  # measured dollars
        for j in ranked:
            if room <= 0:
                break  # nothing more to take
            left = remaining[j]
            take = room if room <= left else left  # min(room, left), without the call
            if take > 0:
                row[j] = take / scale
                remaining[j] -= take
                room -= take
    return np.array(rows).reshape(arrays.growth.shape)


def _as_dict(problem: LocationProblem, matrix: np.ndarray) -> dict[tuple[str, str], float]:
    return {
        (problem.accounts[i].account_id, problem.classes[j].name): float(matrix[i, j])
        for i, j in zip(*np.nonzero(matrix), strict=True)
    }


def _as_matrix(problem: LocationProblem, values: Mapping[tuple[str, str], float]) -> np.ndarray:
    rows = {a.account_id: i for i, a in enumerate(problem.accounts)}
    columns = {k.name: j for j, k in enumerate(problem.classes)}
    matrix = np.zeros((len(rows), len(columns)))
    for (a, k), v in values.items():
        matrix[rows[a], columns[k]] = v
    return matrix


def naive_values(problem: LocationProblem) -> dict[tuple[str, str], float]:
    """:func:`naive_matrix` by ``(account, class)``."""
    growth = growth_table(problem.classes, problem.tax, problem.horizon_years)
    return _as_dict(problem, naive_matrix(problem, problem_arrays(problem, growth)))


def greedy_placement(
    problem: LocationProblem, growth: Mapping[tuple[str, Treatment], float]
) -> dict[tuple[str, str], float]:
    """:func:`greedy_matrix` by ``(account, class)``."""
    return _as_dict(problem, greedy_matrix(problem, problem_arrays(problem, growth)))


def placement_value(
    values: Mapping[tuple[str, str], float],
    problem: LocationProblem,
    growth: Mapping[tuple[str, Treatment], float],
) -> float:
    """``sum x[a, k] * g[k, t(a)]``."""
    return float((_as_matrix(problem, values) * problem_arrays(problem, growth).growth).sum())
