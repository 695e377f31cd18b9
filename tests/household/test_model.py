"""The household records: exact numbers, defaults, look-ups."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import attrs
import pytest

from household.model import AssetClass, Household, HouseholdAccount, Security, TaxProfile
from lots.records import Account, AccountType, Lot


def test_tax_totals() -> None:
    tax = TaxProfile(ordinary="0.24", qualified="0.15", state="0.05", niit="0.038")
    # 0.24 + 0.05 + 0.038 = 0.328; 0.15 + 0.05 + 0.038 = 0.238
    assert tax.ordinary_total == Decimal("0.328")
    assert tax.qualified_total == tax.long_term_total == Decimal("0.238")
    assert tax.short_term == Decimal("0.24") and tax.short_term_total == Decimal("0.328")


def test_rates_are_fractions_and_floats_refused() -> None:
    with pytest.raises(ValueError, match="between 0 and 1"):
        TaxProfile(ordinary="24", qualified="0.15")
    with pytest.raises(TypeError, match="float"):
        TaxProfile(ordinary=0.24, qualified="0.15")


def test_price_return() -> None:
    bonds = AssetClass("bonds", expected_return="0.042", ordinary_yield="0.039")
    # 0.042 - 0.039 = 0.003
    assert bonds.price_return == Decimal("0.003")


def test_household_account_is_a_lots_account() -> None:
    account = HouseholdAccount("k", AccountType.K401, cash="10", menu=["bonds"])
    assert isinstance(account, Account)
    assert account.menu == ("bonds",) and account.offers("bonds") and not account.offers("x")
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        account.cash = Decimal(1)  # type: ignore[misc]


def test_values_skip_unpriced_lots() -> None:
    household = Household(
        household_id="h",
        horizon_years=10,
        tax=TaxProfile(ordinary="0.2", qualified="0.1"),
        asset_classes={"s": AssetClass("s", expected_return="0.07")},
        targets={"s": Decimal(1)},
        accounts=[HouseholdAccount("a", AccountType.TAXABLE, cash="100")],
        securities={"X": Security("X", "s", price="12.5"), "Y": Security("Y", "s")},
        lots=[
            Lot("a", "X", "L1", quantity="4", cost_basis="40", purchased=dt.date(2020, 1, 2)),
            Lot("a", "Y", "L2", quantity="4", cost_basis="40", purchased=dt.date(2020, 1, 2)),
        ],
    )
    # 100 + 4 * 12.5 = 150; Y has no price and is left out
    assert household.account_value("a") == Decimal("150.0")
    assert household.market_value(household.lots[1]) is None
