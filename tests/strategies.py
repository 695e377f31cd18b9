"""Hypothesis strategies shared by the tests.

:func:`histories` draws a random household history for the wash-sale replay:
2 to 5 accounts (taxable types mixed with IRAs and Roths, each with a random
lot method or none), 1 to 4 symbols (some sharing an ``identical_group``),
optional opening lots, and up to 40 buys and sells over about 120 days, so
30-day windows overlap a lot and several events often fall on one date.

Prices follow a drifting level per identical group (a piecewise-linear path
through random knots, plus a few percent of noise), so losses are common.
Quantities are whole or fractional (up to 6 decimals); a sell takes a fraction
of what the account holds at that point (never more: no short sales), and
sometimes names a lot it holds (specific identification). Fees are sometimes
charged. The file order of the transactions shuffles the dates but keeps the
order of the events within a date, which is what the replay must recover.

With ``events=True`` the history also mixes every event of ``lots.events``:
reinvestments, splits (with or without cash in lieu, one row per account
holding the symbol), returns of capital, mergers and symbol changes (into a
fresh symbol, sometimes with cash boot), spin-offs (a fresh child symbol),
transfers between accounts of one treatment class, gifts (with and without a
fair value below the donor's basis) and inheritances. Split ratios have
denominators of 1, 2, 4, 5 or 10, so scaled quantities stay exact.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Callable, Iterator, Sequence
from decimal import ROUND_DOWN, Decimal

import attrs
from hypothesis import strategies as st

from lots.records import Account, AccountType, Action, Lot, TaxTreatment, Transaction
from lots.relief import LotMethod, belongs_to

START = dt.date(2026, 1, 5)
DAYS = 120
MICRO = Decimal("0.000001")
CENT = Decimal("0.01")

TAXABLE_TYPES = [AccountType.TAXABLE, AccountType.JOINT, AccountType.INDIVIDUAL, AccountType.TRUST]
SHELTERED_TYPES = [
    AccountType.TRADITIONAL_IRA,
    AccountType.ROLLOVER_IRA,
    AccountType.K401,
    AccountType.ROTH_IRA,
    AccountType.ROTH_401K,
    AccountType.HSA,
]
METHODS = [None, "fifo", "lifo", "hifo", "min_tax"]
SYMBOLS = ["AAA", "BBB", "CCC", "DDD"]


@attrs.frozen
class History:
    """A household history: the arguments of ``replay``."""

    transactions: tuple[Transaction, ...]
    accounts: tuple[Account, ...]
    identical_group: dict[str, str]
    default_method: LotMethod
    opening_lots: tuple[Lot, ...] = ()

    def arguments(self) -> dict[str, object]:
        """Keyword arguments for ``replay`` and ``reference_replay``."""
        return {
            "transactions": self.transactions,
            "accounts": self.accounts,
            "identical_group": self.identical_group,
            "default_method": self.default_method,
            "opening_lots": self.opening_lots,
        }

    @property
    def dual_basis_gifts(self) -> bool:
        """Whether a gift's fair value was below the donor's basis (the dual-basis rule)."""
        return any(
            t.action is Action.GIFT_RECEIVED
            and t.fmv is not None
            and t.donor_basis is not None
            and t.fmv < t.donor_basis
            for t in self.transactions
        )

    def text(self) -> str:
        """The history as a small readable ledger (for failure reports)."""
        lines = ["accounts: " + " ".join(f"{a.account_id}={a.type.value}" for a in self.accounts)]
        methods = [f"{a.account_id}={a.lot_method}" for a in self.accounts if a.lot_method]
        lines.append("methods: " + " ".join(methods) + f" (default {self.default_method.value})")
        if self.identical_group:
            groups = " ".join(f"{s}={g}" for s, g in sorted(self.identical_group.items()))
            lines.append("groups: " + groups)
        for lot in self.opening_lots:
            lines.append(
                f"opening {lot.account_id} {lot.lot_id} {lot.quantity} {lot.symbol} "
                f"basis {lot.cost_basis} purchased {lot.purchased} acquired {lot.acquired}"
            )
        for txn in self.transactions:
            line = (
                f"{txn.date} {txn.account_id} {txn.action.value} {txn.quantity} {txn.symbol}"
                f" @ {txn.price}"
            )
            if txn.lot_id:
                line += f" {txn.lot_id}"
            if txn.fees:
                line += f" fees {txn.fees}"
            for name in _EVENT_FIELDS:
                value = getattr(txn, name)
                if value is not None:
                    line += f" {name}={value}"
            lines.append(line)
        return "\n".join(lines)


_EVENT_FIELDS = (
    "ratio",
    "new_symbol",
    "cash_per_share",
    "amount_per_share",
    "basis_fraction",
    "to_account_id",
    "donor_basis",
    "donor_acquired",
    "fmv",
)
RATIOS = [(2, 1), (3, 1), (3, 2), (1, 2), (1, 10), (5, 4), (1, 4), (7, 5)]
FRACTIONS = ["0.5", "0.8", "0.9", "0.890376", "1", "0", "0.333333333"]
EVENT_KINDS = [
    Action.REINVEST,
    Action.SPLIT,
    Action.RETURN_OF_CAPITAL,
    Action.MERGER,
    Action.SYMBOL_CHANGE,
    Action.SPINOFF,
    Action.TRANSFER,
    Action.GIFT_RECEIVED,
    Action.INHERITED,
]


def _level(knots: Sequence[int], day: int) -> Decimal:
    """The price level (dollars) on ``day``, linear between knots every 40 days."""
    span = DAYS // (len(knots) - 1)
    index = min(day // span, len(knots) - 2)
    start, end = Decimal(knots[index]), Decimal(knots[index + 1])
    cents = start + (end - start) * Decimal(day - index * span) / Decimal(span)
    return cents / 100


def _quantities() -> st.SearchStrategy[Decimal]:
    whole = st.integers(min_value=1, max_value=300).map(Decimal)
    fractional = st.integers(min_value=1, max_value=300_000_000).map(lambda n: Decimal(n) * MICRO)
    return st.one_of(whole, fractional)


def _fraction_of(draw: Callable[..., object], held: Decimal) -> Decimal:
    """A positive quantity of at most ``held`` shares, to 6 decimals."""
    if draw(st.booleans()):
        return held
    per_mille = draw(st.integers(min_value=1, max_value=999))
    assert isinstance(per_mille, int)
    quantity = (held * per_mille / 1000).quantize(MICRO, rounding=ROUND_DOWN)
    return quantity if quantity > 0 else held


def _generated(symbol: str, date: dt.date, taken: set[str]) -> Iterator[str]:
    """The ids of the form the replay generates for unnamed buys, not yet taken."""
    for n in itertools.count(1):
        lot_id = f"{symbol}-{date.isoformat()}-{n}"
        if lot_id not in taken:
            yield lot_id


@st.composite
def histories(
    draw: st.DrawFn,
    max_events: int = 40,
    held_lots: Callable[[History], Sequence[Lot]] | None = None,
    events: bool = False,
) -> History:
    """A random household history.

    Args:
        draw: hypothesis' draw function.
        max_events: the most transactions.
        held_lots: the open lots at the end of a history (a replay); when given,
            some sells name a lot held at that point (specific identification).
        events: mix in every event kind (see the module docstring).
    """
    # Accounts: the first one taxable, the others a mix.
    count = draw(st.integers(min_value=2, max_value=5))
    accounts = []
    for index in range(count):
        kinds = TAXABLE_TYPES if index == 0 else TAXABLE_TYPES + SHELTERED_TYPES
        accounts.append(
            Account(
                account_id=f"a{index + 1}",
                type=draw(st.sampled_from(kinds)),
                lot_method=draw(st.sampled_from(METHODS)),
            )
        )
    default_method = draw(
        st.sampled_from([LotMethod.FIFO, LotMethod.LIFO, LotMethod.HIFO, LotMethod.MIN_TAX])
    )

    # Symbols, some in a shared identical group; one price path per group.
    symbols = SYMBOLS[: draw(st.integers(min_value=1, max_value=len(SYMBOLS)))]
    identical_group: dict[str, str] = {}
    for symbol in symbols:
        group = draw(st.sampled_from([None, "G1", "G1", "G2"]))
        if group is not None:
            identical_group[symbol] = group
    knots: dict[str, list[int]] = {}
    for symbol in symbols:
        path = identical_group.get(symbol, symbol)
        if path not in knots:
            knots[path] = draw(
                st.lists(st.integers(min_value=500, max_value=20_000), min_size=4, max_size=4)
            )

    # A symbol born of a merger or spin-off follows its parent's price path, scaled.
    parent_of: dict[str, str] = {}
    price_scale: dict[str, Decimal] = {}

    def price(symbol: str, day: int) -> Decimal:
        factor = price_scale.get(symbol, Decimal(1))
        while symbol in parent_of:
            symbol = parent_of[symbol]
        level = _level(knots[identical_group.get(symbol, symbol)], day) * factor
        noise = Decimal(draw(st.integers(min_value=-5, max_value=5)))
        places = draw(st.sampled_from([CENT, CENT, Decimal("0.0001")]))
        return max((level * (100 + noise) / 100).quantize(places), CENT)

    def fees() -> Decimal:
        if draw(st.integers(min_value=0, max_value=3)) == 0:
            return Decimal(draw(st.integers(min_value=1, max_value=999))) * CENT
        return Decimal(0)

    account_ids = [account.account_id for account in accounts]
    holdings: dict[tuple[str, str], Decimal] = {}

    # Opening lots, given in no particular order, bought up to ~2 years before.
    opening: list[Lot] = []
    for index in range(draw(st.integers(min_value=0, max_value=3))):
        account_id = draw(st.sampled_from(account_ids))
        symbol = draw(st.sampled_from(symbols))
        quantity = draw(_quantities())
        purchased = START - dt.timedelta(days=draw(st.integers(min_value=0, max_value=700)))
        basis = (quantity * price(symbol, 0)).quantize(CENT) + fees()
        opening.append(
            Lot(
                account_id=account_id,
                symbol=symbol,
                lot_id=f"O{index + 1}",
                quantity=quantity,
                cost_basis=basis,
                purchased=purchased,
            )
        )
        key = (account_id, symbol)
        holdings[key] = holdings.get(key, Decimal(0)) + quantity

    # Events in processing order: dates ascending, often several on one date.
    pool = draw(st.lists(st.integers(min_value=0, max_value=DAYS), min_size=1, max_size=10))
    # (The count is drawn as one integer: a drawn list would mostly be short.)
    count = draw(st.integers(min_value=1, max_value=max_events))
    any_day = st.one_of(st.sampled_from(pool), st.integers(min_value=0, max_value=DAYS))
    days = sorted(draw(any_day) for _ in range(count))
    transactions: list[Transaction] = []
    taken_ids: dict[str, set[str]] = {}
    if events:
        # Lots move between accounts: ids named anywhere are kept unique in the household,
        # so that no later buy names an id a transfer brought into its account.
        shared = {lot.lot_id for lot in opening}
        taken_ids = {account_id: shared for account_id in account_ids}

    def so_far() -> History:
        return History(
            tuple(transactions), tuple(accounts), identical_group, default_method, tuple(opening)
        )

    live = list(symbols)
    fresh = itertools.count(1)
    treatment = {a.account_id: a.type.treatment for a in accounts}

    def new_lot_id(account_id: str, symbol: str, date: dt.date) -> str | None:
        taken = taken_ids.setdefault(
            account_id, {lot.lot_id for lot in opening if lot.account_id == account_id}
        )
        naming = draw(st.integers(min_value=0, max_value=9))
        lot_id = None
        if naming < 4:
            # Ids unique in the account, often repeated across accounts.
            lot_id = next(
                f"B{n}" for n in itertools.count(draw(st.integers(1, 3))) if f"B{n}" not in taken
            )
        elif naming == 4:
            # An id of the generated form, which a later unnamed buy must skip.
            lot_id = next(_generated(symbol, date, taken))
        else:
            taken.add(next(_generated(symbol, date, taken)))
        if lot_id is not None:
            taken.add(lot_id)
        return lot_id

    for day in days:
        date = START + dt.timedelta(days=day)
        account_id = draw(st.sampled_from(account_ids))
        symbol = draw(st.sampled_from(live))
        held = holdings.get((account_id, symbol), Decimal(0))
        if events and draw(st.integers(min_value=0, max_value=9)) < 4:
            kind = draw(st.sampled_from(EVENT_KINDS))
            row = _event(
                draw, kind, date, day, account_id, symbol, holdings, accounts, treatment,
                live, fresh, parent_of, price_scale, price, new_lot_id, so_far, held_lots,
            )  # fmt: skip
            transactions.extend(row)
            continue
        selling = held > 0 and draw(st.integers(min_value=0, max_value=9)) < 5
        if not selling:
            quantity = draw(_quantities())
            lot_id = None
            taken = taken_ids.setdefault(
                account_id, {lot.lot_id for lot in opening if lot.account_id == account_id}
            )
            naming = draw(st.integers(min_value=0, max_value=9))
            if naming < 4:
                # Ids unique in the account, often repeated across accounts.
                lot_id = next(
                    f"B{n}"
                    for n in itertools.count(draw(st.integers(1, 3)))
                    if f"B{n}" not in taken
                )
            elif naming == 4:
                # An id of the generated form, which a later unnamed buy must skip.
                lot_id = next(_generated(symbol, date, taken))
            else:
                taken.add(next(_generated(symbol, date, taken)))
            if lot_id is not None:
                taken.add(lot_id)
            transactions.append(
                Transaction(
                    date=date,
                    account_id=account_id,
                    symbol=symbol,
                    action=Action.BUY,
                    quantity=quantity,
                    price=price(symbol, day),
                    fees=fees(),
                    lot_id=lot_id,
                )
            )
            holdings[(account_id, symbol)] = held + quantity
            continue
        lot_id = None
        available = held
        if held_lots is not None and draw(st.integers(min_value=0, max_value=4)) == 0:
            lots = [
                lot
                for lot in held_lots(so_far())
                if lot.account_id == account_id and lot.symbol == symbol
            ]
            if lots:
                named = draw(st.sampled_from(lots)).lot_id
                if draw(st.booleans()):
                    named = named.split(".")[0]
                lot_id = named
                available = sum(
                    (lot.quantity for lot in lots if belongs_to(lot.lot_id, named)), Decimal(0)
                )
        quantity = _fraction_of(draw, available)
        sale_price = price(symbol, day)
        sale_fees = min(fees(), (quantity * sale_price).quantize(CENT, rounding=ROUND_DOWN))
        transactions.append(
            Transaction(
                date=date,
                account_id=account_id,
                symbol=symbol,
                action=Action.SELL,
                quantity=quantity,
                price=sale_price,
                fees=sale_fees,
                lot_id=lot_id,
            )
        )
        holdings[(account_id, symbol)] = held - quantity

    # File order: the dates shuffled, the events of one date kept in order.
    by_date: dict[dt.date, list[Transaction]] = {}
    for txn in transactions:
        by_date.setdefault(txn.date, []).append(txn)
    shuffled = draw(st.permutations(sorted(by_date)))
    file_order = [txn for date in shuffled for txn in by_date[date]]
    numbered = tuple(attrs.evolve(txn, row=row) for row, txn in enumerate(file_order, start=2))
    return History(numbered, tuple(accounts), identical_group, default_method, tuple(opening))


def _scaled(quantity: Decimal, ratio: tuple[Decimal, Decimal]) -> Decimal:
    return quantity * ratio[0] / ratio[1]  # exact: denominators are 1, 2, 4, 5, 10


def _floor(quantity: Decimal) -> Decimal:
    return quantity.to_integral_value(rounding=ROUND_DOWN)


def _event(  # noqa: C901 - one branch per event kind
    draw: st.DrawFn,
    kind: Action,
    date: dt.date,
    day: int,
    account_id: str,
    symbol: str,
    holdings: dict[tuple[str, str], Decimal],
    accounts: Sequence[Account],
    treatment: dict[str, TaxTreatment],
    live: list[str],
    fresh: Iterator[int],
    parent_of: dict[str, str],
    price_scale: dict[str, Decimal],
    price: Callable[[str, int], Decimal],
    new_lot_id: Callable[[str, str, dt.date], str | None],
    so_far: Callable[[], History],
    held_lots: Callable[[History], Sequence[Lot]] | None,
) -> list[Transaction]:
    """The row(s) of one event; ``holdings`` is kept up to date."""
    held = holdings.get((account_id, symbol), Decimal(0))
    holders = [a.account_id for a in accounts if holdings.get((a.account_id, symbol), 0) > 0]

    def row(account: str, action: Action, **fields: object) -> Transaction:
        values: dict[str, object] = {"quantity": Decimal(0), "price": Decimal(0)}
        values.update(fields)
        return Transaction(date=date, account_id=account, symbol=symbol, action=action, **values)  # type: ignore[arg-type]

    if kind is Action.REINVEST:
        quantity = draw(_quantities())
        holdings[(account_id, symbol)] = held + quantity
        lot_id = new_lot_id(account_id, symbol, date)
        return [row(account_id, kind, quantity=quantity, price=price(symbol, day), lot_id=lot_id)]
    if kind in (Action.GIFT_RECEIVED, Action.INHERITED):
        quantity = draw(_quantities())
        value = (quantity * price(symbol, day)).quantize(CENT)
        holdings[(account_id, symbol)] = held + quantity
        lot_id = new_lot_id(account_id, symbol, date)
        if kind is Action.INHERITED:
            return [row(account_id, kind, quantity=quantity, fmv=value, lot_id=lot_id)]
        percent = draw(st.sampled_from([50, 80, 100, 120, 150]))
        donor_basis = (value * percent / 100).quantize(CENT)
        donor_acquired = date - dt.timedelta(days=draw(st.integers(0, 3000)))
        return [
            row(account_id, kind, quantity=quantity, donor_basis=donor_basis,
                donor_acquired=donor_acquired, fmv=value, lot_id=lot_id)
        ]  # fmt: skip
    if not holders:
        return []
    if kind is Action.RETURN_OF_CAPITAL:
        amount = Decimal(draw(st.integers(min_value=1, max_value=500))) * CENT
        return [row(a, kind, amount_per_share=amount) for a in holders]
    if kind is Action.TRANSFER:
        if held <= 0:
            return []
        taxable = treatment[account_id] is TaxTreatment.TAXABLE
        targets = [
            a.account_id
            for a in accounts
            if a.account_id != account_id
            and (treatment[a.account_id] is TaxTreatment.TAXABLE) == taxable
        ]
        if not targets:
            return []
        target = draw(st.sampled_from(targets))
        lot_id = None
        available = held
        if held_lots is not None and draw(st.booleans()):
            lots = [
                lot
                for lot in held_lots(so_far())
                if lot.account_id == account_id and lot.symbol == symbol
            ]
            if lots:
                lot_id = draw(st.sampled_from(lots)).lot_id
                available = sum(
                    (lot.quantity for lot in lots if belongs_to(lot.lot_id, lot_id)), Decimal(0)
                )
        quantity = _fraction_of(draw, available)
        holdings[(account_id, symbol)] = held - quantity
        holdings[(target, symbol)] = holdings.get((target, symbol), Decimal(0)) + quantity
        return [row(account_id, kind, quantity=quantity, to_account_id=target, lot_id=lot_id)]

    new, old = draw(st.sampled_from(RATIOS))
    ratio = (Decimal(new), Decimal(old))
    cash = draw(st.booleans())
    if kind is Action.SPLIT:
        price_scale[symbol] = price_scale.get(symbol, Decimal(1)) * ratio[1] / ratio[0]
        unit = price(symbol, day) if cash else Decimal(0)
        for account in holders:
            total = _scaled(holdings[(account, symbol)], ratio)
            holdings[(account, symbol)] = _floor(total) if cash else total
        return [row(a, kind, ratio=ratio, price=unit) for a in holders]

    child = f"{'S' if kind is Action.SPINOFF else 'M'}{next(fresh)}"
    parent_of[child] = symbol
    price_scale[child] = price_scale.get(symbol, Decimal(1)) * ratio[1] / ratio[0]
    live.append(child)
    unit = price(child, day) if cash else Decimal(0)
    if kind is Action.SPINOFF:
        fraction = Decimal(draw(st.sampled_from(FRACTIONS)))
        for account in holders:
            total = _scaled(holdings[(account, symbol)], ratio)
            holdings[(account, child)] = _floor(total) if cash else total
        return [
            row(a, kind, new_symbol=child, ratio=ratio, basis_fraction=fraction, price=unit)
            for a in holders
        ]
    boot = None
    if cash and draw(st.booleans()):
        boot = Decimal(draw(st.integers(min_value=1, max_value=300))) * CENT
    live.remove(symbol)
    for account in holders:
        total = _scaled(holdings.pop((account, symbol)), ratio)
        holdings[(account, child)] = _floor(total) if cash else total
    return [
        row(a, kind, new_symbol=child, ratio=ratio, cash_per_share=boot, price=unit)
        for a in holders
    ]
