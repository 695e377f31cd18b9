"""Checks of a location problem before the solve, and the diagnosis of an infeasible one.

Split out of :mod:`location.engine` (behaviour unchanged).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import attrs
import numpy as np

from location.errors import InfeasibleLocationError, LocationInputError
from location.growth import class_fields
from location.inputs import LocationProblem
from location.program import (
    Arrays,
    LinearProgram,
)
from location.results import TARGET_SUM_TOLERANCE, _dollars
from location.solvers import (
    OPTIMAL,
    solve,
)


def check_problem(problem: LocationProblem) -> np.ndarray:
    """Reject inconsistent inputs before any solve.

    Returns:
        The classes' numbers as floats (:func:`location.growth.class_fields`).

    Raises:
        LocationInputError: naming the account, class or lot.
    """
    names = {k.name for k in problem.classes}
    if not names:
        raise LocationInputError("no asset classes")
    if len(names) != len(problem.classes):
        raise LocationInputError("asset class names repeat")
    ids = {a.account_id for a in problem.accounts}
    if not ids:
        raise LocationInputError("no accounts")
    if len(ids) != len(problem.accounts):
        raise LocationInputError("account ids repeat")
    fields = class_fields(problem.classes)
    targets, tolerances = fields[:, 6].tolist(), fields[:, 7].tolist()
    total = math.fsum(targets)
    if abs(total - 1) > TARGET_SUM_TOLERANCE:
        raise LocationInputError(f"targets sum to {total:.9f}, not 1")
    for k, target, tolerance in zip(problem.classes, targets, tolerances, strict=True):
        if target < 0 or tolerance < 0:
            raise LocationInputError(f"{k.name}: target and tolerance must not be negative")
    if problem.horizon_years < 1:
        raise LocationInputError("the horizon must be at least one year")
    for a in problem.accounts:
        if a.value < 0:
            raise LocationInputError(f"account {a.account_id}: value {a.value} is negative")
        if a.reserve < 0 or a.reserve > a.value:
            raise LocationInputError(
                f"account {a.account_id}: cash reserve {a.reserve} is not within its "
                f"value {a.value}",
                hint="lower the reserve or add cash",
            )
        for name in a.limits:
            if name not in names:
                raise LocationInputError(f"account {a.account_id}: bound on unknown class {name}")
    for h in problem.holdings:
        if h.account_id not in ids:
            raise LocationInputError(f"lot {h.lot_id}: unknown account {h.account_id}")
        if h.asset_class not in names:
            raise LocationInputError(f"lot {h.lot_id}: unknown asset class {h.asset_class}")
    return fields


def _account_prechecks(problem: LocationProblem, arrays: Arrays) -> list[str]:
    """Accounts that cannot be placed whatever the targets, in words."""
    if not arrays.bounded and min(arrays.shape.offered) > 0:
        return []  # no bounds, and every menu offers a class: every account can be placed
    placeable = arrays.placeable
    low = np.where(arrays.usable, arrays.lower, 0.0).sum(axis=1)
    high = np.where(arrays.usable, np.minimum(arrays.upper, placeable[:, None]), 0.0).sum(axis=1)
    problems = []
    for i in np.flatnonzero((high < placeable - 0.005) | (low > placeable + 0.005)):
        a = problem.accounts[i]
        offered = [k.name for j, k in enumerate(problem.classes) if arrays.usable[i, j]]
        if not offered:
            problems.append(
                f"account {a.account_id} has {_dollars(placeable[i])} to place but its menu "
                "holds none of the household's asset classes"
            )
        elif high[i] < placeable[i] - 0.005:
            problems.append(
                f"account {a.account_id} has {_dollars(placeable[i])} to place but its menu "
                f"({', '.join(offered)}) and bounds let it hold only {_dollars(high[i])}"
            )
        else:
            problems.append(
                f"account {a.account_id}'s minimum bounds add to {_dollars(low[i])}, more "
                f"than the {_dollars(placeable[i])} it has to place"
            )
    return problems


def _diagnose(problem: LocationProblem, program: LinearProgram, solvers: Sequence[str]) -> None:
    """Find, with slack on the class targets, which targets cannot hold; raise in words."""
    n_rows, n_cols = program.shape
    class_rows = [i for i, r in enumerate(program.rows) if r.kind == "class"]
    extra = len(class_rows) * 2
    start = list(program.start)
    index = list(program.index)
    value = list(program.value)
    for i in class_rows:
        for sign in (1.0, -1.0):  # +under, -over
            index.append(i)
            value.append(sign)
            start.append(len(index))
    elastic = attrs.evolve(
        program,
        col_account=np.concatenate([program.col_account, np.zeros(extra, dtype=np.int64)]),
        col_class=np.concatenate([program.col_class, np.zeros(extra, dtype=np.int64)]),
        col_lot=np.concatenate([program.col_lot, np.full(extra, -2, dtype=np.int64)]),
        cost=np.concatenate([np.zeros(n_cols), -np.ones(extra)]),
        col_lower=np.concatenate([program.col_lower, np.zeros(extra)]),
        col_upper=np.concatenate([program.col_upper, np.full(extra, np.inf)]),
        start=np.array(start, dtype=np.int32),
        index=np.array(index, dtype=np.int32),
        value=np.array(value),
        constant=0.0,
    )
    solution = solve(elastic, solvers)
    reasons = []
    if solution.status == OPTIMAL:
        slacks = solution.values[n_cols:]
        for position, i in enumerate(class_rows):
            k = problem.classes[i]
            under, over = slacks[2 * position], slacks[2 * position + 1]
            offering = [a.account_id for a in problem.accounts if a.offers(k.name)]
            band = (
                f"{float(k.target):.2%} ± {float(k.tolerance):.2%}"
                if float(k.tolerance)
                else f"{float(k.target):.2%}"
            )
            if under > 0.005:
                need = program.row_lower[i]
                reasons.append(
                    f"the {k.name} target ({band}, {_dollars(need)}) cannot be met: the "
                    f"accounts that offer it ({', '.join(offering) or 'none'}) can hold at most "
                    f"{_dollars(need - under)} of it alongside the other targets"
                )
            if over > 0.005:
                cap = program.row_upper[i]
                reasons.append(
                    f"the {k.name} target ({band}, {_dollars(cap)}) cannot be kept: the "
                    f"accounts' menus and bounds force at least {_dollars(cap + over)} into it"
                )
    if not reasons:
        reasons.append("the targets, menus, bounds and account sizes cannot all hold")
    raise InfeasibleLocationError(
        "infeasible household: " + "; ".join(reasons),
        constraints=tuple(reasons),
        hint="widen a tolerance, change a target, or add the class to a menu",
    )
