"""What-if: hand-worked comparisons, a household against itself, and bad edits.

The household of ``fixtures/households/plan_harvest.json``: 100 VTI bought on
2026-01-15 for $30,000, priced $250 on 2026-06-01, so a harvest sells them at a
short-term loss of 100 * (250 - 300) = -$5,000 and buys 25,000 / 25 = 1,000
SCHB in the same account. At its short-term rate of 0.30 (+ state 0 + NIIT 0)
the tax now is -5,000 * 0.30 = -$1,500.
"""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest

from household.errors import SchemaError
from household.loader import household_from_dict, load_household, read_json
from household.whatif import apply_edits, compare, parse_edit, plan_household
from tests.cli_runner import invoke

FIXTURES = Path(__file__).resolve().parents[3] / "fixtures" / "households"
HARVEST = FIXTURES / "plan_harvest.json"


def test_a_higher_short_term_rate_saves_more_tax_by_hand() -> None:
    result = invoke(
        ["whatif", str(HARVEST), "--kind", "harvest", "--set", "tax.short_term=0.40",
         "--set", "tax.state=0.05", "--format", "json"]
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert set(document) == {"a", "b", "differences", "explanation"}
    # The harvest sells 100 VTI (25,000 against 30,000: a 5,000 short-term loss) and more:
    # the net capital loss passes the $3,000 limit, so the tax saved now is the limit times
    # the rate a loss offsetting ordinary income saves (lots.netting: ordinary + state),
    # whatever the short-term rate. A: -3,000 * (0.30 + 0) = -900.00.
    # B: -3,000 * (0.30 + 0.05) = -1,050.00. Nothing is taxed by term (the loss is netted).
    assert document["a"]["tax_now"] == "-900.00"
    assert document["b"]["tax_now"] == "-1050.00"
    assert document["a"]["tax_now_short"] == document["b"]["tax_now_short"] == "0.00"
    by_name = {d["name"]: d for d in document["differences"]}
    # B - A = -1,050 - (-900) = -150.00.
    assert by_name["tax_now"]["difference"] == "-150.00"
    assert "tax_now_short" not in by_name
    assert "B pays $150.00 less tax now than A" in document["explanation"]
    assert "tax.short_term=0.40" in document["explanation"]
    assert "$150.00 in B's favour" in document["explanation"]


def test_no_harvest_gives_up_the_saving_and_the_trades_by_hand() -> None:
    result = invoke(["whatif", str(HARVEST), "--no-harvest", "--format", "json"])
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    by_name = {d["name"]: d for d in document["differences"]}
    # Without the harvest, the tax now is 0: B - A = 0 - (-3,000 * 0.30 = -900) = +900.00.
    assert by_name["tax_now"]["difference"] == "900.00"
    assert by_name["trades"] == {
        "section": "metric", "name": "trades", "a": 4, "b": 0, "difference": -4,
        "explanation": "B makes 4 fewer trades than A.",
    }  # fmt: skip
    # The trades only A makes: the two loss sales (100 VTI at $250 = $25,000, 100 VXUS at
    # $60 = $6,000) and their buys, 85 IXUS at $70 ($5,950) and 1,002 SCHB at $25 ($25,050).
    # (Before the optimiser solved one tax piece at a time, A also bought 3 BND and 996 SCHB:
    # a plan of exactly the same objective, $3,628.26, with one ticket more.)
    assert by_name["joint/VTI/sell"]["a"] == "100" and by_name["joint/VTI/sell"]["b"] is None
    assert by_name["joint/VXUS/sell"]["a"] == "100"
    assert by_name["joint/SCHB/buy"]["a"] == "1002"
    assert by_name["joint/SCHB/buy"]["difference"] == "-1002"
    # Location cells differ by what the swaps moved, and add up to nothing in the account:
    # intl 6,000 - 5,950 = +50, stocks 25,000 - 25,050 = -50; +50 - 50 = 0 (B - A).
    moves = [d for d in document["differences"] if d["section"] == "location"]
    assert sum(Decimal(d["difference"]) for d in moves) == 0
    assert "B pays $900.00 more tax now than A" in document["explanation"]
    assert "4 trades differ: 4 only in A, 0 only in B" in document["explanation"]


def test_location_differences_add_up_per_account() -> None:
    # A lower bond target moves dollars between classes, never between accounts: within
    # each account the location differences sum to the change in its managed value.
    household = load_household(FIXTURES / "retired_couple.json")
    edited = apply_edits(
        read_json(FIXTURES / "retired_couple.json"),
        [parse_edit("targets.bonds=0.45"), parse_edit("targets.us_stocks=0.28")],
    )
    plan_a = plan_household(household)
    plan_b = plan_household(household_from_dict(edited))
    comparison = compare(plan_a, plan_b)
    moves = [d for d in comparison.differences if d.section == "location"]
    assert moves
    for account in {d.name.split("/")[0] for d in moves}:
        total = sum(d.difference for d in moves if d.name.startswith(account + "/"))
        after_a = sum(v for k, v in plan_a.class_after[account].items())
        after_b = sum(v for k, v in plan_b.class_after[account].items())
        assert abs(total - (after_b - after_a)) <= Decimal("0.01") * len(moves)
    frames = comparison.to_frames()
    assert list(frames["metrics"]["metric"])[0] == "after-tax value at the horizon"
    assert len(frames["differences"]) == len(comparison.differences)


@pytest.mark.parametrize(
    "name",
    ["plan_harvest.json", "retired_couple.json", "young_couple.json", "plan_withdrawal.json"],
)
def test_a_household_compared_with_itself_shows_no_difference(name: str) -> None:
    result = invoke(["compare", str(FIXTURES / name), str(FIXTURES / name), "--format", "json"])
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert document["differences"] == []
    assert document["a"] == document["b"]
    assert "the same" in document["explanation"]


def test_compare_writes_a_self_contained_html_page(tmp_path: Path) -> None:
    result = invoke(
        ["whatif", str(HARVEST), "--no-harvest", "--out", str(tmp_path), "--format", "csv"]
    )
    assert result.exit_code == 0, result.output
    page = (tmp_path / "comparison.html").read_text()
    assert "<script" not in page and "http" not in page.replace("<!doctype html>", "")
    assert "900.00" in page
    lines = result.stdout.splitlines()
    assert lines[0] == "section,name,a,b,difference,explanation"
    assert any(line.startswith("metric,tax_now,-900.00,0.00,900.00,") for line in lines)
    assert json.loads((tmp_path / "a.json").read_text())["summary"]["kind"] == "harvest"


@pytest.mark.parametrize(
    ("edit", "named"),
    [
        ("tax.nope=0.3", "tax.nope does not exist"),
        ("targets.gold=0.1", "targets.gold does not exist"),
        ("accounts[5].cash=1", "accounts[5] does not exist"),
        ("accounts[nobody].cash=1", "accounts[nobody] does not exist"),
        ("accounts[0].lot_method=zzz", "accounts[0].lot_method"),
        ("tax.ordinary=1.5", "tax.ordinary"),
        ("targets.bonds=0.5", "targets sum to"),
        ("tax.ordinary", "give PATH=VALUE"),
    ],
)
def test_a_bad_edit_is_bad_input_naming_the_path(edit: str, named: str) -> None:
    result = invoke(["whatif", str(HARVEST), "--set", edit])
    assert result.exit_code == 2
    assert named in result.stderr and edit.split("=")[0] in result.stderr
    assert "Traceback" not in result.stderr and len(result.stderr.splitlines()) == 1


def test_edits_by_id_and_into_a_missing_section() -> None:
    document = read_json(FIXTURES / "retired_couple.json")
    del document["harvest"]  # the section is optional: its defaults apply
    edited = apply_edits(
        document,
        [parse_edit("accounts[joint].lot_method=hifo"), parse_edit("harvest.min_loss_dollars=500")],
    )
    household = household_from_dict(edited)
    assert household.accounts[1].lot_method == "hifo"
    assert household.harvest.min_loss_dollars == Decimal("500")
    assert document["accounts"][1]["lot_method"] == "min_tax"  # the original is untouched
    with pytest.raises(SchemaError, match="not a list"):
        apply_edits(document, [parse_edit("tax[0]=1")])
