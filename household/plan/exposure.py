"""The wash-sale exposure of a household on the plan date: the file mapped to the lots engine.

The rule, its window and every prediction come from :mod:`lots.exposure`
(which asks :mod:`lots.washsale` for the buy side); this module holds no
wash-sale rule. It does two things:

1. **The household file as a history.** :func:`history` turns the file's
   open lots and its ``recent_transactions`` of the last 30 days into what
   :func:`lots.washsale.replay` reads:

   * a sale in a taxable account sells a lot made for it (``recent-sale-N``,
     bought long before the window, so it is nobody's replacement) whose basis
     is the sale's ``cost_basis``; without one the sale is taken as a loss of
     $1.00 a share (the safe reading: it blocks buying the group again; its
     amount is reported nowhere);
   * an open lot bought in the window, or a recent buy (or reinvestment) that no
     open lot names, is a buy on its date, so it replaces a loss the way the
     replay says; an open lot that has absorbed a loss already (a wash-sale
     adjustment, a carried-over holding period, a gift or an inheritance) stays
     an opening lot and is nobody's replacement;
   * every other open lot is an opening lot.

   Sales inside IRAs and Roths are never washed and are left out, as are the
   other kinds of event (splits, transfers).
2. **The plan replayed.** :func:`replay_plan` replays that history, then the
   plan's trades (today, after the history), then the scheduled buys of the
   next 30 days: the plan's Form 8949 rows, with every wash the history, today's
   trades and the scheduled buys make together.

What the optimiser reads (``household/plan/optimise.py``) is the
:class:`lots.exposure.Exposure` itself: per identical group,
``free_replacements`` (a loss sale today of up to that many shares is washed:
recent buys not yet replacing a loss, then the scheduled buys the past loss
sales leave) and ``blocked_buy`` (a loss sale of the last 30 days is not all
washed yet: a buy today would wash it).

Worked example (the demo): the Roth bought 20 VXUS on 2026-11-02 (a recent buy
no open lot names: a buy in the history); the brokerage's lot T3 (1,600 VXUS,
basis $67.00 a share, price $62.15) is at a loss of $4.85 a share. Selling T3 on
2026-11-20 washes 20 of its shares: 20 x 4.85 = $97.00 is disallowed (for good:
the replacement is in a Roth), and the other 1,580 shares' loss, $7,663.00, is
realised.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import ROUND_DOWN, Decimal

import attrs

from household.model import Household
from household.plan.notes import Note, NoteCode, Stage
from lots.exposure import Exposure, ScheduledBuy, exposure
from lots.numbers import ONE
from lots.records import Action, Disposition, Lot, TaxTreatment, Transaction
from lots.relief import belongs_to
from lots.washsale import WINDOW, replay

__all__ = ["Exposure", "History", "group_of", "history", "measure", "replay_plan"]

#: The lot id prefix of the lots made for the recent sales (primed until no file id has it).
SALE_LOT = "recent-sale-"
#: The loss a share of a recent taxable sale without ``cost_basis`` is taken to have.
UNKNOWN_LOSS_PER_SHARE = ONE
_PRICE_PLACES = Decimal("1e-12")


@attrs.frozen
class History:
    """The household file as the replay's inputs (see the module docstring).

    Attributes:
        transactions: the recent sales and buys, in date order (file order within a date).
        opening_lots: the lots held before them.
        scheduled: the scheduled buys of the next 30 days.
        sale_lots: the ids of the lots made for the recent sales.
        unknown_basis: ``(account, symbol, date)`` of the taxable sales without ``cost_basis``.
    """

    transactions: tuple[Transaction, ...]
    opening_lots: tuple[Lot, ...]
    scheduled: tuple[ScheduledBuy, ...] = ()
    sale_lots: frozenset[str] = frozenset()
    unknown_basis: frozenset[tuple[str, str, dt.date]] = frozenset()


def group_of(household: Household, symbol: str) -> str:
    """The identical group of ``symbol`` (the symbol itself when it has none)."""
    security = household.securities.get(symbol)
    return security.identity if security else symbol


def identical_groups(household: Household) -> dict[str, str]:
    """symbol -> identical group, for every security of the household."""
    return {s.symbol: s.identity for s in household.securities.values()}


def _used(lot: Lot) -> bool:
    """Whether an open lot has absorbed a loss already or was not bought (no replacement)."""
    return (
        lot.wash_sale_adjustment > 0
        or lot.acquired != lot.purchased
        or lot.loss_basis is not None
        or lot.inherited
    )


def _bought(lot: Lot) -> Transaction:
    """A buy that opens exactly ``lot`` (its basis as price and fees, exactly)."""
    price = (lot.cost_basis / lot.quantity).quantize(_PRICE_PLACES, rounding=ROUND_DOWN)
    fees = lot.cost_basis - lot.quantity * price
    return Transaction(
        lot.purchased, lot.account_id, lot.symbol, Action.BUY, lot.quantity, price, fees,
        lot_id=lot.lot_id,
    )  # fmt: skip


def history(household: Household, as_of: dt.date) -> History:
    """The household file as a replay's history as of ``as_of`` (the module docstring)."""
    start = as_of - WINDOW
    treatment = {a.account_id: a.treatment for a in household.accounts}
    held = {(lot.account_id, lot.lot_id) for lot in household.lots}
    ids = {lot.lot_id for lot in household.lots} | {
        t.lot_id for t in household.recent_transactions if t.lot_id
    }
    prefix = SALE_LOT
    while any(i.startswith(prefix) for i in ids):
        prefix = "~" + prefix
    long_ago = start - WINDOW - dt.timedelta(days=1)
    events: list[tuple[dt.date, int, Transaction]] = []
    sale_lots: list[Lot] = []
    unknown: set[tuple[str, str, dt.date]] = set()
    recent = 0
    for index, txn in enumerate(household.recent_transactions):
        if not start <= txn.date <= as_of:
            continue
        if txn.action.purchase:
            if txn.lot_id is not None and (txn.account_id, txn.lot_id) in held:
                continue  # the open lot it opened stands for it
            lot_id = txn.lot_id
            if lot_id is None:
                recent += 1
                lot_id = f"{prefix}buy-{recent}"
            events.append((txn.date, 1 + index, attrs.evolve(txn, lot_id=lot_id)))
        elif txn.action is Action.SELL and treatment.get(txn.account_id) is TaxTreatment.TAXABLE:
            proceeds = txn.gross - txn.fees
            if txn.cost_basis is None:
                basis = proceeds + UNKNOWN_LOSS_PER_SHARE * txn.quantity
                unknown.add((txn.account_id, txn.symbol, txn.date))
            else:
                basis = txn.cost_basis
            lot_id = f"{prefix}{len(sale_lots) + 1}"
            sale_lots.append(
                Lot(
                    account_id=txn.account_id,
                    symbol=txn.symbol,
                    lot_id=lot_id,
                    quantity=txn.quantity,
                    cost_basis=basis,
                    purchased=long_ago,
                )
            )
            events.append((txn.date, 1 + index, attrs.evolve(txn, lot_id=lot_id)))
    opening = list(sale_lots)
    for lot in household.lots:
        if start <= lot.purchased <= as_of and not _used(lot):
            events.append((lot.purchased, 0, _bought(lot)))
        else:
            opening.append(lot)
    events.sort(key=lambda e: (e[0], e[1]))
    transactions = tuple(txn for _, _, txn in events)
    if transactions:
        first = transactions[0].date
        # An opening lot must be held before the first event; a used lot bought later
        # in the window is no replacement either way, so its purchase date is moved up.
        opening = [
            attrs.evolve(lot, purchased=first) if lot.purchased > first else lot for lot in opening
        ]
    return History(
        transactions,
        tuple(opening),
        tuple(household.scheduled_buys),
        frozenset(lot.lot_id for lot in sale_lots),
        frozenset(unknown),
    )


def measure(
    household: Household, as_of: dt.date, past: History | None = None
) -> tuple[Exposure, tuple[Note, ...]]:
    """The exposure of ``household`` on ``as_of`` (from :mod:`lots.exposure`), and notes.

    ``past`` is :func:`history` of the same household and date when the caller has it
    already (the plan pipeline works it out once for this and :func:`replay_plan`).

    Returns:
        The :class:`lots.exposure.Exposure` of the file's history and scheduled
        buys, and a note per group with a loss sale a buy today would wash
        (``recent_loss_sale``) and per group with free replacement shares
        (``replacement_shares``).
    """
    if past is None:
        past = history(household, as_of)
    found = exposure(
        past.transactions,
        household.accounts,
        as_of,
        identical_groups(household),
        scheduled=past.scheduled,
        opening_lots=past.opening_lots,
    )
    notes: list[Note] = []
    for name, group in found.groups.items():
        if group.blocked_buy:
            last = max(group.loss_sales, key=lambda sale: sale.sale_date)
            unknown = any(
                (sale.account_id, sale.symbol, sale.sale_date) in past.unknown_basis
                for sale in group.loss_sales
            )
            how = "(no cost_basis: treated as a loss)" if unknown else "at a loss"
            notes.append(
                Note(
                    Stage.EXPOSURE,
                    NoteCode.RECENT_LOSS_SALE,
                    f"{name} sold {how} on {last.sale_date.isoformat()}: no buy of it until "
                    f"{last.safe_to_rebuy.isoformat()}",
                    symbol=name,
                )
            )
        free = group.free_replacements
        if free > 0:
            permanent = group.permanent_replacements
            notes.append(
                Note(
                    Stage.EXPOSURE,
                    NoteCode.REPLACEMENT_SHARES,
                    f"{free} shares of {name} bought in the last 30 days or scheduled"
                    + (f" ({permanent} in IRAs or Roths)" if permanent else "")
                    + ": a loss sale today washes up to that many shares",
                    symbol=name,
                )
            )
    return found, tuple(notes)


def replay_plan(
    household: Household,
    plan: Sequence[Transaction],
    as_of: dt.date,
    past: History | None = None,
) -> tuple[Disposition, ...]:
    """The plan's Form 8949 rows: the history, the plan's trades, then the scheduled buys.

    Args:
        household: the household.
        plan: the plan's trades, dated ``as_of`` (``household.plan.blotter.transactions``).
        as_of: the plan date.
        past: :func:`history` of ``household`` on ``as_of``, if the caller has it.

    Returns:
        The dispositions of the plan's sales (the history's own are left out).
    """
    if not plan:
        return ()
    if past is None:
        past = history(household, as_of)
    later = [
        Transaction(b.date, b.account_id, b.symbol, Action.BUY, b.quantity, ONE)
        for b in past.scheduled
        if as_of <= b.date <= as_of + WINDOW
    ]
    ledger = replay(
        [*past.transactions, *plan, *later],
        household.accounts,
        identical_group=identical_groups(household),
        opening_lots=past.opening_lots,
    )
    return tuple(
        d
        for d in ledger.dispositions
        if not any(belongs_to(d.lot_id, lot_id) for lot_id in past.sale_lots)
        and d.sale_date == as_of
    )
