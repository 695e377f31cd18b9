"""Plans from the store equal plans from the file, and are kept with their inputs."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from household.loader import household_to_dict, load_household
from household.plan import rebalance
from household.store import Store
from tests.cli_runner import invoke

ROOT = Path(__file__).resolve().parents[3]
HOUSEHOLDS = ROOT / "fixtures" / "households"


@pytest.mark.parametrize("kind", ["rebalance", "harvest"])
def test_a_stored_plan_is_the_files_plan_plus_its_id(store: Store, kind: str) -> None:
    url = store.url.render_as_string(hide_password=False)
    path = HOUSEHOLDS / ("plan_harvest.json" if kind == "harvest" else "plan_contribution.json")
    household = load_household(path)
    assert invoke(["store", "add", str(path), "--store", url]).exit_code == 0
    from_file = invoke([kind, str(path), "--format", "json"])
    from_store = invoke([kind, "--store", url, household.household_id, "--format", "json"])
    assert from_store.exit_code == from_file.exit_code == 0, from_store.stderr
    stored, filed = json.loads(from_store.stdout), json.loads(from_file.stdout)
    plan_id = stored["summary"].pop("plan_id")
    assert stored == filed
    kept = store.plan(plan_id)
    assert kept["document"]["summary"]["plan_id"] == plan_id
    assert kept["document"]["trades"] == filed["trades"]
    canonical = json.dumps(household_to_dict(household), sort_keys=True, separators=(",", ":"))
    assert kept["input_hash"] == hashlib.sha256(canonical.encode()).hexdigest()
    assert kept["engine_version"].startswith("household-lots ")
    assert kept["parameters"] == {"kind": kind, "as_of": "2026-06-01"}
    assert kept["event_seq"] == len(store.events(household.household_id))
    again = invoke([kind, "--store", url, household.household_id, "--format", "json"])
    assert json.loads(again.stdout)["summary"]["plan_id"] == plan_id + 1
    assert [p["plan_id"] for p in store.plans(household.household_id)] == [plan_id, plan_id + 1]


def test_planning_an_unknown_household_is_bad_input(store: Store) -> None:
    url = store.url.render_as_string(hide_password=False)
    result = invoke(["rebalance", "--store", url, "nobody"])
    assert result.exit_code == 2 and "no household 'nobody'" in result.stderr


def test_the_stored_household_plans_like_the_file(tmp_path: Path) -> None:
    store = Store(str(tmp_path / "h.db"))
    store.init()
    household = load_household(HOUSEHOLDS / "retired_couple.json")
    store.add_household(household)
    rebuilt = store.household(household.household_id)
    as_of = household.as_of
    assert as_of is not None
    assert rebalance(rebuilt, as_of).to_json_dict() == rebalance(household, as_of).to_json_dict()
