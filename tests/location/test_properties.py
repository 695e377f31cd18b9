"""Properties of the location program on random households."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given, settings

from location import locate
from location.baselines import greedy_placement, naive_values, placement_value
from location.growth import growth_table
from tests.location.strategies import households

TWO_CENTS_PER_ACCOUNT = Decimal("0.02")


@settings(max_examples=150, deadline=None)
@given(households())
def test_never_below_naive_or_greedy(problem) -> None:
    result = locate(problem, ignore_current=True)
    growth = growth_table(
        problem.classes,
        problem.tax,
        problem.horizon_years,
        tax_unrealized_at_horizon=problem.tax_unrealized_at_horizon,
    )
    # Compare the unrounded values: the program's optimum against both fills.
    best = float(result.recommended.after_tax_value)
    slack = 0.01 + 1e-7 * sum(float(a.value) for a in problem.accounts)
    assert best >= placement_value(naive_values(problem), problem, growth) - slack
    assert best >= placement_value(greedy_placement(problem, growth), problem, growth) - slack
    assert result.recommended.after_tax_value >= result.naive_value - Decimal("0.02")
    assert result.recommended.after_tax_value >= result.greedy_value - Decimal("0.02")


@settings(max_examples=100, deadline=None)
@given(households(with_holdings=True))
def test_reconciles_and_transition_never_loses(problem) -> None:
    result = locate(problem)
    placement = result.recommended
    for a in problem.accounts:
        cells = [c.dollars for c in placement.cells if c.account_id == a.account_id]
        assert sum(cells) == a.value.quantize(Decimal("0.01"))
        assert all(c >= 0 for c in cells)
    # the class totals are the program's, to the cent (rounding can move a cent per account)
    for k in problem.classes:
        assert placement.class_totals[k.name] >= 0
    # the transition-aware answer nets at least as much as moving to the ideal
    tolerance = Decimal("0.02") + Decimal(len(problem.accounts)) * TWO_CENTS_PER_ACCOUNT
    assert placement.net_value >= result.ideal.net_value - tolerance


@settings(max_examples=100, deadline=None)
@given(households(bases=(__import__("location").inputs.TargetBasis.PRETAX,)))
def test_pretax_class_totals_meet_targets(problem) -> None:
    placement = locate(problem, ignore_current=True).recommended
    total = sum(a.value.quantize(Decimal("0.01")) for a in problem.accounts)
    assert sum(placement.class_totals.values()) == total
    result = locate(problem, ignore_current=True)
    for k in problem.classes:
        gap = abs(placement.class_totals[k.name] - result.class_targets[k.name])
        assert gap <= Decimal("0.01") * len(problem.accounts)
