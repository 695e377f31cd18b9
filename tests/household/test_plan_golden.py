"""Golden files: the whole JSON document of each single-account plan fixture.

``fixtures/plans/<fixture>.rebalance.json`` holds the expected output of
``household rebalance fixtures/households/<fixture>.json --format json``.
Regenerate on purpose only: ``REGENERATE_GOLDEN=1 pytest tests/household/test_plan_golden.py``,
then read the diff before committing it.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path

import pytest

from household.loader import load_household
from household.plan import rebalance

ROOT = Path(__file__).resolve().parents[2]
NAMES = [
    "plan_contribution",
    "plan_withdrawal",
    "plan_deferred",
    "plan_restricted",
    "plan_min_trade",
]


@pytest.mark.parametrize("name", NAMES)
def test_golden_plan(name: str) -> None:
    household = load_household(ROOT / "fixtures" / "households" / f"{name}.json")
    document = rebalance(household, dt.date(2026, 6, 1)).to_json_dict()
    text = json.dumps(document, indent=2, sort_keys=False) + "\n"
    golden = ROOT / "fixtures" / "plans" / f"{name}.rebalance.json"
    if os.environ.get("REGENERATE_GOLDEN") == "1":
        golden.write_text(text, encoding="utf-8")
    assert golden.read_text(encoding="utf-8") == text
