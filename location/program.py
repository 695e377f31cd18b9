"""The asset-location linear program, in matrix form.

Variables (columns), in dollars today:

* ``x[a, k]`` for every account ``a`` and class ``k`` on its menu, with bounds
  ``[min_dollars, max_dollars]`` (``[0, inf)`` when not given); objective ``g[k, t(a)]``.
* ``keep[l]`` for every current lot ``l`` in a taxable account (transition-aware
  mode only), in ``[0, V[l]]`` (``[0, 0]`` when the account's menu no longer has the
  lot's class); objective ``c[l]``, the horizon value of the tax that keeping a
  dollar of the lot avoids. The program's objective adds the constant
  ``-sum c[l] * V[l]``: selling everything is charged, keeping refunds.

Constraints (rows):

* account ``a`` fully placed: ``sum_k x[a, k] = P[a]`` (value less cash reserve);
* class ``k`` at target: ``(w[k] - tol[k]) * S <= sum_a s[a] * x[a, k] <= (w[k] + tol[k]) * S``
  with ``s[a] = 1``, or ``1 - withdrawal`` for deferred accounts when targets are
  after-tax, and ``S = sum_a s[a] * P[a]``;
* a lot is kept only where its class stays: ``sum_{l in (a, k)} keep[l] <= x[a, k]``.

Cost of selling a lot: with gain fraction ``f = max(gain, 0) / V``, tax rate today
``t_now`` (short- or long-term), the taxable growth ``F = (1 + a_k)^H`` that the tax
paid today would have earned, and ``u`` (1 when unrealised gains are taxed at the
horizon, so that keeping only defers the tax): ``c = f * (t_now * F - u * t_lt)``.
Losses cost nothing to realise here (harvesting is the rebalancer's business).

Example: a lot worth $100 with a $60 gain, long-term rate 0.238, ``F = 1.5``, no tax
at the horizon: ``c = 0.6 * 0.238 * 1.5 = 0.2142`` per dollar sold, $21.42 for the lot.

Households of one shape (the same accounts, treatments, menus and classes, in order) share
the structure of their program: :func:`shape_of` makes it once (the sparsity pattern, the
index maps) and the program of each household only fills in its numbers. Shared arrays are
read-only.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Hashable, Mapping, Sequence

import attrs
import numpy as np

from location.growth import basis_bonus, class_fields
from location.inputs import HoldingInput, LocationProblem, TargetBasis, Treatment

INF = math.inf
TREATMENTS = tuple(Treatment)
"""The order of the rows of :func:`location.growth.growth_arrays`."""


@attrs.frozen
class Column:
    """One variable: ``x[a, k]`` (``lot_id`` None) or ``keep[l]``."""

    account_id: str
    asset_class: str
    lot_id: str | None = None


@attrs.frozen
class Row:
    """One constraint: ``kind`` is ``account``, ``class`` or ``link``."""

    kind: str
    account_id: str | None = None
    asset_class: str | None = None


@attrs.frozen(eq=False)
class LinearProgram:
    """``maximise c @ v + constant`` s.t. ``row_lower <= A v <= row_upper``, column bounds.

    ``A`` is column-wise sparse (``start``, ``index``, ``value``, as HiGHS takes it).
    Column ``j`` is ``x[account_ids[col_account[j]], class_names[col_class[j]]]`` when
    ``col_lot[j] < 0``, else ``keep`` of lot ``lot_ids[col_lot[j]]``.
    """

    rows: tuple[Row, ...]
    cost: np.ndarray
    col_lower: np.ndarray
    col_upper: np.ndarray
    row_lower: np.ndarray
    row_upper: np.ndarray
    start: np.ndarray
    index: np.ndarray
    value: np.ndarray
    col_account: np.ndarray
    col_class: np.ndarray
    col_lot: np.ndarray
    account_ids: tuple[str, ...]
    class_names: tuple[str, ...]
    lot_ids: tuple[str, ...] = ()
    constant: float = 0.0
    x_table: np.ndarray | None = None  # x_columns(), when the shape has it already

    @property
    def n_columns(self) -> int:
        """The number of columns."""
        return len(self.cost)

    @property
    def shape(self) -> tuple[int, int]:
        """``(rows, columns)``."""
        return len(self.rows), self.n_columns

    @property
    def columns(self) -> tuple[Column, ...]:
        """The columns as records (for reading; the arrays are what the solvers use)."""
        return tuple(
            Column(
                self.account_ids[a],
                self.class_names[k],
                self.lot_ids[lot] if lot >= 0 else None,
            )
            for a, k, lot in zip(self.col_account, self.col_class, self.col_lot, strict=True)
        )

    def dense(self) -> np.ndarray:
        """``A`` as a dense array (tests and the PuLP formulation)."""
        matrix = np.zeros(self.shape)
        for j in range(self.n_columns):
            for p in range(self.start[j], self.start[j + 1]):
                matrix[self.index[p], j] = self.value[p]
        return matrix

    def x_columns(self) -> np.ndarray:
        """Accounts x classes: the column of each ``x[a, k]``, -1 where there is none."""
        if self.x_table is not None:
            return self.x_table
        table = np.full((len(self.account_ids), len(self.class_names)), -1, dtype=np.int64)
        is_x = self.col_lot < 0
        table[self.col_account[is_x], self.col_class[is_x]] = np.flatnonzero(is_x)
        return table

    def x_index(self) -> dict[tuple[str, str], int]:
        """Column index of each ``x[a, k]``, by account id and class name."""
        table = self.x_columns()
        return {
            (self.account_ids[a], self.class_names[k]): int(table[a, k])
            for a, k in zip(*np.nonzero(table >= 0), strict=True)
        }


def account_scale(problem: LocationProblem) -> dict[str, float]:
    """``s[a]``: what a dollar of the account counts for against the targets."""
    withdrawal = float(problem.tax.withdrawal)
    return {
        a.account_id: (
            1.0 - withdrawal
            if problem.target_basis is TargetBasis.AFTERTAX and a.treatment is Treatment.DEFERRED
            else 1.0
        )
        for a in problem.accounts
    }


def sale_cost(
    holding: HoldingInput,
    problem: LocationProblem,
    taxable_growth: Mapping[str, float],
) -> float:
    """``c[l]``: horizon dollars lost per dollar of the lot sold today (see the docstring)."""
    value = float(holding.value)
    gain = float(holding.gain)
    if value <= 0 or gain <= 0:
        return 0.0
    fraction = min(gain / value, 1.0)
    rate_now = float(problem.tax.short_term if holding.short_term else problem.tax.long_term)
    deferred = float(problem.tax.long_term) if problem.tax_unrealized_at_horizon else 0.0
    return max(fraction * (rate_now * taxable_growth[holding.asset_class] - deferred), 0.0)


def lot_numbers(problem: LocationProblem) -> tuple[list[float], list[float]]:
    """Every holding's value and gain as floats, in order (read once, used twice)."""
    return (
        [float(h.value) for h in problem.holdings],
        [float(h.gain) for h in problem.holdings],
    )


def sale_costs(
    problem: LocationProblem,
    taxable_growth: Mapping[str, float],
    numbers: tuple[list[float], list[float]] | None = None,
) -> list[float]:
    """:func:`sale_cost` of every holding of ``problem``, in order (the rates read once).

    ``numbers`` are the holdings' :func:`lot_numbers`, when already made.
    """
    short, long_ = float(problem.tax.short_term), float(problem.tax.long_term)
    deferred = long_ if problem.tax_unrealized_at_horizon else 0.0
    values, gains = numbers or lot_numbers(problem)
    costs = []
    for holding, value, gain in zip(problem.holdings, values, gains, strict=True):
        if value <= 0 or gain <= 0:
            costs.append(0.0)
            continue
        fraction = min(gain / value, 1.0)
        rate_now = short if holding.short_term else long_
        growth = taxable_growth[holding.asset_class]
        costs.append(max(fraction * (rate_now * growth - deferred), 0.0))
    return costs


def _frozen(array: np.ndarray) -> np.ndarray:
    array.flags.writeable = False
    return array


@attrs.frozen(eq=False)
class Shape:
    """What the households of one shape share: the sparsity of the program.

    The shape is the accounts (id, treatment, menu) and the classes (names), in order.
    Everything here depends on nothing else, so it is made once per shape
    (:func:`shape_of`) and shared, read-only, by every household of that shape; only
    the coefficients and bounds are made per household.
    """

    account_ids: tuple[str, ...]
    class_names: tuple[str, ...]
    treatment: np.ndarray  # per account: its row in growth_arrays (TREATMENTS order)
    deferred: np.ndarray  # per account
    taxable: np.ndarray  # per account
    usable: np.ndarray  # accounts x classes: on the menu
    x_table: np.ndarray  # accounts x classes: the column of x[a, k], -1 where none
    col_account: np.ndarray  # per x column
    col_class: np.ndarray  # per x column
    col_lot: np.ndarray  # per x column: -1
    start: np.ndarray  # column starts: two entries per x column
    index: np.ndarray  # (class row, account row) per x column
    rows: tuple[Row, ...]
    no_bound_lower: np.ndarray  # accounts x classes, zeros
    no_bound_upper: np.ndarray  # accounts x classes, inf
    offered: tuple[int, ...]  # per account, the number of classes on its menu
    equal: np.ndarray  # accounts x classes: 1 / offered on the menu (the naive fallback)
    unit_value: np.ndarray  # the entries of the x columns when every s[a] is 1
    x_lower: np.ndarray  # per x column: 0 (no bounds)
    x_upper: np.ndarray  # per x column: inf (no bounds)
    fill_order: tuple[int, ...]  # accounts, exempt then deferred then taxable (greedy)
    has_deferred: bool
    taxable_row: Mapping[str, int]  # taxable account id -> its row
    class_column: Mapping[str, int]  # class name -> its column
    growth_keys: tuple[tuple[str, str], ...]  # (class, treatment value), class by class


def shape_of(problem: LocationProblem) -> Shape:
    """The :class:`Shape` of ``problem`` (made on first sight, then looked up)."""
    # the treatment's value: an enum member hashes in Python, its string in C
    return _shape(
        tuple((a.account_id, a.treatment._value_, a.menu) for a in problem.accounts),
        tuple(k.name for k in problem.classes),
    )


@functools.lru_cache(maxsize=512)
def _shape(
    account_keys: tuple[tuple[str, str, Hashable], ...], class_names: tuple[str, ...]
) -> Shape:
    accounts = [(a, Treatment(t), menu) for a, t, menu in account_keys]
    n_accounts, n_classes = len(accounts), len(class_names)
    usable = np.ones((n_accounts, n_classes), dtype=bool)
    for i, (_, _, menu) in enumerate(accounts):
        if menu is not None:
            usable[i] = [name in menu for name in class_names]  # type: ignore[operator]
    col_account, col_class = np.nonzero(usable)
    n_x = len(col_account)
    index = np.empty(2 * n_x, dtype=np.int32)
    index[0::2] = col_class
    index[1::2] = n_classes + col_account
    x_table = np.full((n_accounts, n_classes), -1, dtype=np.int64)
    x_table[col_account, col_class] = np.arange(n_x)
    treatments = [t for _, t, _ in accounts]
    rows = tuple(Row("class", asset_class=k) for k in class_names) + tuple(
        Row("account", account_id=a) for a, _, _ in accounts
    )
    return Shape(
        account_ids=tuple(a for a, _, _ in accounts),
        class_names=class_names,
        treatment=_frozen(np.array([TREATMENTS.index(t) for t in treatments], dtype=np.int64)),
        deferred=_frozen(np.array([t is Treatment.DEFERRED for t in treatments], dtype=bool)),
        taxable=_frozen(np.array([t is Treatment.TAXABLE for t in treatments], dtype=bool)),
        usable=_frozen(usable),
        x_table=_frozen(x_table),
        col_account=_frozen(col_account.astype(np.int64)),
        col_class=_frozen(col_class.astype(np.int64)),
        col_lot=_frozen(np.full(n_x, -1, dtype=np.int64)),
        start=_frozen(np.arange(0, 2 * n_x + 1, 2, dtype=np.int32)),
        index=_frozen(index),
        rows=rows,
        no_bound_lower=_frozen(np.zeros((n_accounts, n_classes))),
        no_bound_upper=_frozen(np.full((n_accounts, n_classes), INF)),
        offered=tuple(int(n) for n in usable.sum(axis=1)),
        unit_value=_frozen(np.ones(2 * n_x)),
        x_lower=_frozen(np.zeros(n_x)),
        x_upper=_frozen(np.full(n_x, INF)),
        equal=_frozen(
            np.where(usable, 1.0 / np.maximum(usable.sum(axis=1, keepdims=True), 1), 0.0)
        ),
        fill_order=tuple(sorted(range(n_accounts), key=lambda i: -TREATMENTS.index(treatments[i]))),
        has_deferred=Treatment.DEFERRED in treatments,
        taxable_row={a: i for i, (a, t, _) in enumerate(accounts) if t is Treatment.TAXABLE},
        class_column={k: j for j, k in enumerate(class_names)},
        growth_keys=tuple((k, t.value) for k in class_names for t in TREATMENTS),
    )


@attrs.frozen(eq=False)
class Arrays:
    """A problem's numbers as arrays, accounts x classes, made once per problem."""

    growth: np.ndarray  # g[a, k] = g[k, t(a)]
    usable: np.ndarray  # on the menu
    placeable: np.ndarray  # P[a]
    scale: np.ndarray  # s[a]
    target: np.ndarray  # w[k]
    tolerance: np.ndarray  # tol[k]
    lower: np.ndarray  # per cell
    upper: np.ndarray  # per cell
    shape: Shape
    class_growth: np.ndarray  # g[t, k], rows in TREATMENTS order
    total: float  # S = s @ P, what the targets are measured against
    unscaled: bool = False  # every s[a] is 1
    bounded: bool = False  # some account has per-class bounds


def problem_arrays(
    problem: LocationProblem, growth: Mapping[tuple[str, Treatment], float]
) -> Arrays:
    """The arrays of :class:`Arrays` for ``problem``."""
    by_treatment = np.array(
        [[growth[(k.name, t)] for k in problem.classes] for t in TREATMENTS], dtype=float
    ).reshape(len(TREATMENTS), len(problem.classes))
    return arrays_of(problem, shape_of(problem), by_treatment, class_fields(problem.classes))


def arrays_of(
    problem: LocationProblem, shape: Shape, growth: np.ndarray, fields: np.ndarray
) -> Arrays:
    """:class:`Arrays` from the shape, ``g[t, k]`` and :func:`~location.growth.class_fields`.

    Arrays taken from the shape are read-only and shared; the rest are the problem's own.
    """
    bounded = any(a.limits for a in problem.accounts)
    lower, upper = shape.no_bound_lower, shape.no_bound_upper
    if bounded:
        lower, upper = lower.copy(), upper.copy()
        names = shape.class_names
        for i, a in enumerate(problem.accounts):
            for name, limits in a.limits.items():
                j = names.index(name)
                if limits.min_dollars is not None:
                    lower[i, j] = float(limits.min_dollars)
                if limits.max_dollars is not None:
                    # Only a given bound: the account row caps x already, and a redundant
                    # bound would make the reduced costs (the explanations) degenerate.
                    upper[i, j] = float(limits.max_dollars)
    unscaled = problem.target_basis is not TargetBasis.AFTERTAX or not shape.has_deferred
    if unscaled:
        scale = np.ones(len(shape.account_ids))
    else:
        scale = np.where(shape.deferred, 1.0 - float(problem.tax.withdrawal), 1.0)
    placeable = np.array([float(a.placeable) for a in problem.accounts])
    per_account = growth[shape.treatment]
    bonus = basis_bonuses(problem)
    if bonus is not None:
        # After-tax basis in a deferred account: each of its dollars gains w * b
        # (location.growth.basis_bonus), and counts 1 - w + w * b after tax.
        per_account = per_account + bonus[:, None]
        if not unscaled:
            scale = scale + bonus
    return Arrays(
        growth=per_account,
        class_growth=growth,
        total=float(scale @ placeable),
        usable=shape.usable,
        placeable=placeable,
        scale=scale,
        target=fields[:, 6],
        tolerance=fields[:, 7],
        lower=lower,
        upper=upper,
        shape=shape,
        bounded=bounded,
        unscaled=unscaled,
    )


def basis_bonuses(problem: LocationProblem) -> np.ndarray | None:
    """``w * b`` per account (:func:`location.growth.basis_bonus`); ``None`` when all are 0."""
    if not any(a.after_tax_basis for a in problem.accounts):
        return None
    withdrawal = float(problem.tax.withdrawal)
    return np.array(
        [
            basis_bonus(withdrawal, float(a.after_tax_basis), float(a.value))
            if a.treatment is Treatment.DEFERRED
            else 0.0
            for a in problem.accounts
        ]
    )


def build_program(
    problem: LocationProblem,
    growth: Mapping[tuple[str, Treatment], float],
    *,
    taxable_growth: Mapping[str, float] | None = None,
    use_holdings: bool = False,
    arrays: Arrays | None = None,
    costs: Sequence[float] | None = None,
) -> LinearProgram:
    """Formulate the problem (see the module docstring).

    Args:
        problem: the household's accounts, classes and holdings.
        growth: ``g[k, t]`` from :func:`location.growth.growth_table`.
        taxable_growth: ``F[k] = (1 + a_k)^H`` per class (needed with holdings).
        use_holdings: add ``keep`` columns for current lots in taxable accounts.
        arrays: :func:`problem_arrays` of the problem, when already made.
        costs: :func:`sale_costs` of the problem, when already made.

    Returns:
        The :class:`LinearProgram`. Arrays it shares with the problem's :class:`Shape` (the
        sparsity, and the bounds of columns without any) are read-only: copy to change one.
    """
    arrays = arrays or problem_arrays(problem, growth)
    shape = arrays.shape
    total = arrays.total
    row_lower = np.concatenate(
        [np.maximum(arrays.target - arrays.tolerance, 0.0) * total, arrays.placeable]
    )
    row_upper = np.concatenate(
        [np.minimum(arrays.target + arrays.tolerance, 1.0) * total, arrays.placeable]
    )
    # x columns, accounts then classes: entries (class row, s[a]) and (account row, 1).
    col_account, col_class = shape.col_account, shape.col_class
    if arrays.unscaled:
        value = shape.unit_value
    else:
        value = np.empty(2 * len(col_account))
        value[0::2] = arrays.scale[col_account]
        value[1::2] = 1.0
    if arrays.bounded:
        col_lower = arrays.lower[col_account, col_class]
        col_upper = arrays.upper[col_account, col_class]
    else:
        col_lower, col_upper = shape.x_lower, shape.x_upper
    program = LinearProgram(
        rows=shape.rows,
        cost=arrays.growth[col_account, col_class],
        col_lower=col_lower,
        col_upper=col_upper,
        row_lower=row_lower,
        row_upper=row_upper,
        start=shape.start,
        index=shape.index,
        value=value,
        col_account=col_account,
        col_class=col_class,
        col_lot=shape.col_lot,
        account_ids=shape.account_ids,
        class_names=shape.class_names,
        x_table=shape.x_table,
    )
    if not use_holdings:
        return program
    assert taxable_growth is not None, "taxable_growth is needed with holdings"
    if costs is None:
        costs = sale_costs(problem, taxable_growth)
    return _with_holdings(problem, program, costs)


def _with_holdings(
    problem: LocationProblem, program: LinearProgram, costs: Sequence[float]
) -> LinearProgram:
    """Add the ``keep`` columns and the link rows of the lots in taxable accounts."""
    account_row = {a: i for i, a in enumerate(program.account_ids)}
    class_column = {k: j for j, k in enumerate(program.class_names)}
    treatment = {a.account_id: a.treatment for a in problem.accounts}
    x_table = program.x_columns()
    n_rows = len(program.rows)
    rows = list(program.rows)
    link_row: dict[tuple[int, int], int] = {}
    keep_cost, keep_upper, keep_account, keep_class, keep_row, lot_ids = [], [], [], [], [], []
    constant = 0.0
    for holding, c in zip(problem.holdings, costs, strict=True):
        if treatment[holding.account_id] is not Treatment.TAXABLE:
            continue
        if c <= 0:
            continue  # free to sell: keeping it is the same as buying it back
        held = float(holding.value)
        constant -= c * held
        a, k = account_row[holding.account_id], class_column[holding.asset_class]
        offered = x_table[a, k] >= 0
        if offered and (a, k) not in link_row:
            link_row[(a, k)] = n_rows + len(link_row)
            rows.append(Row("link", account_id=holding.account_id, asset_class=holding.asset_class))
        keep_cost.append(c)
        keep_upper.append(held if offered else 0.0)
        keep_account.append(a)
        keep_class.append(k)
        keep_row.append(link_row.get((a, k), -1))
        lot_ids.append(f"{holding.account_id}/{holding.lot_id}")
    if not keep_cost:
        return attrs.evolve(program, constant=constant)
    # Rebuild the column-wise matrix: x columns gain -1 in their link row (after their
    # own entries), then one column per lot: 1 in its link row, or nothing.
    n_columns = program.n_columns
    linked = np.array([x_table[a, k] for a, k in link_row], dtype=np.int64)
    extra = np.zeros(n_columns, dtype=np.int64)
    extra[linked] = 1
    old_start = program.start.astype(np.int64)
    old_length = np.diff(old_start)
    keep_entries = np.array([row >= 0 for row in keep_row], dtype=np.int64)
    start = np.concatenate(
        [[0], np.cumsum(np.concatenate([old_length + extra, keep_entries]))]
    ).astype(np.int32)
    nnz = int(start[-1])
    index = np.empty(nnz, dtype=np.int32)
    value = np.empty(nnz)
    moved = np.arange(old_start[-1]) + np.repeat(start[:n_columns] - old_start[:-1], old_length)
    index[moved] = program.index
    value[moved] = program.value
    at = start[linked] + old_length[linked]
    index[at] = list(link_row.values())
    value[at] = -1.0
    at = start[n_columns:-1][keep_entries > 0]
    index[at] = [row for row in keep_row if row >= 0]
    value[at] = 1.0
    n_links = len(link_row)
    return attrs.evolve(
        program,
        rows=tuple(rows),
        cost=np.concatenate([program.cost, keep_cost]),
        col_lower=np.concatenate([program.col_lower, np.zeros(len(keep_cost))]),
        col_upper=np.concatenate([program.col_upper, keep_upper]),
        row_lower=np.concatenate([program.row_lower, np.full(n_links, -INF)]),
        row_upper=np.concatenate([program.row_upper, np.zeros(n_links)]),
        start=start,
        index=index,
        value=value,
        col_account=np.concatenate([program.col_account, keep_account]).astype(np.int64),
        col_class=np.concatenate([program.col_class, keep_class]).astype(np.int64),
        col_lot=np.concatenate([program.col_lot, np.arange(len(keep_cost), dtype=np.int64)]),
        lot_ids=tuple(lot_ids),
        constant=constant,
    )
