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
    """

    columns: tuple[Column, ...]
    rows: tuple[Row, ...]
    cost: np.ndarray
    col_lower: np.ndarray
    col_upper: np.ndarray
    row_lower: np.ndarray
    row_upper: np.ndarray
    start: np.ndarray
    index: np.ndarray
    value: np.ndarray
    constant: float = 0.0

    @property
    def shape(self) -> tuple[int, int]:
        """``(rows, columns)``."""
        return len(self.rows), len(self.columns)

    def dense(self) -> np.ndarray:
        """``A`` as a dense array (tests and the PuLP formulation)."""
        matrix = np.zeros(self.shape)
        for j in range(len(self.columns)):
            for p in range(self.start[j], self.start[j + 1]):
                matrix[self.index[p], j] = self.value[p]
        return matrix

    def x_index(self) -> dict[tuple[str, str], int]:
        """Column index of each ``x[a, k]``."""
        return {
            (c.account_id, c.asset_class): j for j, c in enumerate(self.columns) if c.lot_id is None
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


def build_program(
    problem: LocationProblem,
    growth: Mapping[tuple[str, Treatment], float],
    *,
    taxable_growth: Mapping[str, float] | None = None,
    use_holdings: bool = False,
) -> LinearProgram:
    """Formulate the problem (see the module docstring).

    Args:
        problem: the household's accounts, classes and holdings.
        growth: ``g[k, t]`` from :func:`location.growth.growth_table`.
        taxable_growth: ``F[k] = (1 + a_k)^H`` per class (needed with holdings).
        use_holdings: add ``keep`` columns for current lots in taxable accounts.

    Returns:
        The :class:`LinearProgram`.
    """
    scale = account_scale(problem)
    placeable = {a.account_id: float(a.placeable) for a in problem.accounts}
    total = sum(scale[a] * placeable[a] for a in placeable)
    class_row = {k.name: i for i, k in enumerate(problem.classes)}
    n_classes = len(problem.classes)

    rows: list[Row] = [Row("class", asset_class=k.name) for k in problem.classes]
    row_lower = [max(float(k.target) - float(k.tolerance), 0.0) * total for k in problem.classes]
    row_upper = [min(float(k.target) + float(k.tolerance), 1.0) * total for k in problem.classes]
    for a in problem.accounts:
        rows.append(Row("account", account_id=a.account_id))
        row_lower.append(placeable[a.account_id])
        row_upper.append(placeable[a.account_id])

    columns: list[Column] = []
    cost: list[float] = []
    lower: list[float] = []
    upper: list[float] = []
    start = [0]
    index: list[int] = []
    value: list[float] = []
    x_col: dict[tuple[str, str], int] = {}
    for position, a in enumerate(problem.accounts):
        account_row = n_classes + position
        for k in problem.classes:
            if not a.offers(k.name):
                continue
            limits = a.limits.get(k.name)
            low = float(limits.min_dollars) if limits and limits.min_dollars is not None else 0.0
            # No upper bound but a given one: the account row caps x already, and a
            # redundant bound would make the reduced costs (the explanations) degenerate.
            high = INF
            if limits and limits.max_dollars is not None:
                high = float(limits.max_dollars)
            x_col[(a.account_id, k.name)] = len(columns)
            columns.append(Column(a.account_id, k.name))
            cost.append(growth[(k.name, a.treatment)])
            lower.append(low)
            upper.append(high)
            index.extend((class_row[k.name], account_row))
            value.extend((scale[a.account_id], 1.0))
            start.append(len(index))

    constant = 0.0
    if use_holdings:
        assert taxable_growth is not None, "taxable_growth is needed with holdings"
        link_row: dict[tuple[str, str], int] = {}
        link_entries: list[tuple[int, int, float]] = []
        for holding in problem.holdings:
            account = problem.account(holding.account_id)
            if account.treatment is not Treatment.TAXABLE:
                continue
            c = sale_cost(holding, problem, taxable_growth)
            if c <= 0:
                continue  # free to sell: keeping it is the same as buying it back
            held = float(holding.value)
            constant -= c * held
            key = (holding.account_id, holding.asset_class)
            j = len(columns)
            columns.append(Column(holding.account_id, holding.asset_class, holding.lot_id))
            cost.append(c)
            lower.append(0.0)
            upper.append(held if key in x_col else 0.0)
            if key in x_col:
                if key not in link_row:
                    link_row[key] = len(rows)
                    rows.append(Row("link", account_id=key[0], asset_class=key[1]))
                    row_lower.append(-INF)
                    row_upper.append(0.0)
                    link_entries.append((x_col[key], link_row[key], -1.0))
                index.append(link_row[key])
                value.append(1.0)
            start.append(len(index))
        if link_entries:
            # x columns gain a -1 in their link row; rebuild those columns' slices.
            extra: dict[int, list[tuple[int, float]]] = {}
            for j, i, v in link_entries:
                extra.setdefault(j, []).append((i, v))
            new_index: list[int] = []
            new_value: list[float] = []
            new_start = [0]
            for j in range(len(columns)):
                new_index.extend(index[start[j] : start[j + 1]])
                new_value.extend(value[start[j] : start[j + 1]])
                for i, v in extra.get(j, ()):
                    new_index.append(i)
                    new_value.append(v)
                new_start.append(len(new_index))
            index, value, start = new_index, new_value, new_start

    return LinearProgram(
        columns=tuple(columns),
        rows=tuple(rows),
        cost=np.array(cost, dtype=float),
        col_lower=np.array(lower, dtype=float),
        col_upper=np.array(upper, dtype=float),
        row_lower=np.array(row_lower, dtype=float),
        row_upper=np.array(row_upper, dtype=float),
        start=np.array(start, dtype=np.int32),
        index=np.array(index, dtype=np.int32),
        value=np.array(value, dtype=float),
        constant=constant,
    )
