"""Golden files: ``household locate --format json`` on each fixture household.

The expected documents live in ``fixtures/households/golden/``; regenerate them on
purpose only, after checking the difference by hand::

    REGENERATE_GOLDEN=1 .venv/bin/pytest tests/household/test_locate_golden.py
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from household.loader import load_household
from household.locating import locate_household, location_section

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "households"
GOLDEN = FIXTURES / "golden"
HOUSEHOLDS = ["young_couple", "retired_couple", "high_earner_munis"]


@pytest.mark.parametrize("path", [FIXTURES / f"{name}.json" for name in HOUSEHOLDS], ids=HOUSEHOLDS)
@pytest.mark.parametrize("ignore_current", [False, True], ids=["recommended", "ideal"])
def test_locate_matches_golden(path: Path, ignore_current: bool) -> None:
    household = load_household(path)
    result, exceptions = locate_household(household, ignore_current=ignore_current)
    document = {"location": location_section(household, result, exceptions)}
    text = json.dumps(document, indent=2, sort_keys=True) + "\n"
    golden = GOLDEN / f"locate_{path.stem}{'_ideal' if ignore_current else ''}.json"
    if os.environ.get("REGENERATE_GOLDEN"):
        golden.write_text(text)
    assert golden.exists(), f"no golden file {golden.name}: run with REGENERATE_GOLDEN=1"
    assert text == golden.read_text()
