"""A priced picture of the household on one date: what each account holds, by class.

Before anything can drift or trade, every lot must be priced and mapped to an
asset class. A holding that cannot be (no price, no security record, an asset
class without a target) is *frozen*: it goes to the exception log, is left out
of the weights, and no trade touches it. A restricted holding (a symbol that
may not be bought, e.g. the employer's stock of an insider) is priced and
counted in its class, but frozen too: the plan neither sells nor buys it.

Weights are measured against the *managed value* of the household: every
account's cash above its reserve plus every priced, mapped holding (restricted
ones included). Worked example: a taxable account with $1,000 cash, a $500
reserve and 10 VTI at $250, and an IRA with 20 BND at $75 and no cash: managed
value = (1,000 - 500) + 2,500 + 1,500 = 4,500; US equity weighs 2,500 / 4,500.

Pending cash flows are credited to (or debited from) the account's cash before
anything else, so a contribution shows up as cash to invest and a withdrawal as
cash to raise.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal

import attrs

from household.model import Household
from lots.numbers import ZERO
from lots.records import Lot, TaxTreatment


@attrs.frozen
class Note:
    """One line of the exception log: something left out or changed, and why.

    Attributes:
        stage: the pipeline step (``snapshot``, ``trades``, ``tax``, ``wash_sale``,
            ``costs``, ``checks``, ``harvest``).
        code: a stable machine-readable reason (``unpriced``, ``deferred_gain``...).
        message: the reason in words.
        account_id: the account concerned, if any.
        symbol: the security concerned, if any.
    """

    stage: str
    code: str
    message: str
    account_id: str = ""
    symbol: str = ""


@attrs.frozen
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

    @property
    def quantity(self) -> Decimal:
        """Shares held."""
        return sum((lot.quantity for lot in self.lots), ZERO)

    @property
    def cost_basis(self) -> Decimal:
        """Total adjusted basis."""
        return sum((lot.cost_basis for lot in self.lots), ZERO)

    @property
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
        cash: cash after pending cash flows (may be below the reserve, or negative).
        reserve: cash the account must keep.
        cash_flow: the net pending cash flow credited to ``cash``.
        holdings: per symbol, sorted by symbol.
    """

    account_id: str
    treatment: TaxTreatment
    cash: Decimal
    reserve: Decimal
    cash_flow: Decimal
    holdings: tuple[Holding, ...]

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
        accounts: per account, in the household file's order.
        notes: the exception log of the snapshot.
    """

    as_of: dt.date
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


#: Cash flows dated up to this long after the plan date are netted now (the coming
#: month's contributions and withdrawals); later ones wait for a later plan.
CASH_FLOW_HORIZON = dt.timedelta(days=31)


def pending_cash_flows(
    household: Household, as_of: dt.date, notes: list[Note] | None = None
) -> Mapping[str, Decimal]:
    """The net cash flow per account that this plan nets.

    Flows dated on or before ``as_of + CASH_FLOW_HORIZON`` count (overdue ones
    too); a later flow is left for a later plan and, when ``notes`` is given,
    logged there.
    """
    flows: dict[str, Decimal] = {}
    last = as_of + CASH_FLOW_HORIZON
    for flow in household.cash_flows:
        if flow.date > last:
            if notes is not None:
                notes.append(
                    Note(
                        "snapshot",
                        "future_cash_flow",
                        f"{flow.kind.value} of {flow.amount:.2f} on {flow.date.isoformat()} "
                        f"is more than {CASH_FLOW_HORIZON.days} days away: not netted now",
                        flow.account_id,
                        "",
                    )
                )
            continue
        flows[flow.account_id] = flows.get(flow.account_id, ZERO) + flow.amount
    return flows


def take(household: Household, as_of: dt.date) -> Snapshot:
    """Price every lot, map it to its class and freeze what cannot be traded.

    Args:
        household: the household.
        as_of: the snapshot date (prices are the household file's).

    Returns:
        The :class:`Snapshot`, with unpriced, unmapped and restricted holdings
        frozen and logged.
    """
    notes: list[Note] = []
    flows = pending_cash_flows(household, as_of, notes)
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
                        "snapshot",
                        holding.frozen,
                        _FROZEN[holding.frozen],
                        account.account_id,
                        symbol,
                    )
                )
            holdings.append(holding)
        flow = flows.get(account.account_id, ZERO)
        accounts.append(
            AccountSnapshot(
                account_id=account.account_id,
                treatment=account.treatment,
                cash=account.cash + flow,
                reserve=household.cash_reserve(account.account_id),
                cash_flow=flow,
                holdings=tuple(holdings),
            )
        )
    return Snapshot(as_of=as_of, accounts=tuple(accounts), notes=tuple(notes))


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
