"""The wash-sale exposure of a household on the plan date, in the optimiser's terms.

The optimiser needs three facts per substantially-identical group (a symbol
and every symbol sharing its ``identical_group``), all within the 30-day
window of :data:`lots.washsale.WINDOW`, in every account of the household
(IRAs and Roths included):

* ``free_replacements``: shares bought in the last 30 days that have not
  replaced a loss yet. A loss sale today of up to that many shares is washed
  (the optimiser charges only the washed part: ``min(loss shares sold, free)``
  shares, the cheapest losses first, as the replay matches them);
* ``blocked_buy``: a loss sale in a taxable account in the last 30 days whose
  loss shares are not all replaced yet; a buy today would wash it, so the
  optimiser may not buy the group;
* the replacement lots the replay needs to see: a recent buy that the
  household file lists only in ``recent_transactions`` (a dividend
  reinvestment, say) becomes an opening lot of the replay, so the replay
  washes what the optimiser charged.

Worked example (the demo): the Roth bought 20 VXUS on 2026-11-02; the
brokerage's lot T3 (1,600 VXUS, basis $67.00 a share, price $62.15) is at a
loss of $4.85 a share. Selling T3 on 2026-11-20 washes 20 of its shares:
20 x 4.85 = $97.00 is disallowed (for good: the replacement is in a Roth),
and the other 1,580 shares' loss, $7,663.00, is realised.

This module is the adapter between the household file and the lots engine's
exposure; it holds no wash-sale rule of its own beyond reading the window.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal

import attrs

from household.model import Household
from household.plan.notes import Note, NoteCode, Stage
from lots.numbers import ZERO
from lots.records import Action, Lot, TaxTreatment
from lots.washsale import WINDOW


@attrs.frozen
class GroupExposure:
    """What the wash-sale rule says about one identical group today.

    Attributes:
        group: the identical group.
        free_replacements: shares bought in the last 30 days, in any account,
            not yet replacing a loss.
        permanent_replacements: the part of ``free_replacements`` bought in a
            deferred or exempt account (a loss they wash is lost for good).
        unreplaced_loss_shares: loss shares sold in a taxable account in the
            last 30 days that no replacement has absorbed yet.
        last_loss_sale: the latest such sale (``None``: none).
        loss_known: whether every such sale's loss is known (``cost_basis``
            given); an unknown one is treated as a loss.
    """

    group: str
    free_replacements: Decimal = ZERO
    permanent_replacements: Decimal = ZERO
    unreplaced_loss_shares: Decimal = ZERO
    last_loss_sale: dt.date | None = None
    loss_known: bool = True

    @property
    def blocked_buy(self) -> bool:
        """Whether a buy today would wash a recent loss."""
        return self.unreplaced_loss_shares > 0

    def washed_today(self, loss_shares: Decimal) -> Decimal:
        """Shares of a loss sale today (of ``loss_shares`` shares) that would be washed."""
        return min(loss_shares, self.free_replacements)


@attrs.frozen
class Exposure:
    """The household's wash-sale exposure on ``as_of``.

    Attributes:
        as_of: the plan date.
        groups: per identical group with anything in the window.
        replay_lots: recent purchases missing from the file's open lots, as lots
            the replay opens with (so it sees them as replacements).
    """

    as_of: dt.date
    groups: Mapping[str, GroupExposure]
    replay_lots: tuple[Lot, ...] = ()

    def of(self, group: str) -> GroupExposure:
        """The exposure of ``group`` (an empty one when nothing is in the window)."""
        return self.groups.get(group, GroupExposure(group))


def group_of(household: Household, symbol: str) -> str:
    """The identical group of ``symbol`` (the symbol itself when it has none)."""
    security = household.securities.get(symbol)
    return security.identity if security else symbol


def measure(household: Household, as_of: dt.date) -> tuple[Exposure, tuple[Note, ...]]:
    """The exposure of ``household`` on ``as_of``, and notes on what it found.

    Recent buys are the ``recent_transactions`` buys in the window and the open
    lots purchased in it (a lot whose id matches a recent buy is that buy).
    Recent loss sales are ``recent_transactions`` sells in taxable accounts in
    the window whose proceeds less fees are below their ``cost_basis`` (no
    ``cost_basis``: treated as a loss). Replacements absorb earlier loss sales
    first, earliest purchase first.
    """
    start = as_of - WINDOW
    treatment = {a.account_id: a.treatment for a in household.accounts}
    buys: dict[str, list[tuple[dt.date, Decimal, bool]]] = {}
    losses: dict[str, list[tuple[dt.date, Decimal, bool]]] = {}
    replay_lots: list[Lot] = []
    recent_ids = set()
    for index, txn in enumerate(household.recent_transactions):
        if not start <= txn.date <= as_of:
            continue
        group = group_of(household, txn.symbol)
        if txn.action.purchase:  # a buy or a reinvested dividend
            permanent = treatment.get(txn.account_id) is not TaxTreatment.TAXABLE
            buys.setdefault(group, []).append((txn.date, txn.quantity, permanent))
            if txn.lot_id:
                recent_ids.add((txn.account_id, txn.lot_id))
            if not any(
                lot.account_id == txn.account_id and lot.lot_id == txn.lot_id
                for lot in household.lots
            ):
                replay_lots.append(
                    Lot(
                        account_id=txn.account_id,
                        symbol=txn.symbol,
                        lot_id=txn.lot_id or f"recent-{index + 1}",
                        quantity=txn.quantity,
                        cost_basis=txn.gross + txn.fees,
                        purchased=txn.date,
                    )
                )
        elif txn.action is Action.SELL and treatment.get(txn.account_id) is TaxTreatment.TAXABLE:
            known = txn.cost_basis is not None
            if known and txn.gross - txn.fees >= txn.cost_basis:  # type: ignore[operator]
                continue
            losses.setdefault(group, []).append((txn.date, txn.quantity, known))
    for lot in household.lots:
        if start <= lot.purchased <= as_of and (lot.account_id, lot.lot_id) not in recent_ids:
            group = group_of(household, lot.symbol)
            permanent = treatment.get(lot.account_id) is not TaxTreatment.TAXABLE
            buys.setdefault(group, []).append((lot.purchased, lot.quantity, permanent))
    groups: dict[str, GroupExposure] = {}
    notes: list[Note] = []
    for group in sorted(set(buys) | set(losses)):
        pool = sorted(buys.get(group, []), key=lambda b: b[0])
        left = [quantity for _, quantity, _ in pool]
        unreplaced = ZERO
        last: dt.date | None = None
        known_all = True
        for sold, shares, known in sorted(losses.get(group, []), key=lambda s: s[0]):
            need = shares
            for i, (bought, _, _) in enumerate(pool):
                if need <= 0:
                    break
                if abs((bought - sold).days) <= WINDOW.days and left[i] > 0:
                    take = min(need, left[i])
                    left[i] -= take
                    need -= take
            unreplaced += need
            last = sold if last is None or sold > last else last
            known_all = known_all and known
        free = sum(left, ZERO)
        permanent = sum((left[i] for i, b in enumerate(pool) if b[2]), ZERO)
        groups[group] = GroupExposure(group, free, permanent, unreplaced, last, known_all)
        if unreplaced > 0 and last is not None:
            how = "at a loss" if known_all else "(no cost_basis: treated as a loss)"
            notes.append(
                Note(
                    Stage.EXPOSURE,
                    NoteCode.RECENT_LOSS_SALE,
                    f"{group} sold {how} on {last.isoformat()}: no buy of it until "
                    f"{(last + WINDOW + dt.timedelta(days=1)).isoformat()}",
                    symbol=group,
                )
            )
        if free > 0:
            notes.append(
                Note(
                    Stage.EXPOSURE,
                    NoteCode.REPLACEMENT_SHARES,
                    f"{free} shares of {group} bought in the last 30 days"
                    + (f" ({permanent} in IRAs or Roths)" if permanent else "")
                    + ": a loss sale today washes up to that many shares",
                    symbol=group,
                )
            )
    return Exposure(as_of, groups, tuple(replay_lots)), tuple(notes)
