"""Asset-location speed: the engine against a plain PuLP model solved by CBC, same run.

Households of 3-8 accounts and 8-16 asset classes (a 401k-style menu on some deferred
accounts, current lots in the taxable ones), generated from a fixed seed. For each
household the script times

* ``engine``: :func:`location.locate` with ``ignore_current`` and ``explain=False``
  (one LP through HiGHS' own API, the placement rounded to the cent, the naive and
  greedy baselines valued: what a sweep needs);
* ``+explain``: the same with the explanations (HiGHS ranging: the loss per dollar forced
  into each empty cell, and the sentences);
* ``+lots``: :func:`location.locate` transition-aware, explained (two LPs: the CLI);
* ``pulp+cbc``: the plain approach, a PuLP model written per household and solved by
  CBC (``PULP_CBC_CMD``), no rounding, no explanations;
* ``pulp+highs``: the same PuLP model solved by PuLP's in-process HiGHS;

and prints each time and the ratio ``pulp+cbc / engine``. Times are CPU time, the best of
``--repeat`` runs of each, counted the same way on both sides: the process's own and that of
the child processes it waited for (CBC runs as one), so a busy machine's waits count for
neither side. The wall-clock ratio is printed too. Run::

    .venv/bin/python benchmarks/location.py [--households 40] [--seed 7] [--repeat 5]
"""

from __future__ import annotations

import argparse
import random
import resource
import statistics
import sys
import time
import warnings
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import pulp  # noqa: E402

from location import (  # noqa: E402
    AccountInput,
    AssetClassInput,
    HoldingInput,
    InfeasibleLocationError,
    LocationProblem,
    TaxRates,
    Treatment,
    growth_table,
    locate,
)
from location.solvers import new_highs  # noqa: E402


def make_household(rng: random.Random, n_accounts: int, n_classes: int) -> LocationProblem:
    """A random household: one of each treatment at least, menus on some deferred accounts."""
    weights = [rng.randint(1, 10) for _ in range(n_classes)]
    total = sum(weights)
    targets = [Decimal(w) / total for w in weights]
    targets[-1] = 1 - sum(targets[:-1])
    classes = []
    for i, target in enumerate(targets):
        ordinary = Decimal(rng.randint(0, 40)) / 1000
        qualified = Decimal(rng.randint(0, 25)) / 1000
        exempt = Decimal(rng.choice([0, 0, 0, 30])) / 1000
        price = Decimal(rng.randint(0, 70)) / 1000
        classes.append(
            AssetClassInput(
                name=f"class{i}",
                expected_return=ordinary + qualified + exempt + price,
                target=target,
                ordinary_yield=ordinary,
                qualified_yield=qualified,
                tax_exempt_yield=exempt,
                turnover=Decimal(rng.randint(0, 50)) / 100,
                tolerance=Decimal(rng.choice([0, 0, 1])) / 100,
            )
        )
    treatments = [Treatment.TAXABLE, Treatment.DEFERRED, Treatment.EXEMPT]
    treatments += [rng.choice(treatments) for _ in range(n_accounts - 3)]
    accounts, holdings = [], []
    for i, treatment in enumerate(treatments):
        value = Decimal(rng.randint(20_000, 2_000_000))
        menu = None
        if treatment is Treatment.DEFERRED and rng.random() < 0.5:
            menu = {k.name for k in classes if rng.random() < 0.7} | {classes[0].name}
        accounts.append(AccountInput(f"acct{i}", treatment, value, menu=menu))
        if treatment is Treatment.TAXABLE:
            for j in range(rng.randint(2, 6)):
                lot_value = value / 8
                basis = lot_value * Decimal(rng.randint(10, 130)) / 100
                holdings.append(
                    HoldingInput(
                        f"acct{i}",
                        rng.choice(classes).name,
                        f"L{j}",
                        lot_value,
                        lot_value - basis,
                        short_term=rng.random() < 0.2,
                    )
                )
    tax = TaxRates(
        ordinary=Decimal("0.37"),
        qualified=Decimal("0.238"),
        long_term=Decimal("0.238"),
        short_term=Decimal("0.408"),
        withdrawal=Decimal("0.30"),
    )
    return LocationProblem(
        accounts=tuple(accounts),
        classes=tuple(classes),
        tax=tax,
        horizon_years=rng.randint(5, 40),
        holdings=tuple(holdings),
    )


def plain_pulp(problem: LocationProblem, solver: pulp.LpSolver) -> float:
    """The baseline: a PuLP model written per household (no transition, no rounding)."""
    growth = growth_table(problem.classes, problem.tax, problem.horizon_years)
    model = pulp.LpProblem("location", pulp.LpMaximize)
    x = {
        (a.account_id, k.name): model.add_variable(f"x_{a.account_id}_{k.name}", lowBound=0)
        for a in problem.accounts
        for k in problem.classes
        if a.offers(k.name)
    }
    model += pulp.lpSum(v * growth[(k, problem.account(a).treatment)] for (a, k), v in x.items())
    total = sum(float(a.placeable) for a in problem.accounts)
    for a in problem.accounts:
        model += pulp.lpSum(v for (b, _), v in x.items() if b == a.account_id) == float(a.placeable)
    for k in problem.classes:
        held = pulp.lpSum(v for (_, c), v in x.items() if c == k.name)
        model += held >= (float(k.target) - float(k.tolerance)) * total
        model += held <= (float(k.target) + float(k.tolerance)) * total
    model.solve(solver)
    assert pulp.LpStatus[model.status] == "Optimal", pulp.LpStatus[model.status]
    return float(pulp.value(model.objective))


def cpu_time() -> float:
    """Seconds of CPU used by this process and by the children it has waited for."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def timed(function, repeat: int) -> tuple[float, float, object]:
    """``(best CPU seconds, best wall seconds, result)`` over ``repeat`` calls."""
    best_cpu = best_wall = float("inf")
    result = None
    for _ in range(repeat):
        wall, cpu = time.perf_counter(), cpu_time()
        result = function()
        best_cpu = min(best_cpu, cpu_time() - cpu)
        best_wall = min(best_wall, time.perf_counter() - wall)
    return best_cpu, best_wall, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--households", type=int, default=40)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--repeat", type=int, default=5, help="best of N per household")
    parser.add_argument(
        "--warmup", type=int, default=3, help="households run untimed first, by every method"
    )
    args = parser.parse_args()
    warnings.simplefilter("ignore", DeprecationWarning)
    new_highs()  # the HiGHS banner, once, out of the way
    cbc = pulp.PULP_CBC_CMD(msg=False)
    highs = pulp.HiGHS(msg=False)
    warm = random.Random(-args.seed)
    for _ in range(args.warmup):  # the process's first calls (either side) are slow
        problem = make_household(warm, warm.randint(3, 8), warm.randint(8, 16))
        try:
            locate(problem)
        except InfeasibleLocationError:
            continue
        locate(problem, ignore_current=True, explain=False)
        plain_pulp(problem, cbc)
        plain_pulp(problem, highs)
    rng = random.Random(args.seed)
    header = (
        f"{'#':>3} {'acc':>3} {'cls':>3} {'engine':>8} {'+explain':>9} {'+lots':>8} "
        f"{'pulp+cbc':>9} {'pulp+highs':>11} {'cbc/engine':>11} {'cbc/+explain':>13}"
    )
    print("CPU milliseconds per household (own + children), best of", args.repeat)
    print(header)
    ratios, explained_ratios, wall_ratios, rows = [], [], [], []
    n = 0
    while n < args.households:
        problem = make_household(rng, rng.randint(3, 8), rng.randint(8, 16))
        try:
            locate(problem, ignore_current=True)
        except InfeasibleLocationError:
            continue  # menus that cannot meet the targets: draw another household
        engine, engine_wall, result = timed(
            lambda p=problem: locate(p, ignore_current=True, explain=False), args.repeat
        )
        explained, _, _ = timed(lambda p=problem: locate(p, ignore_current=True), args.repeat)
        engine_lots, _, _ = timed(lambda p=problem: locate(p), args.repeat)
        base, base_wall, objective = timed(lambda p=problem: plain_pulp(p, cbc), args.repeat)
        base_highs, _, _ = timed(lambda p=problem: plain_pulp(p, highs), args.repeat)
        # same optimum (the engine's is rounded to cents)
        assert abs(float(result.ideal.after_tax_value) - objective) < 0.05 + 1e-7 * objective
        ratio = base / engine
        ratios.append(ratio)
        wall_ratios.append(base_wall / engine_wall)
        rows.append((engine, explained, engine_lots, base, base_highs))
        explained_ratios.append(base / explained)
        print(
            f"{n:>3} {len(problem.accounts):>3} {len(problem.classes):>3} "
            f"{engine * 1e3:>8.2f} {explained * 1e3:>9.2f} {engine_lots * 1e3:>8.2f} "
            f"{base * 1e3:>9.2f} {base_highs * 1e3:>11.2f} {ratio:>10.1f}x "
            f"{base / explained:>12.1f}x"
        )
        n += 1
    med = [statistics.median(column) * 1e3 for column in zip(*rows, strict=True)]
    print(
        f"median CPU ms: engine {med[0]:.2f}, engine+explain {med[1]:.2f}, "
        f"engine+lots {med[2]:.2f}, pulp+cbc {med[3]:.2f}, pulp+highs {med[4]:.2f}"
    )
    print(
        f"pulp+cbc / engine: median {statistics.median(ratios):.1f}x, "
        f"min {min(ratios):.1f}x, max {max(ratios):.1f}x; "
        f"pulp+cbc / engine+explain: median {statistics.median(explained_ratios):.1f}x; "
        f"wall clock pulp+cbc / engine: median {statistics.median(wall_ratios):.1f}x"
    )


if __name__ == "__main__":
    main()
