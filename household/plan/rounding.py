"""From the optimiser's floats to exact share counts: whole shares, dust, minimum trade, cash.

The integer program already chooses whole shares (unless the household
allows fractions), so rounding is mostly reading its answer back exactly:

* whole shares: each quantity is the nearest integer of the solver's value
  (HiGHS returns integers to within 1e-9);
* fractional shares: sales to 6 decimals (half-even), never more than the lot
  holds, a lot sold within one step of its size sold whole; buys rounded down to
  6 decimals;
* a ticket under one cent of notional is dust and dropped; one under the
  minimum trade is dropped and logged;
* cash: each account's cash after the plan, recomputed exactly, must not fall
  below what the optimiser allowed; where float error would overdraw it by a
  step, the largest buy is cut by one step (logged).

Example: the solver's 41.99999999 shares of VXUS in an account without
fractions is 42; with fractions, 12.3456789 shares sold of a 12.3456792-share
lot is the whole lot.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import ROUND_CEILING, ROUND_DOWN, ROUND_HALF_EVEN, Decimal

import attrs

from household.model import Household
from household.plan.costs import CostModel, commission
from household.plan.notes import Note, NoteCode, Stage
from household.plan.optimise import Decision, Inputs
from household.plan.snapshot import Snapshot
from lots.numbers import CENT, ONE, QUANTITY_STEP, ZERO


@attrs.frozen
class Quantities:
    """Exact quantities of a plan.

    Attributes:
        tickets: ``(account_id, symbol, side) -> shares`` (positive).
        lots: ``(account_id, lot_id) -> shares`` sold (taxable lots).
        washed: ``(account_id, lot_id) -> how much of its sale the optimiser charged as
            washed``: 2 the whole sale, 1 a part, absent none (the sale order,
            :func:`household.plan.blotter.sale_order`, washes those lots first).
    """

    tickets: Mapping[tuple[str, str, str], Decimal]
    lots: Mapping[tuple[str, str], Decimal]
    washed: Mapping[tuple[str, str], int] = attrs.field(factory=dict)


def _exact(value: float, whole: bool, down: bool = False) -> Decimal:
    if whole:
        return Decimal(round(value))
    step = QUANTITY_STEP
    amount = Decimal(repr(max(0.0, value)))
    return amount.quantize(step, rounding=ROUND_DOWN if down else ROUND_HALF_EVEN)


def settle(
    household: Household,
    snapshot: Snapshot,
    inputs: Inputs,
    decision: Decision,
    costs: CostModel,
) -> tuple[Quantities, tuple[Note, ...]]:
    """Exact quantities from the decision (see the module docstring)."""
    notes: list[Note] = []
    whole = inputs.whole
    lots: dict[tuple[str, str], Decimal] = {}
    held = {(lot.account_id, lot.lot_id): lot for lot in household.lots}
    for key, value in decision.lots.items():
        lot = held[key]
        shares = _exact(value, whole)
        if not whole and lot.quantity - shares <= QUANTITY_STEP:
            shares = lot.quantity if shares > 0 else shares
        shares = min(shares, lot.quantity)
        if shares > 0:
            lots[key] = shares
    tickets: dict[tuple[str, str, str], Decimal] = {}
    # A tax-advantaged account never both buys and sells one security: net them.
    netted = dict(decision.tickets)
    for ticket in inputs.tickets:
        if ticket.side != "sell" or ticket.taxable:
            continue
        buy_key = (ticket.account_id, ticket.symbol, "buy")
        sell_key = (ticket.account_id, ticket.symbol, "sell")
        both = min(netted.get(buy_key, 0.0), netted.get(sell_key, 0.0))
        if both > 0:
            netted[buy_key] -= both
            netted[sell_key] -= both
    by_symbol = {}
    for lot in household.lots:
        by_symbol[(lot.account_id, lot.lot_id)] = lot.symbol
    taxable_sells: dict[tuple[str, str], Decimal] = {}
    for (account_id, lot_id), shares in lots.items():
        key = (account_id, by_symbol[(account_id, lot_id)])
        taxable_sells[key] = taxable_sells.get(key, ZERO) + shares
    for ticket in inputs.tickets:
        key = (ticket.account_id, ticket.symbol, ticket.side)
        if ticket.side == "sell" and ticket.taxable:
            shares = taxable_sells.get((ticket.account_id, ticket.symbol), ZERO)
        else:
            shares = _exact(netted.get(key, 0.0), whole, down=ticket.side == "buy")
            if ticket.side == "sell":
                position = sum(
                    (
                        lot.quantity
                        for lot in household.lots_in(ticket.account_id)
                        if lot.symbol == ticket.symbol
                    ),
                    ZERO,
                )
                if not whole and position - shares <= QUANTITY_STEP:
                    shares = position if shares > 0 else shares
                shares = min(shares, position)
        if shares <= 0:
            continue
        price = household.securities[ticket.symbol].price
        assert price is not None
        if shares * price < CENT:
            continue
        if shares * price < household.constraints.min_trade:
            notes.append(
                Note(
                    Stage.ROUNDING,
                    NoteCode.BELOW_MIN_TRADE,
                    f"{ticket.side} of {shares} shares (${shares * price:.2f}) below the "
                    f"minimum trade of ${household.constraints.min_trade}: not traded",
                    ticket.account_id,
                    ticket.symbol,
                    ticket.asset_class,
                )
            )
            if ticket.side == "sell" and ticket.taxable:
                for lot_key in [
                    k for k in lots if k[0] == ticket.account_id and by_symbol[k] == ticket.symbol
                ]:
                    del lots[lot_key]
            continue
        tickets[key] = shares
    # cash: float error must not overdraw an account
    step = ONE if whole else QUANTITY_STEP
    for account in snapshot.accounts:
        a = account.account_id
        while True:
            mine = {k: q for k, q in tickets.items() if k[0] == a}
            cash = account.cash
            for (_, symbol, side), shares in mine.items():
                price = household.securities[symbol].price
                assert price is not None
                notional = shares * price
                cash += notional if side == "sell" else -notional
                cash -= commission(costs, shares)
            floor = min(account.reserve, account.cash)
            if cash >= floor:
                break
            buys = [
                (q * (household.securities[k[1]].price or ZERO), k)
                for k, q in mine.items()
                if k[2] == "buy"
            ]
            if not buys:
                break
            _, largest = max(buys)
            price = household.securities[largest[1]].price or ONE
            short = floor - cash
            cut = (short / (price + costs.commission_per_share) / step).to_integral_value(
                rounding=ROUND_CEILING
            ) * step
            cut = min(cut, tickets[largest])
            tickets[largest] -= cut
            notes.append(
                Note(
                    Stage.ROUNDING,
                    NoteCode.ROUNDED,
                    f"buy cut by {cut} shares to keep cash at the reserve after rounding",
                    a,
                    largest[1],
                )
            )
            if tickets[largest] <= 0:
                del tickets[largest]
    # a buy cut below the minimum trade goes (it only frees cash)
    for key in [k for k in tickets if k[2] == "buy"]:
        price = household.securities[key[1]].price or ZERO
        if tickets[key] * price < household.constraints.min_trade:
            notes.append(
                Note(
                    Stage.ROUNDING,
                    NoteCode.BELOW_MIN_TRADE,
                    f"buy of {tickets[key]} shares fell below the minimum trade after "
                    "rounding: not traded",
                    key[0],
                    key[1],
                )
            )
            del tickets[key]
    washed = {}
    for key, shares in decision.washed.items():
        sold = decision.lots.get(key, 0.0)
        if key in lots and shares > 1e-6:
            washed[key] = 2 if shares >= sold - 1e-6 else 1
    return Quantities(tickets, lots, washed), tuple(notes)
