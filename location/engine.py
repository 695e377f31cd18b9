"""Asset location for one household: the ideal placement, the recommended one, and why.

The problem (see :mod:`location.program` for the linear program and
:mod:`location.growth` for ``g``): choose dollars ``x[a, k]`` of class ``k`` in
account ``a`` to maximise the household's after-tax value at the horizon,
``sum x[a, k] * g[k, t(a)]``, with every account fully placed (less its cash
reserve), every class at its target (within its tolerance), menus and bounds
respected.

:func:`locate` solves it twice:

* the **ideal** placement ignores what the household holds today;
* the **recommended** placement may keep current lots where they are: selling an
  appreciated lot in a taxable account costs its gain times the tax rate (per lot,
  cheapest sold first), and the objective nets that cost.

Both are reported with their after-tax value at the horizon, their transition cost
(horizon dollars of the tax paid today, and the tax itself), and against a naive
placement (every account holding the target mix) and a greedy one (the classes most
hurt by tax filled into the exempt, then the deferred accounts first).

Floats live only between :func:`locate`'s entry and its exit: the placements come
back in ``Decimal`` dollars, rounded to cents so that each account's cells add to its
value exactly and each class's cells add to the program's class total (the rounding
residue is spread over the largest fractional cents).

The jobs live in modules named for them: :mod:`location.results` (the records),
:mod:`location.checks` (input checks and the diagnosis of an infeasible problem),
:mod:`location.rounding` (cents that add up), :mod:`location.baselines` (naive and
greedy placements), :mod:`location.transition` (which lots to sell) and
:mod:`location.explanations` (why each class sits where it does); this module solves
and assembles.

Example: taxable $100k + IRA $100k, 50% stocks / 50% bonds, bonds taxed at 30% as
ordinary income: bonds grow ``1.028^10`` in taxable against ``1.04^10 * (1 - w)`` in the
IRA, stocks lose less to tax, so the program puts the $100k of bonds in the IRA.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import ROUND_HALF_EVEN, Decimal

import attrs
import numpy as np

from location.baselines import greedy_matrix, naive_matrix
from location.checks import _account_prechecks, _diagnose, check_problem
from location.errors import InfeasibleLocationError, SolverFailedError
from location.explanations import _explain_cell, _probe, _summary
from location.growth import growth_arrays
from location.inputs import LocationProblem, Treatment
from location.program import (
    Arrays,
    LinearProgram,
    arrays_of,
    build_program,
    lot_numbers,
    sale_costs,
    shape_of,
)
from location.results import _TINY, CENT, Cell, LocationResult, LotSale, Placement, _money
from location.rounding import _largest_remainder, reconcile
from location.solvers import (
    DEFAULT_SOLVERS,
    INFEASIBLE,
    OPTIMAL,
    Solution,
    solve,
)
from location.transition import LotGroup, _sales, lot_groups


def _solve_or_explain(
    problem: LocationProblem, program: LinearProgram, solvers: Sequence[str], explain: bool
) -> Solution:
    solution = solve(program, solvers, ranging=explain)
    if solution.status == INFEASIBLE:
        _diagnose(problem, program, solvers)
    if solution.status != OPTIMAL:
        raise SolverFailedError(
            f"the location program is {solution.status} ({solution.solver})",
            hint="check the expected returns and bounds",
        )
    return solution


@attrs.frozen(eq=False)
class _Household:
    """What both placements of one household share, made once per :func:`locate`."""

    problem: LocationProblem
    arrays: Arrays
    values: tuple[Decimal, ...]  # per account, to the cent
    reserves: tuple[Decimal, ...]  # per account, to the cent
    value_cents: np.ndarray
    placed_cents: np.ndarray  # value less reserve
    account_totals: Mapping[str, Decimal]
    groups: list[LotGroup]
    unscaled: bool  # every s[a] is 1


def _household(problem: LocationProblem, arrays: Arrays, groups: list[LotGroup]) -> _Household:
    values = tuple(_money(a.value) for a in problem.accounts)
    reserves = tuple(_money(a.reserve) for a in problem.accounts)
    value_cents = [int(v * 100) for v in values]
    reserve_cents = [int(r * 100) for r in reserves]
    return _Household(
        problem=problem,
        arrays=arrays,
        values=values,
        reserves=reserves,
        value_cents=np.array(value_cents, dtype=np.int64),
        placed_cents=np.array(value_cents, dtype=np.int64) - reserve_cents,
        account_totals={
            a.account_id: Decimal(c).scaleb(-2)
            for a, c in zip(problem.accounts, value_cents, strict=True)
        },
        groups=groups,
        unscaled=arrays.unscaled,
    )


def _placement(
    name: str,
    household: _Household,
    program: LinearProgram,
    solution: Solution,
    solvers: Sequence[str],
    explain: bool,
) -> Placement:
    problem, arrays = household.problem, household.arrays
    shape = arrays.shape
    usable = shape.usable
    matrix = np.where(usable, solution.values[np.maximum(shape.x_table, 0)], 0.0)
    cents = reconcile(matrix, usable, household.placed_cents)

    make_cells = _Cells(
        problem, program, solution, matrix, cents, household.value_cents, solvers, explain
    )

    classes = shape.class_names
    column_cents = cents.sum(axis=0).tolist()
    class_totals = {k: Decimal(c).scaleb(-2) for k, c in zip(classes, column_cents, strict=True)}
    if household.unscaled and sum(column_cents) < 10**15:
        # Every s[a] is 1: measured = cents / 100 exactly, which _money gives back as is.
        class_measured = class_totals
    else:
        measured = (cents * arrays.scale[:, None]).sum(axis=0) / 100
        class_measured = {k: _money(m) for k, m in zip(classes, measured.tolist(), strict=True)}
    value = _money(float((matrix * arrays.growth).sum()))
    cost, tax, sales = _sales(matrix, household.groups)
    transition_cost = _money(cost)
    return Placement(
        name=name,
        account_ids=shape.account_ids,
        class_names=classes,
        cents=cents,
        account_totals=household.account_totals,
        class_totals=class_totals,
        class_measured=class_measured,
        after_tax_value=value,
        transition_cost=transition_cost,
        tax_now=_money(tax),
        net_value=value - transition_cost,
        sales=tuple(
            LotSale(
                a,
                lot,
                symbol,
                k,
                Decimal(repr(sold)).quantize(CENT, ROUND_HALF_EVEN),  # _money, inlined
                Decimal(repr(t)).quantize(CENT, ROUND_HALF_EVEN),
                Decimal(repr(c)).quantize(CENT, ROUND_HALF_EVEN),
            )
            for a, lot, symbol, k, sold, t, c in sales
        ),
        solver=solution.solver,
        status=solution.status,
        make_cells=make_cells,
    )


class _Cells:
    """A placement's cells, made on first use: the explanations alone, or the records.

    ``locate`` needs only the sentences; the records (``Decimal`` dollars per cell) are
    made when :attr:`Placement.cells` is read.
    """

    def __init__(
        self,
        problem: LocationProblem,
        program: LinearProgram,
        solution: Solution,
        matrix: np.ndarray,
        cents: np.ndarray,
        value_cents: np.ndarray,
        solvers: Sequence[str],
        explain: bool,
    ) -> None:
        self._arguments = (problem, program, solution, matrix, cents, value_cents, solvers, explain)
        self._rows: list[tuple[str, str, int, bool, float | None, str]] | None = None

    def rows(self) -> list[tuple[str, str, int, bool, float | None, str]]:
        """Per cell: account, class, cents, offered, loss per dollar, explanation."""
        if self._rows is None:
            self._rows = _cell_rows(*self._arguments)
        return self._rows

    def texts(self) -> list[str]:
        """The explanations, cell by cell."""
        return [row[5] for row in self.rows()]

    def __call__(self) -> tuple[Cell, ...]:
        value_cents = self._arguments[5].tolist()
        n_classes = self._arguments[4].shape[1]
        account_values = [Decimal(c).scaleb(-2) for c in value_cents]
        return tuple(
            Cell(a, k, Decimal(whole).scaleb(-2), account_values[n // n_classes], on, loss, text)
            for n, (a, k, whole, on, loss, text) in enumerate(self.rows())
        )


def _cell_rows(
    problem: LocationProblem,
    program: LinearProgram,
    solution: Solution,
    matrix: np.ndarray,
    cents: np.ndarray,
    value_cents: np.ndarray,
    solvers: Sequence[str],
    explain: bool,
) -> list[tuple[str, str, int, bool, float | None, str]]:
    """The cells of a placement, with their loss per dollar and, if asked, explanations."""
    classes = [k.name for k in problem.classes]
    column = program.x_columns()
    usable = column >= 0
    reduced = np.where(usable, solution.reduced_costs[np.maximum(column, 0)], np.nan)
    largest: dict[str, str] = {}
    if explain:
        holder = matrix.argmax(axis=0)
        for j, k in enumerate(classes):
            if matrix[holder[j], j] > 0.005:
                largest[k] = problem.accounts[holder[j]].account_id
    probe_size = max(1.0, 1e-5 * float(cents.sum()) / 100)
    # Python lists: indexing numpy scalars cell by cell costs more than the rest.
    usable_rows, cents_rows = usable.tolist(), cents.tolist()
    reduced_rows, column_rows = reduced.tolist(), column.tolist()
    matrix_rows, values = matrix.tolist(), value_cents.tolist()
    loss_up = solution.loss_up.tolist() if solution.loss_up is not None else None
    upper = program.col_upper.tolist()
    rows = []
    for i, a in enumerate(problem.accounts):
        for j, k in enumerate(classes):
            whole = cents_rows[i][j]
            on_menu = usable_rows[i][j]
            loss = reduced_rows[i][j] if on_menu else None
            text = ""
            if explain:
                col = column_rows[i][j]
                if on_menu and whole == 0:
                    if loss_up is not None:
                        # exact where a degenerate basis makes the reduced cost say 0
                        loss = loss_up[col]
                    elif abs(loss) <= _TINY:  # type: ignore[arg-type]
                        loss = _probe(program, solution, col, probe_size, solvers)
                at_upper = on_menu and matrix_rows[i][j] >= upper[col] - 0.01
                held = whole / 100
                text = _explain_cell(
                    a.account_id,
                    k,
                    held,
                    held / (values[i] / 100) if values[i] else 0.0,
                    loss,
                    at_upper,
                    largest.get(k),
                    problem.horizon_years,
                )
            rows.append((a.account_id, k, whole, on_menu, loss, text))
    return rows


def locate(
    problem: LocationProblem,
    *,
    ignore_current: bool = False,
    solvers: Sequence[str] = DEFAULT_SOLVERS,
    explain: bool = True,
) -> LocationResult:
    """Solve a household's asset location: ideal and recommended placements, explained.

    Args:
        problem: accounts, classes with targets, tax rates, horizon, current lots.
        ignore_current: recommend the ideal placement (no transition costs).
        solvers: backends in order (``highs``, ``pulp-highs``, ``cbc``).
        explain: write the explanations (and measure the cells a degenerate basis
            prices at zero, one warm-started re-solve each); a sweep that only needs
            the dollars can turn it off.

    Returns:
        The :class:`LocationResult`.

    Raises:
        LocationInputError: inconsistent inputs.
        InfeasibleLocationError: targets that the menus and account sizes cannot meet;
            the message names the constraint that cannot hold.
        SolverFailedError: no solver could answer.
    """
    fields = check_problem(problem)
    horizon = problem.horizon_years
    class_growth, annual = growth_arrays(
        fields, problem.tax, horizon, tax_unrealized_at_horizon=problem.tax_unrealized_at_horizon
    )
    names = [k.name for k in problem.classes]
    taxable_growth = {
        name: float((1 + a) ** horizon) for name, a in zip(names, annual.tolist(), strict=True)
    }
    arrays = arrays_of(problem, shape_of(problem), class_growth, fields)
    numbers = lot_numbers(problem)
    costs = sale_costs(problem, taxable_growth, numbers)
    groups = lot_groups(problem, costs, numbers, arrays.shape)
    taxable_ids = {a.account_id for a in problem.accounts if a.treatment is Treatment.TAXABLE}
    has_costs = any(h.gain > 0 and h.account_id in taxable_ids for h in problem.holdings)
    transition = has_costs and not ignore_current
    prechecks = _account_prechecks(problem, arrays)
    if prechecks:
        raise InfeasibleLocationError(
            "infeasible household: " + "; ".join(prechecks),
            constraints=tuple(prechecks),
            hint="add classes to the menu or loosen the bounds",
        )
    household = _household(problem, arrays, groups)
    ideal_program = build_program(problem, {}, arrays=arrays)
    ideal_solution = _solve_or_explain(problem, ideal_program, solvers, explain and not transition)
    ideal = _placement(
        "ideal",
        household,
        ideal_program,
        ideal_solution,
        solvers,
        explain and not transition,  # the ideal is explained when it is the recommendation
    )
    if ignore_current:
        recommended = attrs.evolve(
            ideal,
            name="recommended",
            transition_cost=Decimal("0.00"),
            tax_now=Decimal("0.00"),
            net_value=ideal.after_tax_value,
            sales=(),
        )
    elif not has_costs:
        recommended = attrs.evolve(ideal, name="recommended")
    else:
        program = build_program(
            problem,
            {},
            taxable_growth=taxable_growth,
            use_holdings=True,
            arrays=arrays,
            costs=costs,
        )
        solution = _solve_or_explain(problem, program, solvers, explain)
        recommended = _placement("recommended", household, program, solution, solvers, explain)
    naive = naive_matrix(problem, arrays)
    naive_cost = _sales(naive, groups)[0] if not ignore_current else 0.0
    greedy = greedy_matrix(problem, arrays)
    if household.unscaled:  # the same total, from the cents at hand
        total_cents = int(household.placed_cents.sum())
        measured_total = float(Decimal(total_cents).scaleb(-2))
    else:
        measured = sum(
            Decimal(repr(scale)) * (value - reserve)
            for scale, value, reserve in zip(
                arrays.scale.tolist(), household.values, household.reserves, strict=True
            )
        )
        total_cents, measured_total = int(_money(measured) * 100), float(measured)
    class_targets = dict(
        zip(
            names,
            [
                Decimal(c).scaleb(-2)
                for c in _largest_remainder(
                    [target * measured_total for target in arrays.target.tolist()], total_cents
                )
            ],
            strict=True,
        )
    )
    naive_value = _money(float((naive * arrays.growth).sum()))
    explanations = []
    if explain:
        explanations = _summary(problem, recommended, ideal, naive_value, _money(naive_cost))
        explanations += recommended.explanation_lines()
    # per class: taxable, deferred, exempt (the shape has the keys in that order)
    growth = dict(zip(arrays.shape.growth_keys, class_growth.T.ravel().tolist(), strict=True))
    return LocationResult(
        recommended=recommended,
        ideal=ideal,
        naive_value=naive_value,
        naive_transition_cost=_money(naive_cost),
        greedy_value=_money(float((greedy * arrays.growth).sum())),
        class_targets=class_targets,
        growth=growth,
        reserves=dict(zip(arrays.shape.account_ids, household.reserves, strict=True)),
        explanations=tuple(explanations),
        ignore_current=ignore_current,
        horizon_years=horizon,
    )
