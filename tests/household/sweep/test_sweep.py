"""Sweeps: the same results as planning each household alone, on any executor; faults isolated.

The reference for "the same results" is the planner called directly on each
file (``load_household`` then ``rebalance``/``harvest`` and the plan's JSON
document), not the sweep's own unit of work.
"""

from __future__ import annotations

import csv
import json
import shutil
from decimal import Decimal
from pathlib import Path

import pytest

from household.loader import load_household
from household.plan import harvest, rebalance
from household.sweep import DaskCluster, InProcess, ProcessPool, SweepKind, run_sweep
from household.sweep.executors import Executor
from household.sweep.work import ROW_FIELDS
from tests.cli_runner import invoke

TIMINGS = ("seconds", "households_per_second", "executor", "batch_size", "tasks")


def alone(kind: SweepKind, path: Path) -> tuple[str, object]:
    """The plan's JSON text and the plan, planned on its own."""
    household = load_household(path)
    assert household.as_of is not None
    plan = (rebalance if kind is SweepKind.REBALANCE else harvest)(household, household.as_of)
    return json.dumps(plan.to_json_dict(), separators=(",", ":")) + "\n", plan


def rows(out: Path) -> list[dict[str, str]]:
    with (out / "households.csv").open(encoding="utf-8") as stream:
        return list(csv.DictReader(stream))


def files(out: Path) -> dict[str, bytes]:
    """Every output file but summary.json (its timings differ), by relative path."""
    return {
        str(p.relative_to(out)): p.read_bytes()
        for p in sorted(out.rglob("*"))
        if p.is_file() and p.name not in ("summary.json", "summary.html")
    }


def without_timings(summary: dict[str, object]) -> dict[str, object]:
    return {k: v for k, v in summary.items() if k not in TIMINGS}


def check_against_alone(kind: SweepKind, source: Path, out: Path) -> None:
    table = {row["file"]: row for row in rows(out)}
    assert len(table) == len(list(source.glob("*.json")))
    for path in sorted(source.glob("*.json")):
        text, plan = alone(kind, path)
        row = table[path.name]
        assert row["household_id"] == plan.household_id  # type: ignore[attr-defined]
        assert (out / "plans" / f"{plan.household_id}.json").read_text() == text  # type: ignore[attr-defined]
        assert row["status"] == ("refused" if plan.refused else "planned")  # type: ignore[attr-defined]
        assert int(row["trades"]) == len(plan.trades)  # type: ignore[attr-defined]
        if kind is SweepKind.HARVEST:
            # The row's saving is what the plan takes off this year's netted tax.
            tax = Decimal(json.loads(text)["summary"]["tax"])
            assert Decimal(row["tax_saved"]) == max(Decimal(0), -tax)


def test_in_process_rebalance_equals_each_alone(source: Path, tmp_path: Path) -> None:
    result = run_sweep(SweepKind.REBALANCE, source, tmp_path, InProcess())
    assert result.summary["households"] == 24 and result.failed == 0
    check_against_alone(SweepKind.REBALANCE, source, tmp_path)
    ids = [row["household_id"] for row in rows(tmp_path)]
    assert ids == sorted(ids)
    assert list(rows(tmp_path)[0]) == list(ROW_FIELDS)


@pytest.fixture(scope="module")
def pool_out(source: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("pool")
    with ProcessPool(2) as executor:
        run_sweep(SweepKind.HARVEST, source, out, executor, batch_size=3)
    return out


def test_process_pool_harvest_equals_each_alone(source: Path, pool_out: Path) -> None:
    check_against_alone(SweepKind.HARVEST, source, pool_out)
    summary = json.loads((pool_out / "summary.json").read_text())
    # The totals are the sums of the rows (the rows checked against the planner above).
    table = rows(pool_out)
    assert Decimal(summary["tax_saved"]) == sum(Decimal(r["tax_saved"]) for r in table)
    assert Decimal(summary["harvested_short"]) == sum(Decimal(r["harvested_short"]) for r in table)
    assert summary["trades"] == sum(int(r["trades"]) for r in table)
    assert Decimal(summary["tax_saved"]) > 0  # the generated households have losses to harvest


def test_dask_local_cluster_gives_the_same_bytes(
    source: Path, pool_out: Path, tmp_path: Path
) -> None:
    pytest.importorskip("distributed")
    with DaskCluster("local", workers=2) as executor:
        assert executor.workers == 2
        run_sweep(SweepKind.HARVEST, source, tmp_path, executor, batch_size=5)
    assert files(tmp_path) == files(pool_out)
    dask_summary = json.loads((tmp_path / "summary.json").read_text())
    pool_summary = json.loads((pool_out / "summary.json").read_text())
    assert without_timings(dask_summary) == without_timings(pool_summary)
    assert dask_summary["executor"]["name"] == "dask"


def test_parquet_holds_the_csv_rows(pool_out: Path) -> None:
    import pyarrow.parquet as pq

    table = pq.read_table(pool_out / "households.parquet").to_pylist()
    expected = rows(pool_out)
    assert [r["household_id"] for r in table] == [r["household_id"] for r in expected]
    for got, want in zip(table, expected, strict=True):
        assert got["tax_saved"] == (Decimal(want["tax_saved"]) if want["tax_saved"] else None)
        assert got["trades"] == int(want["trades"])
        assert (got["error"] or "") == want["error"]


def test_a_broken_household_is_reported_and_the_others_finish(tmp_path: Path) -> None:
    from tests.household.sweep.conftest import make_source

    folder = make_source(tmp_path / "src", synthetic=3, lots=10)
    (folder / "broken.json").write_text("{not json", encoding="utf-8")
    bad = json.loads((folder / "synthetic-00001.json").read_text())
    bad["accounts"][0]["type"] = "brokerage"
    (folder / "bad_type.json").write_text(json.dumps(bad), encoding="utf-8")
    result = invoke(
        ["sweep", "harvest", str(folder), "--out", str(tmp_path / "out"), "--workers", "2"]
    )
    assert result.exit_code == 1, result.output
    assert "2 of 14 households failed" in result.stderr
    table = {row["file"]: row for row in rows(tmp_path / "out")}
    assert table["broken.json"]["status"] == "failed"
    assert "not valid JSON" in table["broken.json"]["error"]
    assert table["bad_type.json"]["status"] == "failed"
    assert "accounts[0].type" in table["bad_type.json"]["error"]
    assert "brokerage" in table["bad_type.json"]["error"]
    others = [row for name, row in table.items() if name not in ("broken.json", "bad_type.json")]
    assert len(others) == 12 and all(row["status"] != "failed" for row in others)
    assert not (tmp_path / "out" / "plans" / "broken.json").exists()
    summary = json.loads((tmp_path / "out" / "summary.json").read_text())
    assert summary["failed"] == 2 and summary["planned"] + summary["refused"] == 12


def test_rerun_skips_done_households_and_replans_a_changed_file(tmp_path: Path) -> None:
    from tests.household.sweep.conftest import make_source

    folder = make_source(tmp_path / "src", synthetic=2, lots=10)
    out = tmp_path / "out"
    first = run_sweep(SweepKind.HARVEST, folder, out, InProcess())
    assert first.summary["planned_this_run"] == 11
    before = files(out)
    again = run_sweep(SweepKind.HARVEST, folder, out, InProcess())
    assert again.summary["planned_this_run"] == 0 and again.summary["skipped_done"] == 11
    assert files(out) == before
    changed = json.loads((folder / "synthetic-00000.json").read_text())
    changed["tax"]["ordinary"] = "0.37"
    (folder / "synthetic-00000.json").write_text(json.dumps(changed), encoding="utf-8")
    third = run_sweep(SweepKind.HARVEST, folder, out, InProcess())
    assert third.summary["planned_this_run"] == 1


def test_an_out_folder_of_another_sweep_is_bad_usage(tmp_path: Path) -> None:
    from tests.household.sweep.conftest import make_source

    folder = make_source(tmp_path / "src", synthetic=1, lots=5)
    out = tmp_path / "out"
    run_sweep(SweepKind.HARVEST, folder, out, InProcess())
    result = invoke(["sweep", "rebalance", str(folder), "--out", str(out), "--workers", "1"])
    assert result.exit_code == 2
    assert "not this one" in result.stderr and "--fresh" in result.stderr


def test_two_files_of_one_household_id_both_fail(tmp_path: Path) -> None:
    from tests.household.sweep.conftest import FIXTURES

    folder = tmp_path / "src"
    folder.mkdir()
    shutil.copy(FIXTURES / "plan_harvest.json", folder / "a.json")
    shutil.copy(FIXTURES / "plan_harvest.json", folder / "b.json")
    shutil.copy(FIXTURES / "young_couple.json", folder / "c.json")
    result = run_sweep(SweepKind.HARVEST, folder, tmp_path / "out", InProcess())
    table = rows(tmp_path / "out")
    assert [r["status"] for r in table] == ["failed", "failed", "planned"]
    assert "a.json, b.json" in table[0]["error"]
    assert result.failed == 2
    assert sorted(p.name for p in (tmp_path / "out" / "plans").iterdir()) == ["young-couple.json"]


class _Counting:
    """A task source that counts how many tasks were drawn."""

    def __init__(self, count: int) -> None:
        self.count, self.drawn = count, 0

    def __iter__(self):  # type: ignore[no-untyped-def]
        for index in range(self.count):
            self.drawn += 1
            yield index


@pytest.mark.parametrize("make", [lambda: ProcessPool(2)], ids=["pool"])
def test_executor_draws_tasks_lazily(make) -> None:  # type: ignore[no-untyped-def]
    tasks = _Counting(50)
    executor: Executor = make()
    with executor:
        results = executor.imap_unordered(abs, tasks, window=3)
        first = next(results)
        assert tasks.drawn <= 3  # memory is bounded by the window, not the number of tasks
        assert sorted([first[1], *(r for _, r in results)]) == list(range(50))


def test_refused_plans_are_counted_by_the_check_that_refused_them(tmp_path: Path) -> None:
    from household.sweep.synthetic import household_document

    folder = tmp_path / "src"
    folder.mkdir()
    for seed in (1, 2, 3):
        document = household_document(seed, lots=10)
        if seed != 2:
            # A cash reserve no account can hold: the optimiser finds no plan inside the
            # outer bands, so the bands check refuses it, naming the cash short first.
            document["constraints"]["cash_reserve"] = {"joint": "900000"}
        (folder / f"h{seed}.json").write_text(json.dumps(document), encoding="utf-8")
    result = run_sweep(SweepKind.REBALANCE, folder, tmp_path / "out", InProcess())
    table = rows(tmp_path / "out")
    assert [r["status"] for r in table] == ["refused", "planned", "refused"]
    assert table[0]["refused_checks"] == "bands"
    assert table[0]["refused_because"].startswith("joint: $")
    assert "of cash short of the reserve" in table[0]["refused_because"]
    assert result.summary["refused"] == 2 and result.summary["planned"] == 1
    assert result.summary["refusals_by_reason"] == {"bands": 2}
    assert result.failed == 0  # a refusal is a result, not a failure
    page = (tmp_path / "out" / "summary.html").read_text()
    assert "bands" in page and "<svg" in page and "<script" not in page
