"""Tracking error of an allocation against its target, and its pieces for a MILP.

With ``w`` the post-trade weights of the asset classes (fractions of the
household's value), ``w*`` the target weights and ``S`` the annual covariance of
the classes' returns, the (ex-ante, annual) tracking error is::

    TE = sqrt((w - w*)' S (w - w*))

Worked example (``tests/location/test_risk.py``): two classes with
volatilities 16% and 5% and correlation 0.2, weights 70/30 against a 60/40
target. ``d = (0.10, -0.10)``;
``TE^2 = 0.01 * 0.0256 + 0.01 * 0.0025 - 2 * 0.01 * 0.2 * 0.16 * 0.05
= 0.000256 + 0.000025 - 0.000032 = 0.000249``, ``TE = 1.578%``.

**The risk-aversion unit.** The optimiser charges ``risk_aversion * V * TE^2``
dollars, ``V`` the household's value and ``TE`` a fraction: ``risk_aversion``
is dollars per dollar of household per unit of tracking *variance*. At the
default of 10, a 1-percentage-point tracking error (``TE^2 = 0.0001``) on a
$1,000,000 household is worth ``10 * 1,000,000 * 0.0001 = $1,000`` of tax and
cost; 2 points are worth $4,000 (the charge is quadratic, like a
mean-variance certainty equivalent with ``risk_aversion = gamma / 2``).

**In a MILP** (HiGHS has no MIQP). ``S = sum_i lambda_i v_i v_i'``
(eigen-decomposition, ``lambda_i >= 0``), so::

    TE^2 = sum_i lambda_i * z_i^2,   z_i = v_i . (w - w*)

each term a convex function of one linear expression. A convex function is
the maximum of its tangents, so with ``t_i >= slope * z_i + intercept`` for
every tangent cut of :func:`tangent_cuts` (``t_i`` minimised by the objective)
``sum_i t_i`` is ``TE^2`` from below, the gap at most the accuracy asked for.
For ``f(z) = lambda z^2`` the tangent at ``c`` is ``lambda (2 c z - c^2)``;
between tangents at ``c`` and ``c + h`` the largest gap is ``lambda (h/2)^2``
(at the midpoint), so a spacing ``h = 2 sqrt(eps / lambda)`` keeps it under
``eps``. Weights lie in [0, 1] and sum to 1, so ``|z_i| <= 2 max_j |v_ij|``:
tangents placed over that range need no others.

Covariances come from the household file (``risk.covariance``, or
``risk.volatilities`` and ``risk.correlations``) or from the bundled default
:data:`DEFAULT_VOLATILITY` / :data:`DEFAULT_CORRELATION` (sources below). A
class the default does not know is given :data:`UNKNOWN_VOLATILITY` (the
largest default volatility: unknown means risky) and no correlation with the
others; :func:`covariance_matrix` names such classes so the caller can say so.

Floats throughout: this is a risk estimate for the optimiser and the report,
never money.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from decimal import Decimal

import attrs
import numpy as np

from location.errors import LocationInputError

Number = float | int | Decimal

#: Where the default numbers come from. Volatilities of US equity (17.95%),
#: non-US equity (20.70%) and core US bonds (3.75%): Callan, "2021-2030 Capital
#: Markets Assumptions" (February 2021). The others and every correlation are
#: this project's round long-run assumptions, not a published table.
DEFAULT_SOURCE = (
    "Callan, 2021-2030 Capital Markets Assumptions (Feb 2021) for US equity 17.95%, "
    "global ex-US equity 20.70% and core US fixed income 3.75% volatility; other "
    "volatilities and all correlations are household-lots' round long-run assumptions"
)

#: Annual volatility by class name (aliases used in the fixtures included).
DEFAULT_VOLATILITY: Mapping[str, float] = {
    "us_stocks": 0.1795,
    "stocks": 0.1795,
    "intl_stocks": 0.2070,
    "intl": 0.2070,
    "small_value": 0.2200,
    "reits": 0.2100,
    "bonds": 0.0375,
    "munis": 0.0450,
    "tips": 0.0500,
    "treasuries": 0.0400,
    "cash_equivalents": 0.0050,
    "cash": 0.0050,
}

#: The equivalence of aliases: correlations are given between canonical names.
_CANONICAL = {"stocks": "us_stocks", "intl": "intl_stocks", "cash": "cash_equivalents"}

_CORRELATION_PAIRS: Mapping[tuple[str, str], float] = {
    ("us_stocks", "intl_stocks"): 0.80,
    ("us_stocks", "small_value"): 0.85,
    ("us_stocks", "reits"): 0.70,
    ("intl_stocks", "small_value"): 0.75,
    ("intl_stocks", "reits"): 0.65,
    ("small_value", "reits"): 0.70,
    ("bonds", "munis"): 0.75,
    ("bonds", "tips"): 0.70,
    ("bonds", "treasuries"): 0.90,
    ("munis", "tips"): 0.55,
    ("munis", "treasuries"): 0.65,
    ("tips", "treasuries"): 0.65,
    ("us_stocks", "bonds"): 0.10,
    ("intl_stocks", "bonds"): 0.10,
    ("small_value", "bonds"): 0.05,
    ("reits", "bonds"): 0.20,
    ("us_stocks", "munis"): 0.10,
    ("intl_stocks", "munis"): 0.10,
    ("small_value", "munis"): 0.05,
    ("reits", "munis"): 0.20,
    ("us_stocks", "tips"): 0.10,
    ("intl_stocks", "tips"): 0.10,
    ("small_value", "tips"): 0.05,
    ("reits", "tips"): 0.20,
    ("us_stocks", "treasuries"): -0.10,
    ("intl_stocks", "treasuries"): -0.05,
    ("small_value", "treasuries"): -0.10,
    ("reits", "treasuries"): 0.05,
}

#: Correlation between two default classes (cash is uncorrelated with all).
DEFAULT_CORRELATION: Mapping[frozenset[str], float] = {
    frozenset(pair): value for pair, value in _CORRELATION_PAIRS.items()
}

#: The volatility given to a class the default does not know.
UNKNOWN_VOLATILITY = max(DEFAULT_VOLATILITY.values())

#: The default risk aversion: dollars per dollar of household per unit of TE^2.
DEFAULT_RISK_AVERSION = Decimal(10)


def default_covariance(first: str, second: str) -> float | None:
    """The bundled covariance of two classes, ``None`` when either is unknown."""
    if first not in DEFAULT_VOLATILITY or second not in DEFAULT_VOLATILITY:
        return None
    a, b = _CANONICAL.get(first, first), _CANONICAL.get(second, second)
    rho = 1.0 if a == b else DEFAULT_CORRELATION.get(frozenset((a, b)), 0.0)
    return rho * DEFAULT_VOLATILITY[first] * DEFAULT_VOLATILITY[second]


@attrs.frozen
class Covariance:
    """A covariance matrix over named classes.

    Attributes:
        classes: the class names, in the matrix's order.
        matrix: the annual covariance (symmetric, positive semi-definite).
        assumed: classes neither the household nor the default knew (given
            :data:`UNKNOWN_VOLATILITY`, uncorrelated).
        defaulted: classes whose numbers came from the bundled default.
    """

    classes: tuple[str, ...]
    matrix: np.ndarray = attrs.field(eq=False)
    assumed: tuple[str, ...] = ()
    defaulted: tuple[str, ...] = ()

    def index(self, name: str) -> int:
        """The position of a class in the matrix."""
        return self.classes.index(name)

    def vector(self, weights: Mapping[str, Number]) -> np.ndarray:
        """Weights as a vector in the matrix's order (absent classes are 0)."""
        unknown = set(weights) - set(self.classes)
        if unknown:
            raise LocationInputError(f"no covariance for classes {sorted(unknown)}")
        return np.array([float(weights.get(name, 0)) for name in self.classes])


def covariance_matrix(
    classes: Sequence[str],
    covariance: Mapping[str, Mapping[str, Number]] | None = None,
    volatilities: Mapping[str, Number] | None = None,
    correlations: Mapping[str, Mapping[str, Number]] | None = None,
) -> Covariance:
    """The covariance over ``classes`` from a household's numbers and the default.

    Precedence per pair ``(i, j)``: an explicit ``covariance[i][j]`` (or
    ``[j][i]``); else ``rho_ij * s_i * s_j`` when both volatilities are given
    (``s`` from ``volatilities``, ``rho`` from ``correlations``, 1 on the
    diagonal, 0 when not given); else the default covariance when the default
    knows both classes (a class with only a given volatility takes the default
    correlation); else 0 off the diagonal and ``UNKNOWN_VOLATILITY^2`` on it.

    Raises:
        LocationInputError: a matrix that is not symmetric positive semi-definite.
    """
    covariance = covariance or {}
    volatilities = volatilities or {}
    correlations = correlations or {}
    names = tuple(classes)
    n = len(names)
    matrix = np.zeros((n, n))
    assumed: list[str] = []
    defaulted: list[str] = []

    def given(first: str, second: str) -> float | None:
        row = covariance.get(first, {})
        if second in row:
            return float(row[second])
        row = covariance.get(second, {})
        if first in row:
            return float(row[first])
        return None

    def correlation(first: str, second: str) -> float | None:
        if first == second:
            return 1.0
        for a, b in ((first, second), (second, first)):
            if b in correlations.get(a, {}):
                return float(correlations[a][b])
        return None

    def volatility(name: str) -> float | None:
        if name in volatilities:
            return float(volatilities[name])
        diagonal = given(name, name)
        if diagonal is not None:
            return math.sqrt(max(diagonal, 0.0))
        return DEFAULT_VOLATILITY.get(name)

    for name in names:
        if given(name, name) is None and name not in volatilities:
            if name in DEFAULT_VOLATILITY:
                defaulted.append(name)
            else:
                assumed.append(name)
    for i, first in enumerate(names):
        for j, second in enumerate(names):
            if j < i:
                continue
            value = given(first, second)
            if value is None:
                rho = correlation(first, second)
                s_i, s_j = volatility(first), volatility(second)
                if rho is None:
                    default = default_covariance(first, second)
                    if default is not None and s_i is not None and s_j is not None:
                        base_i = DEFAULT_VOLATILITY[first]
                        base_j = DEFAULT_VOLATILITY[second]
                        rho = default / (base_i * base_j) if base_i * base_j else 0.0
                    else:
                        rho = 0.0
                s_i = UNKNOWN_VOLATILITY if s_i is None else s_i
                s_j = UNKNOWN_VOLATILITY if s_j is None else s_j
                value = rho * s_i * s_j
            matrix[i, j] = matrix[j, i] = value
    if n:
        smallest = float(np.linalg.eigvalsh(matrix).min())
        if smallest < -1e-10:
            raise LocationInputError(
                f"the covariance of {list(names)} is not positive semi-definite "
                f"(smallest eigenvalue {smallest:.3g})",
                hint="check the correlations: each must lie in [-1, 1] and agree with the others",
            )
    return Covariance(names, matrix, tuple(assumed), tuple(defaulted))


def tracking_error(
    weights: Mapping[str, Number],
    target: Mapping[str, Number],
    covariance: Covariance,
) -> float:
    """``sqrt((w - w*)' S (w - w*))``: the annual tracking error, as a fraction.

    Args:
        weights: class -> weight of the allocation (absent classes weigh 0).
        target: class -> target weight.
        covariance: the classes' covariance.
    """
    d = covariance.vector(weights) - covariance.vector(target)
    variance = float(d @ covariance.matrix @ d)
    return math.sqrt(max(variance, 0.0))


@attrs.frozen
class Cut:
    """A tangent ``slope * z + intercept`` below ``eigenvalue * z^2``."""

    slope: float
    intercept: float

    def at(self, z: float) -> float:
        """The tangent's value at ``z``."""
        return self.slope * z + self.intercept


@attrs.frozen
class Factor:
    """One term ``eigenvalue * (vector . (w - w*))^2`` of ``TE^2``, with its cuts.

    Attributes:
        eigenvalue: ``lambda_i`` (positive).
        vector: ``v_i`` per class, in the covariance's order.
        bound: ``|z_i|`` never exceeds it for weights in [0, 1] summing to 1.
        cuts: tangents of ``lambda_i z^2`` over ``[-bound, bound]``.
    """

    eigenvalue: float
    vector: tuple[float, ...]
    bound: float
    cuts: tuple[Cut, ...]

    def z(self, deviation: np.ndarray) -> float:
        """``v_i . (w - w*)``."""
        return float(np.dot(self.vector, deviation))

    def below(self, z: float) -> float:
        """The cuts' maximum at ``z`` (what the MILP's ``t_i`` settles at)."""
        return max(cut.at(z) for cut in self.cuts)


def tangent_cuts(eigenvalue: float, bound: float, accuracy: float) -> tuple[Cut, ...]:
    """Tangents of ``eigenvalue * z^2`` on ``[-bound, bound]``, gap at most ``accuracy``.

    Tangent points are spaced ``h = 2 sqrt(accuracy / eigenvalue)`` apart from
    ``-bound`` to ``bound`` (both included), so the maximum of the cuts is
    within ``accuracy`` of the function everywhere on the interval.

    >>> [(c.slope, c.intercept) for c in tangent_cuts(1.0, 1.0, 0.25)]
    [(-2.0, -1.0), (0.0, -0.0), (2.0, -1.0)]
    """
    if eigenvalue <= 0 or bound <= 0:
        return (Cut(0.0, 0.0),)
    if accuracy <= 0:
        raise LocationInputError("the tangent-cut accuracy must be positive")
    spacing = 2 * math.sqrt(accuracy / eigenvalue)
    count = max(1, math.ceil(2 * bound / spacing))
    points = [-bound + 2 * bound * k / count for k in range(count + 1)]
    return tuple(Cut(2 * eigenvalue * c, -eigenvalue * c * c) for c in points)


def tracking_factors(
    covariance: Covariance, accuracy: float = 1e-6, tolerance: float = 1e-12
) -> tuple[Factor, ...]:
    """The eigen-factors of ``S`` with tangent cuts, for ``TE^2`` in a MILP.

    Args:
        covariance: the classes' covariance.
        accuracy: the largest total gap between ``sum_i max cuts`` and the
            exact ``TE^2`` (variance units: ``1e-6`` is a TE of 0.1 point); it
            is split evenly over the factors.
        tolerance: eigenvalues at or below it are dropped (they add nothing).

    Returns:
        One :class:`Factor` per positive eigenvalue.
    """
    values, vectors = np.linalg.eigh(covariance.matrix)
    kept = [i for i, value in enumerate(values) if value > tolerance]
    if not kept:
        return ()
    share = accuracy / len(kept)
    factors = []
    for i in kept:
        vector = vectors[:, i]
        bound = 2 * float(np.max(np.abs(vector)))
        factors.append(
            Factor(
                eigenvalue=float(values[i]),
                vector=tuple(float(x) for x in vector),
                bound=bound,
                cuts=tangent_cuts(float(values[i]), bound, share),
            )
        )
    return tuple(factors)


def approximate_variance(
    factors: Sequence[Factor],
    weights: Mapping[str, Number],
    target: Mapping[str, Number],
    covariance: Covariance,
) -> float:
    """``sum_i max cuts(z_i)``: the MILP's view of ``TE^2`` (never above the exact)."""
    d = covariance.vector(weights) - covariance.vector(target)
    return sum(factor.below(factor.z(d)) for factor in factors)
