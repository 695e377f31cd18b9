"""Why each class sits where it does: reduced costs, probes and the summary in words.

Split out of :mod:`location.engine` (behaviour unchanged).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from decimal import Decimal

import numpy as np

from location.inputs import LocationProblem, TargetBasis
from location.program import (
    LinearProgram,
)
from location.results import _TINY, Placement
from location.solvers import (
    Solution,
    forced_objective,
)


def _probe(
    program: LinearProgram,
    solution: Solution,
    j: int,
    size: float,
    solvers: Sequence[str],
) -> float:
    """Horizon dollars lost per dollar forced into column ``j``: re-solve with ``x >= size``.

    The right-hand derivative of the optimum, where a degenerate basis makes the reduced
    cost say 0. ``inf`` when no dollar fits there (another constraint forbids it).
    """
    forced = forced_objective(program, j, size, solvers)
    if math.isinf(forced):
        return math.inf
    return max((solution.objective - forced) / size, 0.0)


def _explain_cell(
    account_id: str,
    name: str,
    dollars: float,
    weight: float,
    loss: float | None,
    at_upper: bool,
    source: str | None,
    horizon: int,
) -> str:
    where = f"after tax by the horizon ({horizon} years)"
    if loss is None:
        return f"{name} is not on {account_id}'s menu."
    if dollars > 0:
        text = f"{account_id} holds ${dollars:,.2f} of {name} ({weight:.1%} of the account)."
        if at_upper and loss < -_TINY:
            text += (
                f" Its bound binds: each extra dollar of {name} allowed here would add "
                f"${-loss:.2f} {where}."
            )
        return text
    if math.isinf(loss):
        return f"{account_id} cannot hold any {name} without breaking a target or a bound."
    if source is None or source == account_id:
        if loss > _TINY:
            return f"Each dollar of {name} placed in {account_id} loses ${loss:.2f} {where}."
        return f"Placing {name} in {account_id} would cost nothing: an equally good placement."
    if loss > _TINY:
        return (
            f"Each dollar of {name} moved from {source} to {account_id} loses ${loss:.2f} {where}."
        )
    return (
        f"Moving {name} from {source} to {account_id} changes the after-tax value by less "
        f"than half a cent per dollar: an equally good placement."
    )


def _summary(
    problem: LocationProblem,
    recommended: Placement,
    ideal: Placement,
    naive_value: Decimal,
    naive_cost: Decimal,
) -> list[str]:
    years = problem.horizon_years
    lines = [
        f"The recommended placement is worth ${recommended.net_value:,} after tax in {years} "
        f"years (${recommended.after_tax_value:,} less ${recommended.transition_cost:,} of "
        f"transition tax valued at the horizon; ${recommended.tax_now:,} of tax paid now).",
        f"Every account holding the target mix would be worth ${naive_value - naive_cost:,} "
        f"(${naive_value:,} less ${naive_cost:,} of transition tax): the recommended "
        f"placement adds ${recommended.net_value - (naive_value - naive_cost):,}.",
    ]
    if not np.array_equal(ideal.cents, recommended.cents):
        lines.append(
            f"The ideal placement, ignoring today's lots, is worth ${ideal.after_tax_value:,} "
            f"before and ${ideal.net_value:,} after its transition tax "
            f"(${ideal.tax_now:,} paid now): moving all the way there is "
            + (
                "not worth its tax."
                if ideal.net_value <= recommended.net_value
                else "worth slightly more (within the solver's tolerance)."
            )
        )
    if problem.target_basis is TargetBasis.AFTERTAX:
        lines.append(
            "Targets are in after-tax dollars: a deferred dollar counts "
            f"{1 - float(problem.tax.withdrawal):.2f}."
        )
    return lines
