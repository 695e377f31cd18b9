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
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import attrs
import numpy as np

from location.inputs import HoldingInput, LocationProblem, TargetBasis, Treatment

INF = math.inf


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


def problem_arrays(
    problem: LocationProblem, growth: Mapping[tuple[str, Treatment], float]
) -> Arrays:
    """The arrays of :class:`Arrays` for ``problem``."""
    n_accounts, n_classes = len(problem.accounts), len(problem.classes)
    scale_of = account_scale(problem)
    names = [k.name for k in problem.classes]
    by_treatment = {
        t: np.array([growth[(name, t)] for name in names], dtype=float) for t in Treatment
    }
    g = np.empty((n_accounts, n_classes))
    usable = np.ones((n_accounts, n_classes), dtype=bool)
    lower = np.zeros((n_accounts, n_classes))
    upper = np.full((n_accounts, n_classes), INF)
    for i, a in enumerate(problem.accounts):
        g[i] = by_treatment[a.treatment]
        if a.menu is not None:
            usable[i] = [name in a.menu for name in names]
        for name, limits in a.limits.items():
            j = names.index(name)
            if limits.min_dollars is not None:
                lower[i, j] = float(limits.min_dollars)
            if limits.max_dollars is not None:
                # Only a given bound: the account row caps x already, and a redundant
                # bound would make the reduced costs (the explanations) degenerate.
                upper[i, j] = float(limits.max_dollars)
    return Arrays(
        growth=g,
        usable=usable,
        placeable=np.array([float(a.placeable) for a in problem.accounts]),
        scale=np.array([scale_of[a.account_id] for a in problem.accounts]),
        target=np.array([float(k.target) for k in problem.classes]),
        tolerance=np.array([float(k.tolerance) for k in problem.classes]),
        lower=lower,
        upper=upper,
    )


def build_program(
    problem: LocationProblem,
    growth: Mapping[tuple[str, Treatment], float],
    *,
    taxable_growth: Mapping[str, float] | None = None,
    use_holdings: bool = False,
    arrays: Arrays | None = None,
) -> LinearProgram:
    """Formulate the problem (see the module docstring).

    Args:
        problem: the household's accounts, classes and holdings.
        growth: ``g[k, t]`` from :func:`location.growth.growth_table`.
        taxable_growth: ``F[k] = (1 + a_k)^H`` per class (needed with holdings).
        use_holdings: add ``keep`` columns for current lots in taxable accounts.
        arrays: :func:`problem_arrays` of the problem, when already made.

    Returns:
        The :class:`LinearProgram`.
    """
    arrays = arrays or problem_arrays(problem, growth)
    n_accounts, n_classes = arrays.growth.shape
    account_ids = tuple(a.account_id for a in problem.accounts)
    class_names = tuple(k.name for k in problem.classes)
    total = float(arrays.scale @ arrays.placeable)

    rows = [Row("class", asset_class=k) for k in class_names]
    rows += [Row("account", account_id=a) for a in account_ids]
    row_lower = np.concatenate(
        [np.maximum(arrays.target - arrays.tolerance, 0.0) * total, arrays.placeable]
    )
    row_upper = np.concatenate(
        [np.minimum(arrays.target + arrays.tolerance, 1.0) * total, arrays.placeable]
    )

    # x columns, accounts then classes: entries (class row, s[a]) and (account row, 1).
    col_account, col_class = np.nonzero(arrays.usable)
    n_x = len(col_account)
    index = np.empty(2 * n_x, dtype=np.int32)
    index[0::2] = col_class
    index[1::2] = n_classes + col_account
    value = np.empty(2 * n_x)
    value[0::2] = arrays.scale[col_account]
    value[1::2] = 1.0
    start = np.arange(0, 2 * n_x + 1, 2, dtype=np.int32)
    cost = arrays.growth[col_account, col_class]
    col_lower = arrays.lower[col_account, col_class]
    col_upper = arrays.upper[col_account, col_class]
    col_lot = np.full(n_x, -1, dtype=np.int64)
    program = LinearProgram(
        rows=tuple(rows),
        cost=cost,
        col_lower=col_lower,
        col_upper=col_upper,
        row_lower=row_lower,
        row_upper=row_upper,
        start=start,
        index=index,
        value=value,
        col_account=col_account.astype(np.int64),
        col_class=col_class.astype(np.int64),
        col_lot=col_lot,
        account_ids=account_ids,
        class_names=class_names,
    )
    if not use_holdings:
        return program
    assert taxable_growth is not None, "taxable_growth is needed with holdings"
    return _with_holdings(problem, program, taxable_growth)


def _with_holdings(
    problem: LocationProblem, program: LinearProgram, taxable_growth: Mapping[str, float]
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
    for holding in problem.holdings:
        if treatment[holding.account_id] is not Treatment.TAXABLE:
            continue
        c = sale_cost(holding, problem, taxable_growth)
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
    # Rebuild the column-wise matrix: x columns gain -1 in their link row.
    x_link = {int(x_table[a, k]): row for (a, k), row in link_row.items()}
    index: list[int] = []
    value: list[float] = []
    start = [0]
    for j in range(program.n_columns):
        index.extend(program.index[program.start[j] : program.start[j + 1]].tolist())
        value.extend(program.value[program.start[j] : program.start[j + 1]].tolist())
        if j in x_link:
            index.append(x_link[j])
            value.append(-1.0)
        start.append(len(index))
    for row in keep_row:
        if row >= 0:
            index.append(row)
            value.append(1.0)
        start.append(len(index))
    n_links = len(link_row)
    return attrs.evolve(
        program,
        rows=tuple(rows),
        cost=np.concatenate([program.cost, keep_cost]),
        col_lower=np.concatenate([program.col_lower, np.zeros(len(keep_cost))]),
        col_upper=np.concatenate([program.col_upper, keep_upper]),
        row_lower=np.concatenate([program.row_lower, np.full(n_links, -INF)]),
        row_upper=np.concatenate([program.row_upper, np.zeros(n_links)]),
        start=np.array(start, dtype=np.int32),
        index=np.array(index, dtype=np.int32),
        value=np.array(value),
        col_account=np.concatenate([program.col_account, keep_account]).astype(np.int64),
        col_class=np.concatenate([program.col_class, keep_class]).astype(np.int64),
        col_lot=np.concatenate([program.col_lot, np.arange(len(keep_cost), dtype=np.int64)]),
        lot_ids=tuple(lot_ids),
        constant=constant,
    )
