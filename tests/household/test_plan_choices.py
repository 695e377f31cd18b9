"""The wash-choice program's own branch and bound against brute force and against HiGHS.

:meth:`household.plan.optimise._Solver.choices` decides a large plan's wash choices
(at most ``BRANCH_LIMIT`` binaries, everything else continuous) by linear programs
of its own. On the benchmark's households each such program is solved again here:

* by brute force: every assignment of the binaries, each a linear program with
  them fixed (on the relaxation's instance, :meth:`_Solver.complete`), the best
  one the optimum; the branch and bound must reach it within the gap HiGHS stops
  at, and never pass it;
* by HiGHS's integer program (:meth:`_Solver.integer`): within that gap too;
* with a cutoff above the optimum: no plan (``Infeasible``); below it: a plan
  worth more than the cutoff.
"""

from __future__ import annotations

import itertools
from typing import Any

import numpy as np
import pytest

from household.plan import optimise, rebalance
from household.sweep import synthetic

AS_OF = synthetic.AS_OF


def _programs(monkeypatch: pytest.MonkeyPatch, seed: int) -> list[tuple[Any, ...]]:
    """The wash-choice programs the branch and bound solved in one benchmark household."""
    household = synthetic.household(
        seed, lots=150, years=6, min_days=1, household_id=f"bench-{seed}"
    )
    seen: list[tuple[Any, ...]] = []
    choices = optimise._Solver.choices

    def spy(
        self: Any,
        piece: Any,
        opened: Any,
        box: Any,
        only: Any,
        cutoff: Any = None,
        root: Any = None,
    ) -> Any:
        answer = choices(self, piece, opened, box, only, cutoff=cutoff, root=root)
        seen.append((self, piece, opened, box, only, cutoff, answer))
        return answer

    monkeypatch.setattr(optimise._Solver, "choices", spy)
    rebalance(household, AS_OF)
    return seen


def _brute_force(solver: Any, piece: Any, opened: Any, box: Any, only: Any) -> float:
    built = solver.built
    lower, upper = box
    fixed: dict[int, float] = {}
    for t, columns in built.ticket_quantity.items():
        if t not in opened:
            for col in columns:
                fixed[col] = 0.0
            if t in built.ticket_binary:
                fixed[built.ticket_binary[t]] = 0.0
    for col in set(built.named.values()) - set(only):
        assert lower[col] == upper[col]
        fixed[col] = float(lower[col])
    binaries = sorted(only)
    best = -np.inf
    for values in itertools.product((0.0, 1.0), repeat=len(binaries)):
        answer = solver.complete(piece, {**fixed, **dict(zip(binaries, values, strict=True))})
        if answer.feasible:
            best = max(best, answer.objective)
    return best


def _gap(solver: Any, objective: float) -> float:
    params = solver.params
    return max(float(params.mip_abs_gap), float(params.mip_gap) * max(1.0, abs(objective)))


@pytest.mark.parametrize("seed", [0, 1, 9, 11, 12, 17])
def test_the_branch_and_bound_reaches_the_brute_force_optimum(
    seed: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    programs = _programs(monkeypatch, seed)
    assert programs, "the household must decide its wash choices by the branch and bound"
    sizes = [len(program[4]) for program in programs]
    if seed in (0, 9):  # the larger programs: 9 and 7 binaries
        assert max(sizes) >= 7, sizes
    for solver, piece, opened, box, only, cutoff, answer in programs:
        assert 1 <= len(only) <= optimise.BRANCH_LIMIT
        optimum = _brute_force(solver, piece, opened, box, only)
        if cutoff is not None and optimum <= cutoff:
            assert not answer.feasible  # nothing beats the cutoff
            continue
        assert answer.feasible
        # the plan's wash choices are whole, and its value is that of a plan with them fixed
        assert all(min(answer.values[c], 1 - answer.values[c]) <= 1e-7 for c in only)
        assert answer.objective <= optimum + 1e-6 * abs(optimum)
        assert answer.objective >= optimum - _gap(solver, optimum)
        highs = solver.integer(piece, opened, box, shares=False, heuristics=False, only=only)
        assert highs.feasible
        assert abs(highs.objective - answer.objective) <= _gap(solver, optimum)


def test_a_cutoff_above_the_optimum_leaves_no_plan(monkeypatch: pytest.MonkeyPatch) -> None:
    programs = _programs(monkeypatch, 12)
    solver, piece, opened, box, only, _, answer = programs[0]
    optimum = _brute_force(solver, piece, opened, box, only)
    above = solver.choices(piece, opened, box, only, cutoff=optimum + 1.0)
    assert not above.feasible and above.status == "Infeasible"
    below = solver.choices(piece, opened, box, only, cutoff=optimum - 500.0)
    assert below.feasible and below.objective > optimum - 500.0
    assert below.objective >= optimum - _gap(solver, optimum)


def test_past_the_node_limit_highs_answers(monkeypatch: pytest.MonkeyPatch) -> None:
    """With too few linear programs allowed (``BRANCH_NODES``), the branch and bound hands
    the program to HiGHS: its answer is HiGHS's integer program's, exactly."""
    programs = _programs(monkeypatch, 12)
    solver, piece, opened, box, only, _, answer = programs[0]
    monkeypatch.setattr(optimise, "BRANCH_NODES", 2)
    limited = solver.choices(piece, opened, box, only)
    highs = solver.integer(piece, opened, box, shares=False, heuristics=False, only=only)
    assert limited.status == highs.status and limited.objective == highs.objective
    assert np.array_equal(limited.values, highs.values)
    optimum = _brute_force(solver, piece, opened, box, only)
    assert abs(limited.objective - optimum) <= _gap(solver, optimum)
