"""``household.locating.growth_table`` and the location with the new tax facts."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D
from typing import Any

import pytest

from household.loader import household_from_dict
from household.locating import growth_table, locate_household


def document(basis: str | None = None) -> dict[str, Any]:
    ira: dict[str, Any] = {"account_id": "ira", "type": "traditional_ira", "cash": "100000"}
    if basis is not None:
        ira["after_tax_basis"] = basis
    return {
        "household_id": "h",
        "as_of": "2026-06-01",
        "horizon_years": 10,
        "tax": {"ordinary": "0.30", "qualified": "0.15", "state": "0.05", "withdrawal": "0.25"},
        "asset_classes": {
            "stocks": {"expected_return": "0.07", "qualified_yield": "0.02"},
            "treasuries": {"expected_return": "0.04", "state_exempt_yield": "0.04"},
        },
        "targets": {"stocks": "0.5", "treasuries": "0.5"},
        "accounts": [{"account_id": "tax", "type": "taxable", "cash": "100000"}, ira],
    }


def test_growth_table_per_account() -> None:
    household = household_from_dict(document("20000"))
    table = growth_table(household)
    # Taxable treasuries: t_ord = 0.30 + 0.05 = 0.35, of which the state's 0.05 is
    # spared: a = 0.04 - 0.04 * 0.30 = 0.028; 1.028^10 = 1.318048.
    assert table[("tax", "treasuries")] == pytest.approx(1.318048, abs=1e-6)
    # IRA worth $100,000 with $20,000 basis: 1.04^10 * 0.75 + 0.25 * 0.2 = 1.160183.
    assert table[("ira", "treasuries")] == pytest.approx(1.160183, abs=1e-6)
    # Stocks in it: 1.07^10 * 0.75 + 0.05 = 1.475363 + 0.05 = 1.525363.
    assert table[("ira", "stocks")] == pytest.approx(1.525363, abs=1e-6)


def test_basis_raises_the_value_not_the_placement() -> None:
    # The bonus w * b is the same for every class of the IRA, which is fully placed:
    # the placement is unchanged and the after-tax value rises by w * B = 0.25 *
    # 20,000 = $5,000.
    plain, _ = locate_household(household_from_dict(document()))
    based, _ = locate_household(household_from_dict(document("20000")))
    assert based.recommended.class_totals == plain.recommended.class_totals
    assert [(c.account_id, c.asset_class, c.dollars) for c in based.recommended.cells] == [
        (c.account_id, c.asset_class, c.dollars) for c in plain.recommended.cells
    ]
    gained = based.recommended.after_tax_value - plain.recommended.after_tax_value
    assert abs(gained - D(5000)) <= D("0.02")


def test_no_clock_fallback() -> None:
    # Without an as_of in the file or the call, the location refuses rather than
    # reading today's date.
    from household.errors import HouseholdError
    from household.locating import location_problem

    data = document()
    del data["as_of"]
    household = household_from_dict(data)
    with pytest.raises(HouseholdError, match="as_of"):
        location_problem(household)
    problem, _ = location_problem(household, as_of=dt.date(2026, 6, 1))
    assert len(problem.accounts) == 2
