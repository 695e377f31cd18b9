"""Loading and validating household files: shapes, semantics, error locations."""

from __future__ import annotations

import copy
import datetime as dt
import decimal
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from household.errors import SchemaError
from household.loader import household_from_dict, household_to_dict, load_household, read_json
from household.model import CashFlowKind, Household, TargetBasis
from lots.errors import LotsError
from lots.records import AccountType, Action, TaxTreatment

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "households"
ALL_FIXTURES = sorted(FIXTURES.glob("*.json"))


def minimal() -> dict[str, Any]:
    """The smallest valid household: one taxable account, one class."""
    return {
        "household_id": "h1",
        "horizon_years": 10,
        "tax": {"ordinary": "0.24", "qualified": "0.15"},
        "asset_classes": {
            "stocks": {"expected_return": "0.07"},
            "bonds": {"expected_return": "0.04"},
        },
        "targets": {"stocks": "0.6", "bonds": "0.4"},
        "accounts": [{"account_id": "tax", "type": "taxable", "cash": "1000"}],
    }


def error_of(data: dict[str, Any]) -> SchemaError:
    with pytest.raises(SchemaError) as info:
        household_from_dict(data, source="h.json")
    return info.value


@pytest.fixture(autouse=True)
def trap_floats() -> Any:
    context = decimal.getcontext()
    old = context.traps[decimal.FloatOperation]
    context.traps[decimal.FloatOperation] = True
    yield
    context.traps[decimal.FloatOperation] = old


def test_fixtures_exist() -> None:
    names = {p.stem for p in ALL_FIXTURES}
    assert {"young_couple", "retired_couple", "high_earner_munis"} <= names


@pytest.mark.parametrize("path", ALL_FIXTURES, ids=lambda p: p.stem)
def test_fixture_loads_and_round_trips(path: Path) -> None:
    household = load_household(path)
    assert household.source == str(path)
    again = household_from_dict(json.loads(json.dumps(household_to_dict(household))))
    assert household_to_dict(again) == household_to_dict(household)
    assert again.accounts == household.accounts and again.lots == household.lots


def test_minimal_defaults() -> None:
    household = Household.from_dict(minimal(), source="h.json")
    account = household.account("tax")
    assert account.type is AccountType.TAXABLE
    assert account.treatment is TaxTreatment.TAXABLE
    assert account.lot_method == "min_tax"
    assert account.menu is None and account.offers("bonds")
    assert household.tax.short_term == Decimal("0.24")  # defaults to ordinary
    assert household.tax.state == 0 and household.tax.niit == 0
    assert household.options.targets is TargetBasis.PRETAX
    assert household.options.tax_unrealized_at_horizon is False
    assert household.bands.absolute == Decimal("0.03")
    assert household.constraints.min_trade == 0
    assert household.tax_budget is None
    assert household.total_value == Decimal("1000")


def test_json_numbers_are_exact() -> None:
    # 0.1 + 0.2 in floats is 0.30000000000000004; parse_float=Decimal keeps 0.3.
    text = json.dumps(minimal()).replace('"0.6"', "0.1").replace('"0.4"', "0.9")
    household = household_from_dict(json.loads(text, parse_float=Decimal))
    assert household.targets == {"stocks": Decimal("0.1"), "bonds": Decimal("0.9")}
    assert all(isinstance(v, Decimal) for v in household.targets.values())


def test_floats_are_refused() -> None:
    data = minimal()
    data["accounts"][0]["cash"] = 1000.5
    error = error_of(data)
    assert error.row == "accounts[0].cash" and error.field == "cash"


def test_young_couple_values() -> None:
    household = load_household(FIXTURES / "young_couple.json")
    # joint: cash 1200 + 40 * 285.40 + 15 * 285.40 + 80 * 72.80
    #      = 1200 + 11416 + 4281 + 5824 = 22721
    assert household.account_value("joint") == Decimal("22721.00")
    assert household.cash_reserve("joint") == Decimal("500.00")
    assert household.account("alex-401k").menu == ("us_stocks", "bonds")
    assert not household.account("alex-401k").offers("intl_stocks")
    assert household.cash_flows[0].kind is CashFlowKind.CONTRIBUTION
    tx = household.recent_transactions[0]
    assert tx.action is Action.BUY and tx.date == dt.date(2026, 8, 3) and tx.lot_id == "J2"
    assert household.securities["VTI"].substitutes == ("ITOT", "SCHB")


def test_high_earner_lot_carries_holding_period() -> None:
    household = load_household(FIXTURES / "high_earner_munis.json")
    lot = next(lot for lot in household.lots if lot.lot_id == "T2")
    assert lot.acquired == dt.date(2024, 6, 20) and lot.purchased == dt.date(2024, 7, 15)
    assert lot.wash_sale_adjustment == Decimal("1200.00")
    # 0.37 + 0.133 + 0.038 = 0.541; 0.20 + 0.133 + 0.038 = 0.371
    assert household.tax.ordinary_total == Decimal("0.541")
    assert household.tax.qualified_total == Decimal("0.371")


@pytest.mark.parametrize(
    ("mutate", "row", "field", "words"),
    [
        (lambda d: d["accounts"][0].update(type="brokerage"), "accounts[0].type", "type", "one of"),
        (
            lambda d: d["accounts"][0].pop("account_id"),
            "accounts[0].account_id",
            "account_id",
            "required",
        ),
        (lambda d: d["accounts"][0].update(cash="abc"), "accounts[0].cash", "cash", "not a number"),
        (lambda d: d["tax"].update(ordinary="1.5"), "tax.ordinary", "ordinary", "between 0 and 1"),
        (
            lambda d: d.update(targets={"stocks": "0.6", "bonds": "0.3"}),
            "targets",
            "targets",
            "sum to 0.9",
        ),
        (lambda d: d["targets"].update(gold="0"), "targets.gold", "gold", "unknown asset class"),
        (
            lambda d: d["accounts"].append({"account_id": "tax", "type": "roth_ira"}),
            "accounts[1].account_id",
            "account_id",
            "duplicate",
        ),
        (
            lambda d: d.update(securities=[{"symbol": "X", "asset_class": "gold"}]),
            "securities[0].asset_class",
            "asset_class",
            "unknown asset class",
        ),
        (
            lambda d: d.update(
                securities=[{"symbol": "X", "asset_class": "stocks"}],
                lots=[
                    {
                        "account_id": "ira",
                        "symbol": "X",
                        "lot_id": "L1",
                        "quantity": "1",
                        "purchased": "2020-01-01",
                        "cost_basis": "1",
                    }
                ],
            ),
            "lots[0].account_id",
            "account_id",
            "unknown account",
        ),
        (
            lambda d: d.update(
                lots=[
                    {
                        "account_id": "tax",
                        "symbol": "Y",
                        "lot_id": "L1",
                        "quantity": "1",
                        "purchased": "2020-01-01",
                        "cost_basis": "1",
                    }
                ]
            ),
            "lots[0].symbol",
            "symbol",
            "unknown symbol",
        ),
        (
            lambda d: d.update(
                securities=[{"symbol": "X", "asset_class": "stocks"}],
                lots=[
                    {
                        "account_id": "tax",
                        "symbol": "X",
                        "lot_id": "L1",
                        "quantity": "-1",
                        "purchased": "2020-02-30",
                        "cost_basis": "1",
                    }
                ],
            ),
            "lots[0].purchased",
            "purchased",
            "not a date",
        ),
        (
            lambda d: d.update(
                securities=[{"symbol": "X", "asset_class": "stocks"}],
                lots=[
                    {
                        "account_id": "tax",
                        "symbol": "X",
                        "lot_id": "L1",
                        "quantity": "-1",
                        "purchased": "2020-02-03",
                        "cost_basis": "1",
                    }
                ],
            ),
            "lots[0].quantity",
            "quantity",
            "positive",
        ),
        (
            lambda d: d["accounts"][0].update(menu=["stocks", "gold"]),
            "accounts[0].menu[1]",
            "menu",
            "unknown asset class",
        ),
        (
            lambda d: d.update(constraints={"cash_reserve": {"nope": "1"}}),
            "constraints.cash_reserve.nope",
            "nope",
            "unknown account",
        ),
        (lambda d: d.update(colour="red"), "$", None, "not a known field"),
        (
            lambda d: d.update(
                recent_transactions=[
                    {
                        "date": "2026-01-01",
                        "account_id": "tax",
                        "symbol": "X",
                        "action": "hold",
                        "quantity": "1",
                        "price": "1",
                    }
                ]
            ),
            "recent_transactions[0].action",
            "action",
            "does not match",
        ),
    ],
)
def test_errors_name_path_and_field(mutate: Any, row: str, field: str | None, words: str) -> None:
    data = copy.deepcopy(minimal())
    mutate(data)
    error = error_of(data)
    assert isinstance(error, LotsError)
    assert (error.file, error.row, error.field) == ("h.json", row, field), str(error)
    assert words in error.message, str(error)
    assert str(error).startswith(f"h.json:{row}: ")


def test_bad_json_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "bad.json"
    path.write_text('{\n  "household_id": "x",\n  oops\n}\n')
    with pytest.raises(SchemaError) as info:
        read_json(path)
    assert info.value.row == "line 3"


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(SchemaError, match="cannot read"):
        load_household(tmp_path / "none.json")
