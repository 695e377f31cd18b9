"""The plan's renderings: JSON (decimal strings, cents), CSV, tables, HTML, DataFrames, CLI."""

from __future__ import annotations

import datetime as dt
import json
import re
from decimal import Decimal
from pathlib import Path

import pytest

from household.html_report import render_html
from household.loader import load_household
from household.model import Household
from household.plan import Plan, rebalance
from household.reports import SECTIONS, csv_text, render_tables, sections, write_csvs
from tests.cli_runner import invoke

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "households"
AS_OF = dt.date(2026, 6, 1)


@pytest.fixture(scope="module")
def withdrawal_plan() -> Plan:
    return rebalance(load_household(FIXTURES / "plan_withdrawal.json"), AS_OF)


def _decimals_are_strings(value: object) -> None:
    if isinstance(value, dict):
        for item in value.values():
            _decimals_are_strings(item)
    elif isinstance(value, list):
        for item in value:
            _decimals_are_strings(item)
    else:
        assert not isinstance(value, float | Decimal)


def test_json_has_every_section_and_decimals_as_strings(withdrawal_plan: Plan) -> None:
    document = withdrawal_plan.to_json_dict()
    expected = {"location", "drift", "trades", "tax_impact", "costs", "allocation", "exceptions"}
    assert expected <= set(document)
    _decimals_are_strings(document)
    json.dumps(document)  # serialisable as it is
    [trade] = document["trades"]
    assert trade["notional"] == "3000.00"
    assert trade["quantity"] == "30"
    assert trade["lots_sold"] == "L3:20;L1:10"
    # money columns have exactly two decimals
    for row in document["costs"] + document["tax_impact"]:
        for key in ("commission", "total_cost", "gains", "estimated_tax"):
            if key in row:
                assert re.fullmatch(r"-?\d+\.\d\d", row[key]), (key, row[key])


def test_allocation_is_side_by_side_household_then_accounts(withdrawal_plan: Plan) -> None:
    rows = sections(withdrawal_plan)["allocation"]
    household_rows = [r for r in rows if r["scope"] == "household"]
    # STK 170 * 100 = 17,000, BND 5,000, cash after the -3,000 withdrawal: -3,000
    stocks = next(r for r in household_rows if r["asset_class"] == "stocks")
    assert stocks["value_before"] == Decimal(17000)
    assert stocks["value_after"] == Decimal(14000)  # 30 shares sold
    cash = next(r for r in household_rows if r["asset_class"] == "cash")
    assert (cash["value_before"], cash["value_after"]) == (Decimal(-3000), Decimal(0))
    assert {r["scope"] for r in rows} == {"household", "taxable"}


def test_csv_and_tables_render_every_section(withdrawal_plan: Plan, tmp_path: Path) -> None:
    paths = write_csvs(withdrawal_plan, tmp_path)
    assert {p.stem for p in paths} == set(SECTIONS) - {"harvest"}
    header = (tmp_path / "trades.csv").read_text().splitlines()[0]
    assert header.startswith("account_id,symbol,asset_class,side,quantity,price,notional,lots_sold")
    assert csv_text([]) == ""
    text = render_tables(withdrawal_plan)
    assert "tax_impact" in text and "L3:20;L1:10" in text


def test_html_is_self_contained_with_inline_svg_charts(withdrawal_plan: Plan) -> None:
    html = render_html(withdrawal_plan)
    assert html.count("<svg") == 2
    # nothing fetched from the network: no src= or href= to http(s), no <script>
    assert not re.search(r"(src|href)\s*=\s*[\"']https?:", html)
    assert "<script" not in html
    assert "L3:20;L1:10" in html
    assert render_html(withdrawal_plan) == html  # deterministic: no dates in the SVG


def test_frames_for_notebooks(withdrawal_plan: Plan) -> None:
    frames = withdrawal_plan.to_frames()
    trades = frames["trades"]
    assert list(trades["symbol"]) == ["STK"]
    assert trades["notional"].iloc[0] == 3000.0
    assert set(frames) >= {"drift", "allocation", "exceptions"}


def test_cli_rebalance_json_out_dir_and_exit_codes(tmp_path: Path) -> None:
    path = str(FIXTURES / "plan_withdrawal.json")
    result = invoke(["rebalance", path, "--format", "json", "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert document["summary"]["status"] == "ok"
    assert (tmp_path / "report.html").exists() and (tmp_path / "trades.csv").exists()
    assert json.loads((tmp_path / "plan.json").read_text()) == document
    result = invoke(["rebalance", path, "--as-of", "June 1"])
    assert result.exit_code == 2
    result = invoke(["harvest", str(FIXTURES / "plan_harvest.json"), "--format", "csv"])
    assert result.exit_code == 0
    assert result.stdout.splitlines()[1].startswith("joint,VTI,stocks,sell,100,")


def test_refused_plan_exits_1_with_reasons(tmp_path: Path) -> None:
    data = load_household(FIXTURES / "plan_withdrawal.json").to_dict()
    # a withdrawal of $40,000 from a $22,000 account cannot be met
    data["cash_flows"] = [
        {"account_id": "taxable", "date": "2026-06-05", "amount": "-40000", "kind": "withdrawal"}
    ]
    plan = rebalance(Household.from_dict(data), AS_OF)
    assert plan.refused
    assert [c.name for c in plan.checks if not c.passed] == ["cash_reserve"]
    path = tmp_path / "h.json"
    path.write_text(json.dumps(data))
    result = invoke(["rebalance", str(path), "--format", "json"])
    assert result.exit_code == 1
    assert json.loads(result.stdout)["summary"]["status"] == "refused"
