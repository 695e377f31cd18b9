"""Where a sweep household's CPU goes: load, each plan stage, JSON; mean ms a household.

The sweep's synthetic households (:mod:`household.sweep.synthetic`, seeded, 150
lots) are written to a temporary folder, then each is put through the sweep's
unit of work (:func:`household.sweep.work.plan_unit`'s steps, done here one by
one) with every stage of :func:`household.plan.pipeline.run` wrapped in a CPU
timer (``time.process_time``). Printed: the mean CPU ms a household of each
stage, and of the plan less the optimiser's ``solve`` (what is left to the
pipeline's own stages). Run on one core, on a quiet machine::

    taskset -c 0 python benchmarks/sweep_stages.py --households 60
    taskset -c 0 python benchmarks/sweep_stages.py --households 60 --kind harvest

A stage nested in another (``diagnose`` inside ``refusals`` and the inner
notes) is counted in both; ``plan, other`` is the plan's time outside every
wrapped stage.
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from household import loader  # noqa: E402
from household.plan import pipeline  # noqa: E402
from household.sweep.synthetic import write_households  # noqa: E402
from household.sweep.work import SweepKind, plan_row, planner  # noqa: E402

TIMES: dict[str, float] = defaultdict(float)
CALLS: dict[str, int] = defaultdict(int)


def _timed(name: str, function: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(function)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        started = time.process_time()
        try:
            return function(*args, **kwargs)
        finally:
            TIMES[name] += time.process_time() - started
            CALLS[name] += 1

    return wrapper


#: (module, attribute, label): the pipeline's stages as ``run`` calls them.
STAGES = (
    (pipeline.snapshot, "take", "snapshot.take"),
    (pipeline, "_drift", "drift"),
    (pipeline.exposure, "measure", "exposure.measure"),
    (pipeline, "cost_model", "cost_model"),
    (pipeline, "tax_facts", "tax_facts"),
    (pipeline.optimise, "inputs_of", "optimise.inputs_of"),
    (pipeline.optimise, "solve", "optimise.solve"),
    (pipeline.optimise, "diagnose", "optimise.diagnose"),
    (pipeline, "_refusals", "refusals"),
    (pipeline.rounding, "settle", "rounding.settle"),
    (pipeline.blotter, "transactions", "blotter.transactions"),
    (pipeline.exposure, "replay_plan", "exposure.replay_plan"),
    (pipeline.blotter, "build", "blotter.build"),
    (pipeline.blotter, "gains", "blotter.gains"),
    (pipeline.checks, "class_values_after", "checks.class_values_after"),
    (pipeline, "_inner_notes", "inner_notes"),
    (pipeline.checks, "run_checks", "checks.run_checks"),
    (pipeline.checks, "cash_after", "checks.cash_after"),
    (pipeline, "tracking_errors", "tracking_errors"),
    (pipeline, "after_tax_value", "after_tax_value"),
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--households", type=int, default=60)
    parser.add_argument("--lots", type=int, default=150)
    parser.add_argument("--kind", choices=["rebalance", "harvest"], default="rebalance")
    args = parser.parse_args()
    kind = SweepKind(args.kind)
    plan = planner(kind)
    for module, name, label in STAGES:
        setattr(module, name, _timed(label, getattr(module, name)))
    with tempfile.TemporaryDirectory() as folder:
        paths = write_households(Path(folder), args.households, lots=args.lots)
        # Warm-up: imports, the compiled schema check, caches.
        household = loader.household_from_dict(loader.read_json(paths[0]))
        plan(household, household.as_of)
        TIMES.clear()
        CALLS.clear()
        total = time.process_time()
        for path in paths:
            started = time.process_time()
            document = loader.read_json(path)
            TIMES["load: read_json"] += time.process_time() - started
            started = time.process_time()
            household = loader.household_from_dict(document, source=path.name)
            TIMES["load: household_from_dict"] += time.process_time() - started
            started = time.process_time()
            result = plan(household, household.as_of)
            TIMES["plan"] += time.process_time() - started
            started = time.process_time()
            plan_document = result.to_json_dict()
            TIMES["json: to_json_dict"] += time.process_time() - started
            started = time.process_time()
            json.dumps(plan_document, separators=(",", ":"))
            TIMES["json: dumps"] += time.process_time() - started
            started = time.process_time()
            plan_row(plan_document, path.name)
            TIMES["json: plan_row"] += time.process_time() - started
        total = time.process_time() - total
    n = len(paths)
    inside = sum(TIMES[label] for _, _, label in STAGES)
    inside -= TIMES["optimise.diagnose"]  # counted in refusals and inner_notes already
    print(f"{n} {kind.value} households of {args.lots} lots, mean CPU ms a household")
    print(f"load average: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    for label in ("load: read_json", "load: household_from_dict"):
        print(f"  {label:32s} {1000 * TIMES[label] / n:8.2f}")
    print(f"  {'plan':32s} {1000 * TIMES['plan'] / n:8.2f}")
    for _, _, label in STAGES:
        calls = CALLS[label]
        print(f"    {label:30s} {1000 * TIMES[label] / n:8.2f}   ({calls} calls)")
    print(f"    {'plan, other':30s} {1000 * (TIMES['plan'] - inside) / n:8.2f}")
    outside = TIMES["plan"] - TIMES["optimise.solve"]
    print(f"  {'plan less solve':32s} {1000 * outside / n:8.2f}")
    for label in ("json: to_json_dict", "json: dumps", "json: plan_row"):
        print(f"  {label:32s} {1000 * TIMES[label] / n:8.2f}")
    load = TIMES["load: read_json"] + TIMES["load: household_from_dict"]
    json_ = TIMES["json: to_json_dict"] + TIMES["json: dumps"] + TIMES["json: plan_row"]
    print(f"  {'outside solve (load+plan+json)':32s} {1000 * (load + outside + json_) / n:8.2f}")
    print(f"  {'total':32s} {1000 * total / n:8.2f}")


if __name__ == "__main__":
    main()
