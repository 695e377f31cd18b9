"""A plain, quadratic reference for :func:`lots.washsale.replay`.

Written from the contract of ``docs/formats.md`` ("household wash-sales") alone, not
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
* A loss that rounds to $0.00 is no loss: nothing is washed; nor when the loss
  on the shares that would be washed rounds to $0.00.

Events (``lots.events``; the arithmetic is written again here, plainly):

* An event acts on the account's parts of the symbol in lot order (purchase
  order, then split path), so its rows come in that order.
* ``reinvest`` is a buy. ``split`` scales every part of the symbol in the
  account by ``new/old`` (exact, else to 12 places). ``return_of_capital``
  lowers each part's basis by ``amount_per_share * quantity``; any excess is a
  ``return_of_capital_excess`` row (proceeds the excess, basis 0, no shares).
  ``merger`` and ``symbol_change`` scale and rename the parts; with cash boot
  the recognized gain is ``min(boot, max(0, new shares * price + boot - basis))``
  and the row ``merger_boot`` has proceeds = boot, basis = boot - recognized.
  ``spinoff`` gives each parent part a child ``<id>-<child symbol>`` with
  ``1 - basis_fraction`` of its basis and adjustment. After a split, merger or
  spin-off with a ``price``, the fraction of a share the event left is sold
  (``cash_in_lieu``) from the event's parts, by the account's method.
* ``transfer`` moves the parts in kind (``<id>.1`` moved, ``<id>.2`` stays
  when only part of one moves; the destination id is prefixed
  ``<source account>:`` when it, or the lot it is a part of, is taken there;
  both are then taken there).
* ``gift_received`` and ``inherited`` open a part that can never be a
  replacement; so do a spin-off's child and a merger's new shares (unless the
  new symbol is in the old one's identical group, as a symbol change's new
  ticker is unless the securities give it a group). A gift whose fair value
  was below the donor's basis keeps that value as its basis for a loss.
* A later buy claimed across a split of its symbol (between the sale and the
  buy) gives ``new/old`` of its shares per loss share.
* With ``same_sale_replacement``, the lots of one sale are sold one by one in
  relief order, each washed before the next is relieved, so a lot not yet
  relieved can replace an earlier one's loss.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from decimal import ROUND_HALF_EVEN, Decimal, localcontext
from fractions import Fraction

import attrs

from lots.errors import InputError
from lots.numbers import ZERO, money, split
from lots.records import (
    Account,
    Action,
    Disposition,
    DispositionEvent,
    Lot,
    TaxTreatment,
    Term,
    Transaction,
)
from lots.relief import LotMethod, select_lots
from lots.terms import term_of
from lots.washsale import Ledger, WashMatch

WINDOW = dt.timedelta(days=30)
CHILD = 1 << 30


def _scale(quantity: Decimal, new: Decimal, old: Decimal) -> Decimal:
    """``quantity * new / old``: exact when a decimal of 34 digits holds it, else 12 places."""
    exact = Fraction(quantity) * Fraction(new) / Fraction(old)
    with localcontext() as wide:
        wide.prec = 80
        value = Decimal(exact.numerator) / Decimal(exact.denominator)
        if Fraction(value) == exact and len(value.as_tuple().digits) <= 34:
            return value
        return value.quantize(Decimal("1e-12"), rounding=ROUND_HALF_EVEN)


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
    replacement: bool  # already absorbed a loss, or was never bought: no candidate
    loss_basis: Decimal | None = None
    inherited: bool = False

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
            loss_basis=self.loss_basis,
            inherited=self.inherited,
        )


@dataclasses.dataclass
class _Claim:
    """Shares of a later buy claimed by one loss lot of an earlier sale."""

    quantity: Decimal  # shares of the buy
    disallowed: Decimal
    held_days: int  # the sold part's holding period, carried over
    match: int  # index of its WashMatch, whose replacement_lot_id is filled in at the buy


@dataclasses.dataclass
class _State:
    accounts: Mapping[str, Account]
    default_method: LotMethod
    identity: Callable[[str], tuple[str, str]]
    events: list[Transaction]
    same_sale: bool
    parts: list[_Part] = dataclasses.field(default_factory=list)
    taken_ids: dict[str, set[str]] = dataclasses.field(default_factory=dict)
    dispositions: list[Disposition] = dataclasses.field(default_factory=list)
    matches: list[WashMatch] = dataclasses.field(default_factory=list)
    claims: dict[int, list[_Claim]] = dataclasses.field(default_factory=dict)

    def taxable(self, account_id: str) -> bool:
        return self.accounts[account_id].treatment is TaxTreatment.TAXABLE

    def split_factor(self, symbol: str, after: int, before: int) -> Fraction:
        """Splits of ``symbol`` strictly between two events (rows of several accounts
        on one date and ratio are one split)."""
        factor = Fraction(1)
        seen: set[tuple[dt.date, tuple[Decimal, Decimal] | None, int]] = set()
        rows: dict[tuple[dt.date, tuple[Decimal, Decimal] | None, str], int] = {}
        for k, event in enumerate(self.events):
            if event.action is not Action.SPLIT or event.symbol != symbol:
                continue
            # The k-th split row of each account on one date and ratio is one split.
            row = (event.date, event.ratio, event.account_id)
            rows[row] = rows.get(row, 0) + 1
            key = (event.date, event.ratio, rows[row])
            if key in seen:
                continue
            seen.add(key)
            if after < k < before:
                assert event.ratio is not None
                factor *= Fraction(event.ratio[0]) / Fraction(event.ratio[1])
        return factor


def reference_replay(
    transactions: Sequence[Transaction],
    accounts: Mapping[str, Account] | Sequence[Account],
    identical_group: Mapping[str, str] | None = None,
    default_method: LotMethod = LotMethod.FIFO,
    opening_lots: Sequence[Lot] = (),
    *,
    same_sale_replacement: bool = False,
) -> Ledger:
    """Replay a household's history the naive way (same contract as ``replay``)."""
    if not isinstance(accounts, Mapping):
        accounts = {account.account_id: account for account in accounts}
    groups = identical_group or {}
    events_only = [txn for _, txn in sorted(enumerate(transactions), key=lambda p: p[1].date)]
    aliases: dict[str, str] = {}
    for txn in events_only:
        if txn.action is Action.SYMBOL_CHANGE and txn.new_symbol not in groups:
            assert txn.new_symbol is not None
            aliases.setdefault(txn.new_symbol, txn.symbol)

    def identity(symbol: str) -> tuple[str, str]:
        if symbol in groups:
            return ("group", groups[symbol])
        if symbol in aliases:
            return identity(aliases[symbol])
        return ("symbol", symbol)

    st = _State(accounts, default_method, identity, events_only, same_sale_replacement)
    st.taken_ids = {account_id: set() for account_id in accounts}

    opening = sorted(enumerate(opening_lots), key=lambda pair: pair[1].purchased)
    for k, (_, lot) in enumerate(opening):
        st.taken_ids[lot.account_id].add(lot.lot_id)
        st.parts.append(
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
                replacement=lot.wash_sale_adjustment > 0
                or lot.acquired < lot.purchased
                or lot.loss_basis is not None
                or lot.inherited,
                loss_basis=lot.loss_basis,
                inherited=lot.inherited,
            )
        )

    for position, txn in enumerate(events_only):
        action = txn.action
        if action in (Action.BUY, Action.REINVEST, Action.GIFT_RECEIVED, Action.INHERITED):
            lot_id = txn.lot_id
            if lot_id is None:
                n = 1
                while f"{txn.symbol}-{txn.date.isoformat()}-{n}" in st.taken_ids[txn.account_id]:
                    n += 1
                lot_id = f"{txn.symbol}-{txn.date.isoformat()}-{n}"
            if lot_id in st.taken_ids[txn.account_id]:
                raise InputError(f"duplicate lot id {lot_id!r}", field="lot_id")
            st.taken_ids[txn.account_id].add(lot_id)
            if action in (Action.BUY, Action.REINVEST):
                _buy(st, txn, lot_id, (1, position), st.claims.get(position, []))
            else:
                _receive(st, txn, lot_id, (1, position))
        elif action is Action.SELL:
            _sell(st, txn, position, None, None)
        elif action is Action.TRANSFER:
            _transfer(st, txn)
        else:
            _corporate(st, txn, position)

    account_order = {account_id: index for index, account_id in enumerate(accounts)}
    st.parts.sort(key=lambda part: (account_order[part.account_id], part.order, part.path))
    return Ledger(
        dispositions=tuple(st.dispositions),
        lots=tuple(part.lot() for part in st.parts),
        matches=tuple(st.matches),
    )


def _buy(
    st: _State, txn: Transaction, lot_id: str, order: tuple[int, int], claims: list[_Claim]
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
        if st.taxable(txn.account_id):
            basis += claim.disallowed
            adjustment = claim.disallowed
            acquired = txn.date - dt.timedelta(days=claim.held_days)
        st.parts.append(
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
        st.matches[claim.match] = attrs.evolve(st.matches[claim.match], replacement_lot_id=part_id)
    if remaining_quantity > 0:
        path: tuple[int, ...] = (len(claims) + 1,) if claims else ()
        st.parts.append(
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


def _receive(st: _State, txn: Transaction, lot_id: str, order: tuple[int, int]) -> None:
    """A gift (donor's basis and date; fair value for a loss when lower) or an inheritance."""
    assert txn.fmv is not None
    if txn.action is Action.GIFT_RECEIVED:
        assert txn.donor_basis is not None and txn.donor_acquired is not None
        basis, acquired = txn.donor_basis, txn.donor_acquired
        loss_basis = txn.fmv if txn.fmv < txn.donor_basis else None
    else:
        basis, acquired, loss_basis = txn.fmv, txn.date, None
    st.parts.append(
        _Part(
            account_id=txn.account_id,
            symbol=txn.symbol,
            lot_id=lot_id,
            quantity=txn.quantity,
            cost_basis=basis,
            purchased=txn.date,
            acquired=acquired,
            adjustment=ZERO,
            order=order,
            path=(),
            replacement=True,
            loss_basis=loss_basis,
            inherited=txn.action is Action.INHERITED,
        )
    )


def _held(st: _State, account_id: str, symbol: str) -> list[_Part]:
    return [p for p in st.parts if p.account_id == account_id and p.symbol == symbol]


def _method(st: _State, txn: Transaction) -> LotMethod:
    if txn.lot_id is not None:
        return LotMethod.SPECIFIC
    account = st.accounts[txn.account_id]
    if account.lot_method:
        return LotMethod.parse(account.lot_method)
    return st.default_method


def _new_id(st: _State, account_id: str, lot_id: str) -> str:
    if lot_id in st.taken_ids[account_id]:
        raise InputError(f"duplicate lot id {lot_id!r}", field="lot_id")
    st.taken_ids[account_id].add(lot_id)
    return lot_id


def _transfer(st: _State, txn: Transaction) -> None:
    """Move parts in kind; a part moved only in part is split ``.1`` (moved) and ``.2``."""
    assert txn.to_account_id is not None
    target = txn.to_account_id
    held = _held(st, txn.account_id, txn.symbol)
    taken = select_lots(held, txn.quantity, _method(st, txn), txn.date, ZERO, txn.lot_id)

    def destination_id(lot_id: str) -> str:
        base = lot_id.split(".")[0]  # the lot a part belongs to
        if lot_id in st.taken_ids[target] or base in st.taken_ids[target]:
            lot_id = f"{txn.account_id}:{lot_id}"
            base = lot_id.split(".")[0]
        lot_id = _new_id(st, target, lot_id)
        st.taken_ids[target].add(base)
        return lot_id

    for part, take in taken:
        if take == part.quantity:
            part.account_id = target
            part.lot_id = destination_id(part.lot_id)
            continue
        basis, rest_basis = split(part.cost_basis, take, part.quantity)
        adjustment, rest_adjustment = split(part.adjustment, take, part.quantity)
        loss, rest_loss = None, None
        if part.loss_basis is not None:
            loss, rest_loss = split(part.loss_basis, take, part.quantity)
        moved = dataclasses.replace(
            part,
            account_id=target,
            lot_id=destination_id(f"{part.lot_id}.1"),
            quantity=take,
            cost_basis=basis,
            adjustment=adjustment,
            loss_basis=loss,
            path=(*part.path, 1),
        )
        part.lot_id = f"{part.lot_id}.2"
        part.quantity -= take
        part.cost_basis = rest_basis
        part.adjustment = rest_adjustment
        part.loss_basis = rest_loss
        part.path = (*part.path, 2)
        st.parts.append(moved)


def _corporate(st: _State, txn: Transaction, position: int) -> None:
    """Split, return of capital, merger, symbol change, spin-off, on each part held."""
    held = sorted(_held(st, txn.account_id, txn.symbol), key=lambda p: (p.order, p.path))
    if not held:
        return
    action = txn.action
    received: list[_Part] = []
    for part in held:
        if action is Action.SPLIT:
            assert txn.ratio is not None
            part.quantity = _scale(part.quantity, *txn.ratio)
            received.append(part)
        elif action is Action.RETURN_OF_CAPITAL:
            assert txn.amount_per_share is not None
            paid = txn.amount_per_share * part.quantity
            if part.loss_basis is not None:
                part.loss_basis = max(part.loss_basis - paid, ZERO)
            if paid > part.cost_basis:
                _row(st, txn, part, part.lot_id, ZERO, paid - part.cost_basis, ZERO,
                     DispositionEvent.RETURN_OF_CAPITAL_EXCESS)  # fmt: skip
                part.cost_basis = ZERO
            else:
                part.cost_basis -= paid
            part.adjustment = min(part.adjustment, part.cost_basis)
        elif action in (Action.MERGER, Action.SYMBOL_CHANGE):
            assert txn.new_symbol is not None and txn.ratio is not None
            new_quantity = _scale(part.quantity, *txn.ratio)
            boot = (txn.cash_per_share or ZERO) * part.quantity
            if boot > 0:
                gain = new_quantity * txn.price + boot - part.cost_basis
                recognized = boot if gain >= boot else max(gain, ZERO)
                _row(st, txn, part, part.lot_id, ZERO, boot, boot - recognized,
                     DispositionEvent.MERGER_BOOT)  # fmt: skip
                part.cost_basis -= boot - recognized
                if part.loss_basis is not None:
                    part.loss_basis = max(part.loss_basis - (boot - recognized), ZERO)
                part.adjustment = min(part.adjustment, part.cost_basis)
            part.quantity = new_quantity
            if st.identity(txn.new_symbol) != st.identity(txn.symbol):
                part.replacement = True
            part.symbol = txn.new_symbol
            received.append(part)
        else:
            assert action is Action.SPINOFF
            assert txn.new_symbol is not None and txn.ratio is not None
            assert txn.basis_fraction is not None

            def keep(amount: Decimal) -> Decimal:
                # The contract: the parent keeps the fraction, rounded half-even to 15
                # places but never more than the amount; a fraction of 1 keeps it all.
                assert txn.basis_fraction is not None
                if txn.basis_fraction == 1:
                    return amount
                kept = (amount * txn.basis_fraction).quantize(
                    Decimal("1e-15"), rounding=ROUND_HALF_EVEN
                )
                return min(kept, amount)

            parent_basis, parent_adjustment = keep(part.cost_basis), keep(part.adjustment)
            child_loss = None
            if part.loss_basis is not None:
                parent_loss = keep(part.loss_basis)
                child_loss = part.loss_basis - parent_loss
                part.loss_basis = parent_loss
            child = dataclasses.replace(
                part,
                symbol=txn.new_symbol,
                lot_id=_new_id(st, part.account_id, f"{part.lot_id}-{txn.new_symbol}"),
                quantity=_scale(part.quantity, *txn.ratio),
                cost_basis=part.cost_basis - parent_basis,
                adjustment=part.adjustment - parent_adjustment,
                loss_basis=child_loss,
                path=(*part.path, CHILD + position),
                replacement=True,
            )
            part.cost_basis, part.adjustment = parent_basis, parent_adjustment
            st.parts.append(child)
            received.append(child)
    if action is not Action.RETURN_OF_CAPITAL and txn.price > 0:
        total = sum((p.quantity for p in received), ZERO)
        fraction = total - int(total)
        if fraction > 0:
            sale = Transaction(
                date=txn.date,
                account_id=txn.account_id,
                symbol=received[0].symbol,
                action=Action.SELL,
                quantity=fraction,
                price=txn.price,
            )
            _sell(st, sale, position, received, DispositionEvent.CASH_IN_LIEU)


def _row(
    st: _State,
    txn: Transaction,
    part: _Part,
    lot_id: str,
    quantity: Decimal,
    proceeds: Decimal,
    basis: Decimal,
    event: DispositionEvent | None,
    acquired: dt.date | None = None,
    adjustment: Decimal = ZERO,
    permanent: Decimal = ZERO,
) -> None:
    acquired = part.acquired if acquired is None else acquired
    st.dispositions.append(
        Disposition(
            sale_date=txn.date,
            account_id=txn.account_id,
            symbol=txn.symbol,
            lot_id=lot_id,
            quantity=quantity,
            acquired=acquired,
            purchased=part.purchased,
            term=Term.LONG if part.inherited else term_of(acquired, txn.date),
            proceeds=proceeds,
            cost_basis=basis,
            adjustment=adjustment,
            permanently_disallowed=permanent,
            reportable=st.taxable(txn.account_id),
            event=event,
            inherited=part.inherited,
        )
    )


@dataclasses.dataclass
class _Relieved:
    """Shares of one part taken by a sale."""

    part: _Part  # a copy of the part as it was before the sale
    quantity: Decimal
    cost_basis: Decimal
    proceeds: Decimal
    acquired: dt.date  # the holding-period start of the basis used


def _sell(
    st: _State,
    txn: Transaction,
    position: int,
    pool: list[_Part] | None,
    event: DispositionEvent | None,
) -> None:
    """Relieve the lots of a sale, then wash its losses."""
    held = _held(st, txn.account_id, txn.symbol) if pool is None else pool
    taken = select_lots(held, txn.quantity, _method(st, txn), txn.date, txn.price, txn.lot_id)
    remaining = [txn.quantity * txn.price - txn.fees, txn.quantity]

    def relieve(part: _Part, take: Decimal) -> _Relieved:
        proceeds, remaining[0] = split(remaining[0], take, remaining[1])
        remaining[1] -= take
        basis, rest_basis = split(part.cost_basis, take, part.quantity)
        _, rest_adjustment = split(part.adjustment, take, part.quantity)
        loss, rest_loss = None, None
        if part.loss_basis is not None:
            loss, rest_loss = split(part.loss_basis, take, part.quantity)
        acquired = part.acquired
        if loss is not None and proceeds < basis:
            if proceeds < loss:
                basis, acquired = loss, part.purchased
            else:
                basis = proceeds
        item = _Relieved(dataclasses.replace(part), take, basis, proceeds, acquired)
        if take == part.quantity:
            st.parts.remove(part)
        else:
            part.quantity -= take
            part.cost_basis = rest_basis
            part.adjustment = rest_adjustment
            part.loss_basis = rest_loss
        return item

    if not st.same_sale:
        # 1. Relief: proceeds split cumulatively over the parts, basis from each part.
        relieved = [relieve(part, take) for part, take in taken]
        assert remaining[1] == 0
        # 2. Wash each loss lot in relief order.
        for item in relieved:
            _wash(st, txn, position, item, event)
        return
    # Each lot its own sale: relieve it and wash it before relieving the next; the parts
    # a lot was split into as a replacement meanwhile are sold in path order.
    for part, take in taken:
        family = sorted(
            (
                p
                for p in st.parts
                if p.account_id == part.account_id
                and p.symbol == part.symbol
                and p.order == part.order
                and p.path[: len(part.path)] == part.path
            ),
            key=lambda p: p.path,
        )
        for member in family:
            if take == 0:
                break
            share = min(take, member.quantity)
            take -= share
            _wash(st, txn, position, relieve(member, share), event)
        assert take == 0


def _wash(
    st: _State, txn: Transaction, position: int, item: _Relieved, event: DispositionEvent | None
) -> None:
    """Find replacement shares for one relieved part at a loss and write its rows."""
    sold = item.part
    chunks: list[tuple[_Part | int, Decimal, Decimal]] = []  # (target, loss shares, its shares)
    if st.taxable(txn.account_id) and money(item.cost_basis - item.proceeds) > 0:
        need = item.quantity
        candidates = sorted(
            (
                p
                for p in st.parts
                if not p.replacement
                and p.order != sold.order
                and st.identity(p.symbol) == st.identity(sold.symbol)
                and p.purchased >= txn.date - WINDOW
            ),
            key=lambda p: (p.order, p.path),
        )
        for candidate in candidates:
            if need == 0:
                break
            share = min(need, candidate.quantity)
            chunks.append((candidate, share, share))
            need -= share
        # Every later event is looked at (no early exit at the window's end): plain
        # and quadratic on purpose, the yardstick of benchmarks/wash_sales.py.
        for later in range(position + 1, len(st.events)):
            if need == 0:
                break
            buy = st.events[later]
            if buy.date > txn.date + WINDOW:
                continue
            if buy.action not in (Action.BUY, Action.REINVEST):
                continue
            if st.identity(buy.symbol) != st.identity(sold.symbol):
                continue
            free = buy.quantity - sum((c.quantity for c in st.claims.get(later, [])), ZERO)
            if free <= 0:
                continue
            factor = st.split_factor(buy.symbol, position, later)
            if factor == 1:
                share = shares = min(need, free)
            else:
                shares = _scale(need, Decimal(factor.numerator), Decimal(factor.denominator))
                share = need
                if shares > free:
                    shares = free
                    share = min(
                        need, _scale(free, Decimal(factor.denominator), Decimal(factor.numerator))
                    )
            chunks.append((later, share, shares))
            need -= share

    washed = sum((share for _, share, _ in chunks), ZERO)
    if washed == 0:
        _row(st, txn, sold, sold.lot_id, item.quantity, item.proceeds, item.cost_basis, event,
             item.acquired)  # fmt: skip
        return

    partly = washed < item.quantity
    washed_id = f"{sold.lot_id}.1" if partly else sold.lot_id
    washed_basis, rest_basis = split(item.cost_basis, washed, item.quantity)
    washed_proceeds, rest_proceeds = split(item.proceeds, washed, item.quantity)
    disallowed = washed_basis - washed_proceeds
    if money(disallowed) <= 0:  # the washed shares' loss rounds to $0.00: no loss
        _row(st, txn, sold, sold.lot_id, item.quantity, item.proceeds, item.cost_basis, event,
             item.acquired)  # fmt: skip
        return
    held_days = (txn.date - item.acquired).days

    # 3. The disallowed loss over the replacement chunks, cumulatively.
    permanent_total = ZERO
    remaining_disallowed = disallowed
    remaining_washed = washed
    for target, share, shares in chunks:
        amount, remaining_disallowed = split(remaining_disallowed, share, remaining_washed)
        remaining_washed -= share
        if isinstance(target, int):
            buy = st.events[target]
            permanent = not st.taxable(buy.account_id)
            st.claims.setdefault(target, []).append(
                _Claim(shares, amount, held_days, len(st.matches))
            )
            replacement = (buy.account_id, buy.symbol, "?", buy.date)
        else:
            permanent = not st.taxable(target.account_id)
            matched = target
            if shares < target.quantity:
                matched = _split_part(st.parts, target, shares)
            matched.replacement = True
            if not permanent:
                matched.cost_basis += amount
                matched.adjustment += amount
                matched.acquired -= dt.timedelta(days=held_days)
            replacement = (matched.account_id, matched.symbol, matched.lot_id, matched.purchased)
        if permanent:
            permanent_total += amount
        st.matches.append(
            WashMatch(
                sale_date=txn.date,
                account_id=txn.account_id,
                symbol=txn.symbol,
                lot_id=sold.lot_id,
                quantity=shares,
                replacement_account_id=replacement[0],
                replacement_symbol=replacement[1],
                replacement_lot_id=replacement[2],
                replacement_purchased=replacement[3],
                disallowed=amount,
                permanent=permanent,
            )
        )

    _row(st, txn, sold, washed_id, washed, washed_proceeds, washed_basis, event, item.acquired,
         disallowed, permanent_total)  # fmt: skip
    if partly:
        _row(st, txn, sold, f"{sold.lot_id}.2", item.quantity - washed, rest_proceeds,
             rest_basis, event, item.acquired)  # fmt: skip


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
