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
from location.growth import growth_table, taxable_annual_rate
from location.inputs import HoldingInput, LocationProblem, TargetBasis, Treatment
from location.program import (
    Arrays,
    LinearProgram,
    build_program,
    problem_arrays,
    sale_cost,
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
TARGET_SUM_TOLERANCE = 1e-6
_TINY = 0.005  # below half a cent per dollar, a reduced cost is a tie


def _money(value: Decimal | float) -> Decimal:
    if isinstance(value, float):
        value = Decimal(repr(value))
    return value.quantize(CENT, rounding=ROUND_HALF_EVEN)


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


def check_problem(problem: LocationProblem) -> None:
    """Reject inconsistent inputs before any solve.

    Raises:
        LocationInputError: naming the account, class or lot.
    """
    names = [k.name for k in problem.classes]
    if not names:
        raise LocationInputError("no asset classes")
    if len(set(names)) != len(names):
        raise LocationInputError("asset class names repeat")
    ids = [a.account_id for a in problem.accounts]
    if not ids:
        raise LocationInputError("no accounts")
    if len(set(ids)) != len(ids):
        raise LocationInputError("account ids repeat")
    total = math.fsum(float(k.target) for k in problem.classes)
    if abs(total - 1) > TARGET_SUM_TOLERANCE:
        raise LocationInputError(f"targets sum to {total:.9f}, not 1")
    for k in problem.classes:
        if float(k.target) < 0 or float(k.tolerance) < 0:
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


def _account_prechecks(problem: LocationProblem, arrays: Arrays) -> list[str]:
    """Accounts that cannot be placed whatever the targets, in words."""
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
    cents = [math.floor(s) for s in scaled]
    short = total_cents - sum(cents)
    order = sorted(range(len(values)), key=lambda i: scaled[i] - cents[i], reverse=True)
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
    column_target = np.array(
        _largest_remainder(list(values.sum(axis=0)), int(account_cents.sum())), dtype=np.int64
    )
    column_gap = column_target - cents.sum(axis=0)
    for a in range(values.shape[0]):
        gap = int(account_cents[a] - cents[a].sum())
        cells = np.flatnonzero(usable[a])
        assert cells.size or gap == 0, "an account with dollars and no usable cell"
        while gap:
            step = 1 if gap > 0 else -1
            candidates = cells if step > 0 else cells[cents[a, cells] > 0]
            key = column_gap[candidates] * step * 1e15 + (values[a, candidates] > 0) * 1e14
            best = int(candidates[np.argmax(key + values[a, candidates])])
            amount = step * max(1, min(abs(gap), abs(int(column_gap[best]))))
            if step < 0:
                amount = max(amount, -int(cents[a, best]))
            cents[a, best] += amount
            column_gap[best] -= amount
            gap -= amount
    for _ in range(4 * values.size):
        long_ = np.flatnonzero(column_gap < 0)
        short = np.flatnonzero(column_gap > 0)
        if not long_.size or not short.size:
            break
        moved = False
        for k_long in long_:
            for k_short in short:
                rows = np.flatnonzero((cents[:, k_long] > 0) & (values[:, k_short] > 0))
                if rows.size:
                    a = int(rows[0])
                    amount = int(min(-column_gap[k_long], column_gap[k_short], cents[a, k_long]))
                    cents[a, k_long] -= amount
                    cents[a, k_short] += amount
                    column_gap[k_long] += amount
                    column_gap[k_short] -= amount
                    moved = True
                    break
            if moved:
                break
        if not moved:
            break
    result: np.ndarray = cents
    return result


# --- baselines ------------------------------------------------------------


def naive_matrix(problem: LocationProblem, arrays: Arrays) -> np.ndarray:
    """Every account holds the target mix (renormalised over the classes on its menu)."""
    weights = np.where(arrays.usable, arrays.target[None, :], 0.0)
    totals = weights.sum(axis=1, keepdims=True)
    counts = arrays.usable.sum(axis=1, keepdims=True)
    equal = np.where(arrays.usable, 1.0 / np.maximum(counts, 1), 0.0)
    share = np.where(totals > 0, weights / np.where(totals > 0, totals, 1.0), equal)
    result: np.ndarray = arrays.placeable[:, None] * share
    return result


def greedy_matrix(
    problem: LocationProblem, arrays: Arrays, growth: Mapping[tuple[str, Treatment], float]
) -> np.ndarray:
    """The rule of thumb: shelter the classes that tax hurts most, best shelter first.

    Classes are ranked by how much tax costs them in a taxable account,
    ``g[k, exempt] - g[k, taxable]``; the exempt accounts are filled first with the
    highest-ranked classes, then the deferred, and what is left goes to taxable. Menus
    and bounds are ignored (it is a baseline for households without them); class totals
    meet the targets as the targets are measured (after-tax: deferred dollars count
    ``1 - withdrawal``), so it is feasible wherever the program has no menus or bounds.
    """
    remaining = arrays.target * float(arrays.scale @ arrays.placeable)
    ranked = sorted(
        range(len(problem.classes)),
        key=lambda j: (
            growth[(problem.classes[j].name, Treatment.EXEMPT)]
            - growth[(problem.classes[j].name, Treatment.TAXABLE)]
        ),
        reverse=True,
    )
    order = {Treatment.EXEMPT: 0, Treatment.DEFERRED: 1, Treatment.TAXABLE: 2}
    matrix = np.zeros_like(arrays.growth)
    for i in sorted(
        range(len(problem.accounts)), key=lambda i: order[problem.accounts[i].treatment]
    ):
        scale = arrays.scale[i]
        room = scale * arrays.placeable[i]  # measured dollars
        for j in ranked:
            take = min(room, remaining[j])
            if take > 0:
                matrix[i, j] = take / scale
                remaining[j] -= take
                room -= take
    return matrix


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
    return _as_dict(problem, greedy_matrix(problem, problem_arrays(problem, growth), growth))


def placement_value(
    values: Mapping[tuple[str, str], float],
    problem: LocationProblem,
    growth: Mapping[tuple[str, Treatment], float],
) -> float:
    """``sum x[a, k] * g[k, t(a)]``."""
    return float((_as_matrix(problem, values) * problem_arrays(problem, growth).growth).sum())


def _sales(
    matrix: np.ndarray,
    problem: LocationProblem,
    taxable_growth: Mapping[str, float],
) -> tuple[float, float, list[tuple[str, str, str, str, float, float, float]]]:
    """The cheapest way from today's lots to ``matrix``: keep the costliest-to-sell lots.

    Returns ``(horizon cost, tax now, [(account, lot, symbol, class, sold, tax, cost)])``.
    """
    if not problem.holdings:
        return 0.0, 0.0, []
    rows = {a.account_id: i for i, a in enumerate(problem.accounts)}
    columns = {k.name: j for j, k in enumerate(problem.classes)}
    groups: dict[tuple[int, int], list[HoldingInput]] = {}
    for h in problem.holdings:
        i = rows[h.account_id]
        if problem.accounts[i].treatment is Treatment.TAXABLE:
            groups.setdefault((i, columns[h.asset_class]), []).append(h)
    cost_total = tax_total = 0.0
    sales = []
    for (i, j), lots in groups.items():
        room = float(matrix[i, j])
        costs = [sale_cost(h, problem, taxable_growth) for h in lots]
        for c, h in sorted(zip(costs, lots, strict=True), key=lambda pair: -pair[0]):
            held = float(h.value)
            keep = min(held, max(room, 0.0))
            room -= keep
            sold = held - keep
            if sold <= 0.005:
                continue
            rate = float(problem.tax.short_term if h.short_term else problem.tax.long_term)
            tax = max(float(h.gain), 0.0) / held * rate * sold if held > 0 else 0.0
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


def _placement(
    name: str,
    problem: LocationProblem,
    program: LinearProgram,
    solution: Solution,
    arrays: Arrays,
    taxable_growth: Mapping[str, float],
    solvers: Sequence[str],
    explain: bool,
) -> Placement:
    classes = [k.name for k in problem.classes]
    column = program.x_columns()
    usable = column >= 0
    safe = np.maximum(column, 0)
    matrix = np.where(usable, solution.values[safe], 0.0)
    reserve_cents = np.array([int(_money(a.reserve) * 100) for a in problem.accounts])
    value_cents = np.array([int(_money(a.value) * 100) for a in problem.accounts])
    cents = reconcile(matrix, usable, value_cents - reserve_cents)

    def make_cells() -> tuple[Cell, ...]:
        return _cells(problem, program, solution, matrix, cents, value_cents, solvers, explain)

    account_totals = {
        a.account_id: Decimal(int(value_cents[i])).scaleb(-2)
        for i, a in enumerate(problem.accounts)
    }
    column_cents = cents.sum(axis=0)
    class_totals = {k: Decimal(int(column_cents[j])).scaleb(-2) for j, k in enumerate(classes)}
    measured = (cents * arrays.scale[:, None]).sum(axis=0) / 100
    class_measured = {k: _money(float(measured[j])) for j, k in enumerate(classes)}
    value = float((matrix * arrays.growth).sum())
    cost, tax, sales = _sales(matrix, problem, taxable_growth)
    return Placement(
        name=name,
        account_ids=tuple(a.account_id for a in problem.accounts),
        class_names=tuple(classes),
        cents=cents,
        account_totals=account_totals,
        class_totals=class_totals,
        class_measured=class_measured,
        after_tax_value=_money(value),
        transition_cost=_money(cost),
        tax_now=_money(tax),
        net_value=_money(value) - _money(cost),
        sales=tuple(
            LotSale(a, lot, symbol, k, _money(sold), _money(t), _money(c))
            for a, lot, symbol, k, sold, t, c in sales
        ),
        solver=solution.solver,
        status=solution.status,
        make_cells=make_cells,
    )


def _cells(
    problem: LocationProblem,
    program: LinearProgram,
    solution: Solution,
    matrix: np.ndarray,
    cents: np.ndarray,
    value_cents: np.ndarray,
    solvers: Sequence[str],
    explain: bool,
) -> tuple[Cell, ...]:
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
    cells = []
    for i, a in enumerate(problem.accounts):
        account_value = Decimal(values[i]).scaleb(-2)
        for j, k in enumerate(classes):
            whole = cents_rows[i][j]
            on_menu = usable_rows[i][j]
            dollars = Decimal(whole).scaleb(-2)
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
            cells.append(
                Cell(
                    account_id=a.account_id,
                    asset_class=k,
                    dollars=dollars,
                    account_value=account_value,
                    offered=on_menu,
                    loss_per_dollar=loss,
                    explanation=text,
                )
            )
    return tuple(cells)


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
    check_problem(problem)
    growth = growth_table(
        problem.classes,
        problem.tax,
        problem.horizon_years,
        tax_unrealized_at_horizon=problem.tax_unrealized_at_horizon,
    )
    taxable_growth = {
        k.name: float((1 + taxable_annual_rate(k, problem.tax)) ** problem.horizon_years)
        for k in problem.classes
    }
    treatment = {a.account_id: a.treatment for a in problem.accounts}
    has_costs = any(
        treatment[h.account_id] is Treatment.TAXABLE and h.gain > 0 for h in problem.holdings
    )
    transition = has_costs and not ignore_current
    arrays = problem_arrays(problem, growth)
    prechecks = _account_prechecks(problem, arrays)
    if prechecks:
        raise InfeasibleLocationError(
            "infeasible household: " + "; ".join(prechecks),
            constraints=tuple(prechecks),
            hint="add classes to the menu or loosen the bounds",
        )
    ideal_program = build_program(problem, growth, arrays=arrays)
    ideal_solution = _solve_or_explain(problem, ideal_program, solvers, explain and not transition)
    ideal = _placement(
        "ideal",
        problem,
        ideal_program,
        ideal_solution,
        arrays,
        taxable_growth,
        solvers,
        explain and not transition,  # the ideal is explained when it is the recommendation
    )
    if ignore_current or not has_costs:
        recommended = attrs.evolve(ideal, name="recommended")
        if ignore_current:
            recommended = attrs.evolve(
                recommended,
                transition_cost=Decimal("0.00"),
                tax_now=Decimal("0.00"),
                net_value=recommended.after_tax_value,
                sales=(),
            )
    else:
        program = build_program(
            problem, growth, taxable_growth=taxable_growth, use_holdings=True, arrays=arrays
        )
        solution = _solve_or_explain(problem, program, solvers, explain)
        recommended = _placement(
            "recommended", problem, program, solution, arrays, taxable_growth, solvers, explain
        )
    naive = naive_matrix(problem, arrays)
    naive_cost = _sales(naive, problem, taxable_growth)[0] if not ignore_current else 0.0
    greedy = greedy_matrix(problem, arrays, growth)
    measured_total = sum(
        Decimal(repr(float(scale))) * (_money(a.value) - _money(a.reserve))
        for scale, a in zip(arrays.scale, problem.accounts, strict=True)
    )
    class_targets = dict(
        zip(
            [k.name for k in problem.classes],
            [
                Decimal(c).scaleb(-2)
                for c in _largest_remainder(
                    [float(k.target) * float(measured_total) for k in problem.classes],
                    int(_money(measured_total) * 100),
                )
            ],
            strict=True,
        )
    )
    naive_value = _money(float((naive * arrays.growth).sum()))
    explanations = []
    if explain:
        explanations = _summary(problem, recommended, ideal, naive_value, _money(naive_cost))
        explanations += [c.explanation for c in recommended.cells]
    return LocationResult(
        recommended=recommended,
        ideal=ideal,
        naive_value=naive_value,
        naive_transition_cost=_money(naive_cost),
        greedy_value=_money(float((greedy * arrays.growth).sum())),
        class_targets=class_targets,
        growth={(k, t.value): g for (k, t), g in growth.items()},
        reserves={a.account_id: _money(a.reserve) for a in problem.accounts},
        explanations=tuple(explanations),
        ignore_current=ignore_current,
        horizon_years=problem.horizon_years,
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
