"""A sweep over a store: every stored household, as planning each stored household alone gives."""

from __future__ import annotations

import csv
import datetime as dt
import json
from pathlib import Path

import pytest

pytest.importorskip("sqlalchemy")

from household.loader import load_household  # noqa: E402
from household.plan import rebalance  # noqa: E402
from household.store import Store  # noqa: E402
from household.sweep import InProcess, SweepKind, run_sweep  # noqa: E402
from household.sweep.synthetic import write_households  # noqa: E402
from tests.household.sweep.conftest import FIXTURES  # noqa: E402


def test_a_store_is_swept_like_its_households_alone(tmp_path: Path) -> None:
    path = tmp_path / "household.db"
    store = Store(str(path), clock=lambda: dt.datetime(2026, 6, 1))
    store.init()
    files = [FIXTURES / "retired_couple.json", FIXTURES / "plan_harvest.json"]
    files += write_households(tmp_path / "generated", 2, lots=10)
    for file in files:
        store.add_household(load_household(file))
    out = tmp_path / "out"
    result = run_sweep(SweepKind.REBALANCE, path, out, InProcess())
    assert result.failed == 0 and result.summary["households"] == 4
    with (out / "households.csv").open(encoding="utf-8") as stream:
        rows = {row["household_id"]: row for row in csv.DictReader(stream)}
    for household_id in store.household_ids():
        household = store.state(household_id).household()
        assert household.as_of is not None
        plan = rebalance(household, household.as_of)
        text = json.dumps(plan.to_json_dict(), separators=(",", ":")) + "\n"
        assert (out / "plans" / f"{household_id}.json").read_text() == text
        assert rows[household_id]["file"] == f"store:{household_id}"
        assert int(rows[household_id]["trades"]) == len(plan.trades)
    again = run_sweep(SweepKind.REBALANCE, path, out, InProcess())
    assert again.summary["skipped_done"] == 4 and again.summary["planned_this_run"] == 0
    store.dispose()


def test_the_cli_takes_a_store_path_as_source(tmp_path: Path) -> None:
    from tests.cli_runner import invoke

    path = tmp_path / "household.db"
    store = Store(str(path), clock=lambda: dt.datetime(2026, 6, 1))
    store.init()
    store.add_household(load_household(FIXTURES / "plan_harvest.json"))
    store.dispose()
    out = tmp_path / "out"
    result = invoke(["sweep", "harvest", str(path), "--out", str(out), "--workers", "1"])
    assert result.exit_code == 0, result.output
    summary = json.loads((out / "summary.json").read_text())
    # The stored plan-harvest household: 100 VTI at a $5,000 short-term loss and 100 VXUS at
    # a $985 long-term loss; the net loss passes the $3,000 limit: 3,000 * 0.30 = $900 saved.
    assert summary["tax_saved"] == "900.00" and summary["harvested_short"] == "-5000.00"
    assert summary["harvested_long"] == "-985.00"
    missing = invoke(["sweep", "harvest", str(tmp_path / "nothing"), "--out", str(out)])
    assert missing.exit_code == 2 and "nor a store" in missing.stderr
