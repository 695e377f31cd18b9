"""Speed of a sweep: households per second on one and two workers, Dask against the pool.

Synthetic households (:mod:`household.sweep.synthetic`, seeded): 5 accounts,
about 150 lots bought over the last 2 years, 15 symbols in 6 classes, pending
cash flows and recent buys. Printed, all measured in this run:

1. loading one household: the compiled schema check against jsonschema alone
   (the baseline), CPU ms per household, median of the files;
2. one household planned alone: load, plan, JSON, CPU ms;
3. the executors compared on the first ``--compare`` households (default
   300): ``run_sweep`` end to end (find, batch, plan, write plans and records,
   tables, summary) on a process pool of 1 and of 2 workers and on a Dask
   ``LocalCluster`` of 2 single-threaded workers: wall seconds, households
   per second, the ratios (2 workers / 1 worker; Dask / pool), and the CPU
   time of the workers and of the driver, so that a ratio can be judged on a
   loaded machine (the speed-up the CPU times give on an idle one is printed);
   the peak memory of each worker;
4. linearity: the 2-worker pool over all the households, the times at which a
   quarter, a half, three quarters and all were done, and the 10,000-household
   time extrapolated from the line through them;
5. memory: the driver's traced peak in a sweep of a quarter and of all the
   households (a ``monitor`` sweep, which plans nothing, so it is quick).

    python benchmarks/sweep.py                      # 1,000 households, compared on 300
    python benchmarks/sweep.py --households 200 --kind harvest
    python benchmarks/sweep.py --households 1000 --compare 1000

Sweep timings are wall-clock (``time.perf_counter``) on a noisy 2-core machine;
the workers are started before the clock (the start-up is printed apart, as it
is paid once per sweep).
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

import attrs

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from household import loader  # noqa: E402
from household.sweep import DaskCluster, ProcessPool, SweepKind, run_sweep  # noqa: E402
from household.sweep.executors import Executor  # noqa: E402
from household.sweep.synthetic import write_households  # noqa: E402
from household.sweep.work import Unit, plan_unit  # noqa: E402


def _loading(paths: list[Path]) -> tuple[float, float]:
    """Median CPU ms to load one household: (compiled check, jsonschema only)."""
    documents = [loader.read_json(p) for p in paths]
    loader.household_from_dict(documents[0])
    fast, slow = [], []
    for document in documents:
        started = time.process_time()
        loader.household_from_dict(document)
        fast.append(time.process_time() - started)
        started = time.process_time()
        errors = list(loader._validator().iter_errors(document))  # the old path
        assert not errors
        loader._build(document, loader._Reader(None))
        slow.append(time.process_time() - started)
    return statistics.median(fast) * 1000, statistics.median(slow) * 1000


def _alone(paths: list[Path], kind: SweepKind) -> float:
    """Median CPU ms of one household's unit of work (load, plan or monitor, JSON), here."""
    times = []
    for path in paths:
        started = time.process_time()
        outcome = plan_unit(kind, None, Unit(path.stem, str(path)))
        times.append(time.process_time() - started)
        assert outcome.row["status"] != "failed", outcome.row["error"]
    return statistics.median(times) * 1000


@attrs.frozen
class Run:
    """One sweep measured: wall seconds, households, CPU of workers and driver, memory."""

    seconds: float
    households: int
    worker_cpu: float
    driver_cpu: float
    peaks: tuple[int, ...]
    startup: float
    progress: tuple[tuple[int, float], ...]

    def line(self, name: str, workers: int) -> str:
        peaks = ", ".join(f"{peak / 2**20:.0f}" for peak in self.peaks)
        share = self.worker_cpu / (self.seconds * workers)
        return (
            f"{name}: {self.households} in {self.seconds:.1f} s"
            f" = {self.households / self.seconds:.1f}/s wall; workers' CPU {self.worker_cpu:.1f} s"
            f" ({1000 * self.worker_cpu / self.households:.1f} ms a household,"
            f" {share:.0%} of {workers} core{'s' if workers > 1 else ''} while it ran);"
            f" driver CPU {self.driver_cpu:.1f} s"
            f" ({1000 * self.driver_cpu / self.households:.2f} ms a household);"
            f" peak memory per worker {peaks} MB; start-up {self.startup:.1f} s"
        )


def _sweep(kind: SweepKind, source: Path, make: str, workers: int) -> Run:
    """One fresh sweep, its workers started (and warmed up) before the clock starts.

    The workers' CPU is the difference of their CPU times before and after the
    sweep (the warm-up left out); the driver's is this process's CPU time
    during :func:`run_sweep` (finding, batching, writing, the tables).
    """
    with tempfile.TemporaryDirectory() as out:
        started = time.perf_counter()
        executor: Executor = (
            DaskCluster("local", workers) if make == "dask" else ProcessPool(workers)
        )
        with executor:
            before = executor.worker_usage()  # every worker up and warm
            startup = time.perf_counter() - started
            marks: list[tuple[int, float]] = []

            def progress(done: int, failed: int, total: int) -> None:
                marks.append((done, time.perf_counter()))

            started, cpu = time.perf_counter(), time.process_time()
            result = run_sweep(kind, source, Path(out), executor, progress=progress)
            seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
            after = executor.worker_usage()
        assert result.failed == 0, result.summary["failures"]
        worker_cpu = sum(c - before.get(w, (0, 0.0))[1] for w, (_, c) in after.items())
        return Run(
            seconds=seconds,
            households=int(result.summary["households"]),
            worker_cpu=worker_cpu,
            driver_cpu=cpu,
            peaks=tuple(sorted(peak for peak, _ in after.values())),
            startup=startup,
            progress=tuple((done, at - started) for done, at in marks),
        )


def _linearity(run: Run) -> str:
    """Households done against time, from one sweep's progress: a least-squares line."""
    n = run.households
    points = []
    for goal in (n // 4, n // 2, (3 * n) // 4):
        when = next((at for done, at in run.progress if done >= goal), None)
        if goal and when is not None:
            points.append((goal, when))
    points.append((n, run.seconds))  # the last point: the whole sweep, tables and summary
    mean_n = statistics.fmean(c for c, _ in points)
    mean_s = statistics.fmean(s for _, s in points)
    spread = sum((c - mean_n) ** 2 for c, _ in points)
    per = sum((c - mean_n) * (s - mean_s) for c, s in points) / spread if spread else 0.0
    fixed = mean_s - per * mean_n
    worst = max(abs(fixed + per * c - s) / s for c, s in points if s > 0)
    line = "; ".join(f"{c} done at {s:.1f} s" for c, s in points)
    return (
        f"linearity, pool of 2 (one sweep's progress): {line}\n"
        f"  fit: {fixed:.1f} s + {per * 1000:.1f} ms per household (largest residual"
        f" {worst:.0%}); 10,000 households: {(fixed + per * 10_000) / 60:.1f} min"
        " (expected under 15 min)"
    )


def _driver_memory(source: Path, paths: list[Path]) -> str:
    """The driver's traced peak (tracemalloc) in a monitor sweep of a quarter and of all.

    A monitor sweep plans nothing, so it is quick; the driver's work (records,
    documents streamed to disk, the tables written from the records) is the
    same as a plan sweep's. Bounded by the batch: the two peaks are close.
    """
    peaks = []
    for count in (max(1, len(paths) // 4), len(paths)):
        part = source / f"memory{count}"
        part.mkdir()
        for path in paths[:count]:
            (part / path.name).symlink_to(path)
        with tempfile.TemporaryDirectory() as out, ProcessPool(2) as executor:
            executor.worker_usage()
            tracemalloc.start()
            run_sweep(SweepKind.MONITOR, part, Path(out), executor)
            peaks.append((count, tracemalloc.get_traced_memory()[1]))
            tracemalloc.stop()
    text = ", ".join(f"{c} households {p / 2**20:.1f} MB" for c, p in peaks)
    ratio = peaks[1][1] / peaks[0][1]
    growth = peaks[1][0] / peaks[0][0]
    return (
        f"driver's traced peak memory (monitor sweep, pool of 2): {text};"
        f" {ratio:.2f}x the memory for {growth:.0f}x the households"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--households", type=int, default=1000)
    parser.add_argument("--lots", type=int, default=150)
    parser.add_argument(
        "--compare",
        type=int,
        default=None,
        help="households of the 1-worker, 2-worker and Dask runs (default: min(300, households))",
    )
    parser.add_argument("--kind", choices=[k.value for k in SweepKind], default="rebalance")
    parser.add_argument("--no-dask", action="store_true")
    args = parser.parse_args()
    kind = SweepKind(args.kind)
    compare = min(args.households, args.compare or 300)
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        paths = write_households(root / "all", args.households, lots=args.lots)
        fast, slow = _loading(paths[: min(50, len(paths))])
        print(
            f"loading a household of {args.lots} lots: {fast:.1f} ms with the compiled check,"
            f" {slow:.1f} ms with jsonschema alone ({slow / fast:.0f}x)"
        )
        alone = _alone(paths[: min(10, len(paths))], kind)
        print(
            f"one household alone (load, {kind.value}, JSON: its unit of work):"
            f" {alone:.1f} ms CPU (median of 10)"
        )
        print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")

        subset = root / "all"
        if compare < args.households:
            subset = root / "compare"
            subset.mkdir()
            for path in paths[:compare]:
                (subset / path.name).symlink_to(path)
        print(f"comparison of executors on {compare} households:")
        one = _sweep(kind, subset, "pool", 1)
        print(one.line("pool, 1 worker", 1))
        two = _sweep(kind, subset, "pool", 2)
        print(two.line("pool, 2 workers", 2))
        print(
            f"  speed-up from 1 to 2 workers: {one.seconds / two.seconds:.2f}x wall"
            " (expected >= 1.7x)"
        )
        # On an idle 2-core machine the one worker runs alone on a core, and the two workers
        # and the driver share both: the CPU each used gives the wall times they would take.
        idle = one.worker_cpu / max((two.worker_cpu + two.driver_cpu) / 2, two.worker_cpu / 2)
        print(
            f"  by CPU: a household costs {1000 * one.worker_cpu / one.households:.1f} and"
            f" {1000 * two.worker_cpu / two.households:.1f} ms of worker CPU with 1 and 2 workers;"
            f" on an idle 2-core machine that is a {idle:.2f}x speed-up"
        )
        if not args.no_dask:
            dask = _sweep(kind, subset, "dask", 2)
            print(dask.line("dask LocalCluster, 2 workers", 2))
            print(
                f"  dask / pool of 2: {dask.seconds / two.seconds:.2f}x the time"
                " (expected <= 1.15x)"
            )
            print(
                f"  by CPU: dask's workers and driver {dask.worker_cpu + dask.driver_cpu:.1f} s,"
                f" the pool's {two.worker_cpu + two.driver_cpu:.1f} s:"
                f" {(dask.worker_cpu + dask.driver_cpu) / (two.worker_cpu + two.driver_cpu):.2f}x"
            )
        whole = two
        if compare < args.households:
            whole = _sweep(kind, root / "all", "pool", 2)
            print(whole.line(f"pool, 2 workers, all {args.households}", 2))
        print(_linearity(whole))
        print(_driver_memory(root, paths))
        driver = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"benchmark process's peak memory: {driver:.0f} MB")
        print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
