"""The diagnosis of a refusal or an inner-band note: reusing the relaxations it cannot change.

:func:`household.plan.optimise.diagnose` frees one constraint family at a time and
solves the relaxation again, naming the families whose freeing removes a slack.
Where none of a family's rows binds at a piece's relaxation, that relaxation stays
optimal without them and is reused (for the tax budget, piece by piece). The
reference here solves every family on every piece again (``_slack_rows`` made to
say "binding" always). Both must name the same families: on benchmark households
with an inner-band note (where the reuse skips solves), and on a household whose
sector cap makes the bond target impossible (the caps are named).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from household.model import Household
from household.plan import optimise, rebalance
from household.sweep import synthetic
from tests.household.test_plan_e2e import sector_capped


def _bench(seed: int) -> tuple[Household, dt.date]:
    household = synthetic.household(
        seed, lots=150, years=6, min_days=1, household_id=f"bench-{seed}"
    )
    return household, synthetic.AS_OF


def _capped() -> tuple[Household, dt.date]:
    """``plan_withdrawal`` with every sector capped at 10% of the household
    (tests/household/test_plan_e2e.py): bonds cannot reach their band."""
    return sector_capped(), dt.date(2026, 6, 1)


@pytest.mark.parametrize("case", ["bench-6", "bench-8", "bench-19", "capped"])
def test_reused_relaxations_name_the_same_families(
    case: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    household, as_of = _capped() if case == "capped" else _bench(int(case.split("-")[1]))
    calls: list[tuple[Any, ...]] = []
    diagnose = optimise.diagnose

    def spy(inputs: Any, params: Any, names: Any, decision: Any) -> Any:
        calls.append((inputs, params, tuple(names), decision))
        return diagnose(inputs, params, names, decision)

    monkeypatch.setattr(optimise, "diagnose", spy)
    rebalance(household, as_of)
    monkeypatch.undo()
    assert calls, "the plan must be diagnosed"
    named: set[optimise.Family] = set()
    skipped = False
    for inputs, params, names, decision in calls:
        runs = [0]
        run = decision.program._run

        def counted(highs: Any, runs: list[int] = runs, run: Any = run) -> Any:
            runs[0] += 1
            return run(highs)

        with monkeypatch.context() as patch:
            patch.setattr(decision.program, "_run", counted)
            reused = diagnose(inputs, params, names, decision)
            with_reuse, runs[0] = runs[0], 0
            patch.setattr(optimise, "_slack_rows", lambda *args: False)
            every = diagnose(inputs, params, names, decision)
        assert reused == every
        assert with_reuse <= runs[0]
        skipped = skipped or with_reuse < runs[0]
        named.update(family for families in every.values() for family in families)
    if case == "capped":
        assert optimise.Family.CAPS in named
    else:
        assert skipped, "the reuse must skip some solves"
