"""Folders of households for the sweep tests: the fixtures and small synthetic ones."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from household.sweep.synthetic import write_households

FIXTURES = Path(__file__).resolve().parents[3] / "fixtures" / "households"


def make_source(folder: Path, synthetic: int = 15, lots: int = 20) -> Path:
    """The household fixtures and ``synthetic`` generated households in ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    for path in sorted(FIXTURES.glob("*.json")):
        shutil.copy(path, folder / path.name)
    write_households(folder, synthetic, lots=lots)
    return folder


@pytest.fixture(scope="session")
def source(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """9 fixture households and 15 generated ones of 20 lots (24 in all)."""
    return make_source(tmp_path_factory.mktemp("households"))
