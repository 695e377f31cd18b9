"""Small hand-worked location problems shared by the location tests.

Rates for every case: ordinary income 30%, qualified dividends and long-term gains
15%, short-term gains 30%, withdrawals 25%, horizon 10 years (unless a case says).
"""

from __future__ import annotations

from decimal import Decimal as D

from location import AccountInput, AssetClassInput, LocationProblem, TaxRates, Treatment
from location.inputs import HoldingInput, TargetBasis

RATES = TaxRates(
    ordinary=D("0.30"),
    qualified=D("0.15"),
    long_term=D("0.15"),
    short_term=D("0.30"),
    withdrawal=D("0.25"),
)


def stocks(target: str, **extra: object) -> AssetClassInput:
    """Index stocks: 7% total, 2% qualified dividends, no turnover."""
    return AssetClassInput("stocks", D("0.07"), D(target), qualified_yield=D("0.02"), **extra)


def bonds(target: str, **extra: object) -> AssetClassInput:
    """Taxable bonds: 4% total, all of it interest."""
    return AssetClassInput("bonds", D("0.04"), D(target), ordinary_yield=D("0.04"), **extra)


def taxable(value: str, account_id: str = "tax", **extra: object) -> AccountInput:
    return AccountInput(account_id, Treatment.TAXABLE, D(value), **extra)


def ira(value: str, account_id: str = "ira", **extra: object) -> AccountInput:
    return AccountInput(account_id, Treatment.DEFERRED, D(value), **extra)


def roth(value: str, account_id: str = "roth", **extra: object) -> AccountInput:
    return AccountInput(account_id, Treatment.EXEMPT, D(value), **extra)


def problem(
    accounts, classes, *, holdings=(), basis=TargetBasis.PRETAX, horizon=10, unrealized=False
) -> LocationProblem:
    return LocationProblem(
        accounts=tuple(accounts),
        classes=tuple(classes),
        tax=RATES,
        horizon_years=horizon,
        target_basis=basis,
        tax_unrealized_at_horizon=unrealized,
        holdings=tuple(holdings),
    )


def lot(
    account_id: str, asset_class: str, lot_id: str, value: str, basis: str, short_term: bool = False
) -> HoldingInput:
    return HoldingInput(
        account_id,
        asset_class,
        lot_id,
        D(value),
        D(value) - D(basis),
        short_term=short_term,
        symbol=asset_class.upper(),
    )
