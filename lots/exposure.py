"""A household's wash-sale exposure for the next 30 days, from the lots engine alone.

A trade planned today meets the wash-sale rule in two ways (Publication 550,
"Wash Sales"; the rule and its window live in :mod:`lots.washsale`, whose
``WINDOW`` this module imports and never restates):

* a **loss sale today** is washed, share for share, by replacement shares
  bought in the last 30 days (in any account: taxable, IRA, Roth) that are
  still held and have not yet served as a replacement, then by buys scheduled
  in the next 30 days (dividend reinvestments, recurring contributions);
* a **buy today** washes the loss shares of sales in the last 30 days that no
  replacement has washed yet, earliest sale first; when the buy is in an IRA
  or a Roth the washed loss is lost for good (Revenue Ruling 2008-5).

Per identical group (``groups`` maps a symbol to its group; a symbol is
identical to itself) :func:`exposure` lists the three ingredients, each from
the replay's public output (``Ledger(dispositions, lots, matches)``):

* :class:`LossSale`: a taxable disposition in the last 30 days whose shares
  still carry a loss (``gain < 0``: the unwashed part of a sale), with its loss
  per share and the day its window closes (``sale_date + WINDOW``; buying
  again is safe from the day after, ``safe_to_rebuy``);
* :class:`OpenReplacement`: an open lot bought in the last 30 days that is not
  already a replacement (it appears in no match, carries no wash-sale
  adjustment and no carried-over holding period);
* the :class:`ScheduledBuy` records passed in, less what the past loss sales
  will claim from them (a scheduled IRA reinvestment five days from now washes
  a loss sold ten days ago before it washes anything sold today). The claims,
  and the recent buys still free, are read from a replay of the history with
  the scheduled buys after it, so a past sale whose wash was skipped for
  rounding to $0.00 and that a scheduled buy lifts over the cent takes its old
  replacement shares first, as the replay does.

Worked example (the 2-share IRA reinvestment)::

    2026-03-02  taxable sells 100 VTI at a loss of $5 a share (no replacement)
    2026-03-20  scheduled: IRA reinvests a dividend in 2 VTI
    as of 2026-03-10:
        loss sale: 100 shares, $5 a share, window closes 2026-04-01
        the reinvestment washes 2 of them, permanently: $10 lost for good;
        98 shares ($490) stay deductible.
        a loss sale of VTI today: the 2 scheduled shares are claimed already,
        so nothing washes it.

Queries: :meth:`Exposure.sale_washed` (how many shares of a loss sale today
would be washed, in which treatment), :meth:`Exposure.sales_washed` (several
loss sales today in relief order), :meth:`Exposure.buy_washes` (how much
unwashed loss a buy of ``q`` shares today would disallow, and whether for
good). Their predictions equal what ``lots.washsale.replay`` does with the
trade appended to the history (history first, then today's trade, then the
scheduled buys); ``tests/lots/test_exposure.py`` checks exactly that on random
histories, against the plain reference replay of ``tests/lots/reference.py``.
The sale side walks the three ingredients above; the buy side asks the replay
itself (the history, the buy, the scheduled buys), because a buy today can
re-open a past sale's wash that was skipped for rounding to $0.00 and then
takes that sale's old replacements first: walking that again here would be a
second implementation of the rule. :meth:`Exposure.buy_schedule` gives the
buy side as piecewise-linear steps for a MILP, exact at each step's end.

Assumptions: ``as_of`` is on or after the history's last event; today's
trades come after every event of the history dated today. Candidates are taken
in purchase order (the trade date, then the order of the events), as the
replay does; the order across accounts is recovered by mapping each open lot
to the purchase that opened it through its lot id (``L1.2`` is part of
``L1``). Only buys and sells are known here; other event kinds that open lots
(reinvestments, transfers) should reach this module as buys.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from decimal import Decimal

import attrs

from lots.numbers import ONE, ZERO, money, split, to_decimal
from lots.records import Account, Action, Lot, TaxTreatment, Transaction
from lots.relief import LotMethod, belongs_to
from lots.washsale import WINDOW, Ledger, replay

_DAY = dt.timedelta(days=1)
_DATE_KEY = "\x00date"  # ranks' key for the first event of a date (no account id is empty)
_NOT_BOUGHT = "\x00gift"  # ranks' key for the lots a gift or an inheritance opened
_PROBE_ID = "exposure-buy-today"  # the lot id of the buy a query replays (primed if taken)
_SCHEDULED_ID = "exposure-scheduled-"  # the lot ids of the scheduled buys replayed


def _positive(instance: object, attribute: attrs.Attribute[Decimal], value: Decimal) -> None:
    if value <= 0:
        raise ValueError(f"{attribute.name} must be positive, got {value}")


@attrs.frozen
class ScheduledBuy:
    """A buy already arranged for the next 30 days (a reinvestment, a contribution).

    Attributes:
        date: the day it buys.
        account_id: the account buying.
        symbol: the security bought.
        quantity: shares (an estimate for a dividend reinvestment).
        kind: what arranges it (a household file's ``reinvest`` for a dividend
            reinvestment, ``recurring`` for a recurring contribution's buy).
    """

    date: dt.date
    account_id: str
    symbol: str
    quantity: Decimal = attrs.field(converter=to_decimal, validator=_positive)
    kind: str = "scheduled"


@attrs.frozen
class LossSale:
    """Loss shares sold in the last 30 days that no replacement has washed.

    Attributes:
        sale_date: the sale's date.
        account_id: the (taxable) account that sold.
        symbol: the security sold.
        lot_id: the Form 8949 row's lot id (``L1.2``: the unwashed part).
        quantity: unwashed loss shares.
        loss: their loss in dollars (positive).
        scheduled_washed: of ``quantity``, the shares the scheduled buys will wash.
        scheduled_permanent: of those, the shares washed by a buy in an IRA or Roth.
    """

    sale_date: dt.date
    account_id: str
    symbol: str
    lot_id: str
    quantity: Decimal
    loss: Decimal
    scheduled_washed: Decimal = ZERO
    scheduled_permanent: Decimal = ZERO

    @property
    def loss_per_share(self) -> Decimal:
        """The loss per unwashed share."""
        return self.loss / self.quantity

    @property
    def window_closes(self) -> dt.date:
        """The last day a buy washes this loss (the sale date plus the window)."""
        return self.sale_date + WINDOW

    @property
    def safe_to_rebuy(self) -> dt.date:
        """The first day a buy of the group no longer washes this loss."""
        return self.window_closes + _DAY


@attrs.frozen
class OpenReplacement:
    """Shares bought in the last 30 days, still held, not yet a replacement.

    Attributes:
        account_id: the account holding them.
        symbol: the security.
        lot_id: the open lot's id.
        purchased: its trade date.
        quantity: shares.
        treatment: the account's treatment (``TAXABLE``: a washed loss moves
            into this lot's basis; otherwise it is lost for good).
    """

    account_id: str
    symbol: str
    lot_id: str
    purchased: dt.date
    quantity: Decimal
    treatment: TaxTreatment
    purchase: int = attrs.field(default=0, repr=False)
    position: int = attrs.field(default=0, repr=False)

    @property
    def permanent(self) -> bool:
        """Whether a loss it washes is lost for good."""
        return self.treatment is not TaxTreatment.TAXABLE


@attrs.frozen
class Wash:
    """Loss shares matched to one replacement (a recent lot or a scheduled buy)."""

    quantity: Decimal
    account_id: str
    symbol: str
    permanent: bool
    lot_id: str | None = None
    date: dt.date | None = None
    scheduled: bool = False


@attrs.frozen
class SaleWashed:
    """What a loss sale today would have washed.

    Attributes:
        quantity: the loss shares sold (zero for a gain or a sheltered account).
        washes: the replacements that wash them, in the replay's order.
    """

    quantity: Decimal
    washes: tuple[Wash, ...] = ()

    @property
    def washed(self) -> Decimal:
        """Loss shares washed in all."""
        return sum((w.quantity for w in self.washes), ZERO)

    @property
    def permanent(self) -> Decimal:
        """Loss shares washed by IRA or Roth shares: their loss is lost for good."""
        return sum((w.quantity for w in self.washes if w.permanent), ZERO)

    @property
    def deferred(self) -> Decimal:
        """Loss shares washed by taxable shares: their loss moves into the basis."""
        return sum((w.quantity for w in self.washes if not w.permanent), ZERO)

    @property
    def unwashed(self) -> Decimal:
        """Loss shares whose loss stays deductible."""
        return self.quantity - self.washed


@attrs.frozen
class BuyWashes:
    """What a buy today would wash.

    Attributes:
        quantity: the shares bought.
        permanent: whether the disallowed loss is lost for good (IRA or Roth).
        washes: ``(loss sale, shares washed, loss disallowed)``, earliest sale first.
    """

    quantity: Decimal
    permanent: bool
    washes: tuple[tuple[LossSale, Decimal, Decimal], ...] = ()

    @property
    def washed(self) -> Decimal:
        """Loss shares the buy washes."""
        return sum((shares for _, shares, _ in self.washes), ZERO)

    @property
    def disallowed(self) -> Decimal:
        """The loss the buy disallows, in dollars."""
        return sum((loss for _, _, loss in self.washes), ZERO)


@attrs.frozen
class GroupExposure:
    """The wash-sale exposure of one identical group.

    Attributes:
        name: the group's name (the symbol itself for a symbol in no group).
        loss_sales: unwashed loss shares sold in the last 30 days, in sale order.
        recent_buys: open, unused shares bought in the last 30 days, in purchase order.
        scheduled: the scheduled buys of the group in the next 30 days with the
            shares each has left after the past loss sales' claims.
        sheltered: the household's IRA and Roth accounts (a wash by their shares
            is for good).
    """

    name: str
    loss_sales: tuple[LossSale, ...]
    recent_buys: tuple[OpenReplacement, ...]
    scheduled: tuple[tuple[ScheduledBuy, Decimal], ...]
    sheltered: frozenset[str] = attrs.field(default=frozenset(), repr=False)

    @property
    def unwashed_loss(self) -> Decimal:
        """The loss of the loss sales' unwashed shares, in dollars."""
        return sum((sale.loss for sale in self.loss_sales), ZERO)

    @property
    def free_replacements(self) -> Decimal:
        """Shares that would wash a loss sale today: recent buys, then scheduled buys left.

        The optimiser's aggregate (it charges ``min(loss shares sold, free)``
        shares); :meth:`Exposure.sale_washed` is exact per lot (it leaves out
        other shares of the lot's own purchase and sub-cent washes).
        """
        recent = sum((r.quantity for r in self.recent_buys), ZERO)
        return recent + sum((left for _, left in self.scheduled if left > 0), ZERO)

    @property
    def permanent_replacements(self) -> Decimal:
        """The part of :attr:`free_replacements` bought in an IRA or Roth (washes for good)."""
        return sum((r.quantity for r in self.recent_buys if r.permanent), ZERO) + sum(
            (left for buy, left in self.scheduled if left > 0 and buy.account_id in self.sheltered),
            ZERO,
        )

    @property
    def blocked_buy(self) -> bool:
        """Whether a buy today would wash a loss of the last 30 days (a cent or more)."""
        return any(money(sale.loss) > 0 for sale in self.loss_sales)


@attrs.frozen
class History:
    """The replay's inputs an :class:`Exposure` was computed from (for its buy queries)."""

    txns: tuple[Transaction, ...]
    accounts: Mapping[str, Account]
    groups: Mapping[str, str]
    method: LotMethod
    opening_lots: tuple[Lot, ...]
    scheduled: tuple[ScheduledBuy, ...]  # those in the window, in date order


@attrs.frozen
class Exposure:
    """A household's wash-sale exposure as of a date, per identical group."""

    as_of: dt.date
    groups: Mapping[str, GroupExposure]
    group_of: Mapping[str, str]
    treatments: Mapping[str, TaxTreatment]
    purchase_ranks: Mapping[tuple[str, str], int] = attrs.field(factory=dict, repr=False)
    history: History | None = attrs.field(default=None, repr=False)

    def group_name(self, symbol: str) -> str:
        """The identical group of a symbol (the symbol itself when it has none)."""
        return self.group_of.get(symbol, symbol)

    def for_symbol(self, symbol: str) -> GroupExposure:
        """The exposure of a symbol's group (empty when nothing is exposed)."""
        name = self.group_name(symbol)
        return self.groups.get(name, GroupExposure(name, (), (), ()))

    def sale_washed(self, lot: Lot, quantity: Decimal, price: Decimal) -> SaleWashed:
        """How many shares of a sale today of ``quantity`` shares of ``lot`` would wash.

        Args:
            lot: an open lot (from the replay's ``Ledger.lots``).
            quantity: shares sold, at most ``lot.quantity``.
            price: the sale price per share (no fees).

        Returns:
            The loss shares (zero for a gain or a sale in a sheltered account)
            and the replacements that would wash them: recent buys first, in
            purchase order (other shares of the lot's own purchase excluded),
            then the scheduled buys the past loss sales leave.
        """
        return self.sales_washed([(lot, quantity, price)])[0]

    def sales_washed(self, sales: Sequence[tuple[Lot, Decimal, Decimal]]) -> tuple[SaleWashed, ...]:
        """:meth:`sale_washed` for several sales today, in the order the replay relieves them.

        Each sale takes the replacements the earlier ones left, and the shares an
        earlier sale relieved from a recent buy are no replacement for a later
        one. Exact as the replay when each lot sold is sold whole or in part
        by specific identification and was not split by an earlier sale's wash
        in the same list (the property test checks single sales).
        """
        taken: dict[tuple[str, str, str], Decimal] = {}
        # Scheduled shares taken by the earlier sales, per (group, place in its queue).
        scheduled_taken: dict[tuple[str, int], Decimal] = {}
        results = []
        for lot, quantity, price in sales:
            quantity, price = to_decimal(quantity), to_decimal(price)
            basis, _ = split(lot.cost_basis, quantity, lot.quantity)
            taxable = self.treatments[lot.account_id] is TaxTreatment.TAXABLE
            group = self.for_symbol(lot.symbol)
            sold_key = (lot.account_id, lot.symbol, lot.lot_id)
            sold_recent = any(
                (r.account_id, r.symbol, r.lot_id) == sold_key for r in group.recent_buys
            )
            if not taxable or quantity * price >= basis:
                results.append(SaleWashed(ZERO))
                if sold_recent:
                    taken[sold_key] = taken.get(sold_key, ZERO) + quantity
                continue
            own = _rank_of(lot, self.purchase_ranks)
            wanted = quantity
            washes: list[Wash] = []
            scheduled_before = dict(scheduled_taken)
            for replacement in group.recent_buys:
                if wanted == 0:
                    break
                if replacement.purchase == own:
                    continue
                key = (replacement.account_id, replacement.symbol, replacement.lot_id)
                left = replacement.quantity - taken.get(key, ZERO)
                if left <= 0:
                    continue
                take = min(wanted, left)
                taken[key] = taken.get(key, ZERO) + take
                wanted -= take
                washes.append(
                    Wash(
                        take,
                        replacement.account_id,
                        replacement.symbol,
                        replacement.permanent,
                        lot_id=replacement.lot_id,
                        date=replacement.purchased,
                    )
                )
            last = self.as_of + WINDOW
            for number, (buy, left) in enumerate(group.scheduled):
                if wanted == 0 or buy.date > last:
                    break
                left = left - scheduled_taken.get((group.name, number), ZERO)
                if left <= 0:
                    continue
                take = min(wanted, left)
                slot = (group.name, number)
                scheduled_taken[slot] = scheduled_taken.get(slot, ZERO) + take
                wanted -= take
                washes.append(
                    Wash(
                        take,
                        buy.account_id,
                        buy.symbol,
                        self.treatments[buy.account_id] is not TaxTreatment.TAXABLE,
                        date=buy.date,
                        scheduled=True,
                    )
                )
            washed = sum((w.quantity for w in washes), ZERO)
            if washed:
                # As the replay: a washed loss that rounds to $0.00 disallows nothing
                # and leaves the replacement shares free.
                washed_basis, _ = split(basis, washed, quantity)
                washed_proceeds, _ = split(quantity * price, washed, quantity)
                if money(washed_basis - washed_proceeds) <= 0:
                    for w in washes:
                        if w.scheduled:
                            continue
                        key = (w.account_id, w.symbol, w.lot_id or "")
                        taken[key] -= w.quantity
                    scheduled_taken = dict(scheduled_before)
                    washes = []
            results.append(SaleWashed(quantity, tuple(washes)))
            # The relieved shares are gone: no replacement for a later sale.
            if sold_recent:
                taken[sold_key] = taken.get(sold_key, ZERO) + quantity
        return tuple(results)

    def buy_schedule(self, symbol: str) -> tuple[tuple[Decimal, Decimal], ...]:
        """The loss a buy today disallows, as ``(shares, loss per share)`` steps in order.

        The first ``shares`` bought today disallow ``loss per share`` each, the
        next step's shares the next step's, and so on; shares beyond the last step
        disallow nothing. A piecewise-linear function of the quantity bought (not
        concave in general: sales are taken in date order, not by loss), for a
        MILP's encoding of :meth:`buy_washes`.

        The steps are the washes of one probe buy large enough to wash every
        unwashed loss share of the group (:meth:`buy_washes` of that many
        shares), so the schedule is exact at every step's end: a buy of the
        first ``k`` steps' shares washes exactly those steps. Between two ends a
        step is taken in part, and where that part's loss rounds to $0.00 the
        replay washes nothing there and the buy's shares go on to the next sale.
        """
        group = self.for_symbol(symbol)
        wanted = sum((sale.quantity for sale in group.loss_sales), ZERO)
        if wanted == 0 or not self.treatments:
            return ()
        probe = self.buy_washes(next(iter(self.treatments)), symbol, wanted)
        return tuple((shares, loss / shares) for _, shares, loss in probe.washes)

    def replacement_schedule(self, lot: Lot) -> tuple[tuple[Decimal, bool], ...]:
        """The replacements a loss sale of ``lot`` today meets, as ``(shares, permanent)`` steps.

        The first loss shares sold are washed by the first step's shares, and so
        on (recent buys in purchase order, other shares of the lot's own purchase
        left out, then the scheduled buys the past loss sales leave); loss shares
        beyond the last step are not washed. :meth:`sale_washed` walks the same steps
        (and washes nothing where the washed loss rounds to $0.00, as the replay).
        """
        group = self.for_symbol(lot.symbol)
        own = _rank_of(lot, self.purchase_ranks)
        steps = [(r.quantity, r.permanent) for r in group.recent_buys if r.purchase != own]
        last = self.as_of + WINDOW
        steps += [
            (left, self.treatments[buy.account_id] is not TaxTreatment.TAXABLE)
            for buy, left in group.scheduled
            if buy.date <= last and left > 0
        ]
        return tuple(steps)

    def buy_washes(self, account_id: str, symbol: str, quantity: Decimal) -> BuyWashes:
        """How much unwashed loss a buy today of ``quantity`` shares would disallow.

        Answered by the replay itself (one implementation of the rule): the
        history, then the buy (after every event of the history, today), then the
        scheduled buys of the window, replayed by :func:`lots.washsale.replay`;
        the matches whose replacement is the buy are its washes. So every rule of
        the replay holds here too, the subtle ones included: a past loss whose
        wash was skipped because its washed loss rounded to $0.00 takes the old
        replacement shares again, before today's, once today's buy makes the
        washed loss a cent or more; a scheduled buy adds to the shares washing
        the same sale (and so to whether its washed loss rounds to $0.00); the
        buy's shares go to the earliest sale first. A buy in an IRA or Roth
        disallows the loss for good. Scheduled buys come after today's, so they
        do not shield it.
        """
        quantity = to_decimal(quantity)
        permanent = self.treatments[account_id] is not TaxTreatment.TAXABLE
        history = self.history
        if quantity <= 0 or history is None or not self.for_symbol(symbol).loss_sales:
            return BuyWashes(quantity, permanent)
        taken = {t.lot_id for t in history.txns if t.lot_id is not None}
        taken.update(lot.lot_id for lot in history.opening_lots)
        lot_id = _PROBE_ID
        while any(belongs_to(other, lot_id) for other in taken):
            lot_id += "'"
        buy = Transaction(self.as_of, account_id, symbol, Action.BUY, quantity, ONE, lot_id=lot_id)
        later = [
            Transaction(b.date, b.account_id, b.symbol, Action.BUY, b.quantity, ONE)
            for b in history.scheduled
        ]
        ledger = replay(
            [*history.txns, buy, *later],
            history.accounts,
            history.groups,
            history.method,
            history.opening_lots,
        )
        group = self.for_symbol(symbol)
        washes = []
        for match in ledger.matches:
            if match.replacement_account_id != account_id or not belongs_to(
                match.replacement_lot_id, lot_id
            ):
                continue
            sale = next(
                (
                    s
                    for s in group.loss_sales
                    if (s.sale_date, s.account_id) == (match.sale_date, match.account_id)
                    and (belongs_to(s.lot_id, match.lot_id) or belongs_to(match.lot_id, s.lot_id))
                ),
                LossSale(
                    match.sale_date,
                    match.account_id,
                    match.symbol,
                    match.lot_id,
                    match.quantity,
                    match.disallowed,
                ),
            )
            washes.append((sale, match.quantity, match.disallowed))
        return BuyWashes(quantity, permanent, tuple(washes))


def exposure(
    transactions: Sequence[Transaction],
    accounts: Mapping[str, Account] | Sequence[Account],
    as_of: dt.date,
    identical_group: Mapping[str, str] | None = None,
    scheduled: Sequence[ScheduledBuy] = (),
    opening_lots: Sequence[Lot] = (),
    default_method: LotMethod = LotMethod.FIFO,
    ledger: Ledger | None = None,
) -> Exposure:
    """The household's wash-sale exposure as of ``as_of``.

    Args:
        transactions: the history (buys and sells), as given to ``replay``.
        accounts: the household's accounts.
        as_of: today; on or after the history's last event.
        identical_group: symbol -> group name (a symbol is identical to itself).
        scheduled: buys arranged for the next 30 days (later ones are ignored).
        opening_lots: lots held before the first transaction.
        default_method: the lot method of accounts without one.
        ledger: the replay of exactly these arguments, when the caller has it
            already (it is replayed here otherwise).

    Returns:
        The :class:`Exposure` per identical group.
    """
    if not isinstance(accounts, Mapping):
        accounts = {account.account_id: account for account in accounts}
    groups = dict(identical_group or {})
    if ledger is None:
        ledger = replay(transactions, accounts, groups, default_method, opening_lots)
    treatments = {account_id: account.treatment for account_id, account in accounts.items()}
    ranks = _purchase_ranks(transactions, opening_lots, accounts)
    start = as_of - WINDOW

    def name(symbol: str) -> str:
        return groups.get(symbol, symbol)

    # Loss sales: taxable rows in the window whose shares still carry a loss.
    sales: dict[str, list[LossSale]] = {}
    for row in ledger.dispositions:
        if row.reportable and row.sale_date >= start and row.gain < 0:
            sales.setdefault(name(row.symbol), []).append(
                LossSale(
                    row.sale_date,
                    row.account_id,
                    row.symbol,
                    row.lot_id,
                    row.quantity,
                    -row.gain,
                )
            )

    # The history with the scheduled buys after it: the state today's trades meet.
    # A past loss sale claims scheduled shares there (and, where they lift a wash it
    # skipped for rounding to $0.00 over the cent, its old replacements first), as
    # the replay says: the replay is asked, not walked again here.
    last = as_of + WINDOW
    upcoming = sorted((b for b in scheduled if as_of <= b.date <= last), key=lambda b: b.date)
    state, prefix = ledger, _SCHEDULED_ID
    if upcoming:
        ids = {t.lot_id for t in transactions if t.lot_id is not None}
        ids.update(lot.lot_id for lot in opening_lots)
        while any(i.startswith(prefix) for i in ids):
            prefix = "~" + prefix
        later = [
            Transaction(b.date, b.account_id, b.symbol, Action.BUY, b.quantity, ONE,
                        lot_id=f"{prefix}{number}")
            for number, b in enumerate(upcoming)
        ]  # fmt: skip
        state = replay([*transactions, *later], accounts, groups, default_method, opening_lots)

    # Recent buys: open lots bought in the window that are no replacement yet.
    used = {(m.replacement_account_id, m.replacement_lot_id) for m in state.matches}
    recent: dict[str, list[OpenReplacement]] = {}
    for position, lot in enumerate(state.lots):
        if lot.purchased < start or (upcoming and lot.lot_id.startswith(prefix)):
            continue
        if (
            (lot.account_id, lot.lot_id) in used
            or lot.wash_sale_adjustment > 0
            or lot.acquired != lot.purchased
            or not _bought(lot, ranks)
        ):
            continue
        rank = _rank_of(lot, ranks)
        recent.setdefault(name(lot.symbol), []).append(
            OpenReplacement(
                lot.account_id,
                lot.symbol,
                lot.lot_id,
                lot.purchased,
                lot.quantity,
                treatments[lot.account_id],
                purchase=rank,
                position=position,
            )
        )
    # The replay's candidate order: purchases in event order, the parts of one
    # purchase in the ledger's order.
    for buys in recent.values():
        buys.sort(key=lambda r: (r.purchase, r.position))

    # Scheduled buys: in date order, less what the past loss sales claim of each.
    taken = [ZERO] * len(upcoming)
    for match in state.matches if upcoming else ():
        if not match.replacement_lot_id.startswith(prefix):
            continue
        number = int(match.replacement_lot_id[len(prefix) :].split(".")[0])
        taken[number] += match.quantity
        group_sales = sales.get(name(match.symbol), [])
        for index, sale in enumerate(group_sales):
            if (sale.sale_date, sale.account_id) == (match.sale_date, match.account_id) and (
                belongs_to(sale.lot_id, match.lot_id) or belongs_to(match.lot_id, sale.lot_id)
            ):
                group_sales[index] = attrs.evolve(
                    sale,
                    scheduled_washed=sale.scheduled_washed + match.quantity,
                    scheduled_permanent=sale.scheduled_permanent
                    + (match.quantity if match.permanent else ZERO),
                )
                break
    claimed: dict[str, list[tuple[ScheduledBuy, Decimal]]] = {}
    for number, buy in enumerate(upcoming):
        claimed.setdefault(name(buy.symbol), []).append((buy, buy.quantity - taken[number]))

    names = set(sales) | set(recent) | set(claimed)
    sheltered = frozenset(a for a, t in treatments.items() if t is not TaxTreatment.TAXABLE)
    return Exposure(
        as_of=as_of,
        groups={
            n: GroupExposure(
                n,
                tuple(sales.get(n, ())),
                tuple(recent.get(n, ())),
                tuple(claimed.get(n, ())),
                sheltered,
            )
            for n in sorted(names)
        },
        group_of=groups,
        treatments=treatments,
        purchase_ranks=ranks,
        history=History(
            tuple(transactions),
            accounts,
            groups,
            default_method,
            tuple(opening_lots),
            tuple(upcoming),
        ),
    )


def _purchase_ranks(
    transactions: Sequence[Transaction],
    opening_lots: Sequence[Lot],
    accounts: Mapping[str, Account],
) -> dict[tuple[str, str], int]:
    """``(account, lot id) -> purchase rank`` of every purchase, as the replay numbers them.

    Opening lots rank first (by purchase date, then the order given), then the
    buys in event order; a buy without a lot id gets the id the replay
    generates (``SYMBOL-DATE-N``, the first ``N`` not taken in its account).
    """
    ranks: dict[tuple[str, str], int] = {}
    claimed: dict[str, set[str]] = {account_id: set() for account_id in accounts}
    opening = sorted(opening_lots, key=lambda lot: lot.purchased)
    for number, lot in enumerate(opening):
        ranks[(lot.account_id, lot.lot_id)] = number - len(opening)
        claimed.setdefault(lot.account_id, set()).add(lot.lot_id)
    generated: dict[tuple[str, str, dt.date], int] = {}
    for index, txn in enumerate(sorted(transactions, key=lambda t: t.date)):
        ranks.setdefault((_DATE_KEY, txn.date.isoformat()), index)
        if not txn.action.opens_lot:
            continue
        taken = claimed.setdefault(txn.account_id, set())
        lot_id = txn.lot_id
        if lot_id is None:
            key = (txn.account_id, txn.symbol, txn.date)
            number = generated.get(key, 0)
            while True:
                number += 1
                lot_id = f"{txn.symbol}-{txn.date.isoformat()}-{number}"
                if lot_id not in taken:
                    break
            generated[key] = number
        taken.add(lot_id)
        ranks[(txn.account_id, lot_id)] = index
        if not txn.action.purchase:
            # A gift or an inheritance opens a lot that is never a replacement.
            ranks[(_NOT_BOUGHT, f"{txn.account_id}\x00{lot_id}")] = index
    return ranks


def _bought(lot: Lot, ranks: Mapping[tuple[str, str], int]) -> bool:
    """Whether an open lot comes from a purchase (not a gift or an inheritance)."""
    lot_id = lot.lot_id
    while True:
        if (lot.account_id, lot_id) in ranks:
            return (_NOT_BOUGHT, f"{lot.account_id}\x00{lot_id}") not in ranks
        head, dot, tail = lot_id.rpartition(".")
        if not (dot and tail.isdigit()):
            return True
        lot_id = head


def _rank_of(lot: Lot, ranks: Mapping[tuple[str, str], int]) -> int:
    """The rank of the purchase an open lot comes from (its id, or the id it was split from)."""
    lot_id = lot.lot_id
    while True:
        rank = ranks.get((lot.account_id, lot_id))
        if rank is not None:
            return rank
        head, dot, tail = lot_id.rpartition(".")
        if not (dot and tail.isdigit()):
            # A lot no buy opened (an event kind this module does not know): ranked
            # with the first event of its purchase date (ties then keep ledger order).
            return ranks.get((_DATE_KEY, lot.purchased.isoformat()), -1)
        lot_id = head
