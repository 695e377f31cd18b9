"""Start-up time of the ``household`` command, against a bare ``python -c pass``.

Scripts call the command once per file, so its start-up is paid every time. This
runs each command line ``--runs`` times (interleaved, so a busy machine slows
them alike) in fresh processes and prints the median and best wall-clock times
and each one's ratio to ``python -c pass`` measured in the same run::

    .venv/bin/python benchmarks/startup.py --runs 15

The goal (issue 10): ``household --help`` and ``wash-sales`` on the demo CSVs
under 0.2 s. ``wash-sales --format json`` imports neither rich, pandas, numpy nor
jsonschema (checked with ``-X importtime`` by ``--check-imports``).
"""

from __future__ import annotations

import argparse
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "fixtures" / "csv" / "demo"
CSV_SET = [
    "--accounts",
    str(DEMO / "accounts.csv"),
    "--transactions",
    str(DEMO / "transactions.csv"),
    "--securities",
    str(DEMO / "securities.csv"),
]
COMMANDS = {
    "python -c pass": ["-c", "pass"],
    "household --help": ["-m", "household", "--help"],
    "wash-sales (table)": ["-m", "household", "wash-sales", *CSV_SET],
    "wash-sales --format json": ["-m", "household", "wash-sales", *CSV_SET, "--format", "json"],
    "gains --format csv": ["-m", "household", "gains", *CSV_SET, "--format", "csv"],
}
HEAVY = ("rich", "pandas", "numpy", "jsonschema", "pulp", "highspy", "matplotlib", "jinja2")


def run_once(arguments: list[str]) -> tuple[float, float]:
    """Wall-clock and CPU seconds (user + system, of the child) of one run."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run([sys.executable, *arguments], check=True, capture_output=True, cwd=ROOT)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def imported_modules(arguments: list[str]) -> set[str]:
    done = subprocess.run(
        [sys.executable, "-X", "importtime", *arguments],
        check=True,
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    names = set()
    for line in done.stderr.splitlines():
        if line.startswith("import time:") and "|" in line:
            names.add(line.rsplit("|", 1)[1].strip().split(".")[0])
    return names


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--check-imports", action="store_true")
    options = parser.parse_args()
    for arguments in COMMANDS.values():  # warm the file cache
        run_once(arguments)
    walls: dict[str, list[float]] = {name: [] for name in COMMANDS}
    cpus: dict[str, list[float]] = {name: [] for name in COMMANDS}
    for _ in range(options.runs):
        for name, arguments in COMMANDS.items():
            wall, cpu = run_once(arguments)
            walls[name].append(wall)
            cpus[name].append(cpu)
    base_wall = statistics.median(walls["python -c pass"])
    base_cpu = statistics.median(cpus["python -c pass"])
    print(
        f"{'command':26} {'wall median':>11} {'best':>6} {'ratio':>6}"
        f" {'CPU median':>11} {'ratio':>6}   (ratios: x python -c pass)"
    )
    for name in COMMANDS:
        wall, cpu = statistics.median(walls[name]), statistics.median(cpus[name])
        print(
            f"{name:26} {wall:10.3f}s {min(walls[name]):5.3f}s {wall / base_wall:5.1f}x"
            f" {cpu:10.3f}s {cpu / base_cpu:5.1f}x"
        )
    if options.check_imports:
        for name in ("wash-sales --format json", "household --help"):
            heavy = sorted(imported_modules(COMMANDS[name]) & set(HEAVY))
            print(f"{name}: heavy imports: {', '.join(heavy) or 'none'}")


if __name__ == "__main__":
    main()
