"""The blotter: tickets, their lots, block lines, limit orders, and the plan replayed.

* **One ticket per account, security and side.** A sale lists every lot it
  relieves once (``lots_sold`` = ``LOT:QUANTITY;...``), losses first, the
  smallest loss per share first (so a wash sale, which matches loss shares in
  sale order, takes the cheapest ones: the order the optimiser charged).
* **Block lines.** Where several accounts trade one security on one side, one
  block order for the total, allocated back per account.
* **Limit orders.** Where a security's half spread exceeds ``limit_order_bps``
  a limit price is suggested: the price plus the half spread for a buy, less
  it for a sale (rounded to the cent, in the trade's favour).
* **The replay.** The plan's sales (one per lot, by specific identification)
  and buys go through :func:`lots.washsale.replay` after the household's
  history, then the scheduled buys (:func:`household.plan.exposure.replay_plan`);
  its dispositions give each lot's reported gain and wash-sale adjustment, and
  :mod:`lots.netting` the tax.

Worked example: the demo's 403(b) and Roth both buying VTPSX would be one
block of their total; VCADX, with a 0 bps spread, needs no limit; CMF at 3 bps
needs none at the 5 bps threshold.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal

from household.model import Household
from household.plan.costs import CostModel, trade_cost
from household.plan.exposure import Exposure, group_of
from household.plan.exposure import replay_plan as replay_history
from household.plan.notes import Note, NoteCode, Stage
from household.plan.records import BlockLine, SoldLot, Trade
from household.plan.rounding import Quantities
from household.plan.taxfacts import TaxFacts
from lots.netting import pieces
from lots.numbers import CENT, ZERO, split
from lots.records import Action, Disposition, TaxTreatment, Term, Transaction
from lots.terms import term_of
from lots.washsale import WINDOW

BPS = Decimal(10_000)


def sale_order(
    household: Household, quantities: Quantities, as_of: dt.date
) -> list[tuple[str, str]]:
    """The taxable lots sold, in the order the replay sells them.

    Lots bought in the last 30 days first, those at a gain before those at a
    loss (sold before the older loss sales, their shares sold no longer replace
    them), then the older losses: first those the optimiser charged as washed
    wholly, then the one it charged in part (``quantities.washed``: the replay
    matches replacement shares to loss sales in sale order, so it washes what
    the optimiser charged), then the others, smallest loss a share first; then
    gains; ties by account and lot id. The optimiser's wash rows
    (``household.plan.optimise._wash_rows``) pool the older losses: which of them
    is washed is the optimiser's choice (the cheapest in tax: a long-term loss
    before a short-term one of a little less a share), and this order follows it.
    """
    held = {(lot.account_id, lot.lot_id): lot for lot in household.lots}
    recent = as_of - WINDOW

    def key(item: tuple[str, str]) -> tuple[int, int, Decimal, str, str]:
        lot = held[item]
        price = household.securities[lot.symbol].price or ZERO
        per_share = price - lot.cost_basis / lot.quantity
        fresh = lot.purchased >= recent
        rank = (0 if per_share >= 0 else 1) if fresh else (2 if per_share < 0 else 3)
        washed = -quantities.washed.get(item, 0) if rank == 2 else 0
        return (rank, washed, abs(per_share), item[0], item[1])

    return sorted(quantities.lots, key=key)


def transactions(household: Household, quantities: Quantities, as_of: dt.date) -> list[Transaction]:
    """The plan as ledger transactions: taxable lot sales (:func:`sale_order`), others, buys."""
    held = {(lot.account_id, lot.lot_id): lot for lot in household.lots}
    result = []
    for account_id, lot_id in sale_order(household, quantities, as_of):
        lot = held[(account_id, lot_id)]
        price = household.securities[lot.symbol].price
        assert price is not None
        result.append(
            Transaction(
                date=as_of,
                account_id=account_id,
                symbol=lot.symbol,
                action=Action.SELL,
                quantity=quantities.lots[(account_id, lot_id)],
                price=price,
                lot_id=lot_id,
            )
        )
    treatment = {a.account_id: a.treatment for a in household.accounts}
    for (account_id, symbol, side), shares in sorted(quantities.tickets.items()):
        if side != "sell" or treatment[account_id] is TaxTreatment.TAXABLE:
            continue
        price = household.securities[symbol].price
        assert price is not None
        result.append(Transaction(as_of, account_id, symbol, Action.SELL, shares, price))
    for index, ((account_id, symbol, side), shares) in enumerate(
        sorted(quantities.tickets.items())
    ):
        if side != "buy":
            continue
        price = household.securities[symbol].price
        assert price is not None
        result.append(
            Transaction(
                as_of, account_id, symbol, Action.BUY, shares, price, lot_id=f"plan-{index + 1}"
            )
        )
    return result


def replay_plan(
    household: Household, quantities: Quantities, exposure: Exposure, as_of: dt.date
) -> tuple[Disposition, ...]:
    """The plan replayed after the household's history (``exposure.replay_plan``)."""
    return replay_history(household, transactions(household, quantities, as_of), as_of)


def gains(dispositions: Sequence[Disposition]) -> tuple[Decimal, Decimal]:
    """The plan's reported short- and long-term gains (taxable dispositions, washes included)."""
    short = sum((d.gain for d in dispositions if d.reportable and d.term is Term.SHORT), ZERO)
    long = sum((d.gain for d in dispositions if d.reportable and d.term is Term.LONG), ZERO)
    return short, long


def marginal_rates(facts: TaxFacts, short: Decimal, long: Decimal) -> tuple[Decimal, Decimal]:
    """The netted tax's slopes in (short, long) at the plan's gains (the piece containing them)."""
    for piece in pieces(facts.year_to_date, facts.rates):
        if piece.contains(short, long):
            return piece.tax.short, piece.tax.long
    return facts.rates.short_term, facts.rates.long_term


def build(
    household: Household,
    quantities: Quantities,
    dispositions: Sequence[Disposition],
    costs: CostModel,
    facts: TaxFacts,
    as_of: dt.date,
    reason: str,
    limit_order_bps: Decimal,
) -> tuple[tuple[Trade, ...], tuple[BlockLine, ...], tuple[Note, ...]]:
    """The tickets, block lines and notes of a plan."""
    notes: list[Note] = []
    held = {(lot.account_id, lot.lot_id): lot for lot in household.lots}
    treatment = {a.account_id: a.treatment for a in household.accounts}
    disallowed: dict[tuple[str, str], Decimal] = {}
    for d in dispositions:
        base_id = d.lot_id
        for key in ((d.account_id, d.lot_id), (d.account_id, d.lot_id.rsplit(".", 1)[0])):
            if key in held:
                base_id = key[1]
                break
        key = (d.account_id, base_id)
        disallowed[key] = disallowed.get(key, ZERO) + d.adjustment
    short, long = gains(dispositions)
    rate_short, rate_long = marginal_rates(facts, short, long)
    order = {key: i for i, key in enumerate(sale_order(household, quantities, as_of))}
    trades = []
    for (account_id, symbol, side), shares in sorted(
        quantities.tickets.items(), key=lambda item: (item[0][2] == "buy", item[0])
    ):
        security = household.securities[symbol]
        price = security.price
        assert price is not None
        sold: list[SoldLot] = []
        taxable = treatment[account_id] is TaxTreatment.TAXABLE
        if side == "sell" and taxable:
            keys = sorted(
                (k for k in quantities.lots if k[0] == account_id and held[k].symbol == symbol),
                key=lambda k: order[k],
            )
            for key in keys:
                lot = held[key]
                q = quantities.lots[key]
                basis, _ = split(lot.cost_basis, q, lot.quantity)
                term = term_of(lot.acquired, as_of)
                extra = disallowed.get(key, ZERO)
                gain = q * price - basis + extra
                rate = rate_short if term is Term.SHORT else rate_long
                sold.append(SoldLot(lot, q, price, True, basis, term, extra, gain * rate))
        elif side == "sell":
            # a tax-advantaged sale relieves lots first in, first out (no tax either way)
            left = shares
            for lot in household.lots_in(account_id):
                if lot.symbol != symbol or left <= 0:
                    continue
                q = min(left, lot.quantity)
                basis, _ = split(lot.cost_basis, q, lot.quantity)
                sold.append(SoldLot(lot, q, price, False, basis, term_of(lot.acquired, as_of)))
                left -= q
        half_spread = costs.spread_bps(symbol)
        limit = None
        if half_spread > limit_order_bps:
            if side == "buy":
                limit = (price * (1 + half_spread / BPS)).quantize(CENT, rounding=ROUND_CEILING)
            else:
                limit = (price * (1 - half_spread / BPS)).quantize(CENT, rounding=ROUND_FLOOR)
            notes.append(
                Note(
                    Stage.BLOTTER,
                    NoteCode.LIMIT_ORDER,
                    f"half spread {half_spread} bps above {limit_order_bps} bps: "
                    f"limit order at {limit}",
                    account_id,
                    symbol,
                )
            )
        trades.append(
            Trade(
                account_id=account_id,
                symbol=symbol,
                asset_class=security.asset_class,
                action=Action(side),
                quantity=shares,
                price=price,
                reason=reason,
                lots=tuple(sold),
                cost=trade_cost(costs, symbol, shares, price),
                limit_price=limit,
            )
        )
    blocks = []
    by_line: dict[tuple[str, Action], list[Trade]] = {}
    for trade in trades:
        by_line.setdefault((trade.symbol, trade.action), []).append(trade)
    for (symbol, action), members in sorted(
        by_line.items(), key=lambda i: (i[0][0], i[0][1].value)
    ):
        if len(members) < 2:
            continue
        total = sum((t.quantity for t in members), ZERO)
        blocks.append(
            BlockLine(symbol, action, total, tuple((t.account_id, t.quantity) for t in members))
        )
        notes.append(
            Note(
                Stage.BLOTTER,
                NoteCode.BLOCK_TRADE,
                f"{len(members)} accounts {action.value} {symbol}: one block of {total} shares",
                symbol=symbol,
            )
        )
    return tuple(trades), tuple(blocks), tuple(notes)


def group_of_symbol(household: Household) -> Mapping[str, str]:
    """Symbol -> identical group, for the checks."""
    return {s: group_of(household, s) for s in household.securities}
