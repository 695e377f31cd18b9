"""Tax-loss harvesting: sell taxable lots at a loss and buy a substitute, allocation unchanged.

A lot qualifies when its unrealised loss passes both thresholds of the
household file: at least ``min_loss_dollars`` and at least
``min_loss_percent`` of its basis. For each symbol with qualifying lots in a
taxable account the plan sells exactly those lots (specific identification)
and buys, in the same account and for the same dollars, the best available
substitute: the first of the security's ranked ``substitutes`` that is in the
same asset class, priced, not restricted, not substantially identical to it,
and whose purchase would not wash another loss (its group sold within the last
30 days, or at a loss in this plan). The allocation does not change.

A symbol is skipped, and the reason logged, when

* its sale would be washed: a substantially identical symbol was bought in any
  household account in the 30 days before (an IRA's reinvested dividend
  counts; the loss would be disallowed, permanently if the buyer is an IRA);
* no substitute is available (selling without one would change the allocation);
* it is on the no-sell list, restricted, or unpriced.

Worked example: 100 shares of VTI bought at $300 ($30,000 basis), now $250:
the loss is $5,000 (16.7% of basis), past thresholds of $1,000 and 5%. Held
short-term at a 37% + 5% rate, harvesting it saves 5,000 * 0.42 = $2,100 of tax
this year. The plan sells 100 VTI and buys $25,000 of the substitute ITOT; VTI
can be bought back safely from the 31st day after the sale.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import attrs

from household.model import Household
from household.plan import Plan, account_targets, finish, policy_of
from household.plan import _drift as drift_of
from household.snapshot import take
from household.taxoverlay import LotSale, lot_sale
from household.trades import WASH_WINDOW_DAYS, Book
from lots.numbers import ZERO
from lots.records import TaxTreatment, Term

#: Buying back the sold symbol is safe from this many days after the sale.
SAFE_AFTER_DAYS = WASH_WINDOW_DAYS + 1


@attrs.frozen
class HarvestLine:
    """One harvested symbol in one account.

    Attributes:
        account_id: the taxable account.
        symbol: the symbol sold.
        substitute: the symbol bought instead.
        short_loss: short-term loss realised (negative).
        long_loss: long-term loss realised (negative).
        tax_saving: estimated tax saved (positive).
        safe_to_rebuy: first date on which buying ``symbol`` back washes nothing.
    """

    account_id: str
    symbol: str
    substitute: str
    short_loss: Decimal
    long_loss: Decimal
    tax_saving: Decimal
    safe_to_rebuy: dt.date


def qualifies(sale: LotSale, min_dollars: Decimal, min_fraction: Decimal) -> bool:
    """Whether a whole-lot sale's loss passes both thresholds."""
    loss = -sale.gain
    if loss <= 0 or loss < min_dollars:
        return False
    return sale.basis > 0 and loss / sale.basis >= min_fraction


def harvest(household: Household, as_of: dt.date) -> Plan:
    """Plan the household's tax-loss harvest on ``as_of``.

    Args:
        household: the household.
        as_of: the trade date.

    Returns:
        A :class:`household.plan.Plan` of kind ``harvest``; its ``harvest``
        lines say what was harvested and when each symbol may be bought back.
    """
    snapshot = take(household, as_of)
    before = drift_of(household, snapshot.class_values(), snapshot.managed)
    location = account_targets(household, snapshot)
    book = Book(household, snapshot, policy_of(household, as_of))
    settings = household.harvest
    lines: list[HarvestLine] = []
    for account in snapshot.accounts:
        if account.treatment is not TaxTreatment.TAXABLE:
            continue
        for holding in account.holdings:
            line = _harvest_holding(book, account.account_id, holding.symbol, settings)
            if line is not None:
                lines.append(line)
    plan = finish(household, snapshot, before, location, book, "harvest", "harvest", {})
    return attrs.evolve(plan, harvest=tuple(lines))


def _harvest_holding(
    book: Book, account_id: str, symbol: str, settings: object
) -> HarvestLine | None:
    household = book.household
    key = (account_id, symbol)
    lots = [lot for lot in book.lots.get(key, []) if not lot.lot_id.startswith("plan-")]
    security = household.securities.get(symbol)
    if not lots or security is None or security.price is None or key in book.frozen:
        return None
    price = security.price
    sales = [
        lot_sale(lot, lot.quantity, price, book.as_of, True, book.policy.rates) for lot in lots
    ]
    min_dollars = household.harvest.min_loss_dollars
    min_fraction = household.harvest.min_loss_percent
    chosen = [sale for sale in sales if qualifies(sale, min_dollars, min_fraction)]
    if not chosen:
        return None
    if symbol in book.policy.no_sell:
        book.note(
            "harvest", "no_sell", "loss not harvested: on the no-sell list", account_id, symbol
        )
        return None
    washed = [sale for sale in chosen if book.washed_loss(symbol, sale.lot)]
    if washed:
        book.note(
            "harvest",
            "harvest_washed",
            f"loss not harvested: {book.wash_reason(symbol)}; the sale would be a wash sale",
            account_id,
            symbol,
        )
        return None
    substitute = _substitute(book, account_id, symbol)
    if substitute is None:
        book.note(
            "harvest",
            "no_substitute",
            "loss not harvested: no substitute may be bought (allocation would change)",
            account_id,
            symbol,
        )
        return None
    why_not = _cannot_swap(book, account_id, substitute, chosen)
    if why_not:
        book.note(
            "harvest", "swap_not_possible", f"loss not harvested: {why_not}", account_id, symbol
        )
        return None
    trade = book.record_sale(account_id, symbol, chosen, "harvest")
    bought = book.buy_symbol(account_id, substitute, trade.notional, "harvest")
    if bought == 0:
        book.note(
            "harvest",
            "substitute_not_bought",
            f"substitute {substitute} could not be bought (cash, cap or minimum trade)",
            account_id,
            substitute,
        )
    short_loss = sum((s.gain for s in chosen if s.term is Term.SHORT), ZERO)
    long_loss = sum((s.gain for s in chosen if s.term is Term.LONG), ZERO)
    return HarvestLine(
        account_id=account_id,
        symbol=symbol,
        substitute=substitute,
        short_loss=short_loss,
        long_loss=long_loss,
        tax_saving=-sum((s.tax for s in chosen), ZERO),
        safe_to_rebuy=book.as_of + dt.timedelta(days=SAFE_AFTER_DAYS),
    )


def _cannot_swap(book: Book, account_id: str, substitute: str, sales: list[LotSale]) -> str:
    """Why the sale and the substitute purchase could not both be made in full (or ``""``)."""
    notional = sum((sale.proceeds for sale in sales), ZERO)
    shares = sum((sale.quantity for sale in sales), ZERO)
    policy = book.policy
    if notional < policy.min_trade:
        return f"${notional:.2f} is below the minimum trade of ${policy.min_trade}"
    room = book._cap_room(substitute)
    if room is not None and room < notional:
        return f"substitute {substitute} would pass its weight cap"
    price = book.household.securities[substitute].price
    assert price is not None
    if not policy.fractional and notional < price:
        return f"${notional:.2f} buys less than one share of substitute {substitute}"
    costs = policy.costs
    commissions = 2 * costs.commission_per_trade + costs.commission_per_share * (
        shares + notional / price + 1
    )
    if book.investable(account_id) < commissions:
        return "the account's cash is below its reserve (a withdrawal is pending)"
    # The substitute buy as Book.buy_symbol will size it, with both commissions
    # charged in full (a merged ticket only charges less): the swap is made only
    # when that buy clears the minimum trade, so a harvest never leaves the sale alone.
    cash = (
        book.investable(account_id)
        + notional
        - (costs.commission_per_trade + costs.commission_per_share * shares)
        - costs.commission_per_trade
    )
    cash_shares = cash / (price + costs.commission_per_share) if cash > 0 else ZERO
    bought = book.round_shares(min(notional / price, cash_shares)) * price
    if bought <= 0 or bought < policy.min_trade:
        return (
            f"the substitute buy of {substitute} (${bought:.2f} after rounding and "
            f"commissions) is below the minimum trade of ${policy.min_trade}"
        )
    return ""


def _substitute(book: Book, account_id: str, symbol: str) -> str | None:
    household = book.household
    security = household.securities[symbol]
    for candidate in security.substitutes:
        other = household.securities.get(candidate)
        if other is None or other.asset_class != security.asset_class or other.price is None:
            continue
        if book.group(candidate) == book.group(symbol):
            book.note(
                "harvest",
                "substitute_identical",
                f"substitute {candidate} is substantially identical to {symbol}: skipped",
                account_id,
                candidate,
            )
            continue
        why = book.buy_blocked(candidate)
        if why:
            book.note(
                "harvest",
                "blocked_buy",
                f"substitute {candidate} for {symbol} blocked: {why}",
                account_id,
                candidate,
            )
            continue
        if not household.account(account_id).offers(other.asset_class):
            continue
        return candidate
    return None
