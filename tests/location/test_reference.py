"""The key test: the same problem formulated again by hand, in PuLP, solved by CBC.

The reference writes the program from the problem statement (not from
``location.program``), with the growth simulated year by year, and must reach the same
optimal after-tax value as the engine.
"""

from __future__ import annotations

import warnings

import pulp
from hypothesis import given, settings

from location import Treatment, locate
from location.inputs import LocationProblem, TargetBasis
from tests.location.strategies import households


def simulated_growth(k, treatment, tax, years, unrealized) -> float:
    r = float(k.expected_return)
    if treatment is Treatment.EXEMPT:
        return (1 + r) ** years
    if treatment is Treatment.DEFERRED:
        return (1 + r) ** years * (1 - float(tax.withdrawal))
    yo, yq, ye = float(k.ordinary_yield), float(k.qualified_yield), float(k.tax_exempt_yield)
    p = r - yo - yq - ye
    value = basis = 1.0
    for _ in range(years):
        realised = float(k.turnover) * p * value
        taxes = (
            yo * float(tax.ordinary) + yq * float(tax.qualified) - float(k.foreign_tax_credit)
        ) * value + realised * float(tax.long_term)
        basis += (yo + yq + ye) * value + realised - taxes
        value += r * value - taxes
    return value - (float(tax.long_term) * (value - basis) if unrealized else 0.0)


def reference_value(problem: LocationProblem, use_holdings: bool) -> float:
    tax, years = problem.tax, problem.horizon_years
    unrealized = problem.tax_unrealized_at_horizon
    model = pulp.LpProblem("reference", pulp.LpMaximize)
    x = {
        (a.account_id, k.name): model.add_variable(f"x_{a.account_id}_{k.name}", lowBound=0)
        for a in problem.accounts
        for k in problem.classes
        if a.offers(k.name)
    }
    treatment = {a.account_id: a.treatment for a in problem.accounts}
    scale = {
        a.account_id: (
            1 - float(tax.withdrawal)
            if problem.target_basis is TargetBasis.AFTERTAX and a.treatment is Treatment.DEFERRED
            else 1.0
        )
        for a in problem.accounts
    }
    objective = pulp.lpSum(
        v
        * simulated_growth(
            next(k for k in problem.classes if k.name == kn), treatment[an], tax, years, unrealized
        )
        for (an, kn), v in x.items()
    )
    for a in problem.accounts:
        model += pulp.lpSum(v for (an, _), v in x.items() if an == a.account_id) == float(
            a.value - a.reserve
        )
    total = sum(scale[a.account_id] * float(a.value - a.reserve) for a in problem.accounts)
    for k in problem.classes:
        held = pulp.lpSum(scale[an] * v for (an, kn), v in x.items() if kn == k.name)
        model += held >= max(float(k.target) - float(k.tolerance), 0) * total
        model += held <= min(float(k.target) + float(k.tolerance), 1) * total
    if use_holdings:
        kept_in: dict[tuple[str, str], list] = {}
        for i, h in enumerate(problem.holdings):
            if treatment[h.account_id] is not Treatment.TAXABLE or h.gain <= 0:
                continue
            value, fraction = float(h.value), float(h.gain) / float(h.value)
            k = next(c for c in problem.classes if c.name == h.asset_class)
            # what a dollar of tax paid today would have grown to in the taxable account
            grown = simulated_growth(k, Treatment.TAXABLE, tax, years, False)
            rate = float(tax.short_term if h.short_term else tax.long_term)
            later = float(tax.long_term) if unrealized else 0.0
            cost = max(fraction * (rate * grown - later), 0.0)
            keep = model.add_variable(f"keep_{i}", lowBound=0, upBound=value)
            kept_in.setdefault((h.account_id, h.asset_class), []).append(keep)
            objective -= cost * (value - keep)
        for key, keeps in kept_in.items():
            model += pulp.lpSum(keeps) <= x.get(key, 0)
    model += objective
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        model.solve(pulp.PULP_CBC_CMD(msg=False))
    assert pulp.LpStatus[model.status] == "Optimal"
    return pulp.value(model.objective)


@settings(max_examples=60, deadline=None)
@given(households(with_holdings=True))
def test_engine_matches_hand_formulation(problem) -> None:
    result = locate(problem)
    size = sum(float(a.value) for a in problem.accounts)
    for placement, use_holdings in ((result.recommended, True), (result.ideal, False)):
        expected = reference_value(problem, use_holdings)
        got = float(placement.after_tax_value) - (
            float(placement.transition_cost) if use_holdings else 0.0
        )
        # Two cents of rounding (the value and the cost, each to the cent), and the two
        # solvers' optimality tolerances, relative: a stored example of a $1.39M
        # after-tax value differed by $0.046 on $20,000 of accounts.
        assert abs(got - expected) <= 0.02 + 1e-6 * size + 1e-7 * abs(expected), (got, expected)
