"""Solving a :class:`~location.program.LinearProgram`: HiGHS in process, CBC as fallback.

Backends, tried in order until one returns a definite answer (optimal, infeasible or
unbounded); a backend that errors or is missing passes to the next:

* ``highs``: HiGHS through its own API (``highspy``), fed the sparse matrix PuLP
  would have built, with no per-variable Python objects (the fast path, default).
* ``pulp-highs``: the same program as a PuLP model, solved by ``pulp.HiGHS``.
* ``cbc``: the same PuLP model, solved by CBC (``pulp.PULP_CBC_CMD``), the fallback.

Every backend solves ``minimise -c @ v`` and reports, per column, the reduced cost
of that minimisation: for a column at its lower bound, the horizon dollars lost per
dollar forced into it. (CBC through PuLP: computed from its row duals.)

HiGHS prints a banner on its first construction in a process, on the C stdout;
:func:`new_highs` swallows it so ``--format json`` stays one JSON document.
"""

from __future__ import annotations

import contextlib
import os
import sys
import threading
import warnings
from collections import OrderedDict
from collections.abc import Callable, Iterator, Sequence
from typing import Any

import attrs
import numpy as np

from location.errors import SolverFailedError
from location.program import LinearProgram

DEFAULT_SOLVERS = ("highs", "cbc")
"""The default order: HiGHS in process, then CBC."""

OPTIMAL = "optimal"
INFEASIBLE = "infeasible"
UNBOUNDED = "unbounded"

_banner_lock = threading.Lock()
_banner_done = False


@attrs.frozen(eq=False)
class Solution:
    """A solver's answer.

    Attributes:
        status: ``optimal``, ``infeasible`` or ``unbounded``.
        solver: the backend that answered (``highs``, ``pulp-highs``, ``cbc``).
        values: column values (empty unless optimal).
        reduced_costs: per column, ``d[j] = -c[j] - A[:, j] @ y`` of the minimisation.
        row_duals: ``y``, per row, of the minimisation.
        objective: ``c @ values + constant`` (the maximised value).
        loss_up: per column, the objective lost per unit the column is pushed up, up
            to the next change of basis (HiGHS ranging; ``None`` from other backends).
            Unlike a reduced cost it is right where the basis is degenerate.
        tried: the backends tried before, with why they passed.
    """

    status: str
    solver: str
    values: np.ndarray = attrs.field(factory=lambda: np.zeros(0))
    reduced_costs: np.ndarray = attrs.field(factory=lambda: np.zeros(0))
    row_duals: np.ndarray = attrs.field(factory=lambda: np.zeros(0))
    objective: float = 0.0
    loss_up: np.ndarray | None = None
    tried: tuple[str, ...] = ()


@contextlib.contextmanager
def _quiet_stdout() -> Iterator[None]:
    sys.stdout.flush()
    try:
        saved = os.dup(1)
    except OSError:  # no file descriptor 1 (embedded): nothing to protect
        yield
        return
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, 1)
        yield
    finally:
        with contextlib.suppress(Exception):
            import ctypes

            ctypes.CDLL(None).fflush(None)
        os.dup2(saved, 1)
        os.close(saved)
        os.close(devnull)


def _highs_class() -> Any:
    """``highspy``'s core ``Highs`` class, without the Python callback layer.

    ``highspy.Highs`` registers Python callbacks that run on every simplex iteration;
    on these small programs they cost more than the solve (1 ms against 0.4 ms).
    """
    import highspy

    try:
        from highspy._core import _Highs

        return _Highs
    except ImportError:  # pragma: no cover - other highspy layouts
        return highspy.Highs


def new_highs() -> Any:
    """A silent HiGHS instance (the first one in a process prints a banner to stdout)."""
    global _banner_done
    highs_class = _highs_class()
    if not _banner_done:
        with _banner_lock, _quiet_stdout():
            import highspy

            highspy.Highs()  # type: ignore[no-untyped-call]  # PuLP's wrapper: its own banner
            highs = highs_class()
            _banner_done = True
    else:
        highs = highs_class()
    highs.setOptionValue("output_flag", False)
    highs.setOptionValue("presolve", "off")  # tiny programs: presolve costs more than it saves
    # one thread: a sweep runs one process per core, and HiGHS's own threads would only
    # compete with the other workers (unpinned, a plan burnt 30% more CPU for 13% less time)
    highs.setOptionValue("threads", 1)
    return highs


class _Model:
    """One HiGHS instance holding one shape, and the coefficients it holds now."""

    def __init__(self, highs: Any, program: LinearProgram) -> None:
        import highspy

        lp = highspy.HighsLp()
        lp.num_col_ = program.n_columns
        lp.num_row_ = len(program.rows)
        lp.col_cost_ = -program.cost
        lp.col_lower_ = program.col_lower
        lp.col_upper_ = program.col_upper
        lp.row_lower_ = program.row_lower
        lp.row_upper_ = program.row_upper
        lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
        lp.a_matrix_.start_ = program.start
        lp.a_matrix_.index_ = program.index
        lp.a_matrix_.value_ = program.value
        highs.passModel(lp)
        self.highs = highs
        self.columns = np.arange(program.n_columns, dtype=np.int32)
        self.rows = np.arange(len(program.rows), dtype=np.int32)
        self._remember(program)

    def _remember(self, program: LinearProgram) -> None:
        # bytes, not the arrays: a caller may change its arrays in place and solve again
        self.loaded = tuple(
            a.tobytes()
            for a in (
                program.cost,
                program.col_lower,
                program.col_upper,
                program.row_lower,
                program.row_upper,
            )
        )

    def update(self, program: LinearProgram) -> None:
        """Change the costs and bounds to ``program``'s."""
        cost, lower, upper, row_lower, row_upper = self.loaded
        highs, columns = self.highs, self.columns
        n_cols = len(columns)
        if cost != program.cost.tobytes():
            highs.changeColsCost(n_cols, columns, -program.cost)
        if lower != program.col_lower.tobytes() or upper != program.col_upper.tobytes():
            highs.changeColsBounds(n_cols, columns, program.col_lower, program.col_upper)
        if row_lower != program.row_lower.tobytes() or row_upper != program.row_upper.tobytes():
            highs.changeRowsBounds(len(self.rows), self.rows, program.row_lower, program.row_upper)
        self._remember(program)


class _HighsBackend:
    """HiGHS through its own API, with the model built once per shape.

    Households of one shape (the same accounts, menus and classes, so the same sparse
    matrix) differ only in costs and bounds: the backend keeps, per thread, a few HiGHS
    instances keyed by the matrix and changes the coefficients of the one that matches
    instead of building a model. Each solve still starts from scratch (see
    :meth:`__call__`). Keeping the program loaded lets :meth:`probe` re-solve it with one
    bound changed, warm: a probe's answer is a number, not a placement.
    """

    MODELS_PER_THREAD = 16

    def __init__(self) -> None:
        self._local = threading.local()

    def _models(self) -> OrderedDict[bytes, _Model]:
        models = getattr(self._local, "models", None)
        if models is None:
            models = self._local.models = OrderedDict()
        return models

    def _highs(self) -> Any:
        """A free instance (tests and tools); the solves use :meth:`_load`."""
        highs = getattr(self._local, "highs", None)
        if highs is None:
            highs = self._local.highs = new_highs()
        return highs

    def _load(self, program: LinearProgram) -> Any:
        """The instance holding ``program``'s shape, with ``program``'s coefficients.

        Costs and bounds are passed only where they differ from the ones loaded (the
        model is the same either way; each solve starts from scratch).
        """
        key = b"".join(
            (
                np.array([len(program.rows), program.n_columns], dtype=np.int64).tobytes(),
                program.start.tobytes(),
                program.index.tobytes(),
                program.value.tobytes(),
            )
        )
        models = self._models()
        model = models.get(key)
        if model is not None:
            models.move_to_end(key)
            model.update(program)
        else:
            if len(models) >= self.MODELS_PER_THREAD:
                _, model = models.popitem(last=False)
                highs = model.highs
                highs.clearModel()
            else:
                highs = new_highs()
            model = models[key] = _Model(highs, program)
        self._local.program = program
        self._local.loaded = model.highs
        return model.highs

    def __call__(self, program: LinearProgram, ranging: bool = False) -> Solution:
        import highspy

        highs = self._load(program)
        # Always from scratch: a warm start from another household's basis solves in half
        # the time, but where optima tie (two Roth accounts are interchangeable) it may land
        # on another vertex, and the same household must give the same answer every time.
        highs.clearSolver()
        highs.run()
        status = highs.getModelStatus()
        model_status = highspy.HighsModelStatus
        if status == model_status.kOptimal:
            solution = highs.getSolution()
            values = np.asarray(solution.col_value)
            reduced = np.asarray(solution.col_dual)
            objective = float(program.cost @ values + program.constant)
            return Solution(
                status=OPTIMAL,
                solver="highs",
                values=values,
                reduced_costs=reduced,
                row_duals=np.asarray(solution.row_dual),
                objective=objective,
                loss_up=self._loss_up(highs, values, reduced) if ranging else None,
            )
        if status == model_status.kInfeasible:
            return Solution(status=INFEASIBLE, solver="highs")
        if status in (model_status.kUnbounded, model_status.kUnboundedOrInfeasible):
            return Solution(status=UNBOUNDED, solver="highs")
        raise SolverFailedError(f"HiGHS stopped with status {highs.modelStatusToString(status)}")

    @staticmethod
    def _loss_up(highs: Any, values: np.ndarray, reduced: np.ndarray) -> np.ndarray | None:
        """Per column: (optimum - optimum with the column raised to its next breakpoint) / step.

        HiGHS minimises ``-c``, so its objectives are negated maxima; where the column can
        rise without a change of basis (no breakpoint), the reduced cost is the answer.
        """
        status, ranging = highs.getRanging()
        if str(status) != "HighsStatus.kOk":
            return None
        up = ranging.col_bound_up
        reached = np.asarray(up.value_, dtype=float)
        objective = np.asarray(up.objective_, dtype=float)
        base = float(highs.getObjectiveValue())
        step = reached - values
        with np.errstate(divide="ignore", invalid="ignore"):
            loss = (objective - base) / step
        fine = np.isfinite(loss) & (step > 1e-9)
        return np.where(fine, loss, reduced)

    def probe(self, program: LinearProgram, column: int, lower: float) -> float | None:
        """The optimum with column ``column`` forced to at least ``lower``, warm-started.

        Returns ``None`` when that program is infeasible, or when ``program`` is not the
        one loaded (the caller then solves it cold).
        """
        import highspy

        if getattr(self._local, "program", None) is not program:
            return None
        highs = self._local.loaded
        old_lower, old_upper = program.col_lower[column], program.col_upper[column]
        highs.changeColBounds(column, max(old_lower, lower), old_upper)
        try:
            highs.run()
            if highs.getModelStatus() != highspy.HighsModelStatus.kOptimal:
                return -np.inf
            return float(-highs.getObjectiveValue() + program.constant)
        finally:
            highs.changeColBounds(column, old_lower, old_upper)


def pulp_model(program: LinearProgram) -> Any:
    """The program as a PuLP model (minimise ``-c @ v``); returns ``(model, vars, cons)``.

    Ranged rows must have been split (:func:`split_ranges`).
    """
    import pulp

    model = pulp.LpProblem("asset_location", pulp.LpMinimize)
    variables = []
    for j in range(program.n_columns):
        low = float(program.col_lower[j]) if np.isfinite(program.col_lower[j]) else None
        high = float(program.col_upper[j]) if np.isfinite(program.col_upper[j]) else None
        if hasattr(model, "add_variable"):  # PuLP >= 3.3
            variables.append(model.add_variable(f"v{j}", lowBound=low, upBound=high))
        else:  # pragma: no cover - older PuLP
            variables.append(pulp.LpVariable(f"v{j}", lowBound=low, upBound=high))
    terms: list[list[tuple[pulp.LpVariable, float]]] = [[] for _ in program.rows]
    for j, variable in enumerate(variables):
        for p in range(program.start[j], program.start[j + 1]):
            terms[program.index[p]].append((variable, float(program.value[p])))
    model += pulp.lpSum(-float(c) * v for c, v in zip(program.cost, variables, strict=True))
    constraints = []
    for i, row_terms in enumerate(terms):
        expression = pulp.LpAffineExpression(row_terms)
        low, high = float(program.row_lower[i]), float(program.row_upper[i])
        if low == high:
            constraint = expression == low
        elif np.isinf(low):
            constraint = expression <= high
        else:
            assert np.isinf(high), "split ranged rows first (split_ranges)"
            constraint = expression >= low
        model.addConstraint(constraint, f"r{i}")
        constraints.append(constraint)
    return model, variables, constraints


def split_ranges(program: LinearProgram) -> tuple[LinearProgram, list[int]]:
    """PuLP has no ranged rows: a row ``lo <= a v <= hi`` becomes two; returns the map."""
    ranged = [
        i
        for i in range(len(program.rows))
        if program.row_lower[i] != program.row_upper[i]
        and np.isfinite(program.row_lower[i])
        and np.isfinite(program.row_upper[i])
    ]
    if not ranged:
        return program, list(range(len(program.rows)))
    origin = list(range(len(program.rows)))
    row_lower = list(program.row_lower)
    row_upper = list(program.row_upper)
    copy_of: dict[int, int] = {}
    for i in ranged:
        copy_of[i] = len(origin)
        origin.append(i)
        row_lower.append(-np.inf)
        row_upper.append(program.row_upper[i])
        row_upper[i] = np.inf
    index: list[int] = []
    value: list[float] = []
    start = [0]
    for j in range(program.n_columns):
        for p in range(program.start[j], program.start[j + 1]):
            i = int(program.index[p])
            index.append(i)
            value.append(float(program.value[p]))
            if i in copy_of:
                index.append(copy_of[i])
                value.append(float(program.value[p]))
        start.append(len(index))
    split = attrs.evolve(
        program,
        rows=program.rows + tuple(program.rows[i] for i in ranged),
        row_lower=np.array(row_lower),
        row_upper=np.array(row_upper),
        start=np.array(start, dtype=np.int32),
        index=np.array(index, dtype=np.int32),
        value=np.array(value),
    )
    return split, origin


def _pulp_backend(name: str) -> Callable[..., Solution]:
    def solve(program: LinearProgram, ranging: bool = False) -> Solution:
        del ranging  # PuLP gives no ranging; the engine probes instead
        import pulp

        if name == "pulp-highs":
            new_highs()  # swallow the banner before PuLP makes its own Highs
            solver = pulp.HiGHS(msg=False)
        else:
            with warnings.catch_warnings():  # deprecated in PuLP 4; still the bundled CBC
                warnings.simplefilter("ignore", DeprecationWarning)
                solver = pulp.PULP_CBC_CMD(msg=False)
        if not solver.available():
            raise SolverFailedError(f"{name} is not available")
        split, origin = split_ranges(program)
        model, variables, constraints = pulp_model(split)
        model.solve(solver)
        status = pulp.LpStatus[model.status]
        if status == "Infeasible":
            return Solution(status=INFEASIBLE, solver=name)
        if status == "Unbounded":
            return Solution(status=UNBOUNDED, solver=name)
        if status != "Optimal":
            raise SolverFailedError(f"{name} stopped with status {status}")
        values = np.array([v.varValue or 0.0 for v in variables])
        split_duals = np.array([c.pi or 0.0 for c in constraints])
        row_duals = np.zeros(len(program.rows))
        for i, o in enumerate(origin):
            row_duals[o] += split_duals[i]
        reduced = -program.cost - program.dense().T @ row_duals
        return Solution(
            status=OPTIMAL,
            solver=name,
            values=values,
            reduced_costs=reduced,
            row_duals=row_duals,
            objective=float(program.cost @ values + program.constant),
        )

    return solve


BACKENDS: dict[str, Callable[..., Solution]] = {
    "highs": _HighsBackend(),
    "pulp-highs": _pulp_backend("pulp-highs"),
    "cbc": _pulp_backend("cbc"),
}


def solve(
    program: LinearProgram, solvers: Sequence[str] = DEFAULT_SOLVERS, *, ranging: bool = False
) -> Solution:
    """Solve with the first backend that gives a definite answer.

    Args:
        program: the linear program.
        solvers: backend names, in order (``highs``, ``pulp-highs``, ``cbc``).
        ranging: also compute :attr:`Solution.loss_up` (HiGHS only).

    Returns:
        The :class:`Solution` (``status`` optimal, infeasible or unbounded).

    Raises:
        SolverFailedError: when every backend failed; the message lists why.
    """
    tried: list[str] = []
    for name in solvers:
        backend = BACKENDS.get(name)
        if backend is None:
            raise SolverFailedError(
                f"unknown solver {name!r}", hint=f"choose from {', '.join(BACKENDS)}"
            )
        try:
            solution = backend(program, ranging=ranging)
        except Exception as error:  # a failed solve retries on the fallback
            tried.append(f"{name}: {error}")
            continue
        return attrs.evolve(solution, tried=tuple(tried)) if tried else solution
    raise SolverFailedError(
        "no solver could solve the location program: " + "; ".join(tried),
        hint="install highspy, or check that PuLP's CBC runs",
    )


def forced_objective(
    program: LinearProgram, column: int, lower: float, solvers: Sequence[str] = DEFAULT_SOLVERS
) -> float:
    """The optimum of ``program`` with one column forced up to ``lower`` (``-inf``: none).

    Warm-started in HiGHS when it holds the program; otherwise solved afresh.
    """
    backend = BACKENDS.get("highs")
    if isinstance(backend, _HighsBackend):
        value = backend.probe(program, column, lower)
        if value is not None:
            return value
    bounds = program.col_lower.copy()
    bounds[column] = max(bounds[column], lower)
    forced = solve(attrs.evolve(program, col_lower=bounds), solvers)
    return forced.objective if forced.status == OPTIMAL else -np.inf
