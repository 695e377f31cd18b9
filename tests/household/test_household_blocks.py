"""The household file's netting, risk and tax-fact fields: parsing, defaults, round trip."""

from __future__ import annotations

from decimal import Decimal as D
from typing import Any

import pytest

from household.errors import SchemaError
from household.loader import household_from_dict, household_to_dict
from lots.netting import FilingStatus, added_tax


def document() -> dict[str, Any]:
    return {
        "household_id": "h1",
        "horizon_years": 10,
        "tax": {
            "ordinary": "0.35",
            "qualified": "0.15",
            "state": "0.05",
            "niit": "0.038",
            "filing_status": "married_filing_separately",
            "year_to_date": {"short_gain": "-1200", "long_gain": "5000"},
            "carryforward": {"short": "300", "long": "0"},
        },
        "asset_classes": {
            "us_stocks": {"expected_return": "0.07"},
            "treasuries": {"expected_return": "0.04", "state_exempt_yield": "0.04"},
            "munis": {"expected_return": "0.03", "tax_exempt_yield": "0.03", "in_state": False},
        },
        "targets": {"us_stocks": "0.6", "treasuries": "0.2", "munis": "0.2"},
        "accounts": [
            {"account_id": "tax", "type": "taxable", "cash": "1000"},
            {"account_id": "ira", "type": "traditional_ira", "after_tax_basis": "6500"},
        ],
        "risk": {
            "volatilities": {"us_stocks": "0.18", "treasuries": "0.05"},
            "correlations": {"us_stocks": {"treasuries": "-0.1"}},
            "risk_aversion": "25",
        },
    }


def test_fields_parse() -> None:
    household = household_from_dict(document())
    tax = household.tax
    assert tax.filing_status is FilingStatus.MARRIED_FILING_SEPARATELY
    ytd = tax.year_to_date
    assert (ytd.short_gain, ytd.long_gain, ytd.carryforward_short) == (D(-1200), D(5000), D(300))
    # Short net -1,200 - 300 = -1,500 against long +5,000: 3,500 long-term gain, at
    # 0.15 + 0.05 + 0.038 = 0.238: a plan adding 1,000 long-term gain adds 238.
    assert added_tax(ytd, D(0), D(1000), tax.netting_rates()) == D("238.000")
    assert household.asset_classes["treasuries"].state_exempt_yield == D("0.04")
    assert household.asset_classes["munis"].in_state is False
    assert household.asset_classes["us_stocks"].in_state is True
    assert household.account("ira").after_tax_basis == D(6500)
    assert household.risk.risk_aversion == D(25)
    assert household.risk.correlations == {"us_stocks": {"treasuries": D("-0.1")}}


def test_defaults() -> None:
    data = document()
    for key in ("filing_status", "year_to_date", "carryforward"):
        del data["tax"][key]
    del data["risk"]
    household = household_from_dict(data)
    assert household.tax.filing_status is FilingStatus.MARRIED_FILING_JOINTLY
    assert household.tax.netting_rates().loss_limit == D(3000)
    assert household.tax.year_to_date.short_net == 0
    assert household.risk.risk_aversion == D(10)
    assert household.risk.covariance == {}


def test_round_trip() -> None:
    household = household_from_dict(document())
    assert household_from_dict(household_to_dict(household)) == household


@pytest.mark.parametrize(
    ("mutate", "row", "words"),
    [
        (lambda d: d["accounts"][0].update(after_tax_basis="10"), "accounts[0].after_tax_basis",
         "deferred accounts"),
        (lambda d: d["risk"]["volatilities"].update(gold="0.2"), "risk.volatilities.gold",
         "unknown asset class"),
        (lambda d: d["risk"]["correlations"]["us_stocks"].update(treasuries="1.5"),
         "risk.correlations.us_stocks.treasuries", "[-1, 1]"),
        (lambda d: d["tax"]["carryforward"].update(short="-5"), "tax.carryforward.short",
         "must not be negative"),
        (lambda d: d["tax"].update(filing_status="married"), "tax.filing_status", "married"),
    ],
)  # fmt: skip
def test_errors_name_the_field(mutate: Any, row: str, words: str) -> None:
    data = document()
    mutate(data)
    with pytest.raises(SchemaError) as caught:
        household_from_dict(data)
    assert caught.value.row == row
    assert words in str(caught.value)
