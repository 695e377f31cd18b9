"""The plan pipeline: a household and a date in, a signed-off (or refused) :class:`Plan` out.

``rebalance(household, as_of, **params)``, ``harvest(...)`` and
``cash(...)`` run the same stages with a different ``mode``; each stage is a
module that takes immutable records and returns ``(result, notes)``:

1. :mod:`~household.plan.snapshot`: price, map, freeze; cash by day; the managed value;
2. :mod:`~household.plan.drift`: per class, against the inner and outer bands;
3. :mod:`~household.plan.exposure`: the wash-sale exposure of the next 30 days;
4. :mod:`~household.plan.optimise`: one mixed-integer program decides every trade;
5. :mod:`~household.plan.rounding`: exact share counts;
6. :mod:`~household.plan.blotter`: tickets, lots, block lines, limit orders, the replay;
7. :mod:`~household.plan.checks`: independent checks; a failure refuses the plan.

Where the optimiser cannot meet a hard constraint (an outer band, the cash
reserve, the tax budget) its slack names the constraint and the shortfall,
the constraint families whose relaxation would remove it are named too, and
the plan is refused; a class left outside its inner band gets a note of its
own saying what held it there.

Example::

    plan = rebalance(load_household("fixtures/households/high_earner_munis.json"),
                     dt.date(2026, 11, 20))
    plan.status, plan.tax, plan.cost.total
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from household.model import Household
from household.plan import blotter, checks, exposure, optimise, rounding, snapshot
from household.plan.costs import cost_model
from household.plan.drift import measure
from household.plan.notes import Note, NoteCode, Stage
from household.plan.optimise import Family, Mode, Params
from household.plan.records import Plan, Solve
from household.plan.taxfacts import tax_facts
from lots.numbers import ZERO

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
    wash, wash_notes = exposure.measure(household, as_of)
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
    dispositions = blotter.replay_plan(household, quantities, wash, as_of)
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
    reasons = optimise.diagnose(inputs, params, hard)
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
    reasons = optimise.diagnose(inputs, params, names)
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
