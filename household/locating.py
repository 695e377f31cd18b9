"""Asset location for a household: the bridge from the household file to :mod:`location`.

Maps a :class:`household.model.Household` into the plain inputs of :mod:`location`
(:func:`location_problem`), solves it (:func:`locate_household`) and builds the
``location`` report section (:func:`location_section`).

The mapping: each account's value is its cash plus its priced lots (exact), less its
cash reserve to place; bounds given as weights become dollars of that placeable value
(the tighter of weight and dollar bounds holds); every asset class of the file takes
part, with target 0 where the targets leave it out; rates are totals
(``ordinary + state + niit`` and so on); a lot's sale is short-term when, on
``as_of``, it has not been held more than a year. Unpriced lots are left out and listed
under ``exceptions``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any

from household.errors import HouseholdError, InfeasibleError
from household.model import Household
from location import (
    AccountInput,
    AssetClassInput,
    HoldingInput,
    InfeasibleLocationError,
    LocationInputError,
    LocationProblem,
    LocationResult,
    Placement,
    TaxRates,
    Treatment,
    locate,
)
from location.growth import basis_bonus
from location.growth import growth_table as class_growth_table
from location.inputs import ClassLimits
from location.inputs import TargetBasis as LocationTargetBasis
from location.solvers import DEFAULT_SOLVERS
from lots.numbers import ZERO, money
from lots.records import Term
from lots.terms import term_of

WEIGHT_STEP = Decimal("0.000001")


def location_problem(
    household: Household, *, as_of: dt.date | None = None
) -> tuple[LocationProblem, list[str]]:
    """The household's location problem, and the holdings left out (in words).

    Args:
        household: the household.
        as_of: the date for holding periods (default the file's ``as_of``; one of
            them is required: the clock is never read).

    Returns:
        ``(problem, exceptions)``.

    Raises:
        HouseholdError: neither ``as_of`` nor the file's ``as_of`` is given.
    """
    as_of = as_of or household.as_of
    if as_of is None:
        raise HouseholdError(
            "no as_of date for holding periods",
            file=household.source,
            hint="give --as-of or the file's as_of",
        )
    rates = location_rates(household)
    classes = tuple(
        AssetClassInput(
            name=name,
            expected_return=c.expected_return,
            target=household.targets.get(name, ZERO),
            ordinary_yield=c.ordinary_yield,
            qualified_yield=c.qualified_yield,
            tax_exempt_yield=c.tax_exempt_yield,
            turnover=c.turnover,
            foreign_tax_credit=c.foreign_tax_credit,
            tolerance=household.tolerance(name),
            state_exempt_yield=c.state_exempt_yield,
            in_state=c.in_state,
        )
        for name, c in household.asset_classes.items()
    )
    accounts = []
    for account in household.accounts:
        value = household.account_value(account.account_id)
        reserve = household.cash_reserve(account.account_id)
        placeable = value - reserve
        limits = {}
        for name, bound in account.bounds.items():
            low = [b for b in (bound.min_dollars,) if b is not None]
            high = [b for b in (bound.max_dollars,) if b is not None]
            if bound.min_weight is not None:
                low.append(bound.min_weight * placeable)
            if bound.max_weight is not None:
                high.append(bound.max_weight * placeable)
            limits[name] = ClassLimits(
                min_dollars=max(low) if low else None, max_dollars=min(high) if high else None
            )
        accounts.append(
            AccountInput(
                account_id=account.account_id,
                treatment=Treatment(account.treatment.value),
                value=value,
                reserve=reserve,
                menu=account.menu,
                limits=limits,
                after_tax_basis=account.after_tax_basis,
            )
        )
    holdings: list[HoldingInput] = []
    exceptions: list[str] = []
    for lot in household.lots:
        worth = household.market_value(lot)
        if worth is None:
            exceptions.append(
                f"lot {lot.lot_id} in {lot.account_id} ({lot.symbol}) has no price: "
                "left out of the account's value"
            )
            continue
        holdings.append(
            HoldingInput(
                account_id=lot.account_id,
                asset_class=household.asset_class_of(lot.symbol),
                lot_id=lot.lot_id,
                value=worth,
                gain=worth - lot.cost_basis,
                short_term=term_of(lot.acquired, as_of) is Term.SHORT,
                symbol=lot.symbol,
            )
        )
    problem = LocationProblem(
        accounts=tuple(accounts),
        classes=classes,
        tax=rates,
        horizon_years=household.horizon_years,
        target_basis=LocationTargetBasis(household.options.targets.value),
        tax_unrealized_at_horizon=household.options.tax_unrealized_at_horizon,
        holdings=tuple(holdings),
    )
    return problem, exceptions


def location_rates(household: Household) -> TaxRates:
    """The household's total rates for :mod:`location` (state included, and named)."""
    tax = household.tax
    return TaxRates(
        ordinary=tax.ordinary_total,
        qualified=tax.qualified_total,
        long_term=tax.long_term_total,
        short_term=tax.short_term_total,
        withdrawal=tax.withdrawal,
        state=tax.state,
    )


def growth_table(household: Household) -> dict[tuple[str, str], float]:
    """``g`` per ``(account_id, asset_class)``: one dollar's after-tax value at the horizon.

    The class's growth in the account's treatment (:func:`location.growth.growth_table`:
    state-exempt interest and out-of-state munis included), plus, in a deferred account
    with an ``after_tax_basis``, the basis bonus ``w * b`` with ``b`` the basis per
    dollar of the account's value today (:func:`location.growth.basis_bonus`). Every
    class is listed for every account (menus are the caller's business).
    """
    rates = location_rates(household)
    classes = tuple(
        AssetClassInput(
            name=name,
            expected_return=c.expected_return,
            target=household.targets.get(name, ZERO),
            ordinary_yield=c.ordinary_yield,
            qualified_yield=c.qualified_yield,
            tax_exempt_yield=c.tax_exempt_yield,
            turnover=c.turnover,
            foreign_tax_credit=c.foreign_tax_credit,
            state_exempt_yield=c.state_exempt_yield,
            in_state=c.in_state,
        )
        for name, c in household.asset_classes.items()
    )
    by_treatment = class_growth_table(
        classes,
        rates,
        household.horizon_years,
        tax_unrealized_at_horizon=household.options.tax_unrealized_at_horizon,
    )
    table: dict[tuple[str, str], float] = {}
    for account in household.accounts:
        treatment = Treatment(account.treatment.value)
        bonus = 0.0
        if treatment is Treatment.DEFERRED:
            bonus = basis_bonus(
                float(household.tax.withdrawal),
                float(account.after_tax_basis),
                float(household.account_value(account.account_id)),
            )
        for name in household.asset_classes:
            table[(account.account_id, name)] = by_treatment[(name, treatment)] + bonus
    return table


def locate_household(
    household: Household,
    *,
    as_of: dt.date | None = None,
    ignore_current: bool = False,
    solvers: Sequence[str] = DEFAULT_SOLVERS,
    explain: bool = True,
) -> tuple[LocationResult, list[str]]:
    """Solve the household's asset location.

    Args:
        household: the household.
        as_of: the date for holding periods.
        ignore_current: recommend the ideal placement, ignoring today's lots.
        solvers: location backends in order.
        explain: write the explanations (a caller that needs only the dollars can skip them).

    Returns:
        ``(result, exceptions)``; ``result.recommended`` gives the per-account targets.

    Raises:
        InfeasibleError: targets that the menus and account sizes cannot meet.
        HouseholdError: inputs the location program rejects.
    """
    problem, exceptions = location_problem(household, as_of=as_of)
    try:
        result = locate(problem, ignore_current=ignore_current, solvers=solvers, explain=explain)
        return result, exceptions
    except InfeasibleLocationError as error:
        raise InfeasibleError(
            error.message, file=household.source, field="targets", hint=error.hint
        ) from None
    except LocationInputError as error:
        raise HouseholdError(error.message, file=household.source, hint=error.hint) from None


# --- output ---------------------------------------------------------------


def _text(value: Decimal) -> str:
    return format(value, "f")


def _weight(value: Decimal) -> str:
    return _text(value.quantize(WEIGHT_STEP, rounding=ROUND_HALF_EVEN))


def _per_dollar(value: float | None) -> str | None:
    if value is None:
        return None
    if value == float("inf"):
        return "inf"
    return _text(Decimal(repr(value)).quantize(Decimal("0.0001"), rounding=ROUND_HALF_EVEN))


def _rows(placement: Placement) -> list[dict[str, Any]]:
    return [
        {
            "account_id": c.account_id,
            "asset_class": c.asset_class,
            "dollars": _text(c.dollars),
            "weight": _weight(c.weight),
            "offered": c.offered,
            "loss_per_dollar": _per_dollar(c.loss_per_dollar),
            "explanation": c.explanation,
        }
        for c in placement.cells
        if c.offered or c.dollars
    ]


def _value(placement: Placement) -> dict[str, str]:
    return {
        "after_tax_value": _text(placement.after_tax_value),
        "transition_cost": _text(placement.transition_cost),
        "tax_now": _text(placement.tax_now),
        "net_value": _text(placement.net_value),
    }


def location_section(
    household: Household, result: LocationResult, exceptions: Sequence[str] = ()
) -> dict[str, Any]:
    """The ``location`` report section (JSON-ready; decimals are strings).

    Fields are documented in the README's "Asset location" section.
    """
    recommended = result.recommended
    total = household.total_value
    accounts = []
    for account in household.accounts:
        account_id = account.account_id
        reserve = result.reserves[account_id]
        accounts.append(
            {
                "account_id": account_id,
                "type": account.type.value,
                "treatment": account.treatment.value,
                "value": _text(money(household.account_value(account_id))),
                "cash_reserve": _text(reserve),
                "placed": _text(recommended.account_totals[account_id] - reserve),
                "total": _text(recommended.account_totals[account_id]),
            }
        )
    placed_total = sum(recommended.class_totals.values(), ZERO)
    classes = [
        {
            "asset_class": name,
            "target_weight": _text(household.targets.get(name, ZERO)),
            "target": _text(result.class_targets[name]),
            "dollars": _text(dollars),
            "measured": _text(recommended.class_measured[name]),
            "weight": _weight(dollars / placed_total if placed_total else ZERO),
            "ideal_dollars": _text(result.ideal.class_totals[name]),
        }
        for name, dollars in recommended.class_totals.items()
    ]
    growth = [
        {
            "asset_class": name,
            **{
                treatment.value: _per_dollar(result.growth[(name, treatment.value)])
                for treatment in Treatment
            },
        }
        for name in household.asset_classes
    ]
    return {
        "status": result.status,
        "solver": result.solver,
        "horizon_years": result.horizon_years,
        "target_basis": household.options.targets.value,
        "ignore_current": result.ignore_current,
        "rounding": "cents, half-even; each account's rows add to its value",
        "household_value": _text(money(total)),
        "rows": _rows(recommended),
        "accounts": accounts,
        "classes": classes,
        "objective": {
            "recommended": _value(recommended),
            "ideal": _value(result.ideal),
            "naive": {
                "after_tax_value": _text(result.naive_value),
                "transition_cost": _text(result.naive_transition_cost),
                "net_value": _text(result.naive_value - result.naive_transition_cost),
            },
            "greedy": {"after_tax_value": _text(result.greedy_value)},
        },
        "ideal_rows": _rows(result.ideal),
        "sales": [
            {
                "account_id": s.account_id,
                "lot_id": s.lot_id,
                "symbol": s.symbol,
                "asset_class": s.asset_class,
                "dollars_sold": _text(s.dollars_sold),
                "tax_now": _text(s.tax_now),
                "horizon_cost": _text(s.horizon_cost),
            }
            for s in recommended.sales
        ],
        "growth": growth,
        "explanations": list(result.explanations),
        "exceptions": list(exceptions),
    }
