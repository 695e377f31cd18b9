"""Plain inputs of the asset-location program.

``household`` maps its model into these; ``location`` never sees a household. Numbers
may be ``Decimal`` or ``int`` (``float`` is accepted for rates built in tests and
benchmarks); they become floats once, in :mod:`location.program`.

Worked example: a taxable account worth ``$100,000`` with a ``$5,000`` cash reserve is
``AccountInput("joint", Treatment.TAXABLE, value=Decimal("100000"),
reserve=Decimal("5000"))``; the program places ``$95,000`` of it.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Union

import attrs

Number = Union[Decimal, int, float]  # noqa: UP007 - a type alias read by attrs users


class Treatment(enum.Enum):
    """How an account is taxed (the same values as ``lots.records.TaxTreatment``)."""

    TAXABLE = "taxable"
    DEFERRED = "deferred"
    EXEMPT = "exempt"


class TargetBasis(enum.Enum):
    """Targets in pre-tax dollars, or in after-tax dollars (deferred x (1 - withdrawal))."""

    PRETAX = "pretax"
    AFTERTAX = "aftertax"


def _freeze_menu(value: Iterable[str] | None) -> frozenset[str] | None:
    return None if value is None else frozenset(value)


@attrs.frozen
class TaxRates:
    """Total marginal rates (federal + state + NIIT already added), as fractions.

    Attributes:
        ordinary: on interest and non-qualified dividends.
        qualified: on qualified dividends.
        long_term: on long-term gains.
        short_term: on short-term gains.
        withdrawal: on withdrawals from deferred accounts.
        state: the state's part of the totals (interest exempt from state tax,
            Treasuries, is taxed at ``ordinary - state``; out-of-state muni
            interest at ``state``).
    """

    ordinary: Number
    qualified: Number
    long_term: Number
    short_term: Number
    withdrawal: Number = 0
    state: Number = 0


@attrs.frozen
class AssetClassInput:
    """An asset class: its tax character (annual fractions), target weight and tolerance."""

    name: str
    expected_return: Number
    target: Number
    ordinary_yield: Number = 0
    qualified_yield: Number = 0
    tax_exempt_yield: Number = 0
    turnover: Number = 0
    foreign_tax_credit: Number = 0
    tolerance: Number = 0
    state_exempt_yield: Number = 0
    in_state: bool = True


@attrs.frozen
class ClassLimits:
    """Dollar bounds on one class inside one account (``None``: no bound)."""

    min_dollars: Decimal | None = None
    max_dollars: Decimal | None = None


@attrs.frozen
class AccountInput:
    """An account: its value, cash reserve, menu and per-class dollar bounds.

    Attributes:
        account_id: the id.
        treatment: taxable, deferred or exempt.
        value: the account's value in dollars (cash plus priced holdings).
        reserve: dollars kept in cash, not placed.
        menu: the classes it may hold (``None``: all).
        limits: class -> :class:`ClassLimits`.
        after_tax_basis: deferred accounts: after-tax dollars in the account
            (Form 8606), which come back untaxed (:func:`location.growth.basis_bonus`).
    """

    account_id: str
    treatment: Treatment
    value: Decimal
    reserve: Decimal = Decimal(0)
    menu: frozenset[str] | None = attrs.field(default=None, converter=_freeze_menu)
    limits: Mapping[str, ClassLimits] = attrs.field(factory=dict)
    after_tax_basis: Decimal = Decimal(0)

    @property
    def placeable(self) -> Decimal:
        """``value - reserve``: the dollars the program places."""
        return self.value - self.reserve

    def offers(self, asset_class: str) -> bool:
        """Whether the account may hold ``asset_class``."""
        return self.menu is None or asset_class in self.menu


@attrs.frozen
class HoldingInput:
    """A current holding (one lot): the dollars it is worth and its unrealised gain.

    ``short_term`` says whether a sale today would be short-term. Only holdings in
    taxable accounts cost anything to sell.
    """

    account_id: str
    asset_class: str
    lot_id: str
    value: Decimal
    gain: Decimal
    short_term: bool = False
    symbol: str = ""


def _accounts(values: Iterable[AccountInput]) -> tuple[AccountInput, ...]:
    return tuple(values)


def _classes(values: Iterable[AssetClassInput]) -> tuple[AssetClassInput, ...]:
    return tuple(values)


def _holdings(values: Iterable[HoldingInput]) -> tuple[HoldingInput, ...]:
    return tuple(values)


@attrs.frozen
class LocationProblem:
    """One household's location problem.

    Attributes:
        accounts: the accounts, in report order.
        classes: the asset classes with targets summing to 1, in report order.
        tax: total marginal rates.
        horizon_years: years to the horizon.
        target_basis: pre-tax or after-tax targets.
        tax_unrealized_at_horizon: charge long-term tax on unrealised gains at the horizon.
        holdings: current lots (used unless ``ignore_current``).
    """

    accounts: tuple[AccountInput, ...] = attrs.field(converter=_accounts)
    classes: tuple[AssetClassInput, ...] = attrs.field(converter=_classes)
    tax: TaxRates
    horizon_years: int
    target_basis: TargetBasis = TargetBasis.PRETAX
    tax_unrealized_at_horizon: bool = False
    holdings: tuple[HoldingInput, ...] = attrs.field(default=(), converter=_holdings)

    def account(self, account_id: str) -> AccountInput:
        """The account with ``account_id``."""
        for account in self.accounts:
            if account.account_id == account_id:
                return account
        raise KeyError(account_id)
