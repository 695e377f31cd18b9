"""Speed of a sweep: households per second on one and two workers, Dask against the pool.

Synthetic households (:mod:`household.sweep.synthetic`, seeded): 5 accounts,
about 150 lots bought over the last 2 years, 15 symbols in 6 classes, pending
cash flows and recent buys. Printed, all measured in this run:

1. loading one household: the compiled schema check against jsonschema alone
   (the baseline), CPU ms per household, median of the files;
2. one household planned alone: load, plan, JSON, CPU ms;
3. the sweep end to end (``run_sweep``: find, batch, plan, write plans and
   records, tables, summary) on a process pool of 1 and of 2 workers and on a
   Dask ``LocalCluster`` of 2 single-threaded workers: wall seconds,
   households per second, the ratios (2 workers / 1 worker; Dask / pool), the
   peak memory of each worker and of the driver;
4. linearity: the 2-worker pool at a quarter, a half and all of the households,
   and the 10,000-household time extrapolated from the largest.

    python benchmarks/sweep.py                      # 1,000 households
    python benchmarks/sweep.py --households 200 --kind harvest

Sweep timings are wall-clock (``time.perf_counter``) on a noisy 2-core machine;
each sweep starts its workers inside the timing, as ``household sweep`` does.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from household import loader  # noqa: E402
from household.sweep import DaskCluster, ProcessPool, SweepKind, run_sweep  # noqa: E402
from household.sweep.executors import Executor  # noqa: E402
from household.sweep.synthetic import write_households  # noqa: E402
from household.sweep.work import planner  # noqa: E402


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
    """Median CPU ms of load + plan + JSON for one household, in this process."""
    plan = planner(kind)
    times = []
    for path in paths:
        started = time.process_time()
        household = loader.load_household(path)
        assert household.as_of is not None
        json.dumps(plan(household, household.as_of).to_json_dict())
        times.append(time.process_time() - started)
    return statistics.median(times) * 1000


def _sweep(
    kind: SweepKind, source: Path, make: type[Executor] | str, workers: int
) -> tuple[float, int, dict[str, tuple[int, float]]]:
    """(wall seconds, households, per worker (peak bytes, CPU seconds)) of one fresh sweep.

    The workers are started (and warmed up) before the clock starts: the start-up
    is printed on its own, as it is paid once per sweep, not per household.
    """
    with tempfile.TemporaryDirectory() as out:
        started = time.perf_counter()
        executor: Executor = (
            DaskCluster("local", workers) if make == "dask" else ProcessPool(workers)
        )
        with executor:
            executor.worker_usage()  # every worker up and warm
            startup = time.perf_counter() - started
            started, cpu = time.perf_counter(), time.process_time()
            result = run_sweep(kind, source, Path(out), executor)
            seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
            usage = executor.worker_usage()
        assert result.failed == 0, result.summary["failures"]
        name = make if isinstance(make, str) else "pool"
        print(f"  ({name} of {workers}: start-up {startup:.1f} s, driver CPU {cpu:.1f} s)")
        return seconds, int(result.summary["households"]), usage


def _report(name: str, seconds: float, n: int, usage: dict[str, tuple[int, float]]) -> str:
    peaks = ", ".join(f"{peak / 2**20:.0f}" for peak, _ in sorted(usage.values()))
    cpu = sum(c for _, c in usage.values())
    return (
        f"{name}: {n} in {seconds:.1f} s = {n / seconds:.1f}/s wall;"
        f" workers' CPU {cpu:.1f} s = {n / cpu:.1f} households per CPU-second;"
        f" peak memory per worker {peaks} MB"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--households", type=int, default=1000)
    parser.add_argument("--lots", type=int, default=150)
    parser.add_argument("--kind", choices=["rebalance", "harvest"], default="rebalance")
    parser.add_argument("--no-dask", action="store_true")
    args = parser.parse_args()
    kind = SweepKind(args.kind)
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        paths = write_households(root / "all", args.households, lots=args.lots)
        sample = paths[: min(50, len(paths))]
        fast, slow = _loading(sample)
        print(
            f"loading a household of {args.lots} lots: {fast:.1f} ms with the compiled check,"
            f" {slow:.1f} ms with jsonschema alone ({slow / fast:.0f}x)"
        )
        alone = _alone(sample, kind)
        print(f"one household alone (load, {kind.value}, JSON): {alone:.1f} ms CPU")

        print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
        one, n, usage = _sweep(kind, root / "all", ProcessPool, 1)
        print(_report("pool, 1 worker", one, n, usage))
        two, n, usage = _sweep(kind, root / "all", ProcessPool, 2)
        print(_report("pool, 2 workers", two, n, usage))
        print(f"  speed-up from 1 to 2 workers: {one / two:.2f}x wall (expected >= 1.7x)")
        if not args.no_dask:
            dask, n, usage = _sweep(kind, root / "all", "dask", 2)
            print(_report("dask LocalCluster, 2 workers", dask, n, usage))
            print(f"  dask / pool of 2: {dask / two:.2f}x the time (expected <= 1.15x)")

        points = []
        for fraction in (4, 2):
            part = root / f"part{fraction}"
            part.mkdir()
            for path in paths[: args.households // fraction]:
                (part / path.name).symlink_to(path)
            seconds, count, _ = _sweep(kind, part, ProcessPool, 2)
            points.append((count, seconds))
        points.append((args.households, two))
        # Least squares: seconds = fixed + per_household * households.
        mean_n = statistics.fmean(c for c, _ in points)
        mean_s = statistics.fmean(s for _, s in points)
        per = sum((c - mean_n) * (s - mean_s) for c, s in points) / sum(
            (c - mean_n) ** 2 for c, _ in points
        )
        fixed = mean_s - per * mean_n
        worst = max(abs(fixed + per * c - s) / s for c, s in points)
        line = "; ".join(f"{c} in {s:.1f} s" for c, s in points)
        print(f"linearity, pool of 2: {line}")
        print(
            f"  fit: {fixed:.1f} s + {per * 1000:.1f} ms per household (largest residual"
            f" {worst:.0%}); 10,000 households: {(fixed + per * 10_000) / 60:.1f} min"
            " (expected under 15 min)"
        )
        driver = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"driver peak memory: {driver:.0f} MB")
        print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
