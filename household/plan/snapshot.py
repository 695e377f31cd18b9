"""A priced picture of the household on one date: holdings by class, and cash by day.

Before anything can drift or trade, every lot must be priced and mapped to an
asset class. A holding that cannot be (no price, no security record, an asset
class without a target) is *frozen*: it goes to the exception log, is left out
of the weights, and no trade touches it. A restricted holding (a symbol that
may not be bought, e.g. the employer's stock of an insider) is priced and
counted in its class, but frozen too: the plan neither sells nor buys it.

**Cash by day.** Trades placed on ``as_of`` settle on the next business day
(``settle``; weekends skipped, exchange holidays not modelled). A pending cash
flow counts from its own date: one dated on or before ``settle`` is cash the
plan may spend; a later *contribution* is not spendable now (logged
``future_contribution``; it is invested by the plan made after it arrives); a
later *withdrawal* within ``CASH_FLOW_HORIZON`` must be covered on its date, so
the plan keeps (or raises) the cash for it now. Each account's ``spendable``
is therefore ``cash + flows up to settle + min(0, the lowest running sum of
the later flows up to each date)``, and its cash on every day from ``settle``
to the horizon stays at or above the reserve exactly when
``spendable + sells - buys - commissions >= reserve``.

**One denominator.** Weights (drift before and after, the household
allocation) are measured against the *managed value* ``M``: every account's
``spendable - reserve`` plus every priced, mapped holding, restricted ones
included. It is fixed before the plan, so a band is a linear constraint;
after the plan the weights add up to ``1 - commissions / M``.

Worked example: a taxable account with $1,000 cash, a $500 reserve and 10 VTI
at $250, and an IRA with 20 BND at $75 and no cash: M = (1,000 - 500) + 2,500
+ 1,500 = 4,500; US equity weighs 2,500 / 4,500. A $2,000 contribution to the
IRA dated 25 days later is not spendable and not in ``M``.
"""

from __future__ import annotations

import datetime as dt
import functools
from decimal import Decimal

import attrs

from household.model import CashFlowKind, Household
from household.plan.notes import Note, NoteCode, Stage
from lots.numbers import ZERO
from lots.records import Lot, TaxTreatment


@attrs.frozen(slots=False)  # not slotted: its sums are worked out once (cached_property)
class Holding:
    """All lots of one symbol in one account.

    Attributes:
        account_id: the account.
        symbol: the security.
        asset_class: its class (``None`` when unmapped).
        price: its price (``None`` when unpriced).
        lots: the lots, in file order.
        frozen: why no trade may touch it (``""``: tradeable).
    """

    account_id: str
    symbol: str
    asset_class: str | None
    price: Decimal | None
    lots: tuple[Lot, ...]
    frozen: str = ""

    @functools.cached_property
    def quantity(self) -> Decimal:
        """Shares held."""
        return sum((lot.quantity for lot in self.lots), ZERO)

    @functools.cached_property
    def cost_basis(self) -> Decimal:
        """Total adjusted basis."""
        return sum((lot.cost_basis for lot in self.lots), ZERO)

    @functools.cached_property
    def value(self) -> Decimal:
        """Market value (0 when unpriced)."""
        return self.quantity * self.price if self.price is not None else ZERO

    @property
    def counted(self) -> bool:
        """Whether it counts in the weights (priced and mapped)."""
        return self.price is not None and self.asset_class is not None


@attrs.frozen
class AccountSnapshot:
    """One account on the snapshot date.

    Attributes:
        account_id: the account.
        treatment: taxable, deferred or exempt.
        cash: the spendable cash (cash now, plus flows up to settlement, less what
            later withdrawals in the horizon need; may be below the reserve).
        reserve: cash the account must keep.
        cash_flow: the flows counted in ``cash`` (``cash - account cash``).
        holdings: per symbol, sorted by symbol.
        cash_days: ``(date, running sum of flows to that date)`` from the
            settlement date to the last flow in the horizon.
    """

    account_id: str
    treatment: TaxTreatment
    cash: Decimal
    reserve: Decimal
    cash_flow: Decimal
    holdings: tuple[Holding, ...]
    cash_days: tuple[tuple[dt.date, Decimal], ...] = ()

    @property
    def investable_cash(self) -> Decimal:
        """``cash - reserve`` (negative: cash to raise)."""
        return self.cash - self.reserve

    def class_values(self) -> dict[str, Decimal]:
        """Dollars per asset class (priced, mapped holdings)."""
        values: dict[str, Decimal] = {}
        for holding in self.holdings:
            if holding.counted:
                assert holding.asset_class is not None
                values[holding.asset_class] = values.get(holding.asset_class, ZERO) + holding.value
        return values

    @property
    def invested(self) -> Decimal:
        """Dollars in priced, mapped holdings."""
        return sum((h.value for h in self.holdings if h.counted), ZERO)

    @property
    def managed(self) -> Decimal:
        """``invested + cash - reserve``: what the weights are measured against."""
        return self.invested + self.investable_cash


@attrs.frozen
class Snapshot:
    """The household priced on ``as_of``.

    Attributes:
        as_of: the date.
        settle: the settlement date of trades placed on ``as_of``.
        accounts: per account, in the household file's order.
        notes: the exception log of the snapshot.
    """

    as_of: dt.date
    settle: dt.date
    accounts: tuple[AccountSnapshot, ...]
    notes: tuple[Note, ...]

    def account(self, account_id: str) -> AccountSnapshot:
        """The snapshot of one account."""
        for account in self.accounts:
            if account.account_id == account_id:
                return account
        raise KeyError(account_id)

    def class_values(self) -> dict[str, Decimal]:
        """Household dollars per asset class."""
        values: dict[str, Decimal] = {}
        for account in self.accounts:
            for asset_class, value in account.class_values().items():
                values[asset_class] = values.get(asset_class, ZERO) + value
        return values

    @property
    def managed(self) -> Decimal:
        """The household's managed value (the denominator of the weights)."""
        return sum((a.managed for a in self.accounts), ZERO)


#: Cash flows dated up to this long after the plan date are considered now (the coming
#: month's contributions and withdrawals); later ones wait for a later plan.
CASH_FLOW_HORIZON = dt.timedelta(days=31)


def settlement_date(as_of: dt.date) -> dt.date:
    """The next business day after ``as_of`` (Saturday and Sunday skipped; holidays not modelled).

    >>> settlement_date(dt.date(2026, 11, 20))  # a Friday
    datetime.date(2026, 11, 23)
    """
    day = as_of + dt.timedelta(days=1)
    while day.weekday() >= 5:
        day += dt.timedelta(days=1)
    return day


def cash_by_day(
    household: Household, as_of: dt.date, notes: list[Note] | None = None
) -> dict[str, tuple[Decimal, tuple[tuple[dt.date, Decimal], ...]]]:
    """Per account: the spendable flows and the running sum of flows by day.

    Returns:
        account id -> ``(spendable flow, ((date, running sum), ...))``, where
        the spendable flow is what the plan may count on from the settlement
        date on (see the module docstring), and the running sums start at the
        settlement date.
    """
    settle = settlement_date(as_of)
    last = as_of + CASH_FLOW_HORIZON
    by_account: dict[str, list[tuple[dt.date, Decimal]]] = {}
    for flow in household.cash_flows:
        if flow.date > last:
            if notes is not None:
                notes.append(
                    Note(
                        Stage.SNAPSHOT,
                        NoteCode.FUTURE_CASH_FLOW,
                        f"{flow.kind.value} of {flow.amount:.2f} on {flow.date.isoformat()} "
                        f"is more than {CASH_FLOW_HORIZON.days} days away: left for a later plan",
                        flow.account_id,
                    )
                )
            continue
        day = max(flow.date, settle)
        by_account.setdefault(flow.account_id, []).append((day, flow.amount))
        if flow.date > settle and notes is not None:
            if flow.amount > 0 or flow.kind is CashFlowKind.CONTRIBUTION:
                notes.append(
                    Note(
                        Stage.SNAPSHOT,
                        NoteCode.FUTURE_CONTRIBUTION,
                        f"{flow.kind.value} of {flow.amount:.2f} arrives on "
                        f"{flow.date.isoformat()}, after settlement on {settle.isoformat()}: "
                        "not spent by this plan",
                        flow.account_id,
                    )
                )
            else:
                notes.append(
                    Note(
                        Stage.SNAPSHOT,
                        NoteCode.FUTURE_WITHDRAWAL,
                        f"{flow.kind.value} of {-flow.amount:.2f} on {flow.date.isoformat()}: "
                        "the cash is kept (or raised) now",
                        flow.account_id,
                    )
                )
    result = {}
    for account in household.accounts:
        flows = sorted(by_account.get(account.account_id, []), key=lambda f: f[0])
        running = ZERO
        days: list[tuple[dt.date, Decimal]] = []
        for day, amount in flows:
            running += amount
            if days and days[-1][0] == day:
                days[-1] = (day, running)
            else:
                days.append((day, running))
        if not days or days[0][0] != settle:
            days.insert(0, (settle, ZERO if not days or days[0][0] > settle else days[0][1]))
        at_settle = days[0][1]
        spendable = min([at_settle] + [running for _, running in days[1:]])
        result[account.account_id] = (spendable, tuple(days))
    return result


def take(household: Household, as_of: dt.date) -> tuple[Snapshot, tuple[Note, ...]]:
    """Price every lot, map it to its class and freeze what cannot be traded.

    Args:
        household: the household.
        as_of: the snapshot date (prices are the household file's).

    Returns:
        ``(snapshot, notes)``: the :class:`Snapshot`, with unpriced, unmapped
        and restricted holdings frozen and logged (the notes are also on the
        snapshot).
    """
    notes: list[Note] = []
    cash = cash_by_day(household, as_of, notes)
    accounts = []
    for account in household.accounts:
        by_symbol: dict[str, list[Lot]] = {}
        for lot in household.lots_in(account.account_id):
            by_symbol.setdefault(lot.symbol, []).append(lot)
        holdings = []
        for symbol in sorted(by_symbol):
            holding = _holding(household, account.account_id, symbol, tuple(by_symbol[symbol]))
            if holding.frozen:
                notes.append(
                    Note(
                        Stage.SNAPSHOT,
                        NoteCode(holding.frozen),
                        _FROZEN[holding.frozen],
                        account.account_id,
                        symbol,
                    )
                )
            elif symbol in household.constraints.no_sell:
                notes.append(
                    Note(
                        Stage.SNAPSHOT,
                        NoteCode.NO_SELL,
                        "on the no-sell list: kept, may be bought",
                        account.account_id,
                        symbol,
                    )
                )
            holdings.append(holding)
        flow, days = cash[account.account_id]
        accounts.append(
            AccountSnapshot(
                account_id=account.account_id,
                treatment=account.treatment,
                cash=account.cash + flow,
                reserve=household.cash_reserve(account.account_id),
                cash_flow=flow,
                holdings=tuple(holdings),
                cash_days=days,
            )
        )
    snapshot = Snapshot(
        as_of=as_of, settle=settlement_date(as_of), accounts=tuple(accounts), notes=tuple(notes)
    )
    return snapshot, tuple(notes)


_FROZEN = {
    "unpriced": "no price: left out of the weights and not traded",
    "unmapped": "no asset class with a target: left out of the weights and not traded",
    "restricted": "restricted security: counted in its class, neither bought nor sold",
}


def _holding(household: Household, account_id: str, symbol: str, lots: tuple[Lot, ...]) -> Holding:
    security = household.securities.get(symbol)
    if security is None:
        return Holding(account_id, symbol, None, None, lots, "unmapped")
    asset_class = security.asset_class if security.asset_class in household.targets else None
    if security.price is None:
        return Holding(account_id, symbol, asset_class, None, lots, "unpriced")
    if asset_class is None:
        return Holding(account_id, symbol, None, security.price, lots, "unmapped")
    frozen = "restricted" if household.is_restricted(symbol) else ""
    return Holding(account_id, symbol, asset_class, security.price, lots, frozen)
