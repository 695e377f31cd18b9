"""The quality checks a plan must pass before anyone signs it.

A plan is refused, with its reasons, when any check fails:

* ``bands``: after the trades every class is inside its inner band, or the
  exception log says why not (a deferred gain, the tax budget, a blocked buy, a
  minimum-trade suppression, a frozen holding, a cap...);
* ``wash_sales``: the proposed trades, replayed through the household's
  wash-sale ledger (:func:`lots.washsale.replay`) from the open lots, across
  all accounts, IRAs included, disallow no loss; and no buy is of a symbol
  sold within the last 30 days;
* ``restricted_and_caps``: no restricted symbol is bought, nothing on the
  no-sell list is sold, and no buy takes a security or sector past its cap;
* ``cash_reserve``: every account's cash after the trades is at or above its
  reserve;
* ``lot_basis``: every lot a sale relieves is a lot of the household file,
  with no more shares than it holds, and the basis used is its basis in
  proportion to the shares sold.
* ``reconciliation``: cash and shares reconcile to the cent: each account's
  cash after = cash before + cash flows - buys + sells - commissions, and each
  position after = before + bought - sold.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal

import attrs

from household.drift import BreachStatus, ClassDrift
from household.model import Household
from household.snapshot import Note, Snapshot
from household.trades import Trade
from lots.numbers import CENT, ZERO, split
from lots.records import Action, Disposition, Transaction
from lots.washsale import replay

#: Exception codes that explain drift left outside a band.
EXPLAINING = frozenset(
    {
        "deferred_gain",
        "short_term_soon_long",
        "tax_budget",
        "below_min_trade",
        "blocked_buy",
        "restricted_buy",
        "restricted",
        "unpriced",
        "unmapped",
        "no_sell",
        "cap",
        "cash_short",
        "loss_sale_skipped",
        "partial_rebalance",
        "no_buyable_symbol",
        "rounds_to_zero",
        "no_cash",
        "forced_short_term",
        "tax_budget_exceeded",
    }
)


@attrs.frozen
class Check:
    """One quality check: its name, whether it passed, and why not."""

    name: str
    passed: bool
    detail: str = ""


def proposed_transactions(trades: Sequence[Trade], as_of: dt.date) -> list[Transaction]:
    """The plan as ledger transactions: sells (one per lot, by specific id) then buys."""
    transactions = []
    for trade in trades:
        if trade.action is Action.SELL:
            for sale in trade.lots:
                transactions.append(
                    Transaction(
                        date=as_of,
                        account_id=trade.account_id,
                        symbol=trade.symbol,
                        action=Action.SELL,
                        quantity=sale.quantity,
                        price=trade.price,
                        lot_id=sale.lot.lot_id,
                    )
                )
    for index, trade in enumerate(trades):
        if trade.action is Action.BUY:
            transactions.append(
                Transaction(
                    date=as_of,
                    account_id=trade.account_id,
                    symbol=trade.symbol,
                    action=Action.BUY,
                    quantity=trade.quantity,
                    price=trade.price,
                    lot_id=f"plan-{index + 1}",
                )
            )
    return transactions


def ledger_dispositions(
    household: Household, trades: Sequence[Trade], as_of: dt.date
) -> tuple[Disposition, ...]:
    """Replay the plan through the wash-sale ledger from the household's open lots."""
    transactions = proposed_transactions(trades, as_of)
    if not transactions:
        return ()
    groups = {s.symbol: s.identity for s in household.securities.values()}
    ledger = replay(
        transactions,
        household.accounts,
        identical_group=groups,
        opening_lots=household.lots,
        same_sale_replacement=household.same_sale_replacement,
    )
    return ledger.dispositions


def run_checks(
    household: Household,
    snapshot: Snapshot,
    trades: Sequence[Trade],
    post_drift: Sequence[ClassDrift],
    notes: Sequence[Note],
    dispositions: Sequence[Disposition],
    kind: str = "rebalance",
) -> list[Check]:
    """Run every check on a plan.

    A harvest does not rebalance: its ``bands`` check asks that the allocation
    is unchanged instead, and its ``cash_reserve`` check that no account's cash
    falls below its reserve because of the plan.

    Args:
        household: the household.
        snapshot: the snapshot the plan started from.
        trades: the blotter.
        post_drift: drift after the trades.
        notes: the exception log.
        dispositions: the plan replayed through the wash-sale ledger.
        kind: ``rebalance`` or ``harvest``.

    Returns:
        One :class:`Check` per rule, in the order of the module docstring.
    """
    return [
        _allocation_kept(snapshot, trades) if kind == "harvest" else _bands(post_drift, notes),
        _wash_sales(household, snapshot.as_of, trades, dispositions),
        _restricted_and_caps(household, snapshot, trades),
        _cash_reserve(snapshot, trades, kind),
        _lot_basis(household, trades),
        _reconciliation(household, snapshot, trades),
    ]


def _bands(post_drift: Sequence[ClassDrift], notes: Sequence[Note]) -> Check:
    outside = [d for d in post_drift if d.status is not BreachStatus.INSIDE]
    explained = {note.code for note in notes} & EXPLAINING
    if outside and not explained:
        names = ", ".join(d.asset_class for d in outside)
        return Check("bands", False, f"outside the inner band with no logged reason: {names}")
    if outside:
        names = ", ".join(d.asset_class for d in outside)
        return Check("bands", True, f"outside the band, explained in the exceptions: {names}")
    return Check("bands", True)


def _wash_sales(
    household: Household,
    as_of: dt.date,
    trades: Sequence[Trade],
    dispositions: Sequence[Disposition],
) -> Check:
    problems = [
        f"{d.account_id} {d.symbol} lot {d.lot_id}: loss of {d.adjustment:.2f} disallowed"
        for d in dispositions
        if d.adjustment > 0
    ]
    groups = {s.symbol: s.identity for s in household.securities.values()}
    recent_losses = household.recent_loss_sales(as_of)
    for trade in trades:
        if trade.action is Action.BUY and groups.get(trade.symbol, trade.symbol) in recent_losses:
            problems.append(
                f"{trade.account_id} buys {trade.symbol}, sold at a loss within 30 days"
            )
    if problems:
        return Check("wash_sales", False, "; ".join(problems))
    return Check("wash_sales", True)


def _restricted_and_caps(
    household: Household, snapshot: Snapshot, trades: Sequence[Trade]
) -> Check:
    problems = []
    constraints = household.constraints
    for trade in trades:
        if trade.action is Action.BUY and household.is_restricted(trade.symbol):
            problems.append(f"{trade.account_id} buys restricted {trade.symbol}")
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
    bought = {t.symbol for t in trades if t.action is Action.BUY}
    total = snapshot.managed
    tolerance = CENT
    if constraints.max_security_weight is not None:
        cap = constraints.max_security_weight * total
        for symbol in sorted(bought):
            if value[symbol] > cap + tolerance and value[symbol] > before.get(symbol, ZERO):
                problems.append(f"{symbol} bought past its cap")
    if constraints.max_sector_weight is not None:
        cap = constraints.max_sector_weight * total
        sectors: dict[str, Decimal] = {}
        for symbol, amount in value.items():
            sector = household.securities[symbol].sector if symbol in household.securities else None
            if sector is not None:
                sectors[sector] = sectors.get(sector, ZERO) + amount
        for symbol in sorted(bought):
            sector = household.securities[symbol].sector
            if sector is not None and sectors[sector] > cap + tolerance:
                problems.append(f"sector {sector} bought past its cap")
    if problems:
        return Check("restricted_and_caps", False, "; ".join(sorted(set(problems))))
    return Check("restricted_and_caps", True)


def cash_after(snapshot: Snapshot, trades: Sequence[Trade]) -> dict[str, Decimal]:
    """Each account's cash after the trades (cash flows included)."""
    cash = {a.account_id: a.cash for a in snapshot.accounts}
    for trade in trades:
        cash[trade.account_id] += trade.cash_change
    return cash


def _allocation_kept(snapshot: Snapshot, trades: Sequence[Trade]) -> Check:
    """A harvest's buys replace its sells class by class, account by account (to a share)."""
    moved: dict[tuple[str, str], Decimal] = {}
    slack: dict[tuple[str, str], Decimal] = {}
    for trade in trades:
        key = (trade.account_id, trade.asset_class)
        moved[key] = moved.get(key, ZERO) + trade.signed_notional
        # a whole-share buy falls short of the sale by less than one share plus commissions
        slack[key] = slack.get(key, ZERO) + trade.price + trade.cost.commission + 1
    off = {key: value for key, value in moved.items() if abs(value) > slack[key]}
    if off:
        names = ", ".join(f"{a} {k}" for a, k in sorted(off))
        return Check("bands", False, f"harvest changes the allocation: {names}")
    return Check("bands", True, "harvest: allocation unchanged")


def _cash_reserve(snapshot: Snapshot, trades: Sequence[Trade], kind: str = "rebalance") -> Check:
    cash = cash_after(snapshot, trades)
    short = [
        f"{a.account_id}: cash {cash[a.account_id]:.2f} below reserve {a.reserve:.2f}"
        for a in snapshot.accounts
        if cash[a.account_id] < a.reserve
        and not (kind == "harvest" and cash[a.account_id] >= a.cash - _commissions(a, trades))
    ]
    return Check("cash_reserve", not short, "; ".join(short))


def _commissions(account: object, trades: Sequence[Trade]) -> Decimal:
    account_id = getattr(account, "account_id", "")
    return sum((t.cost.commission for t in trades if t.account_id == account_id), ZERO)


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


def _reconciliation(household: Household, snapshot: Snapshot, trades: Sequence[Trade]) -> Check:
    problems = []
    cash = cash_after(snapshot, trades)
    for account in snapshot.accounts:
        original = household.account(account.account_id).cash
        mine = [t for t in trades if t.account_id == account.account_id]
        sells = sum((t.notional for t in mine if t.action is Action.SELL), ZERO)
        buys = sum((t.notional for t in mine if t.action is Action.BUY), ZERO)
        commission = sum((t.cost.commission for t in mine), ZERO)
        expected = original + account.cash_flow + sells - buys - commission
        if abs(expected - cash[account.account_id]) >= CENT:
            problems.append(f"{account.account_id}: cash does not reconcile")
        for trade in mine:
            if trade.action is Action.SELL:
                relieved = sum((sale.quantity for sale in trade.lots), ZERO)
                if relieved != trade.quantity:
                    problems.append(f"{account.account_id} {trade.symbol}: lots do not add up")
                basis = sum(
                    (split(s.lot.cost_basis, s.quantity, s.lot.quantity)[0] for s in trade.lots),
                    ZERO,
                )
                if abs(basis - sum((s.basis for s in trade.lots), ZERO)) >= CENT:
                    problems.append(f"{account.account_id} {trade.symbol}: basis does not add up")
    return Check("reconciliation", not problems, "; ".join(problems))
