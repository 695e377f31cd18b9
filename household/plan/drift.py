"""How far each asset class has drifted from its target, and whether that matters.

A household's target says, e.g., 60% US equity; after a rally it holds 66%. The
*absolute drift* is ``actual - target`` = +6 points; the *relative drift* is
``drift / target`` = +10%. Tolerance bands decide what to do about it:

* the **inner band** is where trading starts: a class is an *inner breach* when
  its absolute drift exceeds the absolute band **or** its relative drift exceeds
  the relative band (the common "5/25" rule). Equivalently its half-width is
  ``min(absolute, relative * target)``;
* the **outer band** is wider; a class outside it is an *outer breach*. The
  optimiser (:mod:`household.plan.optimise`) treats the outer band as a hard
  constraint and the inner band as one it meets whenever it can.

Worked example: target 60%, bands ±3 points or ±20% (inner), ±8 points or ±40%
(outer). Inner half-width = min(0.03, 0.20 * 0.60 = 0.12) = 0.03; outer =
min(0.08, 0.24) = 0.08. At 66% the drift 0.06 is beyond 0.03 but inside 0.08:
an inner breach of severity 0.06 / 0.03 = 2. A 5% class (±20% relative = ±1
point) at 6.5% is an inner breach of severity 1.5 although only 1.5 points off.

Drift exactly on a band edge counts as inside. A class with a zero target has no
relative drift (``None``); only the absolute band applies to it. The bands are
the household file's (:class:`household.model.Bands`).
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from decimal import Decimal

import attrs

from household.model import Bands
from lots.numbers import ZERO


class BreachStatus(enum.Enum):
    """Where a class's drift sits relative to its bands."""

    INSIDE = "inside"
    INNER_BREACH = "inner_breach"
    OUTER_BREACH = "outer_breach"


@attrs.frozen
class ClassDrift:
    """The drift of one asset class.

    Attributes:
        asset_class: the class.
        target: target weight (fraction).
        actual: actual weight (fraction).
        value: dollars held in the class.
        target_value: dollars the target asks for.
        inner_width: inner band half-width (``None``: unbounded).
        outer_width: outer band half-width (``None``: unbounded).
    """

    asset_class: str
    target: Decimal
    actual: Decimal
    value: Decimal
    target_value: Decimal
    inner_width: Decimal | None
    outer_width: Decimal | None

    @property
    def absolute(self) -> Decimal:
        """``actual - target`` (positive: overweight)."""
        return self.actual - self.target

    @property
    def relative(self) -> Decimal | None:
        """``absolute / target``; ``None`` for a zero target."""
        return self.absolute / self.target if self.target > 0 else None

    @property
    def status(self) -> BreachStatus:
        """Inside, inner breach or outer breach (a drift on the edge is inside)."""
        size = abs(self.absolute)
        if self.outer_width is not None and size > self.outer_width:
            return BreachStatus.OUTER_BREACH
        if self.inner_width is not None and size > self.inner_width:
            return BreachStatus.INNER_BREACH
        return BreachStatus.INSIDE

    @property
    def severity(self) -> Decimal:
        """``|drift| / inner width``: how many inner band widths out (>1 is a breach).

        Without an inner band the absolute drift itself; a zero-width band makes any
        drift infinitely severe (reported as ``|drift| * 10**6``).
        """
        size = abs(self.absolute)
        if self.inner_width is None:
            return size
        if self.inner_width == 0:
            return size * Decimal(10**6)
        return size / self.inner_width

    @property
    def dollars_off(self) -> Decimal:
        """``value - target_value`` (positive: overweight, dollars to sell)."""
        return self.value - self.target_value

    def band_edge_value(self, total: Decimal) -> Decimal:
        """Dollars at the nearest inner band edge (the target where there is no band)."""
        if self.status is BreachStatus.INSIDE:
            return self.value
        if self.inner_width is None:
            return self.target_value
        edge = (
            self.target + self.inner_width if self.absolute > 0 else self.target - self.inner_width
        )
        return edge * total


def measure(
    values: Mapping[str, Decimal],
    targets: Mapping[str, Decimal],
    bands: Bands,
    total: Decimal | None = None,
) -> list[ClassDrift]:
    """Drift per class, ranked by severity (most severe first, ties by class name).

    Args:
        values: dollars per asset class.
        targets: target weight per class (fractions that add to 1).
        bands: the household's :class:`household.model.Bands` (the same for
            every class; the widths depend on each class's target).
        total: the portfolio value the weights are measured against (default
            the sum of ``values``).

    Returns:
        One :class:`ClassDrift` per class of ``values`` or ``targets``.

    >>> d = measure({"us": Decimal(66), "bond": Decimal(34)},
    ...             {"us": Decimal("0.6"), "bond": Decimal("0.4")},
    ...             Bands(absolute=Decimal("0.03")))
    >>> [(x.asset_class, x.absolute, x.status.value) for x in d]
    [('bond', Decimal('-0.06'), 'inner_breach'), ('us', Decimal('0.06'), 'inner_breach')]
    """
    if total is None:
        total = sum(values.values(), ZERO)
    drifts = []
    for asset_class in sorted(set(values) | set(targets)):
        value = values.get(asset_class, ZERO)
        target = targets.get(asset_class, ZERO)
        actual = value / total if total > 0 else ZERO
        drifts.append(
            ClassDrift(
                asset_class=asset_class,
                target=target,
                actual=actual,
                value=value,
                target_value=target * total,
                inner_width=bands.inner_width(target),
                outer_width=bands.outer_width(target),
            )
        )
    return rank(drifts)


def rank(drifts: list[ClassDrift]) -> list[ClassDrift]:
    """Most severe first; ties broken by class name (deterministic)."""
    return sorted(drifts, key=lambda d: (-d.severity, d.asset_class))


def any_breach(drifts: list[ClassDrift]) -> bool:
    """Whether any class is outside its inner band."""
    return any(d.status is not BreachStatus.INSIDE for d in drifts)
