"""The records the plan pipeline passes between its stages, and the :class:`Plan` itself.

All immutable (``attrs.frozen``), all exact: quantities, prices and money are
``Decimal``; only :class:`household.plan.optimise.Decision` (the solver's
answer) holds floats, and :mod:`household.plan.rounding` maps it back.

A sale lists every lot it relieves once (:class:`SoldLot`), with the gain, the
part a wash sale disallows and the tax the lot adds at the plan's marginal
netted rate of its term; the blotter (``lots_sold`` = ``LOT:QUANTITY;...``) is
built from them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import attrs

from household.plan.costs import TradeCost, total_cost
from household.plan.drift import ClassDrift
from household.plan.notes import Note
from household.plan.snapshot import Snapshot
from lots.numbers import ZERO
from lots.records import Action, Disposition, Lot, Term

if TYPE_CHECKING:
    import pandas as pd


@attrs.frozen
class Check:
    """One independent check of a plan: its name, whether it passed, and why not."""

    name: str
    passed: bool
    detail: str = ""


@attrs.frozen
class SoldLot:
    """Shares of one lot sold by a plan.

    Attributes:
        lot: the lot as held before the sale.
        quantity: shares taken from it.
        price: the sale price per share.
        taxable: whether the account is taxable (else gain and tax are 0).
        basis: the basis of the shares sold (a proportional part of the lot's).
        term: short or long, from the lot's holding-period start.
        disallowed: the loss a wash sale disallows (positive; from the replay).
        tax: the tax the lot adds, at the plan's marginal netted rate of its term.
    """

    lot: Lot
    quantity: Decimal
    price: Decimal
    taxable: bool
    basis: Decimal
    term: Term
    disallowed: Decimal = ZERO
    tax: Decimal = ZERO

    @property
    def proceeds(self) -> Decimal:
        """``quantity * price`` (before commission)."""
        return self.quantity * self.price

    @property
    def gain(self) -> Decimal:
        """``proceeds - basis + disallowed``: the gain reported (a washed loss counts back)."""
        return self.proceeds - self.basis + self.disallowed

    @property
    def short_gain(self) -> Decimal:
        """The gain if short-term and taxable, else 0."""
        return self.gain if self.taxable and self.term is Term.SHORT else ZERO

    @property
    def long_gain(self) -> Decimal:
        """The gain if long-term and taxable, else 0."""
        return self.gain if self.taxable and self.term is Term.LONG else ZERO


@attrs.frozen
class Trade:
    """One ticket of the blotter: one account, security and side.

    Attributes:
        account_id: the account.
        symbol: the security.
        asset_class: its class.
        action: buy or sell.
        quantity: shares (positive).
        price: price per share.
        reason: ``rebalance``, ``harvest``, ``cash`` (the plan's mode).
        lots: for a sell, the lots relieved (each once).
        cost: commission, spread and impact.
        limit_price: a suggested limit price where the half spread is wide.
    """

    account_id: str
    symbol: str
    asset_class: str
    action: Action
    quantity: Decimal
    price: Decimal
    reason: str
    lots: tuple[SoldLot, ...] = ()
    cost: TradeCost = TradeCost()
    limit_price: Decimal | None = None

    @property
    def notional(self) -> Decimal:
        """``quantity * price``."""
        return self.quantity * self.price

    @property
    def signed_notional(self) -> Decimal:
        """Positive for a buy, negative for a sell."""
        return self.notional if self.action is Action.BUY else -self.notional

    @property
    def cash_change(self) -> Decimal:
        """The account's cash change on settlement: ``-signed notional - commission``."""
        return -self.signed_notional - self.cost.commission

    @property
    def short_gain(self) -> Decimal:
        """Short-term gain realised (taxable accounts only)."""
        return sum((sale.short_gain for sale in self.lots), ZERO)

    @property
    def long_gain(self) -> Decimal:
        """Long-term gain realised (taxable accounts only)."""
        return sum((sale.long_gain for sale in self.lots), ZERO)

    @property
    def tax(self) -> Decimal:
        """The lots' tax (marginal netted rates)."""
        return sum((sale.tax for sale in self.lots), ZERO)


@attrs.frozen
class BlockLine:
    """Several accounts trading one security on one side: one block order, allocated.

    Attributes:
        symbol: the security.
        action: buy or sell.
        quantity: the block's shares (the sum of the tickets').
        allocations: ``(account_id, quantity)`` per ticket.
    """

    symbol: str
    action: Action
    quantity: Decimal
    allocations: tuple[tuple[str, Decimal], ...]


@attrs.frozen
class Solve:
    """What the optimiser reports about its solve (floats: solver facts, not money)."""

    status: str
    objective: float
    bound: float
    gap: float
    seconds: float
    highs_seconds: float
    tax: float
    terms: Mapping[str, float]


@attrs.frozen
class Plan:
    """A rebalance, harvest or cash plan.

    Attributes:
        household_id: the household.
        as_of: the plan date.
        kind: ``rebalance``, ``harvest`` or ``cash``.
        mode: what the plan does: ``none`` (no trade) or ``trades``.
        snapshot: the household before the plan.
        drift_before: drift per class before.
        drift_after: drift per class after (the same denominator, see
            :mod:`household.plan.snapshot`).
        trades: the blotter, one ticket per account, security and side.
        blocks: block lines.
        notes: the exception log.
        checks: the independent checks.
        refusals: why the optimiser could not meet a constraint (in words).
        dispositions: the plan replayed through the wash-sale ledger.
        cash_after: each account's cash after settlement of the plan (spendable basis).
        class_after: dollars per account per class after the trades.
        targets: the household target weights.
        growth: ``g[a, k]`` used by the optimiser.
        short_gain: the plan's net short-term gain (replayed).
        long_gain: the plan's net long-term gain (replayed).
        tax: what the plan adds to this year's tax (``lots.netting``).
        base_tax: this year's netted tax without the plan.
        solve: the optimiser's facts.
        after_tax_value: the post-trade household's after-tax value at the horizon,
            by the objective's own factors (``household.plan.pipeline.after_tax_value``).
        tracking_error_before: the tracking error of the class weights before
            the plan against target, as a fraction (``location.risk``).
        tracking_error_after: the same after the plan.
        extra: other facts for the summary.
    """

    household_id: str
    as_of: dt.date
    kind: str
    mode: str
    snapshot: Snapshot
    drift_before: tuple[ClassDrift, ...]
    drift_after: tuple[ClassDrift, ...]
    trades: tuple[Trade, ...]
    blocks: tuple[BlockLine, ...]
    notes: tuple[Note, ...]
    checks: tuple[Check, ...]
    refusals: tuple[str, ...]
    dispositions: tuple[Disposition, ...]
    cash_after: Mapping[str, Decimal]
    class_after: Mapping[str, Mapping[str, Decimal]]
    targets: Mapping[str, Decimal]
    growth: Mapping[tuple[str, str], float]
    short_gain: Decimal
    long_gain: Decimal
    tax: Decimal
    base_tax: Decimal
    solve: Solve
    after_tax_value: Decimal | None = None
    tracking_error_before: Decimal | None = None
    tracking_error_after: Decimal | None = None
    extra: Mapping[str, Any] = attrs.field(factory=dict)

    @property
    def refused(self) -> bool:
        """Whether the plan is refused: a check failed or a constraint could not be met."""
        return bool(self.refusals) or not all(check.passed for check in self.checks)

    @property
    def status(self) -> str:
        """``ok`` or ``refused``."""
        return "refused" if self.refused else "ok"

    @property
    def refused_because(self) -> str:
        """The reasons in words (empty when accepted)."""
        reasons = list(self.refusals)
        reasons += [f"{c.name}: {c.detail}" for c in self.checks if not c.passed]
        return "; ".join(reasons)

    @property
    def cost(self) -> TradeCost:
        """Total trading cost."""
        return total_cost(trade.cost for trade in self.trades)

    @property
    def managed_after(self) -> Decimal:
        """Dollars in classes plus cash above the reserves after the plan."""
        invested = sum((sum(v.values(), ZERO) for v in self.class_after.values()), ZERO)
        cash = sum(
            (self.cash_after[a.account_id] - a.reserve for a in self.snapshot.accounts), ZERO
        )
        return invested + cash

    def to_json_dict(self) -> dict[str, Any]:
        """The JSON document: one key per report section, every decimal a string."""
        from household.reports import to_json_dict

        return to_json_dict(self)

    def to_frames(self) -> dict[str, pd.DataFrame]:
        """Every report section as a pandas DataFrame (floats: a view, not the record)."""
        from household.reports import to_frames

        return to_frames(self)
