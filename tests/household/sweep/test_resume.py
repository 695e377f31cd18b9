"""A sweep killed with SIGKILL and resumed: the same results, no finished household redone."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from household.sweep import InProcess, SweepKind, run_sweep
from household.sweep.synthetic import write_households
from tests.household.sweep.test_sweep import files, without_timings

ROOT = Path(__file__).resolve().parents[3]


def _sweep(source: Path, out: Path) -> subprocess.Popen[bytes]:
    command = [sys.executable, "-m", "household", "sweep", "harvest", str(source)]
    command += ["--out", str(out), "--workers", "2", "--batch-size", "1", "--format", "json"]
    return subprocess.Popen(
        command,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,  # its own process group: the kill takes the workers too
    )


def test_killed_sweep_resumes_to_the_same_results(tmp_path: Path) -> None:
    source = tmp_path / "src"
    write_households(source, 24, lots=20)
    out = tmp_path / "out"
    process = _sweep(source, out)
    records = out / "records"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if records.is_dir() and len(list(records.glob("*.json"))) >= 4:
            break
        time.sleep(0.02)
    os.killpg(process.pid, signal.SIGKILL)
    process.wait()
    finished = {p.name: (p.stat().st_ino, p.stat().st_mtime_ns) for p in records.glob("*.json")}
    assert 4 <= len(finished) < 24, "the sweep was not interrupted mid-way"
    assert not (out / "summary.json").exists()
    # Every file left behind is whole (written to a temporary name, then renamed).
    for path in records.glob("*.json"):
        record = json.loads(path.read_text())
        plan = out / "plans" / f"{record['row']['household_id']}.json"
        json.loads(plan.read_text())

    # A kill inside atomic_write leaves a temporary file; plant one in each
    # folder, so the resumed sweep is seen to clear them whatever the kill hit.
    for folder in (out, records, out / "plans"):
        (folder / ".synthetic-00000.json.planted.tmp").write_text('{"half": ')

    resumed = _sweep(source, out)
    assert resumed.wait(timeout=120) == 0
    summary = json.loads((out / "summary.json").read_text())
    assert summary["skipped_done"] == len(finished)
    assert summary["planned_this_run"] == 24 - len(finished)
    for name, stamp in finished.items():  # not rewritten: the same file, untouched
        path = records / name
        assert (path.stat().st_ino, path.stat().st_mtime_ns) == stamp

    reference = tmp_path / "reference"
    expected = run_sweep(SweepKind.HARVEST, source, reference, InProcess())
    assert files(out) == files(reference)
    assert without_timings(summary) | {"source": ""} == without_timings(expected.summary) | {
        "source": "",
        "planned_this_run": summary["planned_this_run"],
        "skipped_done": summary["skipped_done"],
    }
