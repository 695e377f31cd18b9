"""``household locate``: the location section on the fixture households, and bad input."""

from __future__ import annotations

import copy
import json
import sys
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from household.cli import main
from household.errors import InfeasibleError
from household.loader import household_from_dict, load_household, read_json
from household.locating import locate_household, location_problem

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "households"
ALL = [
    FIXTURES / f"{name}.json" for name in ("young_couple", "retired_couple", "high_earner_munis")
]


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    old = sys.argv
    sys.argv = ["household", *args]
    try:
        with pytest.raises(SystemExit) as info:
            main()
    finally:
        sys.argv = old
    out, err = capsys.readouterr()
    return int(info.value.code or 0), out, err


def all_decimals_are_strings(value: Any) -> bool:
    if isinstance(value, float):
        return False
    if isinstance(value, dict):
        return all(all_decimals_are_strings(v) for v in value.values())
    if isinstance(value, list):
        return all(all_decimals_are_strings(v) for v in value)
    return True


@pytest.mark.parametrize("path", ALL, ids=lambda p: p.stem)
def test_json_reconciles_with_the_input(capsys: pytest.CaptureFixture[str], path: Path) -> None:
    code, out, err = run(capsys, "locate", str(path), "--format", "json")
    assert code == 0, err
    document = json.loads(out)
    assert list(document) == ["location"]
    section = document["location"]
    assert all_decimals_are_strings(section)
    assert section["status"] == "optimal" and section["solver"] == "highs"
    household = load_household(path)
    for account in section["accounts"]:
        value = household.account_value(account["account_id"]).quantize(Decimal("0.01"))
        rows = [
            Decimal(r["dollars"])
            for r in section["rows"]
            if r["account_id"] == account["account_id"]
        ]
        # rows + cash reserve = the account's value, to the cent
        assert sum(rows) + Decimal(account["cash_reserve"]) == value == Decimal(account["total"])
    placed = sum(Decimal(c["dollars"]) for c in section["classes"])
    reserves = sum(Decimal(a["cash_reserve"]) for a in section["accounts"])
    assert placed + reserves == Decimal(section["household_value"])
    if household.options.targets.value == "pretax" and not household.options.tolerance:
        for c in section["classes"]:
            assert abs(Decimal(c["dollars"]) - Decimal(c["target"])) <= Decimal("0.03")
    objective = section["objective"]
    assert Decimal(objective["recommended"]["net_value"]) >= Decimal(
        objective["naive"]["net_value"]
    )
    assert section["explanations"]


def test_young_couple_international_outside_the_401k() -> None:
    household = load_household(FIXTURES / "young_couple.json")
    result, exceptions = locate_household(household)
    assert exceptions == []
    placement = result.recommended
    cell = next(
        c for c in placement.cells if c.account_id == "alex-401k" and c.asset_class == "intl_stocks"
    )
    assert not cell.offered and cell.dollars == 0
    # the joint account keeps its 500.00 reserve: 22,721.00 - 500.00 = 22,221.00 placed
    joint = sum(c.dollars for c in placement.cells if c.account_id == "joint")
    assert joint == Decimal("22221.00")


def test_high_earner_munis_only_in_taxable() -> None:
    household = load_household(FIXTURES / "high_earner_munis.json")
    result, _ = locate_household(household)
    for c in result.recommended.cells:
        if c.asset_class == "munis" and c.account_id != "brokerage":
            assert c.dollars == 0
    # 20% of (996,144.00 - 10,000.00 reserve) = 197,228.80
    assert result.recommended.class_totals["munis"] == Decimal("197228.80")


def test_mapping_rates_and_bounds() -> None:
    household = load_household(FIXTURES / "high_earner_munis.json")
    problem, _ = location_problem(household)
    # ordinary 0.37 + state 0.133 + niit 0.038 = 0.541; long-term 0.20 + 0.133 + 0.038
    assert problem.tax.ordinary == Decimal("0.541")
    assert problem.tax.long_term == Decimal("0.371")
    # 403b bonds max_weight 0.60 of 290,334.00 = 174,200.40
    assert problem.account("403b").limits["bonds"].max_dollars == Decimal("174200.400")
    assert problem.account("brokerage").placeable == Decimal("604030.00")
    short = {h.lot_id: h.short_term for h in problem.holdings}
    assert short["T5"] is True and short["T1"] is False  # bought 2026-09-18; as_of 2026-11-20


def test_ignore_current(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(
        capsys,
        "locate",
        str(FIXTURES / "retired_couple.json"),
        "--format",
        "json",
        "--ignore-current",
    )
    assert code == 0
    section = json.loads(out)["location"]
    assert section["ignore_current"] is True
    assert section["objective"]["recommended"]["transition_cost"] == "0.00"


def test_table_and_csv(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "locate", str(FIXTURES / "young_couple.json"))
    assert code == 0 and "Asset location" in out and "recommended" in out
    code, out, _ = run(capsys, "locate", str(FIXTURES / "young_couple.json"), "--format", "csv")
    assert code == 0 and out.splitlines()[0].startswith("account_id,asset_class,dollars")


def infeasible_data() -> dict[str, Any]:
    data = copy.deepcopy(read_json(FIXTURES / "young_couple.json"))
    # only the Roths and the joint account offer intl; make it 90% of the household
    data["targets"] = {"us_stocks": "0.05", "intl_stocks": "0.90", "bonds": "0.05"}
    return data


def test_infeasible_household_exits_2(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = tmp_path / "infeasible.json"
    path.write_text(json.dumps(infeasible_data()))
    code, out, err = run(capsys, "locate", str(path), "--format", "json")
    assert code == 2 and out == ""
    assert len(err.strip().splitlines()) == 1
    assert "intl_stocks target" in err and "cannot be met" in err
    with pytest.raises(InfeasibleError):
        locate_household(household_from_dict(infeasible_data()))


def test_bad_file_exits_2(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    data = read_json(FIXTURES / "young_couple.json")
    data["accounts"][1]["type"] = "brokerage"
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(data, default=str))
    code, _, err = run(capsys, "locate", str(path))
    assert code == 2
    assert err.startswith(f"household: {path}:accounts[1].type: type: ")


@pytest.mark.parametrize("solver", ["highs", "pulp-highs"])
def test_stdout_is_one_json_document(solver: str) -> None:
    # HiGHS prints a banner on the C stdout the first time it is built; it must not leak.
    import subprocess

    completed = subprocess.run(
        [
            sys.executable,
            "-m",
            "household",
            "locate",
            str(FIXTURES / "young_couple.json"),
            "--format",
            "json",
            "--solver",
            solver,
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr
    assert json.loads(completed.stdout)["location"]["solver"] == solver
