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

Example: taxable $100k + IRA $100k, 50% stocks / 50% bonds, bonds taxed at 30% as
ordinary income: bonds grow ``1.028^10`` in taxable against ``1.04^10 * (1 - w)`` in the
IRA, stocks lose less to tax, so the program puts the $100k of bonds in the IRA.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Mapping, Sequence
from decimal import ROUND_HALF_EVEN, Decimal

import attrs
import numpy as np

from location.errors import InfeasibleLocationError, LocationInputError, SolverFailedError
from location.growth import class_fields, growth_arrays, growth_table
from location.inputs import HoldingInput, LocationProblem, TargetBasis, Treatment
from location.program import (
    Arrays,
    LinearProgram,
    Shape,
    arrays_of,
    build_program,
    lot_numbers,
    problem_arrays,
    sale_costs,
    shape_of,
)
from location.solvers import (
    DEFAULT_SOLVERS,
    INFEASIBLE,
    OPTIMAL,
    Solution,
    forced_objective,
    solve,
)

CENT = Decimal("0.01")
TAXABLE = Treatment.TAXABLE
TARGET_SUM_TOLERANCE = 1e-6
_TINY = 0.005  # below half a cent per dollar, a reduced cost is a tie


def _money(value: Decimal | float) -> Decimal:
    if isinstance(value, float):
        value = Decimal(repr(value))
    return value.quantize(CENT, ROUND_HALF_EVEN)


def _dollars(value: float) -> str:
    return f"${value:,.2f}"


@attrs.frozen
class Cell:
    """One account and class of a placement.

    Attributes:
        account_id: the account.
        asset_class: the class.
        dollars: the dollars placed, to the cent.
        account_value: the account's value (reserve included), to the cent.
        offered: whether the account's menu has the class.
        loss_per_dollar: horizon dollars lost per dollar forced into this cell (the
            reduced cost; 0 where the cell is used, negative where a bound binds).
        explanation: the cell in words.
    """

    account_id: str
    asset_class: str
    dollars: Decimal
    account_value: Decimal
    offered: bool
    loss_per_dollar: float | None
    explanation: str

    @property
    def weight(self) -> Decimal:
        """``dollars / account value`` (0 for an empty account)."""
        return self.dollars / self.account_value if self.account_value else Decimal(0)


@attrs.frozen
class LotSale:
    """A current lot the placement sells (part of it, or all)."""

    account_id: str
    lot_id: str
    symbol: str
    asset_class: str
    dollars_sold: Decimal
    tax_now: Decimal
    horizon_cost: Decimal


@attrs.frozen(slots=False)
class Placement:
    """One placement and what it is worth.

    Attributes:
        name: ``ideal``, ``recommended``.
        cents: whole cents per account (rows, input order) and class (columns).
        cells: every account x class as :class:`Cell`, accounts then classes in input
            order (made on first use: a sweep that reads only the totals never pays).
        account_totals: placed dollars plus reserve, per account (= the account value).
        class_totals: dollars per class.
        class_measured: per class, the dollars measured as the targets are
            (after-tax targets: deferred dollars x (1 - withdrawal)).
        after_tax_value: ``sum x * g`` at the horizon (reserves not included).
        transition_cost: horizon value of the tax paid to get here from today's lots.
        tax_now: that tax, in today's dollars.
        net_value: ``after_tax_value - transition_cost``.
        sales: lots sold to get here (taxable accounts, with a gain).
        solver: the backend that solved it; ``status``: its status.
    """

    name: str
    account_ids: tuple[str, ...]
    class_names: tuple[str, ...]
    cents: np.ndarray = attrs.field(eq=False, repr=False)
    account_totals: Mapping[str, Decimal]
    class_totals: Mapping[str, Decimal]
    class_measured: Mapping[str, Decimal]
    after_tax_value: Decimal
    transition_cost: Decimal
    tax_now: Decimal
    net_value: Decimal
    sales: tuple[LotSale, ...]
    solver: str
    status: str
    make_cells: Callable[[], tuple[Cell, ...]] = attrs.field(eq=False, repr=False)

    @functools.cached_property
    def cells(self) -> tuple[Cell, ...]:
        """Every account x class, with the reduced cost and the explanation."""
        return self.make_cells()

    def explanation_lines(self) -> list[str]:
        """The cells' explanations, in :attr:`cells` order (without making the records)."""
        texts = getattr(self.make_cells, "texts", None)
        if texts is None or "cells" in self.__dict__:
            return [c.explanation for c in self.cells]
        result: list[str] = texts()
        return result

    def dollars(self, account_id: str, asset_class: str) -> Decimal:
        """The dollars of one cell."""
        i = self.account_ids.index(account_id)
        j = self.class_names.index(asset_class)
        return Decimal(int(self.cents[i, j])).scaleb(-2)


@attrs.frozen
class LocationResult:
    """The answer of :func:`locate`.

    Attributes:
        recommended: the transition-aware placement (the ideal one with ``ignore_current``).
        ideal: the placement ignoring today's lots.
        naive_value / naive_transition_cost: every account holding the target mix (on
            a menu that lacks a class, the mix of the classes it has).
        greedy_value: the tax-efficiency-ranking fill (see :func:`greedy_placement`).
        class_targets: per class, the target in the targets' measure (dollars).
        growth: ``g[k, t]`` per class and treatment value.
        reserves: per account, the cash reserve (not placed).
        explanations: the answer in words, summary first.
        ignore_current: whether current lots were ignored.
        horizon_years: the horizon.
    """

    recommended: Placement
    ideal: Placement
    naive_value: Decimal
    naive_transition_cost: Decimal
    greedy_value: Decimal
    class_targets: Mapping[str, Decimal]
    growth: Mapping[tuple[str, str], float]
    reserves: Mapping[str, Decimal]
    explanations: tuple[str, ...]
    ignore_current: bool
    horizon_years: int

    @property
    def solver(self) -> str:
        """The backend that solved the recommended placement."""
        return self.recommended.solver

    @property
    def status(self) -> str:
        """The solver status of the recommended placement."""
        return self.recommended.status


# --- checks ---------------------------------------------------------------


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


# --- rounding -------------------------------------------------------------


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


# --- baselines ------------------------------------------------------------


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


# --- the engine -----------------------------------------------------------


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
