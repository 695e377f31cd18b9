"""Is any program solved twice within one household's plan? (issue 9: reuse one LP result)

Every HiGHS solve of a plan is fingerprinted by its whole model (bounds,
costs, integrality, rows). The sweep plans each household once, so a program
solved twice within a sweep is one solved twice within a plan. None is: the
diagnosis of a refusal or an inner-band note reuses the relaxation the solve
found (``Decision.relaxed_slack``) and skips a family the household does not
have.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from collections.abc import Callable, Iterator
from typing import Any

import pytest

import household.plan.optimise as optimise
from household.loader import load_household
from household.plan import harvest
from tests.household.sweep.conftest import FIXTURES


@pytest.fixture
def solves(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """The fingerprints of the programs HiGHS is asked to solve, in order."""
    seen: list[str] = []
    original: Callable[..., Any] = optimise._Solver._run

    def fingerprinted(self: Any, highs: Any) -> Any:
        lp = highs.getLp()
        model = [
            list(lp.col_cost_),
            list(lp.col_lower_),
            list(lp.col_upper_),
            list(lp.row_lower_),
            list(lp.row_upper_),
            [int(v) for v in lp.integrality_],
        ]
        seen.append(hashlib.sha256(json.dumps(model).encode()).hexdigest())
        return original(self, highs)

    monkeypatch.setattr(optimise._Solver, "_run", fingerprinted)
    yield seen


@pytest.mark.parametrize("name", ["plan_harvest", "plan_min_trade"])
def test_no_program_is_solved_twice(solves: list[str], name: str) -> None:
    # The relaxation is one LP per reachable tax piece on a warm-started instance,
    # then the integer programs: each a different program, none solved twice.
    household = load_household(FIXTURES / f"{name}.json")
    assert household.as_of is not None
    harvest(household, household.as_of)
    assert solves  # at least one program (plan_min_trade's harvest: one LP, nothing to settle)
    assert max(Counter(solves).values()) == 1


def test_diagnosis_solves_no_program_twice(solves: list[str]) -> None:
    # plan_withdrawal's harvest is refused (cash short): the diagnosis relaxes each family
    household = load_household(FIXTURES / "plan_withdrawal.json")
    assert household.as_of is not None
    plan = harvest(household, household.as_of)
    assert plan.refused and any(n.code.name == "CASH_SHORT" for n in plan.notes)
    assert max(Counter(solves).values()) == 1
