"""The checks a plan must pass before anyone signs it, independent of the optimiser.

Each check redoes its own plain arithmetic from the household file and the
blotter (never the optimiser's numbers); a plan failing one is refused.

* ``bands``: every class's dollars after the trades (before + bought - sold),
  over the managed value, inside its outer band; a class outside its inner
  band needs a note naming that class (its own reason; no other note excuses
  it). A harvest asks instead that each account's dollars per class move by at
  most the harvest tolerance.
* ``wash_sales``: the plan replayed through :func:`lots.washsale.replay`
  disallows exactly the losses the plan reports as washed (and none in a plan
  that reports none); no buy is of a group sold at a loss in a taxable account
  in the last 30 days (a recent sale without ``cost_basis`` counts as a loss),
  nor of a group the plan sells at a loss.
* ``cash_by_day``: each account's cash, on the settlement date and on the date
  of every later cash flow in the horizon (contributions counted only from
  their date), is at or above its reserve (an account that starts below it may
  not end lower).
* ``restricted_and_caps``: no restricted buy, no no-sell sale, every buy on the
  account's menu, no buy takes a security or sector past its cap.
* ``lot_basis``: every lot sold is in the file, not oversold, basis in proportion.
* ``reconciliation``: each sale's lots add up to its quantity; the plan's tax
  equals :func:`lots.netting.added_tax` of the replayed gains to the cent, and
  the optimiser's own tax figure equals it to the cent.
* ``tax_budget``: this year's netted tax with the plan is within the budget.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from decimal import Decimal

from household.model import Household
from household.plan.drift import BreachStatus, ClassDrift
from household.plan.notes import Note, NoteCode
from household.plan.records import Check, Trade
from household.plan.snapshot import CASH_FLOW_HORIZON, Snapshot, settlement_date
from household.plan.taxfacts import TaxFacts
from lots.numbers import CENT, ZERO, split
from lots.records import Action, Disposition, TaxTreatment
from lots.washsale import WINDOW


def class_values_after(
    snapshot: Snapshot, trades: Sequence[Trade]
) -> dict[str, dict[str, Decimal]]:
    """Dollars per account per class after the trades: before + bought - sold."""
    values = {a.account_id: a.class_values() for a in snapshot.accounts}
    for trade in trades:
        per = values[trade.account_id]
        per[trade.asset_class] = per.get(trade.asset_class, ZERO) + trade.signed_notional
    return values


def cash_after(snapshot: Snapshot, trades: Sequence[Trade]) -> dict[str, Decimal]:
    """Each account's spendable cash after the trades settle."""
    cash = {a.account_id: a.cash for a in snapshot.accounts}
    for trade in trades:
        cash[trade.account_id] += trade.cash_change
    return cash


def run_checks(
    household: Household,
    snapshot: Snapshot,
    trades: Sequence[Trade],
    drift_after: Sequence[ClassDrift],
    notes: Sequence[Note],
    dispositions: Sequence[Disposition],
    facts: TaxFacts,
    tax: Decimal,
    optimiser_tax: float,
    kind: str,
    harvest_tolerance: Decimal,
) -> list[Check]:
    """Run every check on a plan, in the order of the module docstring."""
    return [
        _allocation_kept(household, snapshot, trades, harvest_tolerance)
        if kind == "harvest"
        else _bands(drift_after, notes),
        _wash_sales(household, snapshot.as_of, trades, dispositions),
        _cash_by_day(household, snapshot, trades),
        _restricted_and_caps(household, snapshot, trades),
        _lot_basis(household, trades),
        _reconciliation(trades, dispositions, facts, tax, optimiser_tax),
        _tax_budget(household, facts, tax),
    ]


def _bands(drift_after: Sequence[ClassDrift], notes: Sequence[Note]) -> Check:
    problems = []
    explained = {n.asset_class for n in notes if n.code is NoteCode.INNER_BAND and n.asset_class}
    for drift in drift_after:
        size = abs(drift.actual - drift.target)
        if drift.outer_width is not None and size > drift.outer_width:
            problems.append(
                f"{drift.asset_class} at {drift.actual:.4f} is outside its outer band "
                f"({drift.target:.4f} +- {drift.outer_width:.4f})"
            )
        elif drift.status is BreachStatus.INNER_BREACH and drift.asset_class not in explained:
            problems.append(
                f"{drift.asset_class} is outside its inner band with no reason of its own"
            )
    if problems:
        return Check("bands", False, "; ".join(problems))
    outside = [d.asset_class for d in drift_after if d.status is not BreachStatus.INSIDE]
    if outside:
        return Check(
            "bands", True, "outside the inner band, each with its reason: " + ", ".join(outside)
        )
    return Check("bands", True)


def _allocation_kept(
    household: Household, snapshot: Snapshot, trades: Sequence[Trade], tolerance: Decimal
) -> Check:
    moved: dict[tuple[str, str], Decimal] = {}
    for trade in trades:
        key = (trade.account_id, trade.asset_class)
        moved[key] = moved.get(key, ZERO) + trade.signed_notional
    problems = []
    for (account_id, asset_class), amount in sorted(moved.items()):
        account = snapshot.account(account_id)
        allowed = tolerance * (account.managed + account.reserve)
        prices = [
            s.price
            for s in household.securities.values()
            if s.asset_class == asset_class and s.price is not None
        ]
        allowed = max(allowed, max(prices, default=ZERO) + household.costs.commission_per_trade)
        if abs(amount) > allowed + CENT:
            problems.append(f"{account_id} {asset_class} moves {amount:.2f}")
    if problems:
        return Check("bands", False, "harvest changes the allocation: " + "; ".join(problems))
    return Check("bands", True, "harvest: allocation held")


def _group(household: Household, symbol: str) -> str:
    security = household.securities.get(symbol)
    return security.identity if security else symbol


def _wash_sales(
    household: Household,
    as_of: dt.date,
    trades: Sequence[Trade],
    dispositions: Sequence[Disposition],
) -> Check:
    problems = []
    replayed: dict[tuple[str, str], Decimal] = {}
    for d in dispositions:
        if d.reportable:
            key = (d.account_id, d.lot_id.split(".")[0])
            replayed[key] = replayed.get(key, ZERO) + d.adjustment
    reported: dict[tuple[str, str], Decimal] = {}
    for trade in trades:
        for sale in trade.lots:
            if sale.taxable:
                key = (trade.account_id, sale.lot.lot_id.split(".")[0])
                reported[key] = reported.get(key, ZERO) + sale.disallowed
    for key in sorted(set(replayed) | set(reported)):
        if abs(replayed.get(key, ZERO) - reported.get(key, ZERO)) >= CENT:
            problems.append(
                f"{key[0]} lot {key[1]}: replay disallows {replayed.get(key, ZERO):.2f}, "
                f"plan reports {reported.get(key, ZERO):.2f}"
            )
    treatment = {a.account_id: a.treatment for a in household.accounts}
    recent_losses = set()
    for txn in household.recent_transactions:
        if txn.action is not Action.SELL or not as_of - WINDOW <= txn.date <= as_of:
            continue
        if treatment.get(txn.account_id) is not TaxTreatment.TAXABLE:
            continue
        if txn.cost_basis is not None and txn.gross - txn.fees >= txn.cost_basis:
            continue
        recent_losses.add(_group(household, txn.symbol))
    sold_at_loss = {
        _group(household, t.symbol)
        for t in trades
        for sale in t.lots
        if sale.taxable and sale.proceeds < sale.basis
    }
    for trade in trades:
        if trade.action is not Action.BUY:
            continue
        group = _group(household, trade.symbol)
        if group in recent_losses:
            problems.append(
                f"{trade.account_id} buys {trade.symbol}: {group} sold at a loss within 30 days"
            )
        if group in sold_at_loss:
            problems.append(
                f"{trade.account_id} buys {trade.symbol}: {group} sold at a loss in this plan"
            )
    if problems:
        return Check("wash_sales", False, "; ".join(problems))
    return Check("wash_sales", True)


def _cash_by_day(household: Household, snapshot: Snapshot, trades: Sequence[Trade]) -> Check:
    settle = settlement_date(snapshot.as_of)
    last = snapshot.as_of + CASH_FLOW_HORIZON
    problems = []
    for account in household.accounts:
        a = account.account_id
        reserve = household.cash_reserve(a)
        change = sum((t.cash_change for t in trades if t.account_id == a), ZERO)
        flows = sorted(
            (max(f.date, settle), f.amount)
            for f in household.cash_flows
            if f.account_id == a and f.date <= last
        )
        days = sorted({settle, *(d for d, _ in flows)})
        worst_before = None
        for day in days:
            running = sum((amount for d, amount in flows if d <= day), ZERO)
            before = account.cash + running
            after = before + change
            floor = min(reserve, before)
            worst_before = before if worst_before is None else min(worst_before, before)
            if after < min(reserve, worst_before) and after < floor:
                problems.append(
                    f"{a}: cash {after:.2f} below reserve {reserve:.2f} on {day.isoformat()}"
                )
                break
    if problems:
        return Check("cash_by_day", False, "; ".join(problems))
    return Check("cash_by_day", True)


def _restricted_and_caps(
    household: Household, snapshot: Snapshot, trades: Sequence[Trade]
) -> Check:
    problems = []
    constraints = household.constraints
    for trade in trades:
        if trade.action is Action.BUY:
            if household.is_restricted(trade.symbol):
                problems.append(f"{trade.account_id} buys restricted {trade.symbol}")
            account = household.account(trade.account_id)
            if not account.offers_security(trade.symbol, trade.asset_class):
                problems.append(f"{trade.account_id} buys {trade.symbol}, not on its menu")
        if trade.action is Action.SELL and trade.symbol in constraints.no_sell:
            problems.append(f"{trade.account_id} sells no-sell {trade.symbol}")
    value: dict[str, Decimal] = {}
    for account in snapshot.accounts:
        for holding in account.holdings:
            if holding.counted:
                value[holding.symbol] = value.get(holding.symbol, ZERO) + holding.value
    before = dict(value)
    for trade in trades:
        value[trade.symbol] = value.get(trade.symbol, ZERO) + trade.signed_notional
    bought = sorted({t.symbol for t in trades if t.action is Action.BUY})
    total = snapshot.managed
    if constraints.max_security_weight is not None:
        cap = constraints.max_security_weight * total
        for symbol in bought:
            if value[symbol] > max(cap, before.get(symbol, ZERO)) + CENT:
                problems.append(f"{symbol} bought past its cap")
    if constraints.max_sector_weight is not None:
        cap = constraints.max_sector_weight * total

        def sector_total(values: Mapping[str, Decimal], sector: str) -> Decimal:
            return sum(
                (
                    v
                    for s, v in values.items()
                    if household.securities.get(s) and household.securities[s].sector == sector
                ),
                ZERO,
            )

        for sector in sorted({household.securities[s].sector for s in bought} - {None}):
            assert sector is not None
            if sector_total(value, sector) > max(cap, sector_total(before, sector)) + CENT:
                problems.append(f"sector {sector} bought past its cap")
    if problems:
        return Check("restricted_and_caps", False, "; ".join(sorted(set(problems))))
    return Check("restricted_and_caps", True)


def _lot_basis(household: Household, trades: Sequence[Trade]) -> Check:
    problems = []
    original = {(lot.account_id, lot.lot_id): lot for lot in household.lots}
    used: dict[tuple[str, str], Decimal] = {}
    for trade in trades:
        for sale in trade.lots:
            key = (trade.account_id, sale.lot.lot_id)
            lot = original.get(key)
            if lot is None or lot.symbol != trade.symbol:
                problems.append(f"{trade.account_id} lot {sale.lot.lot_id} is not in the file")
                continue
            used[key] = used.get(key, ZERO) + sale.quantity
            if used[key] > lot.quantity:
                problems.append(f"{trade.account_id} lot {lot.lot_id} oversold")
            expected = lot.cost_basis * sale.quantity / lot.quantity
            if abs(expected - sale.basis) >= CENT:
                problems.append(
                    f"{trade.account_id} lot {lot.lot_id}: basis {sale.basis:.2f}, "
                    f"file says {expected:.2f}"
                )
    return Check("lot_basis", not problems, "; ".join(problems))


def _reconciliation(
    trades: Sequence[Trade],
    dispositions: Sequence[Disposition],
    facts: TaxFacts,
    tax: Decimal,
    optimiser_tax: float,
) -> Check:
    problems = []
    for trade in trades:
        if trade.action is Action.SELL:
            relieved = sum((sale.quantity for sale in trade.lots), ZERO)
            if relieved != trade.quantity:
                problems.append(f"{trade.account_id} {trade.symbol}: lots do not add up")
            basis = sum(
                (split(s.lot.cost_basis, s.quantity, s.lot.quantity)[0] for s in trade.lots), ZERO
            )
            if abs(basis - sum((s.basis for s in trade.lots), ZERO)) >= CENT:
                problems.append(f"{trade.account_id} {trade.symbol}: basis does not add up")
    short = sum(
        (
            d.proceeds - d.cost_basis + d.adjustment
            for d in dispositions
            if d.reportable and d.term.value == "short"
        ),
        ZERO,
    )
    long = sum(
        (
            d.proceeds - d.cost_basis + d.adjustment
            for d in dispositions
            if d.reportable and d.term.value == "long"
        ),
        ZERO,
    )
    exact = facts.added(short, long)
    if abs(exact - tax) >= CENT:
        problems.append(f"plan tax {tax:.2f} is not the netted tax {exact:.2f}")
    if abs(Decimal(repr(optimiser_tax)) - exact) >= CENT:
        problems.append(
            f"the optimiser charged {optimiser_tax:.2f} of tax, the netting says {exact:.2f}"
        )
    return Check("reconciliation", not problems, "; ".join(problems))


def _tax_budget(household: Household, facts: TaxFacts, tax: Decimal) -> Check:
    budget = household.tax_budget
    if budget is None:
        return Check("tax_budget", True)
    year = facts.base_tax + tax
    if year > budget + CENT and tax > 0:
        return Check(
            "tax_budget",
            False,
            f"this year's netted tax {year:.2f} exceeds the budget {budget:.2f}",
        )
    return Check("tax_budget", True)
