"""The records of a location result: cells, lot sales, placements, the result.

Split out of :mod:`location.engine` (behaviour unchanged).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from decimal import ROUND_HALF_EVEN, Decimal

import attrs
import numpy as np

from location.inputs import Treatment

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
