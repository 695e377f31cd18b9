"""The plan pipeline: a household and a date in, a signed-off (or refused) :class:`Plan` out.

``rebalance(household, as_of, **params)``, ``harvest(...)`` and
``cash(...)`` run the same stages with a different ``mode``; each stage is a
module that takes immutable records and returns ``(result, notes)``:

1. :mod:`~household.plan.snapshot`: price, map, freeze; cash by day; the managed value;
2. :mod:`~household.plan.drift`: per class, against the inner and outer bands;
3. :mod:`~household.plan.exposure`: the wash-sale exposure of the next 30 days
   (:mod:`lots.exposure` on the file's history and scheduled buys);
4. :mod:`~household.plan.optimise`: one mixed-integer program decides every trade;
5. :mod:`~household.plan.rounding`: exact share counts;
6. :mod:`~household.plan.blotter`: tickets, lots, block lines, limit orders; the plan
   replayed after the history and before the scheduled buys
   (:func:`household.plan.exposure.replay_plan`);
7. :mod:`~household.plan.checks`: independent checks; a failure refuses the plan.

Where the optimiser cannot meet a hard constraint (an outer band, the cash
reserve, the tax budget) its slack names the constraint and the shortfall,
the constraint families whose relaxation would remove it are named too, and
the plan is refused; a class left outside its inner band gets a note of its
own saying what held it there.

The plan's summary also carries, for the what-if and the reports:

* ``after_tax_value``: the post-trade household's after-tax value at the
  horizon, by the objective's own factors (:func:`after_tax_value`);
* ``tracking_error_before`` and ``tracking_error_after``: ``sqrt(d' S d)`` of
  the class weights before and after the plan less the target weights, under
  the household's covariance (``risk``; the bundled default of
  :mod:`location.risk` for classes it does not give), as fractions
  (:func:`tracking_errors`).

Example::

    plan = rebalance(load_household("fixtures/households/high_earner_munis.json"),
                     dt.date(2026, 11, 20))
    plan.status, plan.tax, plan.cost.total
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from household.model import Household
from household.plan import blotter, checks, exposure, optimise, rounding, snapshot
from household.plan.costs import cost_model
from household.plan.drift import measure
from household.plan.notes import Note, NoteCode, Stage
from household.plan.optimise import Family, Mode, Params
from household.plan.records import Plan, Solve, Trade
from household.plan.taxfacts import TaxFacts, tax_facts
from lots.netting import netted_tax
from lots.numbers import CENT, ZERO

#: The places the tracking errors are reported to (a fraction: 1e-6 is 0.0001%).
TE_PLACES = Decimal("1e-6")

#: Slack below this many dollars is solver noise, not a shortfall.
SLACK_DOLLARS = 0.5


def rebalance(household: Household, as_of: dt.date, **params: Any) -> Plan:
    """Plan the household's rebalance on ``as_of`` (see :class:`household.plan.optimise.Params`)."""
    params.setdefault("mode", Mode.REBALANCE)
    return run(household, as_of, Params(**params))


def harvest(household: Household, as_of: dt.date, **params: Any) -> Plan:
    """Plan a tax-loss harvest: loss lots swapped into substitutes, allocation held."""
    params["mode"] = Mode.HARVEST
    return run(household, as_of, Params(**params))


def cash(household: Household, as_of: dt.date, **params: Any) -> Plan:
    """Place or raise the pending cash flows only: buy-only or raise-cash."""
    params["mode"] = Mode.CASH
    return run(household, as_of, Params(**params))


def _drift(household: Household, values: dict[str, Decimal], total: Decimal) -> list[Any]:
    return measure(values, household.targets, household.bands, total=total)


def run(household: Household, as_of: dt.date, params: Params) -> Plan:
    """Run every stage (the module docstring) for one household and mode."""
    notes: list[Note] = []
    snap, snap_notes = snapshot.take(household, as_of)
    notes.extend(snap_notes)
    before = _drift(household, snap.class_values(), snap.managed)
    past = exposure.history(household, as_of)  # once: for the exposure and the replay
    wash, wash_notes = exposure.measure(household, as_of, past)
    notes.extend(wash_notes)
    costs = cost_model(household)
    facts = tax_facts(household)
    inputs, input_notes = optimise.inputs_of(household, snap, wash, costs, facts, params)
    notes.extend(input_notes)
    decision, solve_notes = optimise.solve(inputs, params)
    notes.extend(solve_notes)
    refusals = _refusals(inputs, params, decision, notes)
    quantities, round_notes = rounding.settle(household, snap, inputs, decision, costs)
    notes.extend(round_notes)
    dispositions = exposure.replay_plan(
        household, blotter.transactions(household, quantities, as_of), as_of, past
    )
    trades, blocks, blotter_notes = blotter.build(
        household,
        quantities,
        dispositions,
        costs,
        facts,
        as_of,
        params.mode.value,
        params.limit_order_bps,
    )
    notes.extend(blotter_notes)
    short, long = blotter.gains(dispositions)
    tax = facts.added(short, long)
    class_after = checks.class_values_after(snap, trades)
    household_after: dict[str, Decimal] = {}
    for per in class_after.values():
        for k, v in per.items():
            household_after[k] = household_after.get(k, ZERO) + v
    after = _drift(household, household_after, snap.managed)
    _inner_notes(inputs, params, decision, after, notes)
    results = checks.run_checks(
        household,
        snap,
        trades,
        after,
        notes,
        dispositions,
        facts,
        tax,
        decision.tax,
        params.mode.value,
        params.harvest_tolerance,
    )
    for check in results:
        if not check.passed:
            notes.append(Note(Stage.CHECKS, NoteCode.CHECK_FAILED, f"{check.name}: {check.detail}"))
    te_before, te_after = tracking_errors(household, before, after)
    solve = Solve(
        status=decision.status,
        objective=decision.objective,
        bound=decision.bound,
        gap=decision.gap,
        seconds=decision.seconds,
        highs_seconds=decision.highs_seconds,
        tax=decision.tax,
        terms=decision.terms,
    )
    return Plan(
        household_id=household.household_id,
        as_of=as_of,
        kind=params.mode.value,
        mode="trades" if trades else "none",
        snapshot=snap,
        drift_before=tuple(before),
        drift_after=tuple(after),
        trades=trades,
        blocks=blocks,
        notes=tuple(notes),
        checks=tuple(results),
        refusals=tuple(refusals),
        dispositions=dispositions,
        cash_after=checks.cash_after(snap, trades),
        class_after=class_after,
        targets=dict(household.targets),
        growth=inputs.growth,
        short_gain=short,
        long_gain=long,
        tax=tax,
        base_tax=facts.base_tax,
        solve=solve,
        after_tax_value=after_tax_value(
            inputs, class_after, checks.cash_after(snap, trades), trades, facts, short, long, tax
        ),
        tracking_error_before=te_before,
        tracking_error_after=te_after,
    )


def _because(families: list[Family]) -> str:
    if not families:
        return "no single constraint family explains it (the targets, menus and holdings together)"
    return "held by the " + " and the ".join(f.value for f in families)


def _refusals(
    inputs: optimise.Inputs, params: Params, decision: optimise.Decision, notes: list[Note]
) -> list[str]:
    """The hard constraints the optimiser could not meet, in words (and as notes)."""
    short = {name: amount for name, amount in decision.slack.items() if amount > SLACK_DOLLARS}
    hard = [n for n in short if not n.startswith(("inner:", "target:"))]
    if not hard:
        return []
    reasons = optimise.diagnose(inputs, params, hard, decision)
    refusals = []
    for name in sorted(hard):
        amount = short[name]
        kind, _, what = name.partition(":")
        if kind == "outer":
            asset_class, side = what[:-1], what[-1]
            words = "above" if side == "+" else "below"
            text = (
                f"{asset_class} would end ${amount:,.2f} {words} its outer band: "
                f"{_because(reasons[name])}"
            )
            notes.append(Note(Stage.OPTIMISE, NoteCode.OUTER_BAND, text, asset_class=asset_class))
        elif kind == "cash":
            text = f"{what}: ${amount:,.2f} of cash short of the reserve: {_because(reasons[name])}"
            notes.append(Note(Stage.OPTIMISE, NoteCode.CASH_SHORT, text, account_id=what))
        else:
            text = f"the tax budget would be exceeded by ${amount:,.2f}: {_because(reasons[name])}"
            notes.append(Note(Stage.OPTIMISE, NoteCode.TAX_BUDGET, text))
        refusals.append(text)
    return refusals


def _inner_notes(
    inputs: optimise.Inputs,
    params: Params,
    decision: optimise.Decision,
    after: list[Any],
    notes: list[Note],
) -> None:
    """A note per class left outside its inner band, naming what held it there."""
    outside = [d for d in after if d.status.value == "inner_breach"]
    if not outside or params.mode is Mode.HARVEST:
        return
    names = []
    for drift in outside:
        side = "+" if drift.actual > drift.target else "-"
        names.append(f"inner:{drift.asset_class}{side}")
    reasons = optimise.diagnose(inputs, params, names, decision)
    for drift, name in zip(outside, names, strict=True):
        families = reasons.get(name, [])
        if params.mode is Mode.CASH:
            families = [*families, Family.MODE]
        why = (
            _because(families)
            if families
            else (
                "meeting it costs more in tax, cost and location value than the inner band's "
                f"${float(params.inner_penalty):g} per dollar"
            )
        )
        notes.append(
            Note(
                Stage.OPTIMISE,
                NoteCode.INNER_BAND,
                f"{drift.asset_class} ends at {drift.actual:.4f} against {drift.target:.4f} "
                f"(inner band +- {drift.inner_width:.4f}): {why}",
                asset_class=drift.asset_class,
            )
        )


def _decimal(value: float) -> Decimal:
    return Decimal(repr(value))


def after_tax_value(
    inputs: optimise.Inputs,
    class_after: Mapping[str, Mapping[str, Decimal]],
    cash_after: Mapping[str, Decimal],
    trades: Sequence[Trade],
    facts: TaxFacts,
    short: Decimal,
    long: Decimal,
    tax: Decimal,
) -> Decimal:
    """The post-trade household's after-tax value at the horizon, to the cent.

    By the factors the optimiser's objective uses (``household.plan.optimise``,
    its ``Inputs``)::

        sum_ak g[a,k] V'_ak + sum_a c_a cash'_a - g_tax (T + spread + impact) + v_cf dCF

    ``V'_ak`` the dollars of class ``k`` in account ``a`` after the trades
    (``Plan.class_after``); ``g[a,k]`` the objective's location factors
    (``Plan.growth``: the after-tax growth of :func:`household.locating.growth_table`
    made neutral to the class mix, ``g[a,k] - g[ref,k] + sum_j t_j g[ref,j]``,
    ``ref`` the first taxable account); ``cash'_a`` each account's cash after
    settlement (commissions paid), worth ``c_a`` = 1 a dollar, or ``1 - withdrawal
    rate`` in a deferred account; ``T`` what the plan adds to this year's tax
    (``Plan.tax``, negative when it saves tax), grown like the spread and impact
    paid by ``g_tax = sum_k t_k g[ref,k]``; ``dCF`` the capital loss the plan adds
    to what is carried to next year (``lots.netting``), worth ``v_cf`` a dollar
    (the long-term rate unless ``carryforward_value`` says otherwise). Not in it:
    the tracking-error and band penalties (no dollars at the horizon) and the tax
    on unrealised gains at the horizon (option ``tax_unrealized_at_horizon``).
    """
    value = ZERO
    for account_id, per_class in class_after.items():
        for asset_class, dollars in per_class.items():
            value += dollars * _decimal(inputs.growth[(account_id, asset_class)])
    for account_id, cash in cash_after.items():
        value += cash * _decimal(inputs.cash_value[account_id])
    spread = sum((t.cost.spread + t.cost.impact for t in trades), ZERO)
    value -= _decimal(inputs.tax_growth) * (tax + spread)
    without = netted_tax(facts.year_to_date, facts.rates)
    with_plan = netted_tax(facts.year_to_date, facts.rates, short, long)
    carried = (with_plan.carryforward_short + with_plan.carryforward_long) - (
        without.carryforward_short + without.carryforward_long
    )
    value += _decimal(inputs.carry_value) * carried
    return value.quantize(CENT)


def tracking_errors(
    household: Household, before: Sequence[Any], after: Sequence[Any]
) -> tuple[Decimal, Decimal]:
    """The tracking error of the class weights before and after the plan against target.

    ``sqrt(d' S d)``, ``d`` the class weights (the drift's ``actual``: dollars
    over the managed value) less the targets, ``S`` the household's covariance
    (``risk``: covariances, or volatilities and correlations), the bundled
    default of :mod:`location.risk` for what it does not give; as fractions to
    :data:`TE_PLACES` (0.015 is 1.5%).
    """
    from location.risk import covariance_matrix, tracking_error

    classes = sorted(household.targets)
    risk = household.risk
    matrix = covariance_matrix(
        classes,
        covariance=risk.covariance,
        volatilities=risk.volatilities,
        correlations=risk.correlations,
    )
    targets = {k: household.targets[k] for k in classes}

    def te(drifts: Sequence[Any]) -> Decimal:
        weights = {d.asset_class: d.actual for d in drifts if d.asset_class in targets}
        return _decimal(tracking_error(weights, targets, matrix)).quantize(TE_PLACES)

    return te(before), te(after)
