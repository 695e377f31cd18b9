"""Outputs: ``import --out`` and ``--out DIR`` are atomic, refused plans say so, and
``import`` is usable from the data folder.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from household.io_atomic import MARKER, atomic_directory, write_text_atomic
from tests.cli_runner import invoke

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "fixtures" / "csv" / "demo"
HOUSEHOLDS = ROOT / "fixtures" / "households"
CSV_SET = [
    "--accounts",
    str(DEMO / "accounts.csv"),
    "--transactions",
    str(DEMO / "transactions.csv"),
    "--securities",
    str(DEMO / "securities.csv"),
]


def test_import_out_into_a_missing_folder_is_refused(tmp_path: Path) -> None:
    out = tmp_path / "nowhere" / "h.json"
    result = invoke(["import", *CSV_SET, "--out", str(out)])
    assert result.exit_code == 2
    assert result.stderr == f"household: {out}: the folder '{out.parent}' does not exist\n"


def test_import_out_onto_a_folder_is_refused(tmp_path: Path) -> None:
    result = invoke(["import", *CSV_SET, "--out", str(tmp_path)])
    assert result.exit_code == 2
    assert result.stderr == f"household: {tmp_path}: is a folder; give a file name\n"


def test_import_out_onto_an_existing_file_needs_force(tmp_path: Path) -> None:
    out = tmp_path / "h.json"
    out.write_text("keep me")
    result = invoke(["import", *CSV_SET, "--out", str(out)])
    assert result.exit_code == 2
    assert result.stderr == f"household: {out}: already exists (use --force to replace it)\n"
    assert out.read_text() == "keep me"
    result = invoke(["import", *CSV_SET, "--out", str(out), "--force"])
    assert result.exit_code == 0, result.stderr
    assert json.loads(out.read_text())["household_id"] == "demo"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["h.json"]  # no temporary left


def test_write_text_atomic_leaves_the_old_file_when_writing_fails(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "h.json"
    out.write_text("old")

    def broken_replace(source: str, target: str) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", broken_replace)
    with pytest.raises(OSError, match="disk full"):
        write_text_atomic(out, "new", force=True)
    assert out.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["h.json"]


def test_import_from_the_data_folder_with_bare_names(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "smith-family"
    folder.mkdir()
    for name in ("accounts.csv", "transactions.csv", "securities.csv"):
        (folder / name).write_bytes((DEMO / name).read_bytes())
    monkeypatch.chdir(folder)
    arguments = ["--accounts", "accounts.csv", "--transactions", "transactions.csv"]
    result = invoke(["import", *arguments, "--securities", "securities.csv"])
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["household_id"] == "smith-family"
    # an error names the file it is in, not accounts.csv
    (folder / "transactions.csv").write_text(
        "date,account_id,symbol,action,quantity,price\n2026-01-05,joint,VTI,buy,ten,1\n"
    )
    result = invoke(["import", *arguments])
    assert result.stderr == (
        "household: transactions.csv:2: quantity: 'ten' is not a number "
        "(write 1234.56: no thousands separators, currency signs or decimal commas)\n"
    )


def test_import_template_errors_name_the_template(tmp_path: Path) -> None:
    template = json.loads((HOUSEHOLDS / "young_couple.json").read_text())
    template["tax"]["ordinary"] = "1.5"
    path = tmp_path / "template.json"
    path.write_text(json.dumps(template))
    result = invoke(["import", *CSV_SET, "--template", str(path)])
    assert result.exit_code == 2
    assert result.stderr == (
        f"household: {path}:tax.ordinary: ordinary: '1.5' is not a rate between 0 and 1\n"
    )


def test_import_prints_all_three_formats() -> None:
    as_json = invoke(["import", *CSV_SET, "--format", "json"])
    lots = json.loads(as_json.stdout)["lots"]
    as_csv = invoke(["import", *CSV_SET, "--format", "csv"])
    assert as_csv.exit_code == 0
    lines = as_csv.stdout.splitlines()
    assert lines[0] == (
        "account_id,symbol,lot_id,quantity,purchased,acquired,cost_basis,wash_sale_adjustment"
    )
    assert len(lines) == 1 + len(lots)
    as_table = invoke(["import", *CSV_SET, "--format", "table"])
    assert as_table.exit_code == 0 and "Open lots of demo" in as_table.stdout


def test_method_help_names_specific() -> None:
    result = invoke(["wash-sales", "--help"])
    assert result.exit_code == 0
    assert "specific" in " ".join(result.stdout.split())


# --- --out DIR ----------------------------------------------------------------------


def test_atomic_directory_failure_midway_keeps_the_old_folder(tmp_path: Path) -> None:
    out = tmp_path / "report"
    out.mkdir()
    (out / "plan.json").write_text("old plan")
    with pytest.raises(RuntimeError), atomic_directory(out, replaceable={"plan.json"}) as folder:
        (folder / "plan.json").write_text("half")
        raise RuntimeError("failed midway")
    assert [p.name for p in out.iterdir()] == ["plan.json"]
    assert (out / "plan.json").read_text() == "old plan"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report"]  # no temporary left


def test_atomic_directory_refuses_a_folder_it_did_not_write(tmp_path: Path) -> None:
    (tmp_path / "thesis.tex").write_text("years of work")
    result = invoke(["rebalance", str(HOUSEHOLDS / "plan_withdrawal.json"), "--out", str(tmp_path)])
    assert result.exit_code == 2
    assert result.stderr == (
        f"household: {tmp_path}: is a folder holding files this program did not write; "
        "give a new or empty folder\n"
    )
    assert (tmp_path / "thesis.tex").read_text() == "years of work"


def test_rebalance_out_failure_leaves_the_old_report_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "report"
    path = str(HOUSEHOLDS / "plan_withdrawal.json")
    assert invoke(["rebalance", path, "--out", str(out)]).exit_code == 0
    before = {p.name: p.read_bytes() for p in out.iterdir()}

    import household.html_report

    def broken(plan: object) -> str:
        raise RuntimeError("chart failed")

    monkeypatch.setattr(household.html_report, "render_html", broken)
    result = invoke(["rebalance", path, "--out", str(out)])
    assert result.exit_code == 1
    assert result.stderr == "household: internal error (RuntimeError): chart failed\n"
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report"]


def test_stale_section_files_never_survive(tmp_path: Path) -> None:
    out = tmp_path / "report"
    harvest = invoke(["harvest", str(HOUSEHOLDS / "plan_harvest.json"), "--out", str(out)])
    assert harvest.exit_code == 0, harvest.stderr
    assert (out / "harvest.csv").exists() and (out / MARKER).exists()
    result = invoke(["rebalance", str(HOUSEHOLDS / "plan_harvest.json"), "--out", str(out)])
    assert result.exit_code in (0, 1), result.stderr
    assert not (out / "harvest.csv").exists()
    assert (out / "trades.csv").exists()


def test_a_refused_plan_says_so_on_the_first_line_of_every_file(tmp_path: Path) -> None:
    document = json.loads((HOUSEHOLDS / "plan_withdrawal.json").read_text())
    # a withdrawal of $40,000 from a $22,000 account cannot be met
    document["cash_flows"] = [
        {"account_id": "taxable", "date": "2026-06-05", "amount": "-40000", "kind": "withdrawal"}
    ]
    path = tmp_path / "h.json"
    path.write_text(json.dumps(document))
    out = tmp_path / "report"
    result = invoke(["rebalance", str(path), "--out", str(out), "--format", "json"])
    assert result.exit_code == 1
    files = sorted(p for p in out.iterdir() if p.name != MARKER)
    assert {p.suffix for p in files} == {".csv", ".json", ".html"}
    for file in files:
        first = file.read_text().splitlines()[0]
        assert "PLAN REFUSED: taxable: $18,000.00 of cash short" in first, (
            file.name,
            first,
        )
    plan = json.loads((out / "plan.json").read_text())
    assert plan["refused"].startswith("PLAN REFUSED: taxable: $18,000.00 of cash short")
    assert plan["summary"]["status"] == "refused"
    html = (out / "report.html").read_text()
    assert '<div class="refused-banner" role="alert">PLAN REFUSED' in html
    assert "<title>REFUSED: " in html


def test_empty_sections_keep_their_header(tmp_path: Path) -> None:
    # plan_deferred.json with bands so wide that its drift is inside the inner band: the
    # optimiser plans no trade (every trade costs at least its tie-break).
    data = json.loads((HOUSEHOLDS / "plan_deferred.json").read_text())
    data["bands"] = {"absolute": "0.5", "relative": "5", "outer_absolute": "0.6",
                     "outer_relative": "6"}  # fmt: skip
    source = tmp_path / "wide.json"
    source.write_text(json.dumps(data))
    out = tmp_path / "report"
    result = invoke(["rebalance", str(source), "--out", str(out)])
    assert result.exit_code == 0, result.stderr
    assert (out / "trades.csv").read_text() == (
        "account_id,symbol,asset_class,side,quantity,price,notional,lots_sold,lot_taxes,"
        "commission,spread_cost,impact,short_gain,long_gain,disallowed_loss,estimated_tax,"
        "limit_price,reason\n"
    )
    from household.loader import load_household
    from household.plan import rebalance

    household = load_household(source)
    assert household.as_of is not None
    frames = rebalance(household, household.as_of).to_frames()
    assert frames["trades"].empty
    assert list(frames["trades"].columns)[:4] == ["account_id", "symbol", "asset_class", "side"]
