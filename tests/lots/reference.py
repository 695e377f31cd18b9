"""A plain, quadratic reference for :func:`lots.washsale.replay`.

Written from the contract of ``FORMATS.md`` ("household wash-sales") alone, not
from the fast path, so that comparing the two catches bugs in either. Nothing
here is clever: events are processed in date order (file order within a date);
the open lot parts sit in one plain list; at every loss sale in a taxable
account the whole list, and then every later transaction, is scanned for
replacement shares.

The state of a replay is the list of open lot parts. A part remembers the
purchase it came from (its *origin*: the opening lot or the buy), its place in
purchase order, its split path and whether it already absorbed a loss.

At a sale:

1. The account's parts of the symbol are relieved by
   :func:`lots.relief.select_lots` (the account's ``lot_method``, else the
   default method; a sale naming a ``lot_id`` is specific identification).
   Proceeds (``quantity * price - fees``) are split over the relieved parts in
   proportion to shares, cumulatively: each part gets
   ``remaining_total * take / remaining_quantity`` and the remainder is
   carried, so the parts add up exactly. A relieved part's basis (and its
   wash-sale adjustment) is split from the lot's with :func:`lots.numbers.split`,
   the sold shares first.
2. For each relieved part in relief order whose basis exceeds its proceeds
   (a loss), in a taxable account: replacement shares are taken in purchase
   order, earliest first, first from the open parts still held (bought from
   ``sale_date - 30`` days on, of the same symbol or identical group, not of the
   same purchase as the part sold, not already a replacement), then from the
   later buys up to ``sale_date + 30`` days (what earlier loss sales have not
   claimed yet).
3. The washed shares' basis and proceeds are split from the part's (washed
   shares first); the disallowed loss is their difference, split over the
   replacement chunks in proportion to shares, cumulatively. A part only partly
   washed gives two dispositions ``<id>.1`` (washed) and ``<id>.2`` (the rest).
4. A replacement chunk in a taxable account gets the disallowed loss added to
   its basis and its wash-sale adjustment, and its holding period starts
   earlier by the sold part's holding period (``sale_date - acquired``). In a
   deferred or exempt account nothing is added anywhere; the loss is
   ``permanently_disallowed`` on the disposition. Either way the chunk is now a
   replacement and cannot absorb another loss. A held part only partly used is
   split ``<id>.1`` (the replacement shares) and ``<id>.2`` (the rest); a later
   buy claimed by ``k`` loss sales becomes ``<id>.1`` .. ``<id>.k`` in claim
   order, plus ``<id>.k+1`` for unclaimed shares (no suffix when one claim took
   the whole buy).

Readings of the contract where it is silent (a tax professional's reading):

* Each relieved part of a sale claims its replacement shares separately: two
  loss lots of one sale that both take shares of one later buy make two
  claims (two parts of it), since their disallowed loss per share and their
  holding periods differ.
* The ``lot_id`` of a :class:`~lots.washsale.WashMatch` is the id of the
  lot part sold (``L1``, not the disposition's ``L1.1``); its
  ``replacement_lot_id`` is the id of the replacement part as it ends up
  (``L5.1``, ``B9.2``).
* Opening lots are in purchase order by purchase date, then in the order
  given, and all of them come before the first transaction. Each opening lot
  is its own purchase (whatever its id looks like). An opening lot that
  already carries a wash-sale adjustment (or whose holding period starts before
  its purchase) has absorbed a loss and cannot absorb another.
* The window is on the trade date (``purchased``) of the replacement shares,
  never on their holding-period start.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal

import attrs

from lots.numbers import ZERO, split
from lots.records import Account, Action, Disposition, Lot, TaxTreatment, Transaction
from lots.relief import LotMethod, select_lots
from lots.terms import term_of
from lots.washsale import Ledger, WashMatch

WINDOW = dt.timedelta(days=30)


@dataclasses.dataclass(eq=False)
class _Part:
    """An open lot part, with what the rule needs to know of its past."""

    account_id: str
    symbol: str
    lot_id: str
    quantity: Decimal
    cost_basis: Decimal
    purchased: dt.date
    acquired: dt.date
    adjustment: Decimal
    order: tuple[int, int]  # purchase order: (0, k) opening lots, (1, event) buys
    path: tuple[int, ...]  # split path within the purchase
    replacement: bool  # already absorbed a loss

    def lot(self) -> Lot:
        return Lot(
            account_id=self.account_id,
            symbol=self.symbol,
            lot_id=self.lot_id,
            quantity=self.quantity,
            cost_basis=self.cost_basis,
            purchased=self.purchased,
            acquired=self.acquired,
            wash_sale_adjustment=self.adjustment,
        )


@dataclasses.dataclass
class _Claim:
    """Shares of a later buy claimed by one loss lot of an earlier sale."""

    quantity: Decimal
    disallowed: Decimal
    held_days: int  # the sold part's holding period, carried over
    match: int  # index of its WashMatch, whose replacement_lot_id is filled in at the buy


def reference_replay(
    transactions: Sequence[Transaction],
    accounts: Mapping[str, Account] | Sequence[Account],
    identical_group: Mapping[str, str] | None = None,
    default_method: LotMethod = LotMethod.FIFO,
    opening_lots: Sequence[Lot] = (),
) -> Ledger:
    """Replay a household's trades the naive way (same contract as ``replay``)."""
    if not isinstance(accounts, Mapping):
        accounts = {account.account_id: account for account in accounts}
    groups = identical_group or {}

    def identity(symbol: str) -> tuple[str, str]:
        if symbol in groups:
            return ("group", groups[symbol])
        return ("symbol", symbol)

    def taxable(account_id: str) -> bool:
        return accounts[account_id].treatment is TaxTreatment.TAXABLE

    events = sorted(enumerate(transactions), key=lambda pair: pair[1].date)
    events_only = [txn for _, txn in events]

    parts: list[_Part] = []
    taken_ids: dict[str, set[str]] = {account_id: set() for account_id in accounts}
    dispositions: list[Disposition] = []
    matches: list[WashMatch] = []
    claims: dict[int, list[_Claim]] = {}

    opening = sorted(enumerate(opening_lots), key=lambda pair: pair[1].purchased)
    for k, (_, lot) in enumerate(opening):
        taken_ids[lot.account_id].add(lot.lot_id)
        parts.append(
            _Part(
                account_id=lot.account_id,
                symbol=lot.symbol,
                lot_id=lot.lot_id,
                quantity=lot.quantity,
                cost_basis=lot.cost_basis,
                purchased=lot.purchased,
                acquired=lot.acquired,
                adjustment=lot.wash_sale_adjustment,
                order=(0, k),
                path=(),
                replacement=lot.wash_sale_adjustment > 0 or lot.acquired < lot.purchased,
            )
        )

    for position, txn in enumerate(events_only):
        if txn.action is Action.BUY:
            lot_id = txn.lot_id
            if lot_id is None:
                n = 1
                while f"{txn.symbol}-{txn.date.isoformat()}-{n}" in taken_ids[txn.account_id]:
                    n += 1
                lot_id = f"{txn.symbol}-{txn.date.isoformat()}-{n}"
            taken_ids[txn.account_id].add(lot_id)
            _buy(parts, matches, txn, lot_id, (1, position), claims.get(position, []), taxable)
        else:
            _sell(
                parts,
                dispositions,
                matches,
                claims,
                events_only,
                position,
                accounts[txn.account_id],
                default_method,
                identity,
                taxable,
            )

    account_order = {account_id: index for index, account_id in enumerate(accounts)}
    parts.sort(key=lambda part: (account_order[part.account_id], part.order, part.path))
    return Ledger(
        dispositions=tuple(dispositions),
        lots=tuple(part.lot() for part in parts),
        matches=tuple(matches),
    )


def _buy(
    parts: list[_Part],
    matches: list[WashMatch],
    txn: Transaction,
    lot_id: str,
    order: tuple[int, int],
    claims: list[_Claim],
    taxable: Callable[[str], bool],
) -> None:
    """Open the lot of a buy, split into the parts earlier loss sales claimed."""
    total_basis = txn.quantity * txn.price + txn.fees
    claimed = sum((claim.quantity for claim in claims), ZERO)
    assert claimed <= txn.quantity
    whole = len(claims) == 1 and claimed == txn.quantity

    remaining_basis = total_basis
    remaining_quantity = txn.quantity
    for index, claim in enumerate(claims, start=1):
        basis, remaining_basis = split(remaining_basis, claim.quantity, remaining_quantity)
        remaining_quantity -= claim.quantity
        part_id = lot_id if whole else f"{lot_id}.{index}"
        acquired = txn.date
        adjustment = ZERO
        if taxable(txn.account_id):
            basis += claim.disallowed
            adjustment = claim.disallowed
            acquired = txn.date - dt.timedelta(days=claim.held_days)
        parts.append(
            _Part(
                account_id=txn.account_id,
                symbol=txn.symbol,
                lot_id=part_id,
                quantity=claim.quantity,
                cost_basis=basis,
                purchased=txn.date,
                acquired=acquired,
                adjustment=adjustment,
                order=order,
                path=() if whole else (index,),
                replacement=True,
            )
        )
        matches[claim.match] = attrs.evolve(matches[claim.match], replacement_lot_id=part_id)
    if remaining_quantity > 0:
        path: tuple[int, ...] = (len(claims) + 1,) if claims else ()
        parts.append(
            _Part(
                account_id=txn.account_id,
                symbol=txn.symbol,
                lot_id=f"{lot_id}.{len(claims) + 1}" if claims else lot_id,
                quantity=remaining_quantity,
                cost_basis=remaining_basis,
                purchased=txn.date,
                acquired=txn.date,
                adjustment=ZERO,
                order=order,
                path=path,
                replacement=False,
            )
        )


@dataclasses.dataclass
class _Relieved:
    """Shares of one part taken by a sale."""

    part: _Part  # a copy of the part as it was before the sale
    quantity: Decimal
    cost_basis: Decimal
    proceeds: Decimal


def _sell(
    parts: list[_Part],
    dispositions: list[Disposition],
    matches: list[WashMatch],
    claims: dict[int, list[_Claim]],
    events: list[Transaction],
    position: int,
    account: Account,
    default_method: LotMethod,
    identity: Callable[[str], tuple[str, str]],
    taxable: Callable[[str], bool],
) -> None:
    """Relieve the lots of a sale, then wash its losses."""
    txn = events[position]
    if txn.lot_id is not None:
        method = LotMethod.SPECIFIC
    elif account.lot_method:
        method = LotMethod.parse(account.lot_method)
    else:
        method = default_method
    held = [p for p in parts if p.account_id == txn.account_id and p.symbol == txn.symbol]
    taken = select_lots(held, txn.quantity, method, txn.date, txn.price, txn.lot_id)

    # 1. Relief: proceeds split cumulatively over the parts, basis from each part.
    relieved: list[_Relieved] = []
    remaining_proceeds = txn.quantity * txn.price - txn.fees
    remaining_quantity = txn.quantity
    for part, take in taken:
        proceeds, remaining_proceeds = split(remaining_proceeds, take, remaining_quantity)
        remaining_quantity -= take
        basis, rest_basis = split(part.cost_basis, take, part.quantity)
        _, rest_adjustment = split(part.adjustment, take, part.quantity)
        relieved.append(_Relieved(dataclasses.replace(part), take, basis, proceeds))
        if take == part.quantity:
            parts.remove(part)
        else:
            part.quantity -= take
            part.cost_basis = rest_basis
            part.adjustment = rest_adjustment
    assert remaining_quantity == 0

    # 2. Wash each loss lot in relief order.
    reportable = account.treatment is TaxTreatment.TAXABLE
    for item in relieved:
        sold = item.part
        loss = item.cost_basis - item.proceeds
        chunks: list[tuple[_Part | int, Decimal]] = []  # (held part | buy position, shares)
        if reportable and loss > 0:
            need = item.quantity
            candidates = sorted(
                (
                    p
                    for p in parts
                    if not p.replacement
                    and p.order != sold.order
                    and identity(p.symbol) == identity(sold.symbol)
                    and p.purchased >= txn.date - WINDOW
                ),
                key=lambda p: (p.order, p.path),
            )
            for candidate in candidates:
                if need == 0:
                    break
                share = min(need, candidate.quantity)
                chunks.append((candidate, share))
                need -= share
            # Every later event is looked at (no early exit at the window's end): plain
            # and quadratic on purpose, the yardstick of benchmarks/wash_sales.py.
            for later in range(position + 1, len(events)):
                if need == 0:
                    break
                buy = events[later]
                if buy.date > txn.date + WINDOW:
                    continue
                if buy.action is not Action.BUY or identity(buy.symbol) != identity(sold.symbol):
                    continue
                free = buy.quantity - sum((c.quantity for c in claims.get(later, [])), ZERO)
                if free > 0:
                    share = min(need, free)
                    chunks.append((later, share))
                    need -= share

        term = term_of(sold.acquired, txn.date)
        washed = sum((share for _, share in chunks), ZERO)
        if washed == 0:
            dispositions.append(
                Disposition(
                    sale_date=txn.date,
                    account_id=txn.account_id,
                    symbol=txn.symbol,
                    lot_id=sold.lot_id,
                    quantity=item.quantity,
                    acquired=sold.acquired,
                    purchased=sold.purchased,
                    term=term,
                    proceeds=item.proceeds,
                    cost_basis=item.cost_basis,
                    reportable=reportable,
                )
            )
            continue

        partly = washed < item.quantity
        washed_id = f"{sold.lot_id}.1" if partly else sold.lot_id
        washed_basis, rest_basis = split(item.cost_basis, washed, item.quantity)
        washed_proceeds, rest_proceeds = split(item.proceeds, washed, item.quantity)
        disallowed = washed_basis - washed_proceeds
        held_days = (txn.date - sold.acquired).days

        # 3. The disallowed loss over the replacement chunks, cumulatively.
        permanent_total = ZERO
        remaining_disallowed = disallowed
        remaining_washed = washed
        for target, share in chunks:
            amount, remaining_disallowed = split(remaining_disallowed, share, remaining_washed)
            remaining_washed -= share
            if isinstance(target, int):
                buy = events[target]
                permanent = not taxable(buy.account_id)
                claims.setdefault(target, []).append(_Claim(share, amount, held_days, len(matches)))
                replacement = (buy.account_id, buy.symbol, "?", buy.date)
            else:
                permanent = not taxable(target.account_id)
                matched = target
                if share < target.quantity:
                    matched = _split_part(parts, target, share)
                matched.replacement = True
                if not permanent:
                    matched.cost_basis += amount
                    matched.adjustment += amount
                    matched.acquired -= dt.timedelta(days=held_days)
                replacement = (
                    matched.account_id,
                    matched.symbol,
                    matched.lot_id,
                    matched.purchased,
                )
            if permanent:
                permanent_total += amount
            matches.append(
                WashMatch(
                    sale_date=txn.date,
                    account_id=txn.account_id,
                    symbol=txn.symbol,
                    lot_id=sold.lot_id,
                    quantity=share,
                    replacement_account_id=replacement[0],
                    replacement_symbol=replacement[1],
                    replacement_lot_id=replacement[2],
                    replacement_purchased=replacement[3],
                    disallowed=amount,
                    permanent=permanent,
                )
            )

        dispositions.append(
            Disposition(
                sale_date=txn.date,
                account_id=txn.account_id,
                symbol=txn.symbol,
                lot_id=washed_id,
                quantity=washed,
                acquired=sold.acquired,
                purchased=sold.purchased,
                term=term,
                proceeds=washed_proceeds,
                cost_basis=washed_basis,
                adjustment=disallowed,
                permanently_disallowed=permanent_total,
                reportable=True,
            )
        )
        if partly:
            dispositions.append(
                Disposition(
                    sale_date=txn.date,
                    account_id=txn.account_id,
                    symbol=txn.symbol,
                    lot_id=f"{sold.lot_id}.2",
                    quantity=item.quantity - washed,
                    acquired=sold.acquired,
                    purchased=sold.purchased,
                    term=term,
                    proceeds=rest_proceeds,
                    cost_basis=rest_basis,
                    reportable=True,
                )
            )


def _split_part(parts: list[_Part], part: _Part, share: Decimal) -> _Part:
    """Split ``share`` shares off ``part`` as ``<id>.1``; the rest stays as ``<id>.2``."""
    basis, rest_basis = split(part.cost_basis, share, part.quantity)
    adjustment, rest_adjustment = split(part.adjustment, share, part.quantity)
    matched = dataclasses.replace(
        part,
        lot_id=f"{part.lot_id}.1",
        quantity=share,
        cost_basis=basis,
        adjustment=adjustment,
        path=(*part.path, 1),
    )
    rest = dataclasses.replace(
        part,
        lot_id=f"{part.lot_id}.2",
        quantity=part.quantity - share,
        cost_basis=rest_basis,
        adjustment=rest_adjustment,
        path=(*part.path, 2),
    )
    index = parts.index(part)
    parts[index : index + 1] = [matched, rest]
    return matched
