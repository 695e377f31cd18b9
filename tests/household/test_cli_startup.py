"""Start-up: a command imports only what it uses (timings are ``benchmarks/startup.py``'s).

``household --help`` imports no command module, and ``wash-sales`` and ``gains``
import neither rich, pandas, numpy, jsonschema nor the solvers, whatever the format.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "fixtures" / "csv" / "demo"
HEAVY = ["rich", "pandas", "numpy", "jsonschema", "pulp", "highspy", "matplotlib", "jinja2"]
PROBE = """
import contextlib, io, json, sys
from household.cli import run
with contextlib.redirect_stdout(io.StringIO()):
    code = run(sys.argv[1:])
heavy = {heavy!r}
loaded = sorted(m for m in sys.modules if m.split(".")[0] in heavy)
commands = sorted(m for m in sys.modules if m.startswith("household.cli."))
print(json.dumps([code, loaded, commands]))
"""


def modules_after(arguments: list[str]) -> tuple[int, list[str], list[str]]:
    done = subprocess.run(
        [sys.executable, "-c", PROBE.format(heavy=HEAVY), *arguments],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    )
    code, loaded, commands = json.loads(done.stdout)
    return code, loaded, commands


CSV_SET = [
    "--accounts",
    str(DEMO / "accounts.csv"),
    "--transactions",
    str(DEMO / "transactions.csv"),
    "--securities",
    str(DEMO / "securities.csv"),
]


def test_help_imports_no_command() -> None:
    code, loaded, commands = modules_after(["--help"])
    assert (code, loaded, commands) == (0, [], [])


@pytest.mark.parametrize("output", ["table", "json"])
def test_wash_sales_imports_nothing_heavy(output: str) -> None:
    code, loaded, commands = modules_after(["wash-sales", *CSV_SET, "--format", output])
    assert code == 0
    assert loaded == []
    assert commands == ["household.cli.common", "household.cli.lots"]
