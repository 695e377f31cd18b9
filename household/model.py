"""The household: one family's accounts, holdings, targets, tax profile and policy.

A household file (JSON, see the README's "Household file" section and
``household/schema/household.schema.json``) loads into a :class:`Household`
(:func:`household.loader.load_household`). Everything in it is immutable and
exact: money, quantities, prices and rates are ``Decimal`` (a float is refused
at construction), dates are ``datetime.date``.

The model reuses the lots engine's records: a :class:`HouseholdAccount` *is* a
:class:`lots.records.Account` (with cash, a fund menu and bounds added), lots
are :class:`lots.records.Lot` and recent transactions are
:class:`lots.records.Transaction`, so the lots engine can take them as they are.

Worked example: a taxable account with ``cash = 1000`` holding 10 shares of
VTI priced 250 is worth ``1000 + 10 * 250 = 3500``; with a cash reserve of
``500`` the asset-location program places ``3000`` of it.
"""

from __future__ import annotations

import datetime as dt
import enum
import functools
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

import attrs

from location.inputs import TargetBasis
from lots.exposure import ScheduledBuy
from lots.netting import FilingStatus, NettingRates, YearToDate
from lots.numbers import ONE, ZERO, to_decimal
from lots.records import Account, AccountType, Lot, TaxTreatment, Transaction

__all__ = [
    "Account",
    "AccountType",
    "AssetClass",
    "Bands",
    "CashFlow",
    "CashFlowKind",
    "ClassBounds",
    "Constraints",
    "Costs",
    "HarvestSettings",
    "Household",
    "HouseholdAccount",
    "LOT_METHODS",
    "Lot",
    "LocationOptions",
    "RiskSettings",
    "Security",
    "TargetBasis",
    "TaxProfile",
    "TaxTreatment",
    "Transaction",
]

LOT_METHODS = ("fifo", "lifo", "hifo", "min_tax", "specific")
"""Lot-relief methods an account may name (the household file's default is ``min_tax``)."""


def _not_negative(instance: object, attribute: attrs.Attribute[Any], value: Decimal) -> None:
    if value is not None and value < 0:
        raise ValueError(f"{attribute.name} must not be negative, got {value}")


def _rate(instance: object, attribute: attrs.Attribute[Any], value: Decimal) -> None:
    if value is not None and not ZERO <= value <= ONE:
        raise ValueError(f"{attribute.name} must be between 0 and 1, got {value}")


def _optional_decimal(value: object) -> Decimal | None:
    return None if value is None else to_decimal(value)


def _optional_tuple(value: Iterable[str] | None) -> tuple[str, ...] | None:
    return None if value is None else tuple(value)


def _frozen_mapping(value: Mapping[str, Any] | None) -> Mapping[str, Any]:
    return dict(value or {})


class CashFlowKind(enum.Enum):
    """What a pending cash flow is."""

    CONTRIBUTION = "contribution"
    WITHDRAWAL = "withdrawal"
    DISTRIBUTION = "distribution"


@attrs.frozen
class TaxProfile:
    """The household's marginal tax rates (fractions, ``0.24`` for 24%).

    Attributes:
        ordinary: federal rate on ordinary income (interest, non-qualified dividends).
        qualified: federal rate on qualified dividends and long-term gains.
        short_term: federal rate on short-term gains (defaults to ``ordinary``).
        state: state rate, applied to all investment income and gains.
        niit: net investment income tax (0.038 above the threshold, else 0).
        withdrawal: the expected total rate on withdrawals from deferred accounts.
        filing_status: sets the capital-loss limit (``married_filing_jointly``
            by default: its $3,000 limit is that of every status but married
            filing separately).
        year_to_date: gains realised this year before the plan and the
            carryforwards in (a :class:`lots.netting.YearToDate`).
    """

    ordinary: Decimal = attrs.field(converter=to_decimal, validator=_rate)
    qualified: Decimal = attrs.field(converter=to_decimal, validator=_rate)
    state: Decimal = attrs.field(default=ZERO, converter=to_decimal, validator=_rate)
    niit: Decimal = attrs.field(default=ZERO, converter=to_decimal, validator=_rate)
    withdrawal: Decimal = attrs.field(default=ZERO, converter=to_decimal, validator=_rate)
    short_term: Decimal = attrs.field(converter=to_decimal, validator=_rate)

    filing_status: FilingStatus = FilingStatus.MARRIED_FILING_JOINTLY
    year_to_date: YearToDate = attrs.field(factory=YearToDate)

    @short_term.default
    def _short_term_default(self) -> Decimal:
        return self.ordinary

    def netting_rates(self) -> NettingRates:
        """The total rates of :mod:`lots.netting`: short and long with state and NIIT,
        the ordinary offset with state but no NIIT."""
        return NettingRates.from_parts(
            ordinary=self.ordinary,
            qualified=self.qualified,
            state=self.state,
            niit=self.niit,
            short_term=self.short_term,
            filing_status=self.filing_status,
        )

    @property
    def ordinary_total(self) -> Decimal:
        """Rate on interest and non-qualified dividends: ``ordinary + state + niit``."""
        return self.ordinary + self.state + self.niit

    @property
    def qualified_total(self) -> Decimal:
        """Rate on qualified dividends and long-term gains: ``qualified + state + niit``."""
        return self.qualified + self.state + self.niit

    @property
    def long_term_total(self) -> Decimal:
        """Rate on long-term gains (the same as :attr:`qualified_total`)."""
        return self.qualified_total

    @property
    def short_term_total(self) -> Decimal:
        """Rate on short-term gains: ``short_term + state + niit``."""
        return self.short_term + self.state + self.niit


@attrs.frozen
class AssetClass:
    """An asset class and its tax character (annual fractions of value).

    ``expected_return`` is the total pre-tax return; the part that is not a
    yield is price return, of which ``turnover`` is realised (as long-term
    gains) each year. ``foreign_tax_credit`` is the credit for foreign tax
    withheld, claimable only in a taxable account. ``state_exempt_yield`` is
    interest taxed federally but not by the state (Treasuries);
    ``tax_exempt_yield`` (munis) is free of federal tax, and of state tax only
    when ``in_state`` (the default).
    """

    name: str
    expected_return: Decimal = attrs.field(converter=to_decimal)
    ordinary_yield: Decimal = attrs.field(default=ZERO, converter=to_decimal, validator=_rate)
    qualified_yield: Decimal = attrs.field(default=ZERO, converter=to_decimal, validator=_rate)
    tax_exempt_yield: Decimal = attrs.field(default=ZERO, converter=to_decimal, validator=_rate)
    turnover: Decimal = attrs.field(default=ZERO, converter=to_decimal, validator=_rate)
    foreign_tax_credit: Decimal = attrs.field(default=ZERO, converter=to_decimal, validator=_rate)
    state_exempt_yield: Decimal = attrs.field(default=ZERO, converter=to_decimal, validator=_rate)
    in_state: bool = True

    @property
    def total_yield(self) -> Decimal:
        """Ordinary + qualified + tax-exempt + state-exempt yield."""
        return (
            self.ordinary_yield
            + self.qualified_yield
            + self.tax_exempt_yield
            + self.state_exempt_yield
        )

    @property
    def price_return(self) -> Decimal:
        """``expected_return - total_yield``."""
        return self.expected_return - self.total_yield


@attrs.frozen
class ClassBounds:
    """Bounds on one asset class inside one account (any may be ``None``).

    Weights are fractions of the account's placeable value (value less cash
    reserve); dollars are absolute. Both may be given; all that are given hold.
    """

    min_weight: Decimal | None = attrs.field(
        default=None, converter=_optional_decimal, validator=_rate
    )
    max_weight: Decimal | None = attrs.field(
        default=None, converter=_optional_decimal, validator=_rate
    )
    min_dollars: Decimal | None = attrs.field(
        default=None, converter=_optional_decimal, validator=_not_negative
    )
    max_dollars: Decimal | None = attrs.field(
        default=None, converter=_optional_decimal, validator=_not_negative
    )


@attrs.frozen
class HouseholdAccount(Account):
    """An account of the household: a :class:`lots.records.Account` plus its cash and menu.

    Attributes:
        cash: uninvested cash in the account.
        menu: the asset classes the account may hold; ``None`` means every
            class (with ``funds`` given, the loader derives it from them).
        funds: the securities the account may buy (a 401k's fund list);
            ``None`` means any security of an offered class.
        bounds: per-class :class:`ClassBounds`.
        name: a readable name.
        after_tax_basis: deferred accounts only: the after-tax (non-deductible)
            dollars in the account (Form 8606), which come back untaxed.
    """

    cash: Decimal = attrs.field(default=ZERO, converter=to_decimal, validator=_not_negative)
    menu: tuple[str, ...] | None = attrs.field(default=None, converter=_optional_tuple)
    bounds: Mapping[str, ClassBounds] = attrs.field(factory=dict, converter=_frozen_mapping)
    name: str = ""
    after_tax_basis: Decimal = attrs.field(
        default=ZERO, converter=to_decimal, validator=_not_negative
    )
    funds: tuple[str, ...] | None = attrs.field(default=None, converter=_optional_tuple)

    def offers(self, asset_class: str) -> bool:
        """Whether the account may hold ``asset_class``."""
        return self.menu is None or asset_class in self.menu

    def offers_security(self, symbol: str, asset_class: str) -> bool:
        """Whether the account may buy ``symbol`` (of ``asset_class``).

        A security-level menu (``funds``, a 401k's fund list) names the symbols;
        a class-level ``menu`` names the classes; both apply when both are given.
        """
        if self.funds is not None and symbol not in self.funds:
            return False
        return self.offers(asset_class)


@attrs.frozen
class Security:
    """A security: its asset class, price and trading facts.

    Attributes:
        symbol: the ticker.
        asset_class: the asset class it belongs to.
        price: the last price (``None``: unpriced; its holdings are frozen).
        identical_group: symbols sharing it are substantially identical (wash sales).
        substitutes: ranked replacement symbols for tax-loss harvesting.
        restricted: may not be bought.
        sector: for sector caps.
        half_spread_bps: half the bid-ask spread, basis points (``None``: the costs default).
        adv: average daily volume, shares.
        volatility: annual volatility (fraction), for market impact.
    """

    symbol: str
    asset_class: str
    price: Decimal | None = attrs.field(
        default=None, converter=_optional_decimal, validator=_not_negative
    )
    identical_group: str | None = None
    substitutes: tuple[str, ...] = attrs.field(default=(), converter=tuple)
    restricted: bool = False
    sector: str | None = None
    half_spread_bps: Decimal | None = attrs.field(
        default=None, converter=_optional_decimal, validator=_not_negative
    )
    adv: Decimal | None = attrs.field(
        default=None, converter=_optional_decimal, validator=_not_negative
    )
    volatility: Decimal | None = attrs.field(
        default=None, converter=_optional_decimal, validator=_not_negative
    )

    @property
    def identity(self) -> str:
        """The key of its substantially-identical group (the symbol itself when none)."""
        return self.identical_group or self.symbol


@attrs.frozen
class LocationOptions:
    """Options of the asset-location program.

    Attributes:
        targets: pre-tax or after-tax dollars for the household targets.
        tolerance: per asset class, how far (a weight) its total may stray from target.
        tax_unrealized_at_horizon: charge long-term tax on gains still
            unrealised at the horizon (``False``: assume a step-up or no sale).
    """

    targets: TargetBasis = TargetBasis.PRETAX
    tolerance: Mapping[str, Decimal] = attrs.field(factory=dict, converter=_frozen_mapping)
    tax_unrealized_at_horizon: bool = False


@attrs.frozen
class Bands:
    """Rebalancing bands: drift inside the inner band is left alone.

    A class breaches the inner band when ``|actual - target| > absolute`` or
    ``|actual - target| / target > relative``; the outer band (same tests)
    decides what must trade even at a tax cost.
    """

    absolute: Decimal = attrs.field(default=Decimal("0.03"), converter=to_decimal)
    relative: Decimal = attrs.field(default=Decimal("0.20"), converter=to_decimal)
    outer_absolute: Decimal = attrs.field(default=Decimal("0.06"), converter=to_decimal)
    outer_relative: Decimal = attrs.field(default=Decimal("0.40"), converter=to_decimal)

    def inner_width(self, target: Decimal) -> Decimal:
        """Half-width of the inner band around ``target``: ``min(absolute, relative * target)``.

        A zero target has no relative band (only the absolute one applies).

        >>> Bands().inner_width(Decimal("0.60"))
        Decimal('0.03')
        """
        return _width(self.absolute, self.relative, target)

    def outer_width(self, target: Decimal) -> Decimal:
        """Half-width of the outer band around ``target``."""
        return _width(self.outer_absolute, self.outer_relative, target)


def _width(absolute: Decimal, relative: Decimal, target: Decimal) -> Decimal:
    return min(absolute, relative * target) if target > 0 else absolute


@attrs.frozen
class Constraints:
    """Trading constraints.

    Attributes:
        min_trade: smallest trade, dollars.
        fractional_shares: whether trades may be in fractions of a share.
        restricted: symbols that may not be bought (with each security's own flag).
        no_sell: symbols that may not be sold.
        max_security_weight: cap on one security's share of the household.
        max_sector_weight: cap on one sector's share of the household.
        cash_reserve: per account id, dollars kept in cash.
    """

    min_trade: Decimal = attrs.field(default=ZERO, converter=to_decimal, validator=_not_negative)
    fractional_shares: bool = False
    restricted: tuple[str, ...] = attrs.field(default=(), converter=tuple)
    no_sell: tuple[str, ...] = attrs.field(default=(), converter=tuple)
    max_security_weight: Decimal | None = attrs.field(
        default=None, converter=_optional_decimal, validator=_rate
    )
    max_sector_weight: Decimal | None = attrs.field(
        default=None, converter=_optional_decimal, validator=_rate
    )
    cash_reserve: Mapping[str, Decimal] = attrs.field(factory=dict, converter=_frozen_mapping)


@attrs.frozen
class Costs:
    """Trading-cost parameters: commission + half spread + market impact."""

    commission_per_trade: Decimal = attrs.field(
        default=ZERO, converter=to_decimal, validator=_not_negative
    )
    commission_per_share: Decimal = attrs.field(
        default=ZERO, converter=to_decimal, validator=_not_negative
    )
    half_spread_bps: Decimal = attrs.field(
        default=Decimal(2), converter=to_decimal, validator=_not_negative
    )
    impact_coefficient: Decimal = attrs.field(
        default=ZERO, converter=to_decimal, validator=_not_negative
    )


@attrs.frozen
class CashFlow:
    """A pending cash flow: positive is money in, negative money out."""

    account_id: str
    date: dt.date
    amount: Decimal = attrs.field(converter=to_decimal)
    kind: CashFlowKind


@attrs.frozen
class HarvestSettings:
    """Thresholds for tax-loss harvesting: a lot's loss must pass both."""

    min_loss_dollars: Decimal = attrs.field(
        default=ZERO, converter=to_decimal, validator=_not_negative
    )
    min_loss_percent: Decimal = attrs.field(default=ZERO, converter=to_decimal, validator=_rate)


def _covariance_rows(value: Mapping[str, Mapping[str, Any]] | None) -> Mapping[str, Any]:
    return {k: {j: to_decimal(x) for j, x in row.items()} for k, row in (value or {}).items()}


@attrs.frozen
class RiskSettings:
    """The covariance of asset-class returns and the price of tracking error.

    Attributes:
        covariance: class -> class -> annual covariance (either triangle may be given).
        volatilities: class -> annual volatility (used with ``correlations``).
        correlations: class -> class -> correlation (absent pairs: 0 when both
            volatilities are given, else the bundled default's).
        risk_aversion: dollars per dollar of household per unit of tracking
            variance (TE as a fraction, squared): at 10, a 1-point tracking
            error on $1,000,000 is worth $1,000 of tax and cost.

    Classes with no numbers here take the bundled default of
    :mod:`location.risk` (its source is cited there); a class the default does
    not know is given its largest volatility and no correlation.
    """

    covariance: Mapping[str, Mapping[str, Decimal]] = attrs.field(
        factory=dict, converter=_covariance_rows
    )
    volatilities: Mapping[str, Decimal] = attrs.field(
        factory=dict, converter=lambda v: {k: to_decimal(x) for k, x in (v or {}).items()}
    )
    correlations: Mapping[str, Mapping[str, Decimal]] = attrs.field(
        factory=dict, converter=_covariance_rows
    )
    risk_aversion: Decimal = attrs.field(
        default=Decimal(10), converter=to_decimal, validator=_not_negative
    )


@attrs.frozen(slots=False)  # not slotted: the lots per account are indexed once (cached_property)
class Household:
    """A household: everything the engine needs about one family.

    Build one with :meth:`from_dict` or :func:`household.loader.load_household`
    (they validate); the constructor trusts its arguments.
    """

    household_id: str
    horizon_years: int
    tax: TaxProfile
    asset_classes: Mapping[str, AssetClass] = attrs.field(converter=_frozen_mapping)
    targets: Mapping[str, Decimal] = attrs.field(converter=_frozen_mapping)
    accounts: tuple[HouseholdAccount, ...] = attrs.field(converter=tuple)
    securities: Mapping[str, Security] = attrs.field(factory=dict, converter=_frozen_mapping)
    lots: tuple[Lot, ...] = attrs.field(default=(), converter=tuple)
    options: LocationOptions = attrs.field(factory=LocationOptions)
    bands: Bands = attrs.field(factory=Bands)
    constraints: Constraints = attrs.field(factory=Constraints)
    costs: Costs = attrs.field(factory=Costs)
    cash_flows: tuple[CashFlow, ...] = attrs.field(default=(), converter=tuple)
    harvest: HarvestSettings = attrs.field(factory=HarvestSettings)
    tax_budget: Decimal | None = attrs.field(
        default=None, converter=_optional_decimal, validator=_not_negative
    )
    risk: RiskSettings = attrs.field(factory=RiskSettings)
    recent_transactions: tuple[Transaction, ...] = attrs.field(default=(), converter=tuple)
    #: Buys already arranged for the coming days (dividend reinvestments, recurring
    #: contributions): a loss sale today that one of them would wash is charged for it.
    scheduled_buys: tuple[ScheduledBuy, ...] = attrs.field(default=(), converter=tuple)
    #: ``wash_sale.same_sale_replacement`` of the file (see ``lots.washsale.replay``).
    same_sale_replacement: bool = False
    name: str = ""
    as_of: dt.date | None = None
    source: str | None = attrs.field(default=None, eq=False)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], *, source: str | None = None) -> Household:
        """Validate a decoded household document (schema and semantics) and build it.

        Args:
            data: the JSON document, decoded with ``parse_float=Decimal``
                (floats are refused).
            source: the file name, for error messages.

        Raises:
            household.errors.SchemaError: naming the JSON path and field.
        """
        from household.loader import household_from_dict

        return household_from_dict(data, source=source)

    def to_dict(self) -> dict[str, Any]:
        """The household as a JSON-ready document (decimals as strings)."""
        from household.loader import household_to_dict

        return household_to_dict(self)

    # --- look-ups -------------------------------------------------------

    def account(self, account_id: str) -> HouseholdAccount:
        """The account with ``account_id`` (``KeyError`` when unknown)."""
        for account in self.accounts:
            if account.account_id == account_id:
                return account
        raise KeyError(account_id)

    @property
    def account_ids(self) -> tuple[str, ...]:
        """Account ids in file order."""
        return tuple(account.account_id for account in self.accounts)

    def lots_in(self, account_id: str) -> tuple[Lot, ...]:
        """The lots held in one account, in file order."""
        return self._lots_by_account.get(account_id, ())

    @functools.cached_property
    def _lots_by_account(self) -> dict[str, tuple[Lot, ...]]:
        """account id -> its lots in file order (built on first use; the record is frozen)."""
        grouped: dict[str, list[Lot]] = {}
        for lot in self.lots:
            grouped.setdefault(lot.account_id, []).append(lot)
        return {account_id: tuple(lots) for account_id, lots in grouped.items()}

    def asset_class_of(self, symbol: str) -> str:
        """The asset class of a symbol."""
        return self.securities[symbol].asset_class

    def price_of(self, symbol: str) -> Decimal | None:
        """The price of a symbol, ``None`` when unpriced."""
        return self.securities[symbol].price

    def market_value(self, lot: Lot) -> Decimal | None:
        """``quantity * price`` of a lot; ``None`` when its security is unpriced."""
        price = self.price_of(lot.symbol)
        return None if price is None else lot.quantity * price

    def cash_reserve(self, account_id: str) -> Decimal:
        """Dollars the account keeps in cash (0 unless the constraints say)."""
        return self.constraints.cash_reserve.get(account_id, ZERO)

    def account_value(self, account_id: str) -> Decimal:
        """Cash plus the market value of every priced lot in the account (exact)."""
        total = self.account(account_id).cash
        for lot in self.lots_in(account_id):
            value = self.market_value(lot)
            if value is not None:
                total += value
        return total

    @property
    def total_value(self) -> Decimal:
        """The household's value: the sum of its account values."""
        return sum((self.account_value(a) for a in self.account_ids), ZERO)

    def tolerance(self, asset_class: str) -> Decimal:
        """The tolerance (weight) around an asset class's target (0 unless given)."""
        return self.options.tolerance.get(asset_class, ZERO)

    def is_restricted(self, symbol: str) -> bool:
        """Whether ``symbol`` may not be bought."""
        security = self.securities.get(symbol)
        return symbol in self.constraints.restricted or bool(security and security.restricted)
