"""Monitoring: what needs attention across the stored households on a date.

For each household, at the policy's prices or those of ``PRICES.csv``
(``symbol,price``), on ``as_of``:

* **band breaches**: an asset class whose weight strays from its target by more
  than the alert band, absolute (``|w - t| > absolute``) or relative
  (``|w - t| / t > relative``). The alert bands are the monitoring policy's
  ``alert_bands``, else the household's inner rebalancing bands. Weights are of
  the household's priced holdings plus cash; an unpriced holding is left out
  (and named in ``unpriced``).
* **review due**: the next review date is on or before ``as_of``. It is the date
  re-armed after the last fills import, else the calendar's first date after the
  policy's ``as_of``. Calendars: ``quarterly`` (Jan 1, Apr 1, Jul 1, Oct 1),
  ``semi-annual`` (Jan 1, Jul 1), ``annual`` (Jan 1) or a list of dates.
* **wash-sale windows closing**: per identical group sold at a loss in a taxable
  account within the last 30 days (the ledger's sales and the look-back's), the
  safe-to-rebuy date, 31 days after the latest such sale: a buy of the group
  in any account before it would wash the loss.
* **lots turning long-term**: taxable lots at a gain whose first long-term sale
  date falls within the next ``long_term_days`` (default 30): waiting turns a
  short-term gain into a long-term one.
* **harvest candidates**: taxable lots at a loss of at least the household's
  ``harvest.min_loss_dollars`` and ``min_loss_percent`` of basis.

Worked example: targets stocks 60% / bonds 40%, holdings stocks $7,000 and bonds
$3,000 (no cash): stocks weigh 70%, 10 points over; with an absolute band of 5
points that is a breach (``|0.70 - 0.60| = 0.10 > 0.05``).

The computation reads the policy document and the replayed ledger only; it
builds no plan, so a thousand households take seconds.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import attrs

from household.render import money_text
from household.store.events import EventKind
from lots.errors import InputError
from lots.numbers import ZERO, to_decimal
from lots.records import AccountType, Action, TaxTreatment
from lots.terms import long_term_from
from lots.washsale import WINDOW, Ledger

__all__ = [
    "CALENDARS",
    "Alert",
    "monitor_household",
    "next_review_after",
    "parse_rate",
    "parse_review",
    "read_prices",
]

CALENDARS = {"quarterly": (1, 4, 7, 10), "semi-annual": (1, 7), "annual": (1,)}
"""Periodic calendars: the months whose first day is a review."""


def parse_review(text: str, field: str = "review") -> Any:
    """A review calendar: ``quarterly``, ``semi-annual``, ``annual`` or ISO dates, comma-joined."""
    value = text.strip().lower()
    if value in CALENDARS:
        return value
    dates = []
    for part in value.split(","):
        try:
            dates.append(dt.date.fromisoformat(part.strip()).isoformat())
        except ValueError:
            raise InputError(
                f"{text!r} is not a review calendar (quarterly, semi-annual, annual, or dates)",
                field=field,
            ) from None
    return sorted(dates)


def parse_rate(text: str, field: str) -> Decimal:
    """A rate between 0 and 1."""
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise InputError(f"{text!r} is not a number", field=field) from None
    if not value.is_finite() or not 0 <= value <= 1:
        raise InputError(f"{text!r} is not between 0 and 1", field=field)
    return value


def next_review_after(calendar: Any, date: dt.date) -> dt.date:
    """The calendar's first review date strictly after ``date``.

    >>> next_review_after("quarterly", dt.date(2026, 6, 2))
    datetime.date(2026, 7, 1)
    >>> next_review_after("annual", dt.date(2026, 1, 1))
    datetime.date(2027, 1, 1)
    >>> next_review_after(["2026-03-01", "2026-09-01"], dt.date(2026, 3, 1))
    datetime.date(2026, 9, 1)

    A list of dates with none left falls back to a year after ``date``.
    """
    if isinstance(calendar, list):
        later = sorted(d for d in map(dt.date.fromisoformat, calendar) if d > date)
        if later:
            return later[0]
        return (
            date.replace(year=date.year + 1)
            if (date.month, date.day) != (2, 29)
            else (dt.date(date.year + 1, 3, 1))
        )
    months = CALENDARS.get(calendar or "quarterly", CALENDARS["quarterly"])
    for year in (date.year, date.year + 1):
        for month in months:
            candidate = dt.date(year, month, 1)
            if candidate > date:
                return candidate
    raise AssertionError("a calendar always has a date within a year")


def read_prices(path: str | Path) -> dict[str, Decimal]:
    """Read ``PRICES.csv`` (``symbol,price``); a bad row refuses the file."""
    from household.csvio import CsvRows

    rows = CsvRows(path, ["symbol", "price"], ["symbol", "price"])
    prices: dict[str, Decimal] = {}
    for line, record in rows:
        symbol = rows.symbol(line, record, "symbol")
        price = rows.number(line, record, "price")
        if price < 0:
            raise rows.error(line, "price", f"{price} must not be negative")
        if symbol in prices:
            raise rows.error(line, "symbol", f"duplicate symbol {symbol!r}")
        prices[symbol] = price
    return prices


@attrs.frozen
class Alert:
    """One thing needing attention in one household."""

    household_id: str
    alert: str
    subject: str
    detail: str
    date: dt.date | None = None
    amount: Decimal | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "household_id": self.household_id,
            "alert": self.alert,
            "subject": self.subject,
            "detail": self.detail,
            "date": None if self.date is None else self.date.isoformat(),
            "amount": None if self.amount is None else money_text(self.amount),
        }


def _dec(value: Any, default: Decimal = ZERO) -> Decimal:
    return default if value is None else to_decimal(value)


def monitor_household(
    household_id: str,
    policy: Mapping[str, Any],
    monitoring: Mapping[str, Any],
    ledger: Ledger,
    cash: Mapping[str, Decimal],
    lookback: Iterable[Any],
    as_of: dt.date,
    prices: Mapping[str, Decimal] | None = None,
    armed: dt.date | None = None,
) -> dict[str, Any]:
    """What needs attention in one household on ``as_of`` (see the module docstring).

    Args:
        household_id: the household.
        policy: its policy document.
        monitoring: its monitoring settings.
        ledger: the replay of its events.
        cash: cash per account.
        lookback: the look-back transactions (recent sales before the store).
        as_of: the date.
        prices: symbol -> price, over the policy's prices.
        armed: the next review date re-armed after fills, if any.
    """
    prices = prices or {}
    securities = {s["symbol"]: s for s in policy.get("securities", [])}
    treatment = {
        a["account_id"]: AccountType.parse(a["type"]).treatment for a in policy["accounts"]
    }

    def price_of(symbol: str) -> Decimal | None:
        if symbol in prices:
            return prices[symbol]
        spec = securities.get(symbol)
        return None if spec is None or spec.get("price") is None else to_decimal(spec["price"])

    def group_of(symbol: str) -> str:
        spec = securities.get(symbol)
        return (spec or {}).get("identical_group") or symbol

    alerts: list[Alert] = []
    # Band breaches.
    targets = {k: to_decimal(v) for k, v in policy.get("targets", {}).items()}
    values: dict[str, Decimal] = dict.fromkeys(targets, ZERO)
    unpriced: set[str] = set()
    total = sum(cash.values(), ZERO)
    for lot in ledger.lots:
        price = price_of(lot.symbol)
        spec = securities.get(lot.symbol)
        if price is None or spec is None:
            unpriced.add(lot.symbol)
            continue
        value = lot.quantity * price
        values[spec["asset_class"]] = values.get(spec["asset_class"], ZERO) + value
        total += value
    bands = dict(policy.get("bands", {}))
    alert_bands = monitoring.get("alert_bands") or {}
    absolute = _dec(alert_bands.get("absolute", bands.get("absolute")), Decimal("0.03"))
    relative = _dec(alert_bands.get("relative", bands.get("relative")), Decimal("0.20"))
    weights = {}
    if total > 0:
        for asset_class, target in targets.items():
            weight = values.get(asset_class, ZERO) / total
            weights[asset_class] = weight
            off = weight - target
            if abs(off) > absolute or (target > 0 and abs(off) / target > relative):
                alerts.append(
                    Alert(
                        household_id,
                        "band_breach",
                        asset_class,
                        f"weight {weight:.4f} against target {target:.4f}"
                        f" (band {absolute} absolute, {relative} relative)",
                        amount=off * total,
                    )
                )
    # Reviews.
    calendar = monitoring.get("review", "quarterly")
    if armed is None:
        base = policy.get("as_of")
        start = dt.date.fromisoformat(base) if base else as_of
        armed = next_review_after(calendar, start - dt.timedelta(days=1))
    review_due = armed <= as_of
    if review_due:
        alerts.append(
            Alert(household_id, "review_due", "review", f"calendar {calendar}", date=armed)
        )
    # Wash-sale windows.
    latest: dict[str, dt.date] = {}
    for row in ledger.dispositions:
        if row.reportable and row.proceeds < row.cost_basis and row.sale_date <= as_of:
            group = group_of(row.symbol)
            latest[group] = max(latest.get(group, row.sale_date), row.sale_date)
    for txn in lookback:
        if txn.action is not Action.SELL or treatment.get(txn.account_id) is not (
            TaxTreatment.TAXABLE
        ):
            continue
        if txn.cost_basis is not None and txn.gross - txn.fees >= txn.cost_basis:
            continue
        group = group_of(txn.symbol)
        latest[group] = max(latest.get(group, txn.date), txn.date)
    for group, sold in sorted(latest.items()):
        safe = sold + WINDOW + dt.timedelta(days=1)
        if sold + WINDOW >= as_of:
            alerts.append(
                Alert(
                    household_id,
                    "wash_window",
                    group,
                    f"sold at a loss on {sold.isoformat()}; do not buy before the safe date",
                    date=safe,
                )
            )
    # Lots turning long-term; harvest candidates.
    horizon = as_of + dt.timedelta(days=int(monitoring.get("long_term_days", 30)))
    harvest = policy.get("harvest", {})
    min_dollars = _dec(harvest.get("min_loss_dollars"))
    min_percent = _dec(harvest.get("min_loss_percent"))
    for lot in ledger.lots:
        if treatment.get(lot.account_id) is not TaxTreatment.TAXABLE:
            continue
        price = price_of(lot.symbol)
        if price is None:
            continue
        gain = lot.quantity * price - lot.cost_basis
        subject = f"{lot.account_id}/{lot.symbol}/{lot.lot_id}"
        long_date = long_term_from(lot.acquired)
        if gain > 0 and as_of < long_date <= horizon:
            alerts.append(
                Alert(
                    household_id,
                    "turning_long_term",
                    subject,
                    f"gain held short-term until {long_date.isoformat()}",
                    date=long_date,
                    amount=gain,
                )
            )
        loss = -gain
        if (
            loss > 0
            and loss >= min_dollars
            and lot.cost_basis > 0
            and loss / lot.cost_basis >= min_percent
        ):
            alerts.append(
                Alert(
                    household_id,
                    "harvest_candidate",
                    subject,
                    f"loss {loss / lot.cost_basis:.2%} of basis",
                    amount=gain,
                )
            )
    return {
        "household_id": household_id,
        "next_review": armed.isoformat(),
        "review_due": review_due,
        "weights": {k: f"{v:.6f}" for k, v in weights.items()},
        "unpriced": sorted(unpriced),
        "alerts": [a.to_dict() for a in alerts],
    }


def monitor_store(
    store: Any,
    as_of: dt.date,
    prices: Mapping[str, Decimal] | None = None,
    household_ids: Sequence[str] | None = None,
) -> dict[str, Any]:
    """Monitor every stored household (or those named): ``{"as_of", "households": [...]}``."""
    armed = store.next_reviews()
    results = []
    for state in store.states(household_ids):
        ledger = state.ledger()
        lookback = [e.record() for e in state.active if e.kind is EventKind.LOOKBACK]
        results.append(
            monitor_household(
                state.household_id,
                state.policy,
                state.monitoring,
                ledger,
                state.cash(),
                lookback,
                as_of,
                prices,
                armed.get(state.household_id),
            )
        )
    return {"as_of": as_of.isoformat(), "households": results}
