"""``sweep monitor``: each household's alerts, from a folder or a store, on any executor.

The references are the store's own monitor (:func:`monitor_store` over a
store holding the same households) and figures worked out by hand from the
``plan_harvest`` fixture, never the sweep's own unit of work.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import shutil
from decimal import Decimal
from pathlib import Path

import pytest

from household.sweep import DaskCluster, InProcess, ProcessPool, SweepKind, run_sweep
from household.sweep.work import MONITOR_FIELDS
from tests.cli_runner import invoke
from tests.household.sweep.conftest import FIXTURES
from tests.household.sweep.test_sweep import files, without_timings


def rows(out: Path) -> dict[str, dict[str, str]]:
    with (out / "households.csv").open(encoding="utf-8") as stream:
        return {row["household_id"]: row for row in csv.DictReader(stream)}


def harvest_folder(tmp_path: Path) -> Path:
    folder = tmp_path / "src"
    folder.mkdir()
    shutil.copy(FIXTURES / "plan_harvest.json", folder / "plan_harvest.json")
    return folder


def test_plan_harvest_alerts_worked_by_hand(tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = run_sweep(SweepKind.MONITOR, harvest_folder(tmp_path), out, InProcess())
    row = rows(out)["plan-harvest"]
    # On the file's as_of, 2026-06-01, at the file's prices:
    #   stocks VTI 100 x 250 = 25,000; intl VXUS (100 + 200 + 1.5) x 60 = 18,090;
    #   bonds BND (100 + 200) x 50 = 15,000; no cash: 58,090 in all.
    #   Weights 0.4304 / 0.3114 / 0.2582 against 0.60 / 0.20 / 0.20: all three are
    #   more than the 0.05 absolute band away -> 3 band breaches.
    assert row["band_breaches"] == "3"
    # Review: quarterly from the policy's as_of, the first date on or after 2026-06-01
    # is 2026-07-01, not yet due.
    assert row["review_due"] == "0" and row["next_review"] == "2026-07-01"
    # Wash window: 10 ITOT sold in the taxable joint account on 2026-05-20 (no basis
    # given, so counted as a loss sale); 2026-05-20 + 30 days = 2026-06-19 >= as_of.
    assert row["wash_windows"] == "1"
    # Harvest candidates (at least $1,000 and 5% of basis), taxable lots only:
    #   J1 VTI 25,000 - 30,000 = -5,000 (16.7%): yes; J2 VXUS 6,000 - 7,000 = -1,000
    #   (14.3%): yes; J3 BND 5,000 - 5,100 = -100: under $1,000. -5,000 - 1,000 = -6,000.
    assert row["harvest_candidates"] == "2" and row["harvest_candidate_loss"] == "-6000.00"
    # No taxable lot is at a gain, so none is turning long-term.
    assert row["turning_long_term"] == "0" and row["turning_long_term_gain"] == "0.00"
    assert row["alerts"] == "6" and row["status"] == "monitored"
    document = json.loads((out / "alerts" / "plan-harvest.json").read_text())
    safe = [a["date"] for a in document["alerts"] if a["alert"] == "wash_window"]
    assert safe == ["2026-06-20"]  # 31 days after the sale
    assert result.summary["alerts_by_kind"] == {
        "band_breach": 3,
        "review_due": 0,
        "wash_window": 1,
        "turning_long_term": 0,
        "harvest_candidate": 2,
    }
    assert result.summary["harvest_candidate_loss"] == "-6000.00"
    assert list(rows(out)["plan-harvest"]) == list(MONITOR_FIELDS)


def test_a_month_later_the_review_is_due_and_the_window_closed(tmp_path: Path) -> None:
    out = tmp_path / "out"
    july = dt.date(2026, 7, 1)
    run_sweep(SweepKind.MONITOR, harvest_folder(tmp_path), out, InProcess(), as_of=july)
    row = rows(out)["plan-harvest"]
    # 2026-07-01 is the quarterly review date: due. The ITOT window closed on 2026-06-19.
    assert row["review_due"] == "1" and row["wash_windows"] == "0"
    assert row["as_of"] == "2026-07-01" and row["harvest_candidates"] == "2"


def test_a_folder_and_a_store_of_it_give_the_stores_own_monitor(tmp_path: Path) -> None:
    pytest.importorskip("sqlalchemy")
    from household.loader import load_household
    from household.store import Store
    from household.store.monitor import monitor_store
    from household.sweep.synthetic import write_households

    folder = tmp_path / "src"
    folder.mkdir()
    for path in sorted(FIXTURES.glob("*.json")):
        shutil.copy(path, folder / path.name)
    write_households(folder, 3, lots=15)
    database = tmp_path / "household.db"
    store = Store(str(database), clock=lambda: dt.datetime(2026, 6, 1))
    store.init()
    for path in sorted(folder.glob("*.json")):
        store.add_household(load_household(path))
    date = dt.date(2026, 6, 15)
    from_folder, from_store = tmp_path / "folder-out", tmp_path / "store-out"
    run_sweep(SweepKind.MONITOR, folder, from_folder, InProcess(), as_of=date)
    reference = monitor_store(store, date)
    for document in reference["households"]:
        name = f"{document['household_id']}.json"
        expected = json.dumps(document, separators=(",", ":")) + "\n"
        assert (from_folder / "alerts" / name).read_text() == expected
    # A review re-armed after fills is the store's: the store source reads it.
    with store.writing("plan-harvest") as connection:
        store.arm_review(connection, "plan-harvest", dt.date(2026, 6, 10), "fills")
    result = run_sweep(SweepKind.MONITOR, database, from_store, InProcess(), as_of=date)
    assert result.summary["households"] == 12 and result.failed == 0
    for document in monitor_store(store, date)["households"]:
        name = f"{document['household_id']}.json"
        expected = json.dumps(document, separators=(",", ":")) + "\n"
        assert (from_store / "alerts" / name).read_text() == expected
    assert rows(from_store)["plan-harvest"]["review_due"] == "1"
    assert rows(from_store)["plan-harvest"]["next_review"] == "2026-06-10"
    assert rows(from_folder)["plan-harvest"]["review_due"] == "0"
    # Every other household: the same row from the folder and the store, but the file.
    folder_rows, store_rows = rows(from_folder), rows(from_store)
    for household_id, row in folder_rows.items():
        if household_id != "plan-harvest":
            assert {**row, "file": ""} == {**store_rows[household_id], "file": ""}
    # Resumable: nothing changed, nothing is done again.
    again = run_sweep(SweepKind.MONITOR, database, from_store, InProcess(), as_of=date)
    assert again.summary["skipped_done"] == 12 and again.summary["planned_this_run"] == 0
    store.dispose()


def test_pool_and_dask_give_the_same_bytes(source: Path, tmp_path: Path) -> None:
    pytest.importorskip("distributed")
    pool, dask = tmp_path / "pool", tmp_path / "dask"
    with ProcessPool(2) as executor:
        pooled = run_sweep(SweepKind.MONITOR, source, pool, executor, batch_size=5)
    with DaskCluster("local", workers=2) as executor:
        dasked = run_sweep(SweepKind.MONITOR, source, dask, executor, batch_size=5)
    assert files(pool) == files(dask)
    assert len(list((pool / "alerts").glob("*.json"))) == pooled.summary["households"] == 24
    assert without_timings(pooled.summary) == without_timings(dasked.summary)

    import pyarrow.parquet as pq

    table = pq.read_table(pool / "households.parquet").to_pylist()
    for got in table:
        want = rows(pool)[got["household_id"]]
        assert got["harvest_candidate_loss"] == Decimal(want["harvest_candidate_loss"])
        assert got["alerts"] == int(want["alerts"])


def test_a_broken_file_fails_alone_and_a_changed_one_is_monitored_again(tmp_path: Path) -> None:
    folder = harvest_folder(tmp_path)
    shutil.copy(FIXTURES / "young_couple.json", folder / "young_couple.json")
    (folder / "broken.json").write_text('{"schema_version": 1', encoding="utf-8")
    out = tmp_path / "out"
    result = invoke(["sweep", "monitor", str(folder), "--out", str(out), "--workers", "1"])
    assert result.exit_code == 1
    table = rows(out)
    assert table["broken"]["status"] == "failed" and "not valid JSON" in table["broken"]["error"]
    assert table["broken"]["alerts"] == "0"
    assert table["plan-harvest"]["status"] == table["young-couple"]["status"] == "monitored"
    assert sorted(p.name for p in (out / "alerts").iterdir()) == [
        "plan-harvest.json",
        "young-couple.json",
    ]
    # Mend the broken file: a rerun monitors it alone, the two done are skipped.
    shutil.copy(FIXTURES / "plan_deferred.json", folder / "broken.json")
    again = invoke(["sweep", "monitor", str(folder), "--out", str(out), "--format", "json"])
    assert again.exit_code == 0, again.output
    summary = json.loads(again.stdout)
    assert summary["skipped_done"] == 2 and summary["planned_this_run"] == 1
    assert summary["monitored"] == 3 and summary["failed"] == 0
    page = (out / "summary.html").read_text()
    assert "Alerts by kind" in page and "<svg" in page and "<script" not in page


def test_sweep_monitor_of_nothing_is_bad_input(tmp_path: Path) -> None:
    result = invoke(["sweep", "monitor", str(tmp_path / "nothing"), "--out", str(tmp_path)])
    assert result.exit_code == 2 and "nor a store" in result.stderr


class _Watching(InProcess):
    """In process, counting the tasks drawn but not yet given back (the driver's holding)."""

    def __init__(self) -> None:
        self.sizes: list[int] = []
        self.most_held = 0

    @property
    def workers(self) -> int:
        return 2

    def imap_unordered(self, function, tasks, window):  # type: ignore[no-untyped-def]
        held: list[object] = []
        source = iter(tasks)
        for task in source:
            held.append(task)
            self.sizes.append(len(task.units))
            self.most_held = max(self.most_held, sum(len(t.units) for t in held))  # type: ignore[attr-defined]
            if len(held) == window:
                first = held.pop(0)
                yield first, function(first)
        for task in held:
            yield task, function(task)


def test_batches_cut_as_drawn_give_the_files_of_one_household_a_task(
    source: Path, tmp_path: Path
) -> None:
    watched = _Watching()
    adaptive = run_sweep(SweepKind.MONITOR, source, tmp_path / "a", watched)
    one = run_sweep(SweepKind.MONITOR, source, tmp_path / "b", InProcess(), batch_size=1)
    assert files(tmp_path / "a") == files(tmp_path / "b")
    assert without_timings(adaptive.summary) == without_timings(one.summary)
    # The first tasks are of one household; every household is in exactly one task.
    assert watched.sizes[:4] == [1, 1, 1, 1] and sum(watched.sizes) == 24
    # Memory: the driver holds at most the window (2 tasks per worker) of households.
    assert watched.most_held <= 4 * max(watched.sizes)
    assert adaptive.summary["tasks"] == len(watched.sizes)
