"""The household rebalance: one call from a household file to a plan a wealth manager signs.

``rebalance(household, as_of)`` runs the pipeline of the README's
"Rebalancing and harvesting" section and returns a :class:`Plan`:

1. snapshot (:mod:`household.snapshot`): price, map, freeze what cannot trade;
2. drift (:mod:`household.drift`): per class, against the inner and outer bands;
3. per-account targets from the asset-location program (or the household
   target where there is one account);
4. trades (:mod:`household.trades`): cash flows first, then the rebalance,
   tax-advantaged accounts first, with the tax overlay
   (:mod:`household.taxoverlay`) choosing and deferring lots and the wash-sale
   guard blocking buys and loss sales;
5. costs (:mod:`household.costs`): the full rebalance and the band-edge
   rebalance are both built; where the full one's trading cost exceeds what the
   drift it removes is worth (``drift_value_rate`` per dollar moved into
   place), the band-edge one is chosen and the reason logged;
6. checks (:mod:`household.checks`): a plan failing one is *refused*.

The plan is pure data: :meth:`Plan.to_json_dict` gives the JSON document of
``FORMATS.md`` and :meth:`Plan.to_frames` pandas DataFrames for notebooks.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import attrs

from household.checks import Check, ledger_dispositions, run_checks
from household.costs import TradeCost, cost_model, total_cost
from household.drift import Bands, BreachStatus, ClassDrift, any_breach, measure
from household.model import Household
from household.snapshot import Note, Snapshot, take
from household.taxoverlay import TaxRates
from household.trades import (
    Book,
    Policy,
    Trade,
    band_edge_fraction,
    invest_cash,
    move,
    net_cash_flows,
    rebalance_shifts,
)
from lots.numbers import ONE, ZERO
from lots.records import Disposition

if TYPE_CHECKING:
    import pandas as pd

#: What one dollar of drift put back in place is worth, for the full-or-partial decision.
DRIFT_VALUE_RATE = Decimal("0.01")


@attrs.frozen
class LocationResult:
    """Per-account targets in dollars and where they came from."""

    targets: Mapping[str, Mapping[str, Decimal]]
    source: str
    status: str = ""
    seconds: float = 0.0


@attrs.frozen
class Plan:
    """A rebalance or harvest plan.

    Attributes:
        household_id: the household.
        as_of: the plan date.
        kind: ``rebalance`` or ``harvest``.
        mode: ``none`` (nothing breaches), ``cash_flows`` (only cash flows
            traded), ``full`` or ``band_edge`` (partial), or ``harvest``.
        snapshot: the household before the plan.
        drift_before: drift per class before any trade.
        drift_after: drift per class after the trades.
        location: the per-account targets used.
        trades: the blotter.
        notes: the exception log.
        checks: the quality checks.
        dispositions: the plan replayed through the wash-sale ledger.
        cash_after: each account's cash after the trades.
        class_after: dollars per account per class after the trades.
        targets: the household target weights.
        managed_after: the managed value after the trades.
        rates: the tax rates used.
        extra: other facts for the summary (the decision's numbers).
        harvest: for a harvest plan, the :class:`household.harvest.HarvestLine` s.
    """

    household_id: str
    as_of: dt.date
    kind: str
    mode: str
    snapshot: Snapshot
    drift_before: tuple[ClassDrift, ...]
    drift_after: tuple[ClassDrift, ...]
    location: LocationResult
    trades: tuple[Trade, ...]
    notes: tuple[Note, ...]
    checks: tuple[Check, ...]
    dispositions: tuple[Disposition, ...]
    cash_after: Mapping[str, Decimal]
    class_after: Mapping[str, Mapping[str, Decimal]]
    targets: Mapping[str, Decimal]
    managed_after: Decimal
    rates: TaxRates
    extra: Mapping[str, Any] = attrs.field(factory=dict)
    harvest: tuple[Any, ...] = ()

    @property
    def refused(self) -> bool:
        """Whether a quality check failed."""
        return not all(check.passed for check in self.checks)

    @property
    def status(self) -> str:
        """``ok`` or ``refused``."""
        return "refused" if self.refused else "ok"

    @property
    def cost(self) -> TradeCost:
        """Total trading cost."""
        return total_cost(trade.cost for trade in self.trades)

    @property
    def tax(self) -> Decimal:
        """Estimated net tax of the plan (negative: a saving)."""
        return sum((trade.tax for trade in self.trades), ZERO)

    def to_json_dict(self) -> dict[str, Any]:
        """The JSON document: one key per report section, every decimal a string."""
        from household.reports import to_json_dict

        return to_json_dict(self)

    def to_frames(self) -> dict[str, pd.DataFrame]:
        """Every report section as a pandas DataFrame (floats: a view, not the record)."""
        from household.reports import to_frames

        return to_frames(self)


def bands_of(household: Household) -> Bands:
    """The drift module's bands from the household file's."""
    bands = household.bands
    return Bands(
        inner_absolute=bands.absolute,
        inner_relative=bands.relative,
        outer_absolute=bands.outer_absolute,
        outer_relative=bands.outer_relative,
    )


def policy_of(household: Household, as_of: dt.date) -> Policy:
    """The trade generator's policy from the household file."""
    constraints = household.constraints
    return Policy(
        as_of=as_of,
        rates=TaxRates.of(household),
        costs=cost_model(household),
        min_trade=constraints.min_trade,
        fractional=constraints.fractional_shares,
        no_sell=frozenset(constraints.no_sell),
        tax_budget=household.tax_budget,
        max_security_weight=constraints.max_security_weight,
        max_sector_weight=constraints.max_sector_weight,
    )


def account_targets(household: Household, snapshot: Snapshot) -> LocationResult:
    """Per-account target dollars per class.

    With one account, the household target times the account's managed value.
    With more, the asset-location program's (see :mod:`location`); where it is
    not available or fails, the household target in each account over the
    classes its menu offers (logged by the caller through ``source``).
    """
    managed = {a.account_id: a.managed for a in snapshot.accounts}
    if len(household.accounts) > 1:
        from household import locate_bridge

        result = locate_bridge.per_account_targets(household, snapshot)
        if result is not None:
            return result
    targets: dict[str, dict[str, Decimal]] = {}
    for account in household.accounts:
        offered = {k: w for k, w in household.targets.items() if account.offers(k)}
        weight = sum(offered.values(), ZERO)
        scale = managed[account.account_id] / weight if weight > 0 else ZERO
        targets[account.account_id] = {k: w * scale for k, w in offered.items()}
    source = "household_target" if len(household.accounts) == 1 else "household_target_fallback"
    return LocationResult(targets, source)


def _drift(household: Household, values: Mapping[str, Decimal], total: Decimal) -> list[ClassDrift]:
    return measure(values, household.targets, bands_of(household), total=total)


def _build(
    household: Household,
    snapshot: Snapshot,
    location: LocationResult,
    fraction_of: str,
) -> tuple[Book, str, Decimal]:
    """One candidate plan: cash flows, then a ``full`` or ``band_edge`` rebalance."""
    book = Book(household, snapshot, policy_of(household, snapshot.as_of))
    net_cash_flows(book, household.targets)
    middle = _drift(household, book.household_class_values(), _managed(book))
    if not any_breach(middle):
        return book, ("cash_flows" if book.trades else "none"), ZERO
    fraction = ONE if fraction_of == "full" else band_edge_fraction(middle)
    forced = {d.asset_class for d in middle if d.status is BreachStatus.OUTER_BREACH}
    move(book, rebalance_shifts(middle, fraction), forced, location.targets)
    invest_cash(book, household.targets, "rebalance")
    return book, fraction_of, fraction


def _dollars_in_place(before: Sequence[ClassDrift], after: Sequence[ClassDrift]) -> Decimal:
    """Dollars moved back to target: half the drop in the sum of |dollars off| over classes."""
    off_before = sum((abs(d.dollars_off) for d in before), ZERO)
    off_after = sum((abs(d.dollars_off) for d in after), ZERO)
    return max(ZERO, (off_before - off_after) / 2)


def rebalance(
    household: Household,
    as_of: dt.date,
    *,
    drift_value_rate: Decimal = DRIFT_VALUE_RATE,
) -> Plan:
    """Plan the household's rebalance on ``as_of``.

    Args:
        household: the household (see :mod:`household.model`).
        as_of: the trade date (never the clock).
        drift_value_rate: what a dollar of drift put back in place is worth
            (trading costs above that choose the band-edge rebalance).

    Returns:
        The :class:`Plan` (check :attr:`Plan.refused`).

    Example (see ``fixtures/households/plan_contribution.json``)::

        plan = rebalance(load_household("fixtures/households/plan_contribution.json"),
                         dt.date(2026, 11, 20))
        plan.to_frames()["trades"]
    """
    snapshot = take(household, as_of)
    before = _drift(household, snapshot.class_values(), snapshot.managed)
    location = account_targets(household, snapshot)
    book, mode, fraction = _build(household, snapshot, location, "full")
    extra: dict[str, Any] = {"fraction": fraction}
    if mode == "full":
        full_after = _drift(household, book.household_class_values(), _managed(book))
        full_cost = total_cost(t.cost for t in book.trades).total
        worth = drift_value_rate * _dollars_in_place(before, full_after)
        extra.update(full_cost=full_cost, full_worth=worth)
        if full_cost > worth:
            edge, edge_mode, edge_fraction = _build(household, snapshot, location, "band_edge")
            edge_cost = total_cost(t.cost for t in edge.trades).total
            extra.update(band_edge_cost=edge_cost, fraction=edge_fraction)
            if edge_cost < full_cost:
                edge.note(
                    "costs",
                    "partial_rebalance",
                    f"full rebalance costs ${full_cost:.2f}, more than the ${worth:.2f} its "
                    f"drift removal is worth: rebalanced to the band edge "
                    f"(λ = {edge_fraction:.4f}) for ${edge_cost:.2f}",
                )
                book, mode = edge, edge_mode
    return finish(household, snapshot, before, location, book, "rebalance", mode, extra)


def finish(
    household: Household,
    snapshot: Snapshot,
    before: Sequence[ClassDrift],
    location: LocationResult,
    book: Book,
    kind: str,
    mode: str,
    extra: Mapping[str, Any],
) -> Plan:
    """Measure, replay and check a built plan; returns the :class:`Plan`."""
    after = _drift(household, book.household_class_values(), _managed(book))
    notes = list(snapshot.notes) + list(book.notes)
    trades = tuple(book.trades)
    if location.source == "household_target_fallback":
        notes.append(
            Note(
                "location",
                "location_fallback",
                "asset-location program unavailable: household target used in every account",
            )
        )
    if location.status and "optimal" not in location.status.lower():
        notes.append(Note("location", "location_status", f"location solver: {location.status}"))
    dispositions = ledger_dispositions(household, trades, snapshot.as_of)
    for drift in after if kind == "rebalance" else ():
        if drift.status is not BreachStatus.INSIDE:
            notes.append(
                Note(
                    "checks",
                    "band_exception",
                    f"{drift.asset_class} ends at {drift.actual:.4f} against a target of "
                    f"{drift.target:.4f} ({drift.status.value})",
                )
            )
    checks = run_checks(household, snapshot, trades, after, notes, dispositions, kind)
    return Plan(
        household_id=household.household_id,
        as_of=snapshot.as_of,
        kind=kind,
        mode=mode,
        snapshot=snapshot,
        drift_before=tuple(before),
        drift_after=tuple(after),
        location=location,
        trades=trades,
        notes=tuple(notes),
        checks=tuple(checks),
        dispositions=dispositions,
        cash_after=dict(book.cash),
        class_after={a: dict(v) for a, v in book.class_value.items()},
        targets=dict(household.targets),
        managed_after=_managed(book),
        rates=TaxRates.of(household),
        extra=dict(extra),
    )


def _managed(book: Book) -> Decimal:
    invested = sum((sum(v.values(), ZERO) for v in book.class_value.values()), ZERO)
    cash = sum((book.investable(a) for a in book.cash), ZERO)
    return invested + cash
