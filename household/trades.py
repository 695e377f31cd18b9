"""From drift to a blotter: the trades that bring a household back to its targets.

The trade generator works in two passes over a working copy of the household's
accounts (cash and open lots), and every decision it takes that leaves drift in
place is written to the exception log.

1. **Cash flows first.** Pending contributions (and any cash above an
   account's reserve) buy the most underweight classes, largest dollar
   shortfall first; withdrawals (cash below the reserve) sell the most
   overweight classes, loss lots first, then gains (a withdrawal must be met, so
   the tax overlay's deferral does not apply to it). Tax-advantaged accounts go
   first, where trading costs no tax.
2. **Rebalance.** If a class still breaches its inner band, every class moves
   a fraction ``λ`` of the way from where it is to its target: ``λ = 1`` is a
   full rebalance, and the *band-edge* rebalance takes the smallest ``λ`` that
   brings the worst class to its inner band edge, ``λ = max_k(1 - w_k / |d_k|)``
   over breaching classes with drift ``d_k`` and inner half-width ``w_k``. (Every
   class's drift shrinks by the same factor ``1 - λ``, so all end up inside.)
   The household dollars per class are then moved inside accounts, exempt and
   deferred accounts first and taxable last; a first round follows the per
   account targets of the location program (sell where the account holds more
   of a class than its target, buy where less), a second round fills the rest
   wherever it can.

Inside an account a class's dollars become trades in symbols:

* sells take the account's sellable symbols of the class (not restricted, not
  on the no-sell list, priced), lots in the order of the account's lot-relief
  method, each lot judged by the tax overlay (:mod:`household.taxoverlay`) and
  by the wash-sale guard (a loss sale is skipped if a substantially identical
  symbol was bought in the last 30 days or in this plan, in any account);
* buys take the class's symbols: one the account holds, then one the household
  holds, then the rest by symbol; a restricted symbol is never bought, a symbol
  whose group was sold at a loss in the last 30 days or in this plan is blocked
  and its ranked substitutes tried (blocked buy and alternative are logged), and
  the per-security and per-sector caps and the account's cash reserve limit it;
* whole shares unless the household allows fractional shares (buys round down,
  withdrawal sells round up); a trade below the minimum trade size is dropped
  and logged.

Worked example: one IRA worth $100,000, target 60/40, holding $70,000 of stock
and $30,000 of bonds, bands ±5 points: drift +10/-10, both breach; the full
rebalance sells $10,000 of stock and buys $10,000 of bonds; the band-edge
rebalance (λ = 1 - 0.05/0.10 = 0.5) sells $5,000 and buys $5,000.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal

import attrs

from household.costs import CostModel, TradeCost, trade_cost
from household.drift import ClassDrift
from household.model import Household
from household.snapshot import Note, Snapshot
from household.taxoverlay import LotSale, TaxRates, judge, lot_sale, method_of
from lots.numbers import CENT, ONE, ZERO, split
from lots.records import Action, Lot, TaxTreatment
from lots.relief import order_lots

WASH_WINDOW_DAYS = 30
SHARE_STEP = Decimal("0.000001")

#: Account order for moving money: where trading costs no tax first.
TREATMENT_ORDER = {TaxTreatment.EXEMPT: 0, TaxTreatment.DEFERRED: 1, TaxTreatment.TAXABLE: 2}


@attrs.frozen
class Trade:
    """One ticket of the blotter.

    Attributes:
        account_id: the account.
        symbol: the security.
        asset_class: its class.
        action: buy or sell.
        quantity: shares (positive).
        price: price per share.
        reason: ``contribution``, ``withdrawal``, ``rebalance``, ``harvest``.
        lots: for a sell, the lots relieved with their gains and tax.
        cost: commission, spread and impact.
    """

    account_id: str
    symbol: str
    asset_class: str
    action: Action
    quantity: Decimal
    price: Decimal
    reason: str
    lots: tuple[LotSale, ...] = ()
    cost: TradeCost = TradeCost()

    @property
    def notional(self) -> Decimal:
        """``quantity * price``."""
        return self.quantity * self.price

    @property
    def signed_notional(self) -> Decimal:
        """Positive for a buy, negative for a sell."""
        return self.notional if self.action is Action.BUY else -self.notional

    @property
    def cash_change(self) -> Decimal:
        """The account's cash change: ``-notional - commission`` or ``+notional - commission``."""
        return -self.signed_notional - self.cost.commission

    @property
    def short_gain(self) -> Decimal:
        """Short-term gain realised (taxable accounts only)."""
        return sum((sale.short_gain for sale in self.lots), ZERO)

    @property
    def long_gain(self) -> Decimal:
        """Long-term gain realised (taxable accounts only)."""
        return sum((sale.long_gain for sale in self.lots), ZERO)

    @property
    def tax(self) -> Decimal:
        """Estimated tax (negative: a saving)."""
        return sum((sale.tax for sale in self.lots), ZERO)


@attrs.frozen
class Policy:
    """What the generator needs besides the snapshot (built from the household)."""

    as_of: dt.date
    rates: TaxRates
    costs: CostModel
    min_trade: Decimal
    fractional: bool
    no_sell: frozenset[str]
    tax_budget: Decimal | None
    max_security_weight: Decimal | None
    max_sector_weight: Decimal | None


class Book:
    """The working copy of the household a plan is built on (mutable, private to a plan).

    It holds cash and open lots per account, the class values, the trades and
    the notes so far, and the wash-sale memory of the plan: groups sold at a
    loss and groups bought.
    """

    def __init__(self, household: Household, snapshot: Snapshot, policy: Policy) -> None:
        self.household = household
        self.policy = policy
        self.as_of = snapshot.as_of
        self.cash: dict[str, Decimal] = {a.account_id: a.cash for a in snapshot.accounts}
        self.reserve: dict[str, Decimal] = {a.account_id: a.reserve for a in snapshot.accounts}
        self.treatment: dict[str, TaxTreatment] = {
            a.account_id: a.treatment for a in snapshot.accounts
        }
        self.frozen: set[tuple[str, str]] = set()
        self.lots: dict[tuple[str, str], list[Lot]] = {}
        self.class_value: dict[str, dict[str, Decimal]] = {}
        self.symbol_value: dict[str, Decimal] = {}
        for account in snapshot.accounts:
            self.class_value[account.account_id] = account.class_values()
            for holding in account.holdings:
                key = (account.account_id, holding.symbol)
                self.lots[key] = list(holding.lots)
                if holding.frozen:
                    self.frozen.add(key)
                if holding.counted:
                    self.symbol_value[holding.symbol] = (
                        self.symbol_value.get(holding.symbol, ZERO) + holding.value
                    )
        self.managed = snapshot.managed
        self.trades: list[Trade] = []
        self.buys = 0
        self.notes: list[Note] = []
        self._noted: set[Note] = set()
        self.class_total: dict[str, Decimal] = {}
        for per_class in self.class_value.values():
            for asset_class, value in per_class.items():
                self.class_total[asset_class] = self.class_total.get(asset_class, ZERO) + value
        self.tax_used = ZERO
        self.loss_groups: set[str] = set()
        self.bought_groups: set[str] = set()
        self.recent_buy_groups: dict[str, dt.date] = {}
        window_start = self.as_of - dt.timedelta(days=WASH_WINDOW_DAYS)
        for txn in household.recent_transactions:
            # A reinvested dividend is a purchase too (lots.records.Action.purchase).
            if txn.action.purchase and window_start <= txn.date <= self.as_of:
                group = self.group(txn.symbol)
                self.recent_buy_groups[group] = max(
                    self.recent_buy_groups.get(group, txn.date), txn.date
                )
        self.recent_loss_groups: dict[str, tuple[dt.date, bool]] = household.recent_loss_sales(
            self.as_of
        )
        for lot in household.lots:
            if window_start <= lot.purchased <= self.as_of:
                group = self.group(lot.symbol)
                self.recent_buy_groups[group] = max(
                    self.recent_buy_groups.get(group, lot.purchased), lot.purchased
                )

    # --- look-ups ---------------------------------------------------------

    def group(self, symbol: str) -> str:
        """The substantially-identical group of a symbol."""
        security = self.household.securities.get(symbol)
        return security.identity if security else symbol

    def accounts_in_order(self) -> list[str]:
        """Account ids, exempt and deferred first, then taxable (file order within)."""
        ids = list(self.cash)
        return sorted(ids, key=lambda a: TREATMENT_ORDER[self.treatment[a]])

    def value_of(self, account_id: str, asset_class: str) -> Decimal:
        """Dollars of a class in an account."""
        return self.class_value[account_id].get(asset_class, ZERO)

    def household_class_values(self) -> dict[str, Decimal]:
        """Dollars per class across the household (kept up to date by every trade)."""
        return dict(self.class_total)

    def investable(self, account_id: str) -> Decimal:
        """Cash above the reserve."""
        return self.cash[account_id] - self.reserve[account_id]

    def note(
        self, stage: str, code: str, message: str, account_id: str = "", symbol: str = ""
    ) -> None:
        """Add a line to the exception log (once)."""
        note = Note(stage, code, message, account_id, symbol)
        if note not in self._noted:
            self._noted.add(note)
            self.notes.append(note)

    def below_min_trade(
        self,
        side: str,
        shares: Decimal,
        price: Decimal,
        dollars: Decimal,
        account_id: str,
        symbol: str,
    ) -> bool:
        """Whether a trade falls below the minimum trade (logged, unless under a dollar)."""
        if shares * price >= self.policy.min_trade:
            return False
        if dollars >= ONE:
            self.note(
                "trades",
                "below_min_trade",
                f"{side} of {shares} shares (${shares * price:.2f}) below the minimum trade "
                f"of ${self.policy.min_trade}: not traded",
                account_id,
                symbol,
            )
        return True

    def round_shares(self, shares: Decimal, up: bool = False) -> Decimal:
        """Whole shares (or 6 decimals when fractional shares are allowed), down unless ``up``."""
        step = SHARE_STEP if self.policy.fractional else ONE
        rounding = ROUND_CEILING if up else ROUND_FLOOR
        return (shares / step).to_integral_value(rounding=rounding) * step

    # --- sells ------------------------------------------------------------

    def sellable_symbols(self, account_id: str, asset_class: str) -> list[str]:
        """Symbols of a class the account may sell, the cheapest in tax per dollar first."""
        symbols = []
        for (acct, symbol), lots in self.lots.items():
            if acct != account_id or not lots or (acct, symbol) in self.frozen:
                continue
            security = self.household.securities.get(symbol)
            if security is None or security.asset_class != asset_class or security.price is None:
                continue
            if symbol in self.policy.no_sell:
                self.note("trades", "no_sell", "on the no-sell list: not sold", account_id, symbol)
                continue
            symbols.append(symbol)

        def tax_rank(symbol: str) -> tuple[Decimal, str]:
            price = self.household.securities[symbol].price
            assert price is not None
            lots = self.lots[(account_id, symbol)]
            basis = sum((lot.cost_basis for lot in lots), ZERO)
            shares = sum((lot.quantity for lot in lots), ZERO)
            return ((shares * price - basis) / (shares * price) if price else ZERO, symbol)

        if self.treatment[account_id] is TaxTreatment.TAXABLE:
            return sorted(symbols, key=tax_rank)
        return sorted(symbols, key=lambda s: (-self._held_value(account_id, s), s))

    def _held_value(self, account_id: str, symbol: str) -> Decimal:
        price = self.household.securities[symbol].price or ZERO
        return sum((lot.quantity for lot in self.lots.get((account_id, symbol), [])), ZERO) * price

    def sell_class(
        self,
        account_id: str,
        asset_class: str,
        dollars: Decimal,
        *,
        forced: bool,
        reason: str,
        round_up: bool = False,
        losses_only: bool = False,
    ) -> Decimal:
        """Sell up to ``dollars`` of a class in an account; returns the notional sold."""
        sold = ZERO
        for symbol in self.sellable_symbols(account_id, asset_class):
            if dollars - sold <= 0:
                break
            sold += self.sell_symbol(
                account_id,
                symbol,
                dollars - sold,
                forced=forced,
                reason=reason,
                round_up=round_up,
                losses_only=losses_only,
            )
        return sold

    def sell_symbol(
        self,
        account_id: str,
        symbol: str,
        dollars: Decimal,
        *,
        forced: bool,
        reason: str,
        round_up: bool = False,
        losses_only: bool = False,
    ) -> Decimal:
        """Sell up to ``dollars`` of one symbol, lots judged one by one; returns the notional."""
        security = self.household.securities[symbol]
        price = security.price
        assert price is not None and price > 0
        account = self.household.account(account_id)
        taxable = self.treatment[account_id] is TaxTreatment.TAXABLE
        held = [
            lot for lot in self.lots[(account_id, symbol)] if not lot.lot_id.startswith("plan-")
        ]
        ordered = order_lots(held, method_of(account), self.as_of, price)
        # The permitted prefix: how many shares of each lot, in relief order.
        permitted: list[tuple[Lot, Decimal]] = []
        lot_notes: dict[int, tuple[str, str, str]] = {}  # per permitted lot, logged if sold
        stop: tuple[str, str, str] | None = None  # why the prefix ends, logged if it binds
        tax_so_far = self.tax_used
        for lot in ordered:
            sale = lot_sale(lot, lot.quantity, price, self.as_of, taxable, self.policy.rates)
            if taxable and sale.gain < 0 and self._washed_loss(symbol, lot):
                reason_text = f"lot {lot.lot_id} not sold at a loss: {self._wash_reason(symbol)}"
                stop = ("wash_sale", "loss_sale_skipped", reason_text)
                break
            if losses_only and taxable and sale.gain >= 0:
                break
            verdict = judge(
                sale,
                forced=forced,
                tax_used=tax_so_far,
                budget=self.policy.tax_budget,
                budget_binding=reason != "withdrawal",
            )
            if not verdict.allowed:
                if verdict.code == "tax_budget" and sale.tax > 0:
                    assert self.policy.tax_budget is not None
                    room = self.policy.tax_budget - tax_so_far
                    part = self.round_shares(room / (sale.tax / lot.quantity))
                    if part > 0:
                        permitted.append((lot, min(part, lot.quantity)))
                stop = ("tax", verdict.code, verdict.reason)
                break
            if verdict.code:
                lot_notes[len(permitted)] = ("tax", verdict.code, verdict.reason)
            permitted.append((lot, lot.quantity))
            tax_so_far += sale.tax
        available = sum((shares for _, shares in permitted), ZERO)
        if round_up:  # raise the commission too
            costs = self.policy.costs
            dollars = (
                (dollars + costs.commission_per_trade)
                * price
                / (price - costs.commission_per_share)
            )
        wanted = self.round_shares(dollars / price, up=round_up)
        if stop is not None and wanted > available and dollars >= ONE:
            self.note(stop[0], stop[1], stop[2], account_id, symbol)
        shares = min(wanted, available)
        if shares < available and not self.policy.fractional:
            shares = shares.to_integral_value(rounding=ROUND_FLOOR)
        if shares <= 0:
            if available > 0 and dollars >= ONE:
                self.note(
                    "trades",
                    "rounds_to_zero",
                    f"sell of ${dollars:.2f} is less than one share (${price}): not traded",
                    account_id,
                    symbol,
                )
            return ZERO
        commission = trade_cost(self.policy.costs, symbol, shares, price).commission
        if shares * price <= commission:
            self.note(
                "trades",
                "below_min_trade",
                f"sell of {shares} shares (${shares * price:.2f}) would not pay its commission",
                account_id,
                symbol,
            )
            return ZERO
        if self.below_min_trade("sell", shares, price, dollars, account_id, symbol):
            return ZERO
        sales = []
        remaining = shares
        for index, (lot, limit) in enumerate(permitted):
            if remaining <= 0:
                break
            take = min(limit, remaining)
            sales.append(lot_sale(lot, take, price, self.as_of, taxable, self.policy.rates))
            remaining -= take
            if index in lot_notes:
                self.note(*lot_notes[index], account_id, symbol)
        return self.record_sale(account_id, symbol, sales, reason).notional

    def record_sale(
        self, account_id: str, symbol: str, sales: Sequence[LotSale], reason: str
    ) -> Trade:
        """Book a sale of the given lot sales; returns it (before any merge into a ticket)."""
        security = self.household.securities[symbol]
        taxable = self.treatment[account_id] is TaxTreatment.TAXABLE
        shares = sum((sale.quantity for sale in sales), ZERO)
        price = sales[0].price
        self._relieve(account_id, symbol, sales)
        cost = trade_cost(self.policy.costs, symbol, shares, price)
        trade = Trade(
            account_id,
            symbol,
            security.asset_class,
            Action.SELL,
            shares,
            price,
            reason,
            tuple(sales),
            cost,
        )
        self.append(trade)
        if taxable and any(sale.gain < 0 for sale in sales):
            self.loss_groups.add(self.group(symbol))
        return trade

    def append(self, trade: Trade) -> Trade:
        """Add a ticket, merged into an earlier one of the same account, symbol and side.

        One ticket per account, symbol and side: commission is charged once and the
        blotter reads as the broker will execute it. Cash and the tax so far follow.
        Returns the ticket as it now stands (the trade itself, or the merged one).
        """
        for index, old in enumerate(self.trades):
            same = (old.account_id, old.symbol, old.action) == (
                trade.account_id,
                trade.symbol,
                trade.action,
            )
            if same:
                assert old.price == trade.price
                shares = old.quantity + trade.quantity
                reason = old.reason
                if trade.reason not in old.reason.split("+"):
                    reason = f"{old.reason}+{trade.reason}"
                merged = attrs.evolve(
                    old,
                    quantity=shares,
                    lots=old.lots + trade.lots,
                    reason=reason,
                    cost=trade_cost(self.policy.costs, trade.symbol, shares, trade.price),
                )
                self.trades[index] = merged
                self.cash[trade.account_id] += merged.cash_change - old.cash_change
                self.tax_used += merged.tax - old.tax
                return merged
        self.trades.append(trade)
        self.cash[trade.account_id] += trade.cash_change
        self.tax_used += trade.tax
        return trade

    def washed_loss(self, symbol: str, lot: Lot) -> bool:
        """Whether a loss sale of ``lot`` now would be washed (a buy in 30 days or in the plan)."""
        return self._washed_loss(symbol, lot)

    def wash_reason(self, symbol: str) -> str:
        """Why a loss sale of ``symbol`` would be washed, in words."""
        return self._wash_reason(symbol)

    def _washed_loss(self, symbol: str, lot: Lot) -> bool:
        group = self.group(symbol)
        if group in self.bought_groups:
            return True
        if group not in self.recent_buy_groups:
            return False
        # The lot's own purchase is no replacement for itself.
        window_start = self.as_of - dt.timedelta(days=WASH_WINDOW_DAYS)
        for other in self.household.lots:
            same = (other.account_id, other.lot_id) == (lot.account_id, lot.lot_id)
            if same or self.group(other.symbol) != group:
                continue
            if window_start <= other.purchased <= self.as_of:
                return True
        return any(
            txn.action.purchase
            and self.group(txn.symbol) == group
            and window_start <= txn.date <= self.as_of
            and not (txn.account_id == lot.account_id and txn.lot_id == lot.lot_id)
            for txn in self.household.recent_transactions
        )

    def _wash_reason(self, symbol: str) -> str:
        group = self.group(symbol)
        if group in self.bought_groups:
            return f"{group} is bought elsewhere in this plan"
        return f"{group} was bought on {self.recent_buy_groups[group].isoformat()} (30-day rule)"

    def _relieve(self, account_id: str, symbol: str, sales: Sequence[LotSale]) -> None:
        key = (account_id, symbol)
        lots = list(self.lots[key])
        for sale in sales:
            index = next(i for i, lot in enumerate(lots) if lot is sale.lot)
            lot = lots[index]
            if sale.quantity == lot.quantity:
                del lots[index]
                continue
            _, rest_basis = split(lot.cost_basis, sale.quantity, lot.quantity)
            _, rest_adjustment = split(lot.wash_sale_adjustment, sale.quantity, lot.quantity)
            lots[index] = attrs.evolve(
                lot,
                quantity=lot.quantity - sale.quantity,
                cost_basis=rest_basis,
                wash_sale_adjustment=rest_adjustment,
            )
        self.lots[key] = lots
        notional = sum((sale.proceeds for sale in sales), ZERO)
        asset_class = self.household.securities[symbol].asset_class
        self.class_value[account_id][asset_class] = (
            self.value_of(account_id, asset_class) - notional
        )
        self.class_total[asset_class] = self.class_total.get(asset_class, ZERO) - notional
        self.symbol_value[symbol] = self.symbol_value.get(symbol, ZERO) - notional

    # --- buys -------------------------------------------------------------

    def buy_candidates(self, account_id: str, asset_class: str) -> list[str]:
        """Symbols of a class in preference order: held here, held in the household, the rest."""
        symbols = [
            s.symbol
            for s in self.household.securities.values()
            if s.asset_class == asset_class and s.price is not None and s.price > 0
        ]

        def rank(symbol: str) -> tuple[int, Decimal, str]:
            here = self._held_value(account_id, symbol)
            if here > 0:
                return (0, -here, symbol)
            anywhere = self.symbol_value.get(symbol, ZERO)
            return (1 if anywhere > 0 else 2, -anywhere, symbol)

        return sorted(symbols, key=rank)

    def buy_capacity(self, account_id: str, asset_class: str, wanted: Decimal) -> Decimal:
        """How much of ``wanted`` dollars of a class the account could buy (menu, blocks, caps)."""
        if wanted <= 0 or not self.household.account(account_id).offers(asset_class):
            return ZERO
        capacity = ZERO
        for symbol in self.buy_candidates(account_id, asset_class):
            if self.buy_blocked(symbol):
                continue
            room = self._cap_room(symbol)
            if room is None:
                return wanted
            capacity += max(ZERO, room)
            if capacity >= wanted:
                return wanted
        return capacity

    def buy_blocked(self, symbol: str) -> str:
        """Why a symbol may not be bought now (``""``: it may)."""
        if self.household.is_restricted(symbol):
            return "restricted"
        group = self.group(symbol)
        if group in self.loss_groups:
            return f"{group} is sold at a loss in this plan"
        if group in self.recent_loss_groups:
            sold, known = self.recent_loss_groups[group]
            how = "at a loss" if known else "within 30 days (no cost_basis: treated as a loss)"
            return f"{group} was sold on {sold.isoformat()} {how}"
        return ""

    def buy_class(
        self, account_id: str, asset_class: str, dollars: Decimal, reason: str
    ) -> Decimal:
        """Buy up to ``dollars`` of a class in an account; returns the notional bought."""
        account = self.household.account(account_id)
        if not account.offers(asset_class):
            return ZERO
        spent = ZERO
        candidates = self.buy_candidates(account_id, asset_class)
        tried: set[str] = set()
        queue = list(candidates)
        while queue and dollars - spent > 0:
            symbol = queue.pop(0)
            if symbol in tried:
                continue
            tried.add(symbol)
            blocked = self.buy_blocked(symbol)
            price = self.household.securities[symbol].price
            assert price is not None
            affordable = self.policy.fractional or dollars - spent >= price
            if blocked:
                if affordable and (
                    blocked != "restricted" or self._held_value(account_id, symbol) > 0
                ):
                    self._log_blocked(account_id, symbol, asset_class, blocked)
                substitutes = [
                    s
                    for s in self.household.securities[symbol].substitutes
                    if s in self.household.securities
                    and self.household.securities[s].asset_class == asset_class
                ]
                queue = substitutes + [s for s in queue if s not in substitutes]
                continue
            bought = self.buy_symbol(account_id, symbol, dollars - spent, reason)
            spent += bought
            if bought > 0 and dollars - spent <= price:
                break  # what is left is a rounding remainder, not a reason to buy another symbol
        if spent == 0 and dollars >= ONE and all(self.buy_blocked(c) for c in candidates):
            self.note(
                "trades",
                "no_buyable_symbol",
                f"no {asset_class} symbol may be bought (restricted or wash-blocked)",
                account_id,
            )
        return spent

    def _log_blocked(self, account_id: str, symbol: str, asset_class: str, why: str) -> None:
        alternative = next(
            (
                s
                for s in self.household.securities[symbol].substitutes
                if s in self.household.securities
                and self.household.securities[s].asset_class == asset_class
                and not self.buy_blocked(s)
            ),
            None,
        )
        instead = f"; buying substitute {alternative} instead" if alternative else ""
        stage = "trades" if why == "restricted" else "wash_sale"
        code = "restricted_buy" if why == "restricted" else "blocked_buy"
        self.note(stage, code, f"buy of {symbol} blocked: {why}{instead}", account_id, symbol)

    def buy_symbol(self, account_id: str, symbol: str, dollars: Decimal, reason: str) -> Decimal:
        """Buy up to ``dollars`` of one symbol within caps, cash and rounding.

        Returns:
            The notional bought.
        """
        security = self.household.securities[symbol]
        price = security.price
        assert price is not None and price > 0
        room = self._cap_room(symbol)
        if room is not None and room < dollars:
            if room <= 0:
                self.note(
                    "trades",
                    "cap",
                    f"{symbol} is at its weight cap: not bought",
                    account_id,
                    symbol,
                )
                return ZERO
            self.note(
                "trades", "cap", f"buy of {symbol} limited by a weight cap", account_id, symbol
            )
            dollars = room
        costs = self.policy.costs
        cash = self.investable(account_id) - costs.commission_per_trade
        cash_shares = cash / (price + costs.commission_per_share) if cash > 0 else ZERO
        shares = self.round_shares(min(dollars / price, cash_shares))
        if shares <= 0:
            if dollars >= ONE:
                short = cash_shares < dollars / price
                self.note(
                    "trades",
                    "no_cash" if short else "rounds_to_zero",
                    f"buy of ${dollars:.2f}: "
                    + ("not enough cash above the reserve" if short else "less than one share")
                    + ": not traded",
                    account_id,
                    symbol,
                )
            return ZERO
        if self.below_min_trade("buy", shares, price, dollars, account_id, symbol):
            return ZERO
        cost = trade_cost(costs, symbol, shares, price)
        trade = Trade(
            account_id, symbol, security.asset_class, Action.BUY, shares, price, reason, (), cost
        )
        self.append(trade)
        self.buys += 1
        self.bought_groups.add(self.group(symbol))
        key = (account_id, symbol)
        new_lot = Lot(
            account_id=account_id,
            symbol=symbol,
            lot_id=f"plan-{self.buys}",
            quantity=shares,
            cost_basis=shares * price,
            purchased=self.as_of,
        )
        self.lots.setdefault(key, []).append(new_lot)
        self.class_value[account_id][security.asset_class] = (
            self.value_of(account_id, security.asset_class) + trade.notional
        )
        self.class_total[security.asset_class] = (
            self.class_total.get(security.asset_class, ZERO) + trade.notional
        )
        self.symbol_value[symbol] = self.symbol_value.get(symbol, ZERO) + trade.notional
        return trade.notional

    def _cap_room(self, symbol: str) -> Decimal | None:
        rooms = []
        cap = self.policy.max_security_weight
        if cap is not None:
            rooms.append(cap * self.managed - self.symbol_value.get(symbol, ZERO))
        sector_cap = self.policy.max_sector_weight
        sector = self.household.securities[symbol].sector
        if sector_cap is not None and sector is not None:
            in_sector = sum(
                (
                    value
                    for s, value in self.symbol_value.items()
                    if s in self.household.securities
                    and self.household.securities[s].sector == sector
                ),
                ZERO,
            )
            rooms.append(sector_cap * self.managed - in_sector)
        return min(rooms) if rooms else None


# --- the two passes -----------------------------------------------------------


def net_cash_flows(book: Book, targets: Mapping[str, Decimal]) -> None:
    """Pass 1: invest cash above reserves in the most underweight classes; raise cash below them.

    Args:
        book: the working copy (changed in place).
        targets: household target weights.
    """
    for account_id in book.accounts_in_order():
        need = -book.investable(account_id)
        if need <= 0:
            continue
        for losses_only in (True, False):
            for asset_class in _most_overweight(book, targets):
                need = -book.investable(account_id)
                if need <= 0:
                    break
                book.sell_class(
                    account_id,
                    asset_class,
                    need,
                    forced=True,
                    reason="withdrawal",
                    round_up=True,
                    losses_only=losses_only,
                )
        if book.investable(account_id) < 0:
            book.note(
                "trades",
                "cash_short",
                f"cannot raise the ${-book.investable(account_id):.2f} the account needs",
                account_id,
            )
    invest_cash(book, targets, "contribution")


def invest_cash(book: Book, targets: Mapping[str, Decimal], reason: str) -> None:
    """Buy the most underweight classes with every account's cash above its reserve.

    Args:
        book: the working copy (changed in place).
        targets: household target weights.
        reason: the blotter's reason for these buys.
    """
    for account_id in book.accounts_in_order():
        for asset_class in _most_underweight(book, targets):
            cash = book.investable(account_id)
            if cash < CENT:
                break
            shortfall = targets[asset_class] * book.managed - book.household_class_values().get(
                asset_class, ZERO
            )
            if shortfall < CENT:
                continue
            book.buy_class(account_id, asset_class, min(cash, shortfall), reason)


def _most_underweight(book: Book, targets: Mapping[str, Decimal]) -> list[str]:
    values = book.household_class_values()
    return sorted(targets, key=lambda k: (-(targets[k] * book.managed - values.get(k, ZERO)), k))


def _most_overweight(book: Book, targets: Mapping[str, Decimal]) -> list[str]:
    values = book.household_class_values()
    classes = set(targets) | set(values)
    return sorted(
        classes, key=lambda k: (-(values.get(k, ZERO) - targets.get(k, ZERO) * book.managed), k)
    )


def band_edge_fraction(drifts: Sequence[ClassDrift]) -> Decimal:
    """``λ``: the smallest fraction of the way to target that puts every class inside its band.

    ``λ = max over breaching classes of 1 - w / |d|`` (0 when none breaches).
    """
    fraction = ZERO
    for drift in drifts:
        size = abs(drift.absolute)
        if drift.inner_width is None or size <= drift.inner_width:
            continue
        fraction = max(fraction, ONE - drift.inner_width / size)
    return fraction


def rebalance_shifts(drifts: Sequence[ClassDrift], fraction: Decimal) -> dict[str, Decimal]:
    """Household dollars to move per class: ``fraction * (target value - value)``."""
    return {d.asset_class: fraction * (d.target_value - d.value) for d in drifts}


def move(
    book: Book,
    shifts: Mapping[str, Decimal],
    forced: set[str],
    account_targets: Mapping[str, Mapping[str, Decimal]],
) -> None:
    """Pass 2: move ``shifts`` (household dollars per class) inside accounts.

    Args:
        book: the working copy (changed in place).
        shifts: dollars per class, positive to buy, negative to sell.
        forced: classes outside their outer band (gains may be realised).
        account_targets: dollars per class per account from the location program.
    """
    remaining = {k: v for k, v in shifts.items() if v != 0}
    ordered = book.accounts_in_order()
    sheltered = [a for a in ordered if book.treatment[a] is not TaxTreatment.TAXABLE]
    taxable = [a for a in ordered if book.treatment[a] is TaxTreatment.TAXABLE]
    rounds = [(True, sheltered), (False, sheltered), (True, taxable), (False, taxable)]
    for guided, accounts in rounds:
        for account_id in accounts:
            targets = account_targets.get(account_id, {})

            def room(
                asset_class: str,
                sign: int,
                guided: bool = guided,
                account_id: str = account_id,
                targets: Mapping[str, Decimal] = targets,
            ) -> Decimal:
                left = remaining.get(asset_class, ZERO) * sign
                if left <= 0:
                    return ZERO
                if not guided:
                    return left
                gap = (
                    targets.get(asset_class, ZERO) - book.value_of(account_id, asset_class)
                ) * sign
                return max(ZERO, min(left, gap))

            account = book.household.account(account_id)
            buys = {}
            for k in remaining:
                if account.offers(k):
                    buys[k] = book.buy_capacity(account_id, k, room(k, 1))
                    if buys[k] == 0 and room(k, 1) >= ONE:
                        book.note(
                            "trades",
                            "no_buyable_symbol",
                            f"no {k} symbol may be bought here (restricted, wash-blocked "
                            "or at a cap)",
                            account_id,
                        )
            buy_capacity = sum(buys.values(), ZERO)
            if buy_capacity <= 0:
                continue
            to_sell = buy_capacity - max(ZERO, book.investable(account_id))
            for asset_class in sorted(remaining, key=lambda k: (remaining[k], k)):
                if to_sell <= 0:
                    break
                amount = min(room(asset_class, -1), to_sell)
                if amount <= 0:
                    continue
                sold = book.sell_class(
                    account_id,
                    asset_class,
                    amount,
                    forced=asset_class in forced,
                    reason="rebalance",
                )
                remaining[asset_class] += sold
                to_sell -= sold
            for asset_class in sorted(remaining, key=lambda k: (-remaining[k], k)):
                amount = min(room(asset_class, 1), book.investable(account_id))
                if amount <= 0:
                    continue
                bought = book.buy_class(account_id, asset_class, amount, "rebalance")
                remaining[asset_class] -= bought
