"""Running a sweep: find the households, skip the done, batch the rest, write as they finish.

:func:`run_sweep` is the whole of ``household sweep``:

1. **Find** the household files: every ``*.json`` in the source folder,
   sorted by name; a file's name without ``.json`` is its key.
2. **Identify** the sweep: its id is a hash of the kind, the plan date and
   the source folder, written to ``OUT/sweep.json``. An output folder holding
   another sweep is refused (use another ``--out``, or ``fresh=True``).
3. **Skip** what is done: a household whose result record
   ``OUT/records/KEY.json`` exists and whose file still has the hash recorded
   there is not planned again (failed ones are retried with ``retry_failed``).
4. **Batch** the rest into tasks and hand them to the
   :class:`~household.sweep.executors.Executor`, at most two tasks per worker
   in flight. A task's size is chosen as it is drawn (:func:`batch_size_for`):
   one household until the first come back, then about a second of work (five
   on Dask, whose round trips cost more), and
   smaller towards the end so the workers finish together; ``batch_size`` fixes
   it.
5. **Write** each household as its task comes back: ``plans/ID.json`` first
   (for a monitor sweep, its alerts: ``alerts/ID.json``), then its record,
   each atomically (a temporary file renamed into place), so a sweep killed at
   any moment leaves only whole files and resumes where it was.
6. **Finish**: read the records back in household-id order and write
   ``households.csv``, ``households.parquet``, ``summary.json`` and
   ``summary.html`` (see :mod:`household.sweep.outputs`).

Memory is bounded by the tasks in flight, not by the number of households:
plans go to disk as they arrive and the tables are written from the records,
streamed.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import shutil
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import attrs

from household.errors import HouseholdError
from household.io_atomic import write_text_atomic
from household.sweep.executors import Executor
from household.sweep.work import Outcome, SweepKind, Task, Unit, documents_folder, run_task

__all__ = ["SweepResult", "atomic_write", "discover", "plan_name", "run_sweep", "sweep_id"]

ENGINE = "household-lots sweep 1"
"""Part of the sweep id: bump when the per-household result changes meaning."""

_SAFE = re.compile(r"[^A-Za-z0-9._-]")


@attrs.frozen
class SweepResult:
    """What a run of a sweep did.

    Attributes:
        summary: the ``summary.json`` document.
        out: the output folder.
    """

    summary: dict[str, Any]
    out: Path

    @property
    def failed(self) -> int:
        """Households that failed (in this run or an earlier one)."""
        return int(self.summary["failed"])


def _where(source: Path | str) -> str:
    """The source as the sweep id and summary name it: a resolved folder, or a store URL."""
    text = str(source)
    if "://" in text:
        return _redacted(text)
    return str(Path(text).resolve())


def discover(source: Path | str) -> list[Unit]:
    """The household files of a source folder, sorted by name, or a store's households.

    A source that is not a folder is a store: a path to its SQLite file, or a
    database URL (``sqlite:///...``, ``postgresql://...``), ids sorted.

    Raises:
        HouseholdError: when the folder does not exist or holds no ``*.json``.
    """
    if "://" in str(source) or not Path(source).is_dir():
        return _store_units(str(source))
    source = Path(source)
    units = [Unit(path.name[: -len(".json")], str(path)) for path in sorted(source.glob("*.json"))]
    if not units:
        raise HouseholdError("holds no household files (*.json)", file=str(source))
    return units


def _store_units(url: str) -> list[Unit]:
    """The households of a store (a path to an SQLite file, or a database URL)."""
    if "://" not in url and not Path(url).is_file():
        raise HouseholdError("not a folder of household files nor a store", file=url)
    try:
        from household.store import Store
    except ImportError:  # pragma: no cover - the store's dependencies
        raise HouseholdError("the store is not installed", file=url) from None
    store = Store(url)
    try:
        entries = store.list_households()
        reviews = store.next_reviews()
    finally:
        store.dispose()
    if not entries:
        raise HouseholdError("holds no households", file=url)
    units = []
    for entry in entries:
        household_id = entry["household_id"]
        armed = reviews.get(household_id)
        version = f"{household_id}\nevents={entry['events']}\npolicy={entry['policy_version']}"
        if armed is not None:
            version += f"\nreview={armed.isoformat()}"
        units.append(
            Unit(
                household_id,
                f"store:{household_id}",
                store=url,
                version=hashlib.sha256(version.encode()).hexdigest(),
                armed=None if armed is None else armed.isoformat(),
            )
        )
    return units


def sweep_id(kind: SweepKind, as_of: dt.date | None, source: Path | str) -> str:
    """The sweep's id: 16 hex digits of the hash of what defines it."""
    text = "\n".join([ENGINE, kind.value, as_of.isoformat() if as_of else "file", _where(source)])
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _redacted(url: str) -> str:
    """A store URL without its password, for ``sweep.json`` and the summary."""
    try:
        from household.store import redacted
    except ImportError:  # pragma: no cover
        return url
    return str(redacted(url))


def plan_name(household_id: str) -> str:
    """The file name of a household's plan: ``ID.json``, unsafe characters as ``_``."""
    return _SAFE.sub("_", household_id) + ".json"


def atomic_write(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` so that readers see the old file or the whole new one."""
    write_text_atomic(path, text, force=True, durable=False)


def _file_sha256(path: str) -> str:
    with open(path, "rb") as handle:
        return hashlib.sha256(handle.read()).hexdigest()


def _read_record(path: Path) -> dict[str, Any] | None:
    try:
        record: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return record


def _prepare(out: Path, identity: dict[str, Any], fresh: bool, documents: str) -> None:
    marker = out / "sweep.json"
    if fresh and out.exists():
        for name in ("records", "plans", "alerts"):
            shutil.rmtree(out / name, ignore_errors=True)
        marker.unlink(missing_ok=True)
    if marker.exists():
        existing = _read_record(marker) or {}
        if existing.get("sweep_id") != identity["sweep_id"]:
            raise HouseholdError(
                f"holds sweep {existing.get('sweep_id')!r} ({existing.get('kind')} of"
                f" {existing.get('source')} as of {existing.get('as_of')}), not this one",
                file=str(out),
                hint="give another --out, or --fresh to start over",
            )
    (out / "records").mkdir(parents=True, exist_ok=True)
    (out / documents).mkdir(parents=True, exist_ok=True)
    # A sweep killed inside atomic_write leaves its temporary file behind.
    for folder in (out, out / "records", out / documents):
        for stale in folder.glob(".*.tmp"):
            stale.unlink(missing_ok=True)
    atomic_write(marker, json.dumps(identity, indent=2) + "\n")


def _todo(units: Sequence[Unit], records: Path, retry_failed: bool) -> list[Unit]:
    todo = []
    for unit in units:
        record = _read_record(records / plan_name(unit.key))
        if record is None:
            todo.append(unit)
            continue
        failed = record["row"]["status"] == "failed"
        try:
            version = unit.version if unit.store else _file_sha256(unit.path)
            same = record.get("input_sha256") == version
        except OSError:  # unreadable now: plan it again, it will fail with its message
            same = False
        if not same or (failed and retry_failed):
            todo.append(unit)
    return todo


#: The most households in one task.
MAX_BATCH = 64


def batch_size_for(
    left: int, workers: int, per_household: float | None, task_seconds: float = 1.0
) -> int:
    """Households in the next task: guided by what is left, capped by the time it takes.

    ``left`` households are not yet in a task; ``per_household`` is the
    worker-seconds one takes so far (``None`` before any came back: then one
    household a task, to learn the speed). A task is at most a quarter of
    each worker's share of what is left (so the last tasks are small and the
    workers finish together), at most ``task_seconds`` of work (the
    executor's :attr:`~household.sweep.executors.Executor.task_seconds`) and
    at most :data:`MAX_BATCH` households.

    >>> batch_size_for(1000, 2, None)
    1
    >>> batch_size_for(1000, 2, 0.05)  # 1 s / 0.05 s = 20; 1000 / 8 = 125
    20
    >>> batch_size_for(1000, 2, 3.0)  # slow households: one a task
    1
    >>> batch_size_for(24, 2, 0.001)  # few left: 24 / 8 = 3
    3
    """
    if per_household is None:
        return 1
    guided = -(-left // (4 * workers))
    timed = int(task_seconds / per_household) if per_household > 0 else MAX_BATCH
    return max(1, min(guided, timed, MAX_BATCH))


class _Batches:
    """The tasks of a sweep, cut as they are drawn (see :func:`batch_size_for`).

    Results do not depend on the cut: each household is planned alone, so a
    task of one and a task of sixty-four give the same files.
    """

    def __init__(
        self,
        kind: SweepKind,
        as_of: dt.date | None,
        units: Sequence[Unit],
        workers: int,
        fixed: int | None,
        task_seconds: float = 1.0,
    ) -> None:
        self.kind, self.as_of, self.units = kind, as_of, units
        self.workers, self.fixed, self.task_seconds = workers, fixed, task_seconds
        self.next = 0
        self.done = 0
        self.started = time.perf_counter()
        self.largest = 0
        self.tasks = 0

    def finished(self, households: int) -> None:
        """Count households come back (their speed sizes the next tasks)."""
        self.done += households

    def __iter__(self) -> Iterator[Task]:
        while self.next < len(self.units):
            if self.fixed:
                size = self.fixed
            else:
                elapsed = time.perf_counter() - self.started
                per = elapsed * self.workers / self.done if self.done else None
                left = len(self.units) - self.next
                size = batch_size_for(left, self.workers, per, self.task_seconds)
            batch = tuple(self.units[self.next : self.next + size])
            self.next += len(batch)
            self.largest = max(self.largest, len(batch))
            self.tasks += 1
            yield Task(self.kind, self.as_of, batch)


def _write(out: Path, documents: str, outcome: Outcome) -> None:
    if outcome.plan_text is not None:
        atomic_write(out / documents / plan_name(outcome.row["household_id"]), outcome.plan_text)
    record = {"key": outcome.key, "input_sha256": outcome.input_sha256, "row": dict(outcome.row)}
    atomic_write(out / "records" / plan_name(outcome.key), json.dumps(record, indent=1) + "\n")


Progress = Callable[[int, int, int], None]
"""``progress(done, failed, total)``, called as households finish."""


def run_sweep(
    kind: SweepKind,
    source: Path | str,
    out: Path,
    executor: Executor,
    *,
    as_of: dt.date | None = None,
    batch_size: int | None = None,
    retry_failed: bool = False,
    fresh: bool = False,
    progress: Progress | None = None,
) -> SweepResult:
    """Run (or resume) a sweep; see the module docstring.

    Args:
        kind: rebalance, harvest or monitor.
        source: the folder of household files, or a store (path or URL).
        out: the output folder.
        executor: where the tasks run.
        as_of: the plan date; ``None`` for each file's own ``as_of``.
        batch_size: households per task (default: chosen as the sweep goes,
            :func:`batch_size_for`).
        retry_failed: plan again the households that failed before.
        fresh: forget earlier results in ``out`` and start over.
        progress: called with ``(done, failed, total)`` as households finish.

    Returns:
        The :class:`SweepResult`; its summary is also in ``out/summary.json``.

    Raises:
        HouseholdError: for a bad source folder, or ``out`` holding another sweep.
    """
    from household.sweep.outputs import finish

    started = time.perf_counter()
    units = discover(source)
    identity = {
        "sweep_id": sweep_id(kind, as_of, source),
        "kind": kind.value,
        "as_of": as_of.isoformat() if as_of else "file",
        "source": _where(source),
    }
    documents = documents_folder(kind)
    _prepare(out, identity, fresh, documents)
    todo = _todo(units, out / "records", retry_failed)
    done = len(units) - len(todo)
    failed = 0
    lost: list[tuple[Unit, str]] = []
    if progress is not None:
        progress(done, failed, len(units))
    tasks = _Batches(kind, as_of, todo, executor.workers, batch_size, executor.task_seconds)
    for task, result in executor.imap_unordered(run_task, tasks, window=2 * executor.workers):
        tasks.finished(len(task.units))
        if isinstance(result, BaseException):
            # The worker died: nothing is recorded, so a rerun plans these again.
            message = f"worker lost: {type(result).__name__}: {result}"
            lost.extend((unit, message) for unit in task.units)
            failed += len(task.units)
            done += len(task.units)
        else:
            for outcome in result:
                _write(out, documents, outcome)
                failed += outcome.row["status"] == "failed"
            done += len(result)
        if progress is not None:
            progress(done, failed, len(units))
    seconds = time.perf_counter() - started
    summary = finish(
        out,
        units,
        identity,
        lost=lost,
        planned_now=len(todo) - len(lost),
        skipped=len(units) - len(todo),
        executor=executor.describe(),
        batch_size=tasks.largest,
        tasks=tasks.tasks,
        seconds=seconds,
    )
    return SweepResult(summary, out)


def plain_progress(stream: Any = None, every: float = 2.0) -> Progress:
    """Progress as plain lines (``sweep: 120/1000 done, 2 failed, 35.1/s``), one per ``every`` s."""
    state = {"last": 0.0, "start": time.perf_counter(), "first": -1}

    def report(done: int, failed: int, total: int) -> None:
        now = time.perf_counter()
        if state["first"] < 0:
            state["first"] = done
        if done < total and now - state["last"] < every and done != state["first"]:
            return
        state["last"] = now
        elapsed = max(now - state["start"], 1e-9)
        rate = (done - state["first"]) / elapsed
        print(
            f"sweep: {done}/{total} done, {failed} failed, {rate:.1f}/s",
            file=stream or sys.stderr,
            flush=True,
        )

    return report
