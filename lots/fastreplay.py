"""The wash-sale replay on fixed-scale integers: the fast path of :func:`lots.washsale.replay`.

The rule, the matching and every reading of the contract are those of
``lots.washsale`` (read its docstring first); this module only changes the
representation inside the hot loop. Quantities are integers of
:data:`QUANTITY_SCALE` (10**18: a quintillionth of a share; a scaled quantity
without an exact decimal is carried to 12 places, one with an exact decimal is
kept whole, so the scale is wider than 12 to hold the exact ones: a 1:4
spin-off of a quantity with 11 places has 13) and money integers of
:data:`MONEY_SCALE` (10**20: wider than the 15 places a proportional part of an
amount is rounded to, see :func:`lots.numbers.split`, so that the proceeds of
such a quantity at a cent price, which the Decimal replay keeps exact, fit).
Every number the Decimal replay computes is, in such a history, exactly one of
these integers, so the integers are exact, not an approximation:

* a purchase's basis ``quantity * price + fees`` (and a sale's proceeds) has at
  most 20 places when the quantity's and the price's places add up to 20 or
  fewer (6 + 4 in a broker file, 18 + 2 after splits), and at most 28
  significant digits (the Decimal replay's default context: more would be
  rounded there, so the integer path gives up on them);
* a proportional part is the exact ratio rounded half-even to 15 places, in
  integers (``divmod``, to a multiple of ``10**5`` units) here and in
  :func:`lots.numbers.split` alike;
* a split-scaled quantity is exact when it fits 18 places, and rounded
  half-even to 12 when it has no exact decimal, as :func:`lots.events.scale` does
  (an exact one of more than 18 places is kept whole there: :class:`NotExact`
  here);
* the events over open lots (splits, returns of capital, mergers, spin-offs) run
  on the units where the integers give the Decimal function's result exactly
  (``_INTEGER_EVENTS``), and through the Decimal functions of ``lots.events``
  otherwise, their results converted back, checked to be exact; the Decimals an
  event leaves on a lot are made only if the lot is still open at the end.

Whenever a number does not fit its scale (an input with more places, a
terminating ratio with more than 18 places) the fast path gives up with
:class:`NotExact`, and :func:`lots.washsale.replay` replays the history with
Decimals instead; it does the same on any input error, so that the error and
its message are the Decimal replay's, word for word.

Worked example of the scales: a buy of 3 shares at $5.00 with a $0.01 fee is
``3 * 10**18`` shares of basis ``1_501_000_000_000_000_000_000`` (15.01 * 10**20);
selling 1 share relieves ``split(15.01, 1, 3)`` = 5.003333333333333 (rounded
half-even at 15 places, the integer ``500_333_333_333_333_300_000``) and leaves
the exact rest, 10.006666666666667.

>>> split_units(1_501_000_000_000_000_000_000, 1, 3)
(500333333333333300000, 1000666666666666700000)

The records come back as the Decimal replay makes them (``Ledger``,
``Disposition``, ``Lot``, ``WashMatch``), equal field for field (Decimals
compare by value; their exponents are those of the scale). The conversion is
done once per output record, at the end.
"""

from __future__ import annotations

import datetime as dt
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Mapping, Sequence
from decimal import Context, Decimal, Inexact, InvalidOperation
from fractions import Fraction
from math import gcd
from typing import Final, Generic, NamedTuple, TypeVar

from lots.errors import LotsError
from lots.errors import NotExact as NotExact  # (re-exported: raised here)
from lots.events import LOT_EVENTS, Holding, check_transfer, gift_sale_basis
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
from lots.relief import LotMethod, belongs_to, natural_key
from lots.terms import one_year_after

#: Integer units of a share: 10**18 (a quintillionth of a share).
QUANTITY_SCALE: Final = 10**18
_Q_PLACES: Final = 18
#: Integer units of a dollar: 10**20 (wider than the 15 places a proportional part is
#: rounded to, so that ``quantity x price`` of an 18-place quantity and a cent price,
#: which the Decimal replay keeps exact, fits too).
MONEY_SCALE: Final = 10**20
_M_PLACES: Final = 20
# A proportional part is rounded half-even to 15 places of a dollar: 10**5 units.
_PART_STEP: Final = 10 ** (_M_PLACES - 15)
# The Decimal replay computes ``quantity * price`` and the fees' sum or difference in
# the default context (28 significant digits): a value of more digits is rounded there.
_DIGITS_28: Final = 10**28
_Q: Final = QUANTITY_SCALE
#: Half a cent in money units: a loss at or under it rounds to $0.00 (half-even).
_HALF_CENT: Final = MONEY_SCALE // 200
_WINDOW_DAYS: Final = 30
# A scaled quantity without an exact decimal is rounded to 12 places: 10**6 units.
_ROUNDED_STEP: Final = 10**6
# Quantities of 34 digits and more (10**16 shares): the Decimal replay's context rounds.
_TOO_LONG: Final = 10**33
# Units of 61 digits and more: :func:`to_units` (60 digits exact) decides them.
_SIXTY_DIGITS: Final = 10**60
_DECIMAL_ZERO: Final = Decimal(0)
_MINUS_Q: Final = Decimal(-18)
_MINUS_M: Final = Decimal(-_M_PLACES)
# Exact conversions: any rounding raises (and the Decimal replay runs instead).
_EXACT: Final = Context(prec=60, traps=[Inexact, InvalidOperation])
_WIDE: Final = Context(prec=100)
#: A spin-off's child lot sorts after every part of its parent lot.
CHILD_ORDER: Final = 1 << 30


_LONG: Final = Term.LONG
_SHORT: Final = Term.SHORT
_FIFO: Final = LotMethod.FIFO
# The order and natural-key tails of the two parts of a lot split in two (``.1``, ``.2``).
_FIRST: Final = (1,)
_SECOND: Final = (2,)
_FIRST_KEY: Final = (1, "")
_SECOND_KEY: Final = (2, "")
# The holdings of an account and symbol that holds nothing (never written to).
_NOTHING_HELD: Final[list[_Piece]] = []
# The parts of a dead candidate slot (never read nor written: the slot's own emptied
# list is let go, a live one for every purchase of the history otherwise).
_NO_PARTS: Final[list[_Piece]] = []


_Item = TypeVar("_Item")


def to_units(value: Decimal, scale_exponent: int) -> int:
    """``value * 10**scale_exponent`` as an integer; :class:`NotExact` when it is not one.

    >>> to_units(Decimal("15.01"), 15)
    15010000000000000
    """
    try:
        return int(_EXACT.to_integral_exact(_EXACT.scaleb(value, scale_exponent)))
    except (Inexact, InvalidOperation):
        raise NotExact(value) from None


def exact_units(value: Decimal, scale: int, scale_exponent: int) -> int:
    """:func:`to_units` of ``value`` (``scale`` is ``10**scale_exponent``), from its
    exact ratio: about half the time of the Decimal operations. A value of 61 digits
    and more, a NaN or an infinity is left to :func:`to_units` (its 60-digit context
    decides those).

    >>> exact_units(Decimal("15.01"), 10**15, 15)
    15010000000000000
    """
    try:
        numerator, denominator = value.as_integer_ratio()
    except (ValueError, OverflowError):  # NaN, infinity: as to_units does
        return to_units(value, scale_exponent)
    units, rest = divmod(numerator * scale, denominator)
    if rest:
        raise NotExact(value)
    if -_SIXTY_DIGITS < units < _SIXTY_DIGITS:
        return units
    return to_units(value, scale_exponent)


def from_units(units: int, exponent: int) -> Decimal:
    """The exact Decimal of ``units * 10**exponent`` (``exponent`` -18 or -20 here).

    >>> from_units(5003333333333333, -15)
    Decimal('5.003333333333333')
    """
    return _WIDE.scaleb(Decimal(units), exponent)


def _quantity(units: int) -> Decimal:
    whole, rest = divmod(units, _Q)
    if not rest:
        return Decimal(whole)
    return _WIDE.scaleb(Decimal(units), _MINUS_Q)


def _money(units: int) -> Decimal:
    if not units:
        return _DECIMAL_ZERO  # as the Decimal replay's untouched zeros print: 0
    return _WIDE.scaleb(Decimal(units), _MINUS_M)


def split_units(total: int, part: int, whole: int) -> tuple[int, int]:
    """``total * part / whole`` rounded half-even to 15 places of a dollar, and the exact rest.

    The integer twin of :func:`lots.numbers.split` (``total`` in money units, the
    part a multiple of ``10**5`` units, the rest exact; a part that rounds past the
    total is the total).

    >>> split_units(10**20, 1, 3)  # a third of a dollar: 0.333333333333333
    (33333333333333300000, 66666666666666700000)
    >>> split_units(60_000, 9, 10)  # 6e-16 of a dollar: 5.4e-16 rounds past it, to 1e-15
    (60000, 0)
    """
    if not total:
        return 0, 0
    if part == whole:
        return total, 0
    if not part:
        return 0, total
    numerator = total * part
    negative = numerator < 0
    if negative:
        numerator = -numerator
    denominator = whole * _PART_STEP
    units, rest = divmod(numerator, denominator)
    twice = rest + rest
    if twice > denominator or (twice == denominator and units & 1):
        units += 1
    units *= _PART_STEP
    if negative:
        units = -units
    if (units > total) if total > 0 else (units < total):
        return total, 0  # (rounded past the total: the part is all of it)
    return units, total - units


def exact_in_28_digits(units: int) -> bool:
    """Whether the money ``units`` have at most 28 significant digits (the Decimal
    replay's default context holds them exactly; else it rounds, and so the integer
    path gives up).

    >>> exact_in_28_digits(10**27), exact_in_28_digits(10**40 + 1)
    (True, False)
    """
    if -_DIGITS_28 < units < _DIGITS_28:
        return True
    while units % 10 == 0:
        units //= 10
    return -_DIGITS_28 < units < _DIGITS_28


def scale_units(quantity: int, numerator: int, denominator: int) -> int:
    """``quantity * numerator / denominator`` in quantity units, as :func:`lots.events.scale`.

    Exact when the result fits the scale's 18 places; rounded half-even to 12
    places (a multiple of ``10**6`` units) when it has no exact decimal;
    :class:`NotExact` when it has an exact decimal of more than 18 places (the
    Decimal replay keeps those whole), or more digits than the Decimal replay's
    34-digit context holds exactly (it would round those).

    >>> scale_units(10**18, 1, 3)  # 1:3 of a share: 0.333333333333, 12 places
    333333333333000000
    >>> scale_units(1_000_000, 1, 4)  # 1:4 of 0.000000000001: 2.5e-13, exact
    250000
    """
    product = quantity * numerator
    if product >= _TOO_LONG:
        raise NotExact("a scaled quantity of more than 34 digits")
    units, rest = divmod(product, denominator)
    if not rest:
        return units
    reduced = denominator // gcd(rest, denominator)
    for factor in (2, 5):
        while reduced % factor == 0:
            reduced //= factor
    if reduced == 1:
        raise NotExact("a scaled quantity with more than 18 places")
    step = denominator * _ROUNDED_STEP
    units, rest = divmod(product, step)
    twice = rest + rest
    if twice > step or (twice == step and units & 1):
        units += 1
    return units * _ROUNDED_STEP


# -- the events over open lots, in integers -------------------------------------------
# The common cases of the functions of ``lots.events``, on a lot's units, with their
# results: each gives None wherever the Decimal function could round (a quantity scaled
# to no exact 18-place decimal, a product of more than 28 digits, a merger's cash), and
# the Decimal function then runs for that lot. Rare events, but a piece of a long
# history each: the Decimal detour was about a tenth of a mixed history's replay.

# A lot's units: (quantity, cost basis, wash-sale adjustment, loss basis or None).
_Units = tuple[int, int, int, int | None]
# The ratios the integer events take: whole numbers under a million (the products they
# make stay under the Decimal contexts' digits: 28 for money, 34 for a scaled quantity,
# checked per lot: ``_DIGITS_28``, ``_TOO_LONG``).
_RATIO_LIMIT: Final = 10**6


class _Applied(NamedTuple):
    """An event's effect on one lot, in units (``lots.events.Outcome``'s fields)."""

    kept: _Units
    child: _Units | None = None
    proceeds: int = 0
    event: DispositionEvent | None = None


class _Deferred(NamedTuple):
    """The Decimals an event leaves on a lot, made only when the lot is listed at the end
    (most lots are sold first): the event's own function over the lot as it was, which is
    what the Decimal path stores at once, exponents and all."""

    txn: Transaction
    before: _Units
    child: bool

    def decimals(self) -> tuple[Decimal, Decimal, Decimal, Decimal | None]:
        outcome = LOT_EVENTS[self.txn.action](_holding(self.before), self.txn)
        kept = outcome.child if self.child else outcome.kept
        assert kept is not None
        return _decimals(kept)


def _decimals(holding: Holding) -> tuple[Decimal, Decimal, Decimal, Decimal | None]:
    return holding.quantity, holding.cost_basis, holding.adjustment, holding.loss_basis


# What a piece's records are made from at the end (see ``_Piece.exact``).
_Exact = tuple[Decimal, Decimal, Decimal, Decimal | None] | Transaction | _Deferred | None


def _holding(units: _Units) -> Holding:
    """The lot the units are, in Decimals (what the Decimal event functions take)."""
    quantity, basis, adjustment, loss_basis = units
    return Holding(
        _quantity(quantity),
        _money(basis),
        _money(adjustment),
        None if loss_basis is None else _money(loss_basis),
    )


def _holding_units(holding: Holding) -> _Units:
    loss_basis = holding.loss_basis
    return (
        to_units(holding.quantity, _Q_PLACES),
        to_units(holding.cost_basis, _M_PLACES),
        to_units(holding.adjustment, _M_PLACES),
        None if loss_basis is None else to_units(loss_basis, _M_PLACES),
    )


def _whole_ratio(ratio: tuple[Decimal, Decimal]) -> tuple[int, int] | None:
    """``new:old`` as two integers, when both are whole numbers under a million."""
    try:
        (new, one), (old, other) = ratio[0].as_integer_ratio(), ratio[1].as_integer_ratio()
    except (ValueError, OverflowError):  # NaN, infinity: the Decimal function's to say
        return None
    if one != 1 or other != 1 or not (0 < new < _RATIO_LIMIT and 0 < old < _RATIO_LIMIT):
        return None
    return new, old


def _scaled(quantity: int, new: int, old: int) -> int | None:
    """``lots.events.scale`` in units, when its result is exact in 18 places."""
    product = quantity * new
    if product >= _TOO_LONG:
        return None
    units, rest = divmod(product, old)
    return None if rest else units


def _ratio_parameters(txn: Transaction) -> tuple[int, int] | None:
    if txn.action is not Action.SPLIT and txn.cash_per_share:
        return None  # a merger's cash boot (rare): the Decimal function
    if txn.ratio is None:  # a merger's default is 1:1; a split has a ratio
        return None if txn.action is Action.SPLIT else (1, 1)
    return _whole_ratio(txn.ratio)


def _rescaled(ratio: tuple[int, int], units: _Units) -> _Applied | None:
    """A split, or a merger or symbol change without cash: shares scale, nothing else."""
    quantity, basis, adjustment, loss_basis = units
    scaled = _scaled(quantity, *ratio)
    return None if scaled is None else _Applied((scaled, basis, adjustment, loss_basis))


def _capital_parameters(txn: Transaction) -> int | None:
    amount = txn.amount_per_share
    if amount is None:
        return None
    try:
        units = exact_units(amount, MONEY_SCALE, _M_PLACES)
    except NotExact:
        return None
    return units if units >= 0 else None


def _returned(amount: int, units: _Units) -> _Applied | None:
    """``lots.events.return_of_capital``: the basis down by the payment, any excess a gain."""
    quantity, basis, adjustment, loss_basis = units
    paid, rest = divmod(amount * quantity, _Q)
    if rest or paid >= _DIGITS_28 or basis >= _DIGITS_28:
        return None
    if loss_basis is not None:
        if loss_basis >= _DIGITS_28:
            return None
        loss_basis = loss_basis - paid if loss_basis > paid else 0
    if paid <= basis:
        basis -= paid
        return _Applied((quantity, basis, min(adjustment, basis), loss_basis))
    return _Applied(
        (quantity, 0, 0, loss_basis),
        proceeds=paid - basis,
        event=DispositionEvent.RETURN_OF_CAPITAL_EXCESS,
    )


def _spinoff_parameters(txn: Transaction) -> tuple[int, int, int, int] | None:
    """(new, old, the fraction's digits as an integer, and ten to its places)."""
    fraction = txn.basis_fraction
    if txn.ratio is None or fraction is None or not fraction.is_finite():
        return None
    ratio = _whole_ratio(txn.ratio)
    if ratio is None:
        return None
    sign, digits, exponent = fraction.as_tuple()
    assert isinstance(exponent, int)
    coefficient = int("".join(map(str, digits)))
    if exponent >= 0:
        coefficient, whole = coefficient * 10**exponent, 1
    else:
        whole = 10**-exponent
    if sign or not 0 < coefficient < whole:
        return None  # (0 or 1: the parent keeps nothing or all, unrounded: rare)
    return ratio[0], ratio[1], coefficient, whole


def _exact_part(amount: int, coefficient: int) -> bool:
    """Whether ``amount * fraction`` is exact in the Decimal replay's 28 digits (its
    coefficient is the two coefficients' product: the amount's units, the fraction's
    digits), and the amount under 10**8 dollars (so that its parts are too)."""
    return amount < _DIGITS_28 and exact_in_28_digits(amount * coefficient)


def _spun_off(parameters: tuple[int, int, int, int], units: _Units) -> _Applied | None:
    """``lots.events.spin_off``: the parent keeps the fraction of each amount, rounded
    half-even to 15 places (:func:`split_units` is that rounding: ``lots.numbers.split``'s),
    the child the rest; the child's shares are the parent's scaled."""
    new, old, coefficient, whole = parameters
    quantity, basis, adjustment, loss_basis = units
    child_quantity = _scaled(quantity, new, old)
    if child_quantity is None or not _exact_part(basis, coefficient):
        return None
    if adjustment and not _exact_part(adjustment, coefficient):
        return None
    parent_basis, child_basis = split_units(basis, coefficient, whole)
    parent_adjustment, child_adjustment = split_units(adjustment, coefficient, whole)
    parent_loss = child_loss = None
    if loss_basis is not None:
        if not _exact_part(loss_basis, coefficient):
            return None
        parent_loss, child_loss = split_units(loss_basis, coefficient, whole)
    return _Applied(
        (quantity, parent_basis, parent_adjustment, parent_loss),
        child=(child_quantity, child_basis, child_adjustment, child_loss),
    )


_Parameters = Callable[[Transaction], object]
_Apply = Callable[[object, _Units], _Applied | None]
#: The integer events by action: the transaction's parameters once, then each lot.
_INTEGER_EVENTS: Final[dict[Action, tuple[_Parameters, _Apply]]] = {
    Action.SPLIT: (_ratio_parameters, _rescaled),  # type: ignore[dict-item]
    Action.MERGER: (_ratio_parameters, _rescaled),  # type: ignore[dict-item]
    Action.SYMBOL_CHANGE: (_ratio_parameters, _rescaled),  # type: ignore[dict-item]
    Action.RETURN_OF_CAPITAL: (_capital_parameters, _returned),  # type: ignore[dict-item]
    Action.SPINOFF: (_spinoff_parameters, _spun_off),  # type: ignore[dict-item]
}


class _Piece:
    """A lot, or part of one, while the replay runs (integers of the fixed scales)."""

    __slots__ = (
        "account_id",
        "symbol",
        "lot_id",
        "quantity",
        "cost_basis",
        "purchased",
        "acquired",
        "adjustment",
        "purchase",
        "used",
        "slot",
        "slots",
        "order",
        "loss_basis",
        "inherited",
        "rest",
        "day",
        "exact",
        "natural",
        "per_share",
    )

    def __init__(
        self,
        account_id: str,
        symbol: str,
        lot_id: str,
        quantity: int,
        cost_basis: int,
        purchased: dt.date,
        acquired: dt.date,
        adjustment: int,
        purchase: int,
        used: bool,
        order: tuple[int, ...],
    ) -> None:
        self.account_id = account_id
        self.symbol = symbol
        self.lot_id = lot_id
        self.quantity = quantity
        self.cost_basis = cost_basis
        self.purchased = purchased
        self.acquired = acquired
        self.adjustment = adjustment
        self.purchase = purchase
        self.used = used
        self.slot = -1
        # The replacement candidates of the piece's group it is in (at ``slot``), if any.
        self.slots: _Slots[list[_Piece]] | None = None
        self.order = order
        self.loss_basis: int | None = None
        self.inherited = False
        self.rest: _Piece | None = None
        self.day = purchased.toordinal()
        # The Decimals the Decimal replay holds for this piece, (quantity, basis,
        # adjustment, loss basis), while the units are unchanged since they were read
        # (an opening lot, a buy, a gift): the records then keep their exponents
        # (``100.50``, not ``100.500000000000000``), which a file writer prints.
        # A buy's piece holds its Transaction instead, until the end (the Decimals are
        # made only for the lots still open then, most pieces are sold before).
        self.exact: _Exact = None
        # The lot id's natural sort key, once needed (relief breaks ties with it).
        self.natural: tuple[str | int, ...] | None = None
        # (cost basis, quantity, basis per share as the Decimal replay computes it, and
        # its negation: the HIFO order's key).
        self.per_share: tuple[int, int, Decimal, Decimal] | None = None

    def rename(self, lot_id: str) -> None:
        self.lot_id = lot_id
        self.natural = None


class _Slots(Generic[_Item]):
    """Items in purchase order with a skip-dead pointer (union-find): a live slot's
    parent is -1 (one shared int, not an int object per slot), a dead one's a later
    slot."""

    __slots__ = ("keys", "items", "parent")

    def __init__(self) -> None:
        self.keys: list[int] = []
        self.items: list[_Item] = []
        self.parent: list[int] = []

    def append(self, key: int, item: _Item) -> int:
        index = len(self.items)
        self.keys.append(key)
        self.items.append(item)
        self.parent.append(-1)
        return index

    def find(self, index: int) -> int:
        """The first live slot at or after ``index`` (``len`` if none)."""
        parent = self.parent
        size = len(parent)
        root = index
        while root < size and parent[root] >= 0:
            root = parent[root]
        while index < size and parent[index] >= 0:
            parent[index], index = root, parent[index]
        return root

    def kill(self, index: int) -> None:
        self.parent[index] = index + 1


# A promised claim on a later purchase: (shares, disallowed, holding days, permanent,
# sale index, sale date, account, symbol, lot id).
_Pending = tuple[int, int, int, bool, int, dt.date, str, str, str]
# Shares relieved by a sale as their lot was: (lot id, acquired, purchased, purchase,
# inherited, shares, basis, proceeds).
_Sold = tuple[str, dt.date, dt.date, int, bool, int, int, int]
# A disposition row in units: the fields of ``Disposition`` in order.
_Row = tuple[
    dt.date, str, str, str, int, dt.date, dt.date, Term, int, int, int, int, bool,
    DispositionEvent | None, bool,
]  # fmt: skip
# A match in units: (sale index, the fields of ``WashMatch`` in order).
_Match = tuple[int, dt.date, str, str, str, int, str, str, str, dt.date, int, bool]

_NEW_SYMBOL: Final = frozenset({Action.MERGER, Action.SYMBOL_CHANGE})
_RECEIPTS: Final = (Action.GIFT_RECEIVED, Action.INHERITED)


def _term(acquired: dt.date, sale_date: dt.date) -> Term:
    return Term.LONG if sale_date > one_year_after(acquired) else Term.SHORT


class FastReplay:
    """One replay on integers: :meth:`run` replays (or raises :class:`NotExact`), then
    :meth:`dispositions`, :meth:`lots` and :meth:`wash_matches` build the records."""

    def __init__(
        self,
        accounts: Mapping[str, Account],
        identical_group: Mapping[str, str],
        default_method: LotMethod,
        same_sale_replacement: bool = False,
    ) -> None:
        self.accounts = accounts
        self.identical_group = identical_group
        self.same_sale = same_sale_replacement
        self.account_index = {account_id: i for i, account_id in enumerate(accounts)}
        self.methods = {
            account_id: LotMethod.parse(account.lot_method)
            if account.lot_method
            else default_method
            for account_id, account in accounts.items()
        }
        self.taxable = {
            account_id: account.treatment is TaxTreatment.TAXABLE
            for account_id, account in accounts.items()
        }
        self.holdings: dict[tuple[str, str], list[_Piece]] = {}
        self.candidates: dict[tuple[str, str], _Slots[list[_Piece]]] = {}
        # symbol -> its group's candidates (a symbol's group is fixed once first asked).
        self.candidates_of: dict[str, _Slots[list[_Piece]]] = {}
        self.future: dict[tuple[str, str], _Slots[Transaction]] = {}
        # The shares of a purchase not yet promised to an earlier loss sale (only those of
        # purchases with a promise; the others' are all their shares).
        self.unpromised: dict[int, int] = {}
        self.promised: dict[int, list[_Pending]] = {}
        self.splits: dict[str, list[tuple[int, int, int]]] = {}
        self.rows: list[_Row] = []
        # Holdings lists that may not be in FIFO order (see :func:`_fifo_sort`): any list a
        # piece joins other than at the end, or whose piece's dates or lot id change.
        self.unsorted: set[tuple[str, str]] = set()
        self.matches: list[_Match] = []
        self.lot_ids: dict[str, set[str]] = {account_id: set() for account_id in accounts}
        # (account, symbol) -> the last number of the lot ids generated on
        # ``generated_date`` (events come in date order: only one date's are kept).
        self.generated: dict[tuple[str, str], int] = {}
        self.generated_date: dt.date | None = None
        # The generated lot ids' date text and natural key part, of ``generated_date``.
        self.date_text = ""
        self.date_key: tuple[str | int, ...] = ()
        # The natural keys' tails of the day's generated ids: ``date_key + (N, "")`` at N
        # (one tuple joined to the symbol's head per lot, not two).
        self.date_tails: list[tuple[str | int, ...]] = []
        # symbol -> the head of its generated lot ids' natural keys (see :meth:`new_lot`).
        self.symbol_keys: dict[str, tuple[str | int, ...]] = {}
        self.group_keys: dict[str, tuple[str, str]] = {}
        # Per event index: shares, price and fees in units (0 where the row has none).
        self.quantities: list[int] = []
        self.prices: list[int] = []
        self.fees: list[int] = []
        # The boundary's caches: the open pieces in order, whether the matches are in
        # sale order, the Decimal of each distinct quantity.
        self.sorted_pieces: list[_Piece] | None = None
        self.matches_sorted = False
        self.decimal_shares: dict[int, Decimal] = {}

    def group(self, symbol: str) -> tuple[str, str]:
        key = self.group_keys.get(symbol)
        if key is None:
            group = self.identical_group.get(symbol)
            key = self.group_keys[symbol] = ("group", group) if group else ("symbol", symbol)
        return key

    # -- candidates ---------------------------------------------------------

    def add_candidate(self, piece: _Piece) -> None:
        slots = self.candidates_of.get(piece.symbol)
        if slots is None:
            key = self.group(piece.symbol)
            slots = self.candidates.get(key)
            if slots is None:
                slots = self.candidates[key] = _Slots[list[_Piece]]()
            self.candidates_of[piece.symbol] = slots
        piece.slot = slots.append(piece.day, [piece])
        piece.slots = slots

    def drop_candidate(self, piece: _Piece) -> None:
        if piece.slot >= 0:
            slots = piece.slots
            assert slots is not None
            parts = slots.items[piece.slot]
            parts.remove(piece)
            if not parts:
                slots.kill(piece.slot)
                slots.items[piece.slot] = _NO_PARTS
            piece.slot = -1

    # -- the run ------------------------------------------------------------

    def run(self, transactions: Sequence[Transaction], opening_lots: Sequence[Lot]) -> None:
        """Replay the history; the records are then built from the integers when read
        (:meth:`dispositions`, :meth:`lots`, :meth:`wash_matches`)."""
        ordered = sorted(transactions, key=lambda txn: txn.date)
        accounts = self.accounts
        quantities, prices, fees = self.quantities, self.prices, self.fees
        shares: dict[Decimal, int] = {}
        money: dict[Decimal, int] = {}
        seen_splits: set[tuple[str, dt.date, tuple[Decimal, Decimal] | None, int]] = set()
        split_rows: dict[tuple[str, dt.date, tuple[Decimal, Decimal] | None, str], int] = {}
        # symbol -> its group's purchases (a symbol's group is fixed once first asked).
        future_of: dict[str, _Slots[Transaction]] = {}
        # (Enum members hash in Python: actions are compared by identity here.)
        buy, reinvest, sell, transfer = Action.BUY, Action.REINVEST, Action.SELL, Action.TRANSFER
        for index, txn in enumerate(ordered):
            if txn.account_id not in accounts:
                raise NotExact("unknown account")  # the Decimal replay says which
            action = txn.action
            purchase = action is buy or action is reinvest
            if purchase or action is sell or action is transfer or action in _RECEIPTS:
                # Histories repeat their prices, fees and purchased quantities: each
                # distinct value is converted once (Decimals equal in value give the same
                # units). A sale's quantity, a share of the holding, rarely repeats: it is
                # converted directly (a cache would hash it, which costs about as much).
                value = txn.quantity
                if action is sell:
                    quantities.append(exact_units(value, _Q, _Q_PLACES))
                else:
                    units = shares.get(value)
                    if units is None:
                        units = shares[value] = exact_units(value, _Q, _Q_PLACES)
                    quantities.append(units)
                value = txn.price
                units = money.get(value)
                if units is None:
                    units = money[value] = exact_units(value, MONEY_SCALE, _M_PLACES)
                prices.append(units)
                value = txn.fees
                if not value:  # (most rows: no fees)
                    fees.append(0)
                else:
                    units = money.get(value)
                    if units is None:
                        units = money[value] = exact_units(value, MONEY_SCALE, _M_PLACES)
                    fees.append(units)
            else:
                quantities.append(0)
                prices.append(0)
                fees.append(0)
            if purchase:
                slots = future_of.get(txn.symbol)
                if slots is None:
                    group = self.group(txn.symbol)
                    slots = self.future.get(group)
                    if slots is None:
                        slots = self.future[group] = _Slots[Transaction]()
                    future_of[txn.symbol] = slots
                slots.keys.append(index)  # :meth:`_Slots.append`, inline
                slots.items.append(txn)
                slots.parent.append(-1)
            elif action is Action.TRANSFER:
                target = txn.to_account_id
                if target is None or target not in accounts:
                    raise NotExact("unknown account")
                check_transfer(accounts[txn.account_id], accounts[target])
            elif action is Action.SYMBOL_CHANGE:
                assert txn.new_symbol is not None
                if txn.new_symbol not in self.identical_group:
                    self.group_keys.setdefault(txn.new_symbol, self.group(txn.symbol))
            elif action is Action.SPLIT:
                row_key = (txn.symbol, txn.date, txn.ratio, txn.account_id)
                occurrence = split_rows[row_key] = split_rows.get(row_key, 0) + 1
                key = (txn.symbol, txn.date, txn.ratio, occurrence)
                if key not in seen_splits:
                    seen_splits.add(key)
                    assert txn.ratio is not None
                    ratio = Fraction(txn.ratio[0]) / Fraction(txn.ratio[1])
                    self.splits.setdefault(txn.symbol, []).append(
                        (index, ratio.numerator, ratio.denominator)
                    )
        self.open(opening_lots, ordered[0].date if ordered else None)
        handlers = _HANDLERS
        sell_lots, buy_lot = self.sell, self.buy
        for index, txn in enumerate(ordered):
            action = txn.action
            if action is sell:
                sell_lots(index, txn, quantities[index], prices[index], fees[index])
            elif action is buy or action is reinvest:
                buy_lot(index, txn)
            else:
                handlers[action._value_](self, index, txn)

    def open(self, opening_lots: Sequence[Lot], first_date: dt.date | None) -> None:
        opening = sorted(opening_lots, key=lambda lot: lot.purchased)
        for number, lot in enumerate(opening):
            if lot.account_id not in self.accounts:
                raise NotExact("unknown account")
            if first_date is not None and lot.purchased > first_date:
                raise NotExact("opening lot after the first transaction")
            self.claim_lot_id(lot.account_id, lot.lot_id)
            used = (
                lot.wash_sale_adjustment > 0
                or lot.acquired != lot.purchased
                or lot.loss_basis is not None
                or lot.inherited
            )
            piece = _Piece(
                lot.account_id,
                lot.symbol,
                lot.lot_id,
                to_units(lot.quantity, _Q_PLACES),
                to_units(lot.cost_basis, _M_PLACES),
                lot.purchased,
                lot.acquired,
                to_units(lot.wash_sale_adjustment, _M_PLACES),
                -1 - number,
                used,
                (number - len(opening),),
            )
            if lot.loss_basis is not None:
                piece.loss_basis = to_units(lot.loss_basis, _M_PLACES)
            piece.inherited = lot.inherited
            piece.exact = (lot.quantity, lot.cost_basis, lot.wash_sale_adjustment, lot.loss_basis)
            self.holdings.setdefault((lot.account_id, lot.symbol), []).append(piece)
            self.unsorted.add((lot.account_id, lot.symbol))
            if not piece.used:
                self.add_candidate(piece)

    def claim_lot_id(self, account_id: str, lot_id: str) -> None:
        taken = self.lot_ids[account_id]
        if lot_id in taken:
            raise NotExact("duplicate lot id")  # the Decimal replay says which
        taken.add(lot_id)

    def new_lot_id(self, txn: Transaction) -> str:
        return self.new_lot(txn)[0]

    def new_lot(self, txn: Transaction) -> tuple[str, tuple[str | int, ...]]:
        """A new lot id ``SYMBOL-YYYY-MM-DD-N`` for ``txn``, and its natural sort key
        (``lots.relief.natural_key``), built from the symbol's: the symbol's last text
        part gains the ``-``, then the date's three numbers and ``N``, each after a ``-``.
        """
        account_id, symbol, date = txn.account_id, txn.symbol, txn.date
        generated = self.generated
        if date != self.generated_date:
            generated.clear()
            self.generated_date = date
            self.date_text = f"-{date.isoformat()}-"
            self.date_key = (date.year, "-", date.month, "-", date.day, "-")
            self.date_tails.clear()
        key = (account_id, symbol)
        number = generated.get(key, 0)
        taken = self.lot_ids[account_id]
        stem = symbol + self.date_text
        while True:
            number += 1
            lot_id = f"{stem}{number}"
            if lot_id not in taken:
                break
        generated[key] = number
        head = self.symbol_keys.get(symbol)
        if head is None:
            natural = natural_key(symbol)
            head = self.symbol_keys[symbol] = (*natural[:-1], f"{natural[-1]}-")
        tails = self.date_tails
        while len(tails) <= number:
            tails.append(self.date_key + (len(tails), ""))
        return lot_id, head + tails[number]

    def split_factor(self, symbol: str, after: int, before: int) -> tuple[int, int] | None:
        """The product of the splits of ``symbol`` between two events, reduced (None: none)."""
        splits = self.splits.get(symbol)
        if not splits:
            return None
        numerator = denominator = 1
        for index, n, d in splits:
            if after < index < before:
                numerator *= n
                denominator *= d
        if numerator == denominator:
            return None
        common = gcd(numerator, denominator)
        return numerator // common, denominator // common

    # -- buys ---------------------------------------------------------------

    def buy(self, index: int, txn: Transaction) -> None:
        account_id, symbol, date = txn.account_id, txn.symbol, txn.date
        lot_id = txn.lot_id
        taken = self.lot_ids[account_id]
        natural: tuple[str | int, ...] | None = None
        if lot_id is None:
            lot_id, natural = self.new_lot(txn)
        elif lot_id in taken:
            raise NotExact("duplicate lot id")  # the Decimal replay says which
        taken.add(lot_id)
        quantity = self.quantities[index]
        gross, rest = divmod(quantity * self.prices[index], _Q)
        basis_left = gross + self.fees[index]
        if rest or not (
            (-_DIGITS_28 < gross < _DIGITS_28 and -_DIGITS_28 < basis_left < _DIGITS_28)
            or (exact_in_28_digits(gross) and exact_in_28_digits(basis_left))
        ):
            raise NotExact("a basis with more places than the money scale, or 28 digits")
        key = (account_id, symbol)
        held = self.holdings.get(key)
        if held is None:
            held = self.holdings[key] = []
        if held and held[-1].day >= date.toordinal():
            # A second lot of the day (a list in FIFO order ends with its latest lot).
            self.unsorted.add(key)
        promises = self.promised
        claims = promises.pop(index, None) if promises else None
        if claims is None:
            piece = _Piece(
                account_id, symbol, lot_id, quantity, basis_left, date, date, 0, index, False,
                (index, 1),
            )  # fmt: skip
            piece.exact = txn
            piece.natural = natural
            held.append(piece)
            slots = self.candidates_of.get(symbol)
            if slots is None:
                self.add_candidate(piece)
            else:  # :meth:`add_candidate`, inline
                items = slots.items
                position = len(items)
                slots.keys.append(piece.day)
                items.append([piece])
                slots.parent.append(-1)
                piece.slot = position
                piece.slots = slots
            return
        self.unsorted.add(key)
        promised = 0
        for claim in claims:
            promised += claim[0]
        parts = len(claims) + (1 if promised < quantity else 0)
        taxable = self.taxable[account_id]
        quantity_left = quantity
        if natural is not None and parts > 1:
            head, tail = natural[:-1], f"{natural[-1]}."
        for number, claim in enumerate(claims, start=1):
            shares, disallowed, holding_days, permanent = claim[0], claim[1], claim[2], claim[3]
            basis, basis_left = split_units(basis_left, shares, quantity_left)
            quantity_left -= shares
            adjustment = 0 if permanent else disallowed
            acquired = date - dt.timedelta(days=holding_days) if taxable else date
            piece_id = lot_id if parts == 1 else f"{lot_id}.{number}"
            piece = _Piece(
                account_id, symbol, piece_id, shares, basis + adjustment, date, acquired,
                adjustment, index, True, (index, number),
            )  # fmt: skip
            if natural is not None:
                piece.natural = natural if parts == 1 else (*head, tail, number, "")
            held.append(piece)
            self.matches.append(
                (claim[4], claim[5], claim[6], claim[7], claim[8], shares, account_id, symbol,
                 piece_id, date, disallowed, permanent)
            )  # fmt: skip
        if quantity_left > 0:
            piece_id = lot_id if parts == 1 else f"{lot_id}.{parts}"
            piece = _Piece(
                account_id, symbol, piece_id, quantity_left, basis_left, date, date, 0, index,
                False, (index, parts),
            )  # fmt: skip
            if natural is not None:
                piece.natural = natural if parts == 1 else (*head, tail, parts, "")
            held.append(piece)
            self.add_candidate(piece)

    def receive(self, index: int, txn: Transaction) -> None:
        lot_id = txn.lot_id if txn.lot_id is not None else self.new_lot_id(txn)
        self.claim_lot_id(txn.account_id, lot_id)
        loss_basis = None
        if txn.action is Action.GIFT_RECEIVED:
            if txn.donor_basis is None or txn.fmv is None or txn.donor_acquired is None:
                raise NotExact("a gift without its fields")
            if txn.donor_acquired > txn.date:
                raise NotExact("a gift before the donor's purchase")
            basis = to_units(txn.donor_basis, _M_PLACES)
            fmv = to_units(txn.fmv, _M_PLACES)
            loss_basis = fmv if fmv < basis else None
            acquired = txn.donor_acquired
        else:
            if txn.fmv is None:
                raise NotExact("an inheritance without fmv")
            basis, acquired = to_units(txn.fmv, _M_PLACES), txn.date
        piece = _Piece(
            txn.account_id, txn.symbol, lot_id, self.quantities[index], basis, txn.date,
            acquired, 0, index, True, (index, 1),
        )  # fmt: skip
        piece.loss_basis = loss_basis
        piece.inherited = txn.action is Action.INHERITED
        if txn.action is Action.GIFT_RECEIVED:
            assert txn.donor_basis is not None
            exact_loss = txn.fmv if loss_basis is not None else None
            piece.exact = (txn.quantity, txn.donor_basis, _DECIMAL_ZERO, exact_loss)
        else:
            assert txn.fmv is not None
            piece.exact = (txn.quantity, txn.fmv, _DECIMAL_ZERO, None)
        self.holdings.setdefault((txn.account_id, txn.symbol), []).append(piece)
        self.unsorted.add((txn.account_id, txn.symbol))

    # -- events over the open lots ------------------------------------------

    def corporate(self, index: int, txn: Transaction) -> None:
        key = (txn.account_id, txn.symbol)
        held = self.holdings.get(key)
        if not held:
            return
        event = LOT_EVENTS[txn.action]
        apply: _Apply | None = None
        integer = _INTEGER_EVENTS.get(txn.action)
        if integer is not None:
            parameters = integer[0](txn)
            if parameters is not None:
                apply = integer[1]
        received: list[_Piece] = []
        for piece in sorted(held, key=_lot_order):
            before = (piece.quantity, piece.cost_basis, piece.adjustment, piece.loss_basis)
            applied = None if apply is None else apply(parameters, before)
            if applied is not None:
                # The integers of the Decimal function's result; its Decimals (which keep
                # their exponents) are made only if the lot is still open at the end.
                kept = applied.kept
                exact: _Exact = _Deferred(txn, before, False)
                child = applied.child
                child_exact: _Exact = None if child is None else _Deferred(txn, before, True)
                proceeds, disposed, disposition = applied.proceeds, 0, applied.event
            else:  # any case the integers could round: the Decimal function, converted
                outcome = event(_holding(before), txn)
                kept, exact = _holding_units(outcome.kept), _decimals(outcome.kept)
                child = child_exact = None
                if outcome.child is not None:
                    child, child_exact = _holding_units(outcome.child), _decimals(outcome.child)
                proceeds = to_units(outcome.proceeds, _M_PLACES)
                disposed = to_units(outcome.disposed_basis, _M_PLACES)
                disposition = outcome.event
            piece.quantity, piece.cost_basis, piece.adjustment, piece.loss_basis = kept
            piece.exact = exact
            if disposition is not None:
                sold = (piece.lot_id, piece.acquired, piece.purchased, piece.purchase,
                        piece.inherited, 0, 0, 0)  # fmt: skip
                self.dispose(txn, sold, piece.lot_id, 0, proceeds, disposed, 0, 0, disposition)
            if child is not None:
                received.append(self.child(index, piece, child, child_exact, txn))
        if txn.action in _NEW_SYMBOL:
            assert txn.new_symbol is not None
            same_stock = self.group(txn.new_symbol) == self.group(txn.symbol)
            for piece in held:
                if not same_stock:
                    self.drop_candidate(piece)
                    piece.used = True
                piece.symbol = txn.new_symbol
            del self.holdings[key]
            self.holdings.setdefault((txn.account_id, txn.new_symbol), []).extend(held)
            self.unsorted.add((txn.account_id, txn.new_symbol))
            received = held
        elif txn.action is Action.SPLIT:
            received = held
        if received and txn.price > 0:
            self.cash_in_lieu(index, txn, received)

    def child(
        self, index: int, parent: _Piece, units: _Units, exact: _Exact, txn: Transaction
    ) -> _Piece:
        assert txn.new_symbol is not None
        lot_id = f"{parent.lot_id}-{txn.new_symbol}"
        self.claim_lot_id(parent.account_id, lot_id)
        quantity, basis, adjustment, loss_basis = units
        piece = _Piece(
            parent.account_id, txn.new_symbol, lot_id, quantity, basis, parent.purchased,
            parent.acquired, adjustment, parent.purchase, True,
            parent.order + (CHILD_ORDER + index,),
        )  # fmt: skip
        piece.loss_basis = loss_basis
        piece.inherited = parent.inherited
        piece.exact = exact
        self.holdings.setdefault((parent.account_id, txn.new_symbol), []).append(piece)
        self.unsorted.add((parent.account_id, txn.new_symbol))
        return piece

    def cash_in_lieu(self, index: int, txn: Transaction, received: list[_Piece]) -> None:
        total = 0
        for piece in received:
            total += piece.quantity
        fraction = total % _Q
        if fraction <= 0:
            return
        sale = Transaction(
            date=txn.date,
            account_id=txn.account_id,
            symbol=received[0].symbol,
            action=Action.SELL,
            quantity=_quantity(fraction),
            price=txn.price,
            row=txn.row,
            source=txn.source,
        )
        price = to_units(txn.price, _M_PLACES)
        self.sell(index, sale, fraction, price, 0, DispositionEvent.CASH_IN_LIEU, received)

    def transfer(self, index: int, txn: Transaction) -> None:
        assert txn.to_account_id is not None
        source, target = txn.account_id, txn.to_account_id
        held = self.holdings.get((source, txn.symbol), [])
        method = LotMethod.SPECIFIC if txn.lot_id else self.methods[source]
        chosen = _take(
            _relief_order(held, method, txn.date, _DECIMAL_ZERO, txn.lot_id), self.quantities[index]
        )
        destination = self.holdings.setdefault((target, txn.symbol), [])
        self.unsorted.add((source, txn.symbol))
        self.unsorted.add((target, txn.symbol))
        for piece, take in chosen:
            if take == piece.quantity:
                held.remove(piece)
                piece.account_id = target
                piece.rename(self.transferred_id(piece.lot_id, source, target))
                destination.append(piece)
                continue
            basis, piece.cost_basis = split_units(piece.cost_basis, take, piece.quantity)
            adjustment, piece.adjustment = split_units(piece.adjustment, take, piece.quantity)
            moved = _Piece(
                target, piece.symbol, self.transferred_id(f"{piece.lot_id}.1", source, target),
                take, basis, piece.purchased, piece.acquired, adjustment, piece.purchase,
                piece.used, piece.order + (1,),
            )  # fmt: skip
            if piece.loss_basis is not None:
                moved.loss_basis, piece.loss_basis = split_units(
                    piece.loss_basis, take, piece.quantity
                )
            moved.inherited = piece.inherited
            piece.quantity -= take
            piece.exact = None
            piece.rename(f"{piece.lot_id}.2")
            piece.order = piece.order + (2,)
            if piece.slot >= 0:
                assert piece.slots is not None
                parts = piece.slots.items[piece.slot]
                parts.insert(parts.index(piece), moved)
                moved.slot = piece.slot
                moved.slots = piece.slots
            destination.append(moved)

    def transferred_id(self, lot_id: str, source: str, target: str) -> str:
        taken = self.lot_ids[target]
        if lot_id in taken or lot_id.split(".")[0] in taken:
            lot_id = f"{source}:{lot_id}"
        self.claim_lot_id(target, lot_id)
        taken.add(lot_id.split(".")[0])
        return lot_id

    # -- sells --------------------------------------------------------------

    def sell(
        self,
        index: int,
        txn: Transaction,
        quantity: int,
        price: int,
        fees: int,
        event: DispositionEvent | None = None,
        pool: list[_Piece] | None = None,
    ) -> None:
        # The hot path: relief, proceeds and the rows of lots sold without a wash are
        # written out here (no call per lot); a loss sale calls :meth:`wash`.
        account_id = txn.account_id
        key = (account_id, txn.symbol)
        held = self.holdings.get(key, _NOTHING_HELD)
        lot_id = txn.lot_id
        method = LotMethod.SPECIFIC if lot_id else self.methods[account_id]
        gross, rest = divmod(quantity * price, _Q)
        if rest or not (
            (-_DIGITS_28 < gross < _DIGITS_28 and -_DIGITS_28 < gross - fees < _DIGITS_28)
            or (exact_in_28_digits(gross) and exact_in_28_digits(gross - fees))
        ):
            raise NotExact("proceeds with more places than the money scale, or 28 digits")
        if pool is None:
            if key in self.unsorted:
                if len(held) > 1:
                    _fifo_sort(held)
                self.unsorted.discard(key)
            # FIFO relieves a prefix of the sorted holdings: walked in place, and the
            # lots sold whole are cut off at once afterwards.
            lots = (
                held
                if method is _FIFO
                else _relief_order(held, method, txn.date, txn.price, lot_id, True)
            )
        else:
            lots = _relief_order(pool, method, txn.date, txn.price, lot_id)
        if self.same_sale:
            self.sell_each(index, txn, lots, quantity, gross - fees, event, held)
            return
        # Every lot is relieved before any wash: the shares a sale sells are never
        # replacements of its own losses (the contract's reading). The rows of lots sold
        # at a gain are written at once while no loss waits; a loss of the last lot
        # washes after the loop, any other loss waits with the lots after it.
        proceeds_left = gross - fees
        quantity_left = quantity
        taxable = self.taxable[account_id]
        rows = self.rows
        date, symbol = txn.date, txn.symbol
        waiting: list[_Sold] | None = None
        last_loss: _Sold | None = None
        in_place = lots is held
        sold_whole = 0
        for piece in lots:
            if quantity_left <= 0:
                break
            have = piece.quantity
            take = have if have < quantity_left else quantity_left
            loss_basis = piece.loss_basis
            if take == have:
                basis = piece.cost_basis
                piece.cost_basis = piece.adjustment = 0
                if loss_basis is not None:
                    piece.loss_basis = 0
            else:
                basis, piece.cost_basis = split_units(piece.cost_basis, take, have)
                if piece.adjustment:
                    piece.adjustment = split_units(piece.adjustment, take, have)[1]
                if loss_basis is not None:
                    loss_basis, piece.loss_basis = split_units(loss_basis, take, have)
            if take == quantity_left:
                proceeds, proceeds_left, quantity_left = proceeds_left, 0, 0
            else:
                proceeds, proceeds_left = split_units(proceeds_left, take, quantity_left)
                quantity_left -= take
            acquired = piece.acquired
            if loss_basis is not None and proceeds < basis:
                basis, fair = gift_sale_basis(basis, loss_basis, proceeds)
                if fair:  # the fair value's loss: held from the gift
                    acquired = piece.purchased
            piece.exact = None
            piece.quantity = have - take
            if take == have:
                if in_place:
                    sold_whole += 1
                else:
                    held.remove(piece)
                slot = piece.slot
                if slot >= 0:  # :meth:`drop_candidate`, inline
                    slots = piece.slots
                    assert slots is not None
                    parts = slots.items[slot]
                    parts.remove(piece)
                    if not parts:
                        slots.parent[slot] = slot + 1  # (``kill``)
                        slots.items[slot] = _NO_PARTS
                    piece.slot = -1
            if taxable and basis - proceeds > _HALF_CENT:
                sold = (piece.lot_id, acquired, piece.purchased, piece.purchase,
                        piece.inherited, take, basis, proceeds)  # fmt: skip
                if waiting is not None:
                    waiting.append(sold)
                elif quantity_left:
                    waiting = [sold]
                else:
                    last_loss = sold
            elif waiting is None:
                inherited = piece.inherited
                rows.append(
                    (date, account_id, symbol, piece.lot_id, take, acquired, piece.purchased,
                     _LONG if inherited or date > one_year_after(acquired) else _SHORT,
                     proceeds, basis, 0, 0, taxable, event, inherited)
                )  # fmt: skip
            else:
                waiting.append(
                    (piece.lot_id, acquired, piece.purchased, piece.purchase,
                     piece.inherited, take, basis, proceeds)
                )  # fmt: skip
        if quantity_left > 0:
            raise NotExact("more shares than held")
        if sold_whole:
            del held[:sold_whole]
        if last_loss is not None:
            self.wash(index, txn, last_loss, event)
        elif waiting is not None:
            for sold in waiting:
                if sold[6] - sold[7] > _HALF_CENT:  # (only taxable sales wait)
                    self.wash(index, txn, sold, event)
                else:
                    acquired, inherited = sold[1], sold[4]
                    rows.append(
                        (date, account_id, symbol, sold[0], sold[5], acquired, sold[2],
                         _LONG if inherited or date > one_year_after(acquired) else _SHORT,
                         sold[7], sold[6], 0, 0, taxable, event, inherited)
                    )  # fmt: skip

    def sell_each(
        self,
        index: int,
        txn: Transaction,
        lots: list[_Piece],
        quantity: int,
        proceeds: int,
        event: DispositionEvent | None,
        held: list[_Piece],
    ) -> None:
        """The same-sale reading: each lot relieved is its own sale, in relief order."""
        if held is lots:
            lots = list(lots)  # (relief removes the lots sold whole from ``held``)
        left = [proceeds, quantity]
        for piece, take in _take(lots, quantity):
            part: _Piece | None = piece
            while take > 0:
                assert part is not None
                share = min(take, part.quantity)
                if share > 0:
                    self.settle(index, txn, self.relieve(part, share, left, held), event)
                    take -= share
                part = part.rest

    def relieve(self, piece: _Piece, take: int, left: list[int], held: list[_Piece]) -> _Sold:
        """Relieve ``take`` shares of ``piece`` (``left``: the sale's proceeds and shares
        not yet shared out); the same-sale reading's path, one lot at a time."""
        quantity = piece.quantity
        if take == quantity:
            basis = piece.cost_basis
            piece.cost_basis = piece.adjustment = 0
            loss_basis = piece.loss_basis
            if loss_basis is not None:
                piece.loss_basis = 0
        else:
            basis, piece.cost_basis = split_units(piece.cost_basis, take, quantity)
            _, piece.adjustment = split_units(piece.adjustment, take, quantity)
            loss_basis = None
            if piece.loss_basis is not None:
                loss_basis, piece.loss_basis = split_units(piece.loss_basis, take, quantity)
        proceeds, left[0] = split_units(left[0], take, left[1])
        left[1] -= take
        acquired = piece.acquired
        if loss_basis is not None and proceeds < basis:
            basis, fair = gift_sale_basis(basis, loss_basis, proceeds)
            if fair:  # the fair value's loss: held from the gift
                acquired = piece.purchased
        sold = (piece.lot_id, acquired, piece.purchased, piece.purchase, piece.inherited, take,
                basis, proceeds)  # fmt: skip
        piece.quantity = quantity - take
        piece.exact = None
        if piece.quantity == 0:
            held.remove(piece)
            self.drop_candidate(piece)
        return sold

    def settle(
        self, index: int, txn: Transaction, sold: _Sold, event: DispositionEvent | None
    ) -> None:
        if sold[6] - sold[7] <= _HALF_CENT or not self.taxable[txn.account_id]:
            self.dispose(txn, sold, sold[0], sold[5], sold[7], sold[6], 0, 0, event)
        else:
            self.wash(index, txn, sold, event)

    def wash(
        self, index: int, txn: Transaction, sold: _Sold, event: DispositionEvent | None = None
    ) -> None:
        # A loss lot of a taxable sale (hot: a third of the lots sold). The replacement
        # candidates of the group are scanned here, and the rows written here, without a
        # call per claim or row; only a candidate split in two calls :meth:`absorb`.
        lot_id, take, basis, proceeds = sold[0], sold[5], sold[6], sold[7]
        date, account_id, symbol = txn.date, txn.account_id, txn.symbol
        claims: list[tuple[_Piece | tuple[int, str, int], int, int]] = []
        wanted = take
        slots = self.candidates_of.get(symbol)
        if slots is None:
            slots = self.candidates.get(self.group(symbol))
            if slots is not None:
                self.candidates_of[symbol] = slots
        if slots is not None:
            purchase = sold[3]
            items, parent = slots.items, slots.parent
            size = len(items)
            position = bisect_left(slots.keys, date.toordinal() - _WINDOW_DAYS)
            if position < size and parent[position] >= 0:  # dead: the next live one
                position = slots.find(position)
            while position < size:
                for piece in items[position]:
                    if piece.purchase != purchase:
                        have = piece.quantity
                        if have < wanted:
                            claims.append((piece, have, have))
                            wanted -= have
                        else:
                            claims.append((piece, wanted, wanted))
                            wanted = 0
                            break
                if not wanted:
                    break
                position += 1
                if position < size and parent[position] >= 0:
                    position = slots.find(position)
        if wanted:
            wanted = self.future_claims(index, txn, wanted, claims)
        washed = take - wanted
        rows = self.rows
        reportable = self.taxable[account_id]
        acquired, inherited = sold[1], sold[4]
        term = _LONG if inherited or date > one_year_after(acquired) else _SHORT
        if washed <= 0:
            rows.append(
                (date, account_id, symbol, lot_id, take, acquired, sold[2], term, proceeds,
                 basis, 0, 0, reportable, event, inherited)
            )  # fmt: skip
            return
        if washed == take:
            washed_basis, rest_basis = basis, 0
            washed_proceeds, rest_proceeds = proceeds, 0
        else:
            washed_basis, rest_basis = split_units(basis, washed, take)
            washed_proceeds, rest_proceeds = split_units(proceeds, washed, take)
        adjustment = washed_basis - washed_proceeds
        if adjustment <= _HALF_CENT:
            rows.append(
                (date, account_id, symbol, lot_id, take, acquired, sold[2], term, proceeds,
                 basis, 0, 0, reportable, event, inherited)
            )  # fmt: skip
            return
        holding_days = (date - acquired).days
        back = dt.timedelta(holding_days)
        permanent_total = 0
        disallowed_left, quantity_left = adjustment, washed
        taxable = self.taxable
        matches = self.matches
        unsorted = self.unsorted
        for target, quantity, shares in claims:
            if quantity == quantity_left:
                disallowed, disallowed_left, quantity_left = disallowed_left, 0, 0
            else:
                disallowed, disallowed_left = split_units(disallowed_left, quantity, quantity_left)
                quantity_left -= quantity
            if isinstance(target, _Piece):
                # The replacement lot (its part of ``shares`` shares) takes the loss.
                permanent = not taxable[target.account_id]
                whole = shares >= target.quantity
                if not whole:
                    self.absorb(target, shares)  # (its holdings list is then unsorted)
                else:  # the whole lot: it leaves the candidates (drop_candidate, inline)
                    assert slots is not None
                    parts = slots.items[target.slot]
                    parts.remove(target)
                    if not parts:
                        slots.kill(target.slot)
                        slots.items[target.slot] = _NO_PARTS
                    target.slot = -1
                    target.used = True
                if not permanent:
                    target.cost_basis += disallowed
                    target.adjustment += disallowed
                    if holding_days:
                        target.acquired -= back
                        if whole:
                            # Its holding-period start moved: the FIFO order may change
                            # (a lot washed permanently, or by a same-day sale, keeps it).
                            unsorted.add((target.account_id, target.symbol))
                    target.exact = None
                matches.append(
                    (index, date, account_id, symbol, lot_id, shares,
                     target.account_id, target.symbol, target.lot_id,
                     target.purchased, disallowed, permanent)
                )  # fmt: skip
            else:
                buy_index, buy_account, position = target
                permanent = not taxable[buy_account]
                free = self.unpromised.get(buy_index, self.quantities[buy_index]) - shares
                self.unpromised[buy_index] = free
                if free == 0:
                    self.future[self.group(symbol)].kill(position)
                pending = (shares, disallowed, holding_days, permanent, index, date,
                           account_id, symbol, lot_id)  # fmt: skip
                promised = self.promised.get(buy_index)
                if promised is None:
                    self.promised[buy_index] = [pending]
                else:
                    promised.append(pending)
            if permanent:
                permanent_total += disallowed
        if washed == take:
            rows.append(
                (date, account_id, symbol, lot_id, take, acquired, sold[2], term, proceeds,
                 basis, adjustment, permanent_total, reportable, event, inherited)
            )  # fmt: skip
        else:
            rows.append(
                (date, account_id, symbol, f"{lot_id}.1", washed, acquired, sold[2], term,
                 washed_proceeds, washed_basis, adjustment, permanent_total, reportable, event,
                 inherited)
            )  # fmt: skip
            rows.append(
                (date, account_id, symbol, f"{lot_id}.2", take - washed, acquired, sold[2],
                 term, rest_proceeds, rest_basis, 0, 0, reportable, event, inherited)
            )  # fmt: skip

    def future_claims(
        self,
        index: int,
        txn: Transaction,
        wanted: int,
        claims: list[tuple[_Piece | tuple[int, str, int], int, int]],
    ) -> int:
        """Claims on purchases after the sale, within 30 days, for ``wanted`` loss shares
        the held candidates did not cover (added to ``claims``); the shares still wanted."""
        buys = self.future.get(self.group(txn.symbol))
        if buys is None:
            return wanted
        last = txn.date.toordinal() + _WINDOW_DAYS
        keys, items = buys.keys, buys.items
        size = len(items)
        position = buys.find(bisect_right(keys, index))
        while position < size:
            buy_index = keys[position]
            buy = items[position]
            if buy.date.toordinal() > last:
                break
            free = self.unpromised.get(buy_index, self.quantities[buy_index])
            factor = self.split_factor(buy.symbol, index, buy_index)
            if factor is None:
                take = shares = free if free < wanted else wanted
            else:
                shares = scale_units(wanted, factor[0], factor[1])
                take = wanted
                if shares > free:
                    shares = free
                    take = min(wanted, scale_units(free, factor[1], factor[0]))
            claims.append(((buy_index, buy.account_id, position), take, shares))
            wanted -= take
            if wanted <= 0:
                break
            position = buys.find(position + 1)
        return wanted

    def absorb(self, target: _Piece, quantity: int) -> None:
        """``quantity`` shares of ``target`` become replacement shares (split off if fewer)."""
        have = target.quantity
        if quantity < have:
            part_basis, rest_basis = split_units(target.cost_basis, quantity, have)
            if target.adjustment:
                part_adjustment, rest_adjustment = split_units(target.adjustment, quantity, have)
            else:
                part_adjustment = rest_adjustment = 0
            order = target.order
            lot_id = target.lot_id
            rest = _Piece(
                target.account_id, target.symbol, f"{lot_id}.2", have - quantity,
                rest_basis, target.purchased, target.acquired, rest_adjustment,
                target.purchase, False, order + _SECOND,
            )  # fmt: skip
            slot = rest.slot = target.slot
            slots = rest.slots = target.slots
            assert slots is not None
            parts = slots.items[slot]
            parts[parts.index(target)] = rest
            # (The order of a holdings list is never read: relief, events and the result
            # sort the pieces.)
            self.holdings[(target.account_id, target.symbol)].append(rest)
            target.slot = -1
            target.rest = rest
            target.lot_id = f"{lot_id}.1"
            natural = target.natural
            if natural is not None:
                # ``natural_key(f"{lot_id}.{n}")`` from ``natural_key(lot_id)``: its last
                # text gains the point, then the number and an empty text follow.
                head = natural[:-1] + (f"{natural[-1]}.",)
                target.natural = head + _FIRST_KEY
                rest.natural = head + _SECOND_KEY
            target.quantity = quantity
            target.exact = None
            target.cost_basis = part_basis
            target.adjustment = part_adjustment
            target.order = order + _FIRST
        else:
            self.drop_candidate(target)
        target.used = True
        self.unsorted.add((target.account_id, target.symbol))

    def dispose(
        self,
        txn: Transaction,
        sold: _Sold,
        lot_id: str,
        quantity: int,
        proceeds: int,
        basis: int,
        adjustment: int,
        permanent: int,
        event: DispositionEvent | None = None,
    ) -> None:
        acquired = sold[1]
        date = txn.date
        self.rows.append(
            (date, txn.account_id, txn.symbol, lot_id, quantity, acquired, sold[2],
             Term.LONG if sold[4] or date > one_year_after(acquired) else Term.SHORT,
             proceeds, basis, adjustment, permanent, self.taxable[txn.account_id], event,
             sold[4])
        )  # fmt: skip

    # -- the boundary: exact Decimal records, once per record, when first read ----

    def open_pieces(self) -> list[_Piece]:
        """The open pieces in the ledger's order of lots (account, purchase order, lot id)."""
        pieces = self.sorted_pieces
        if pieces is None:
            account_index = self.account_index
            pieces = [piece for held in self.holdings.values() for piece in held]
            pieces.sort(key=lambda p: (account_index[p.account_id], p.order, _natural(p)))
            self.sorted_pieces = pieces
        return pieces

    def sorted_matches(self) -> list[_Match]:
        """The matches in sale order (a stable sort: the order they were made within a sale)."""
        if not self.matches_sorted:
            self.matches.sort(key=_sale_index)
            self.matches_sorted = True
        return self.matches

    def _shares(self, units: int) -> Decimal:
        # Quantities repeat (whole lots of a few sizes, fractions of them): each distinct
        # one is converted once.
        value = self.decimal_shares.get(units)
        if value is None:
            value = self.decimal_shares[units] = _quantity(units)
        return value

    def dispositions(self) -> list[Disposition]:
        """The ``Disposition`` records of :attr:`rows`, in sale order."""
        quantities = self.decimal_shares
        scaleb, decimal, zero = _WIDE.scaleb, Decimal, _DECIMAL_ZERO
        minus_m = _MINUS_M
        dispositions: list[Disposition] = []
        append = dispositions.append
        for (
            date, account_id, symbol, lot_id, shares, acquired, purchased, term, proceeds,
            basis, adjustment, permanent, reportable, event, inherited,
        ) in self.rows:  # fmt: skip
            quantity = quantities.get(shares)
            if quantity is None:
                quantity = quantities[shares] = _quantity(shares)
            append(
                Disposition(
                    date,
                    account_id,
                    symbol,
                    lot_id,
                    quantity,
                    acquired,
                    purchased,
                    term,
                    scaleb(decimal(proceeds), minus_m),
                    scaleb(decimal(basis), minus_m),
                    scaleb(decimal(adjustment), minus_m) if adjustment else zero,
                    scaleb(decimal(permanent), minus_m) if permanent else zero,
                    reportable,
                    event,
                    inherited,
                )  # fmt: skip
            )
        return dispositions

    def lots(self) -> list[Lot]:
        """The open lots' ``Lot`` records, in the ledger's order."""
        return [_lot_record(p) for p in self.open_pieces()]

    def wash_matches(self) -> list[object]:
        """The ``WashMatch`` records, in sale order."""
        from lots.washsale import WashMatch

        money, shares_of = _money, self._shares
        return [
            WashMatch(
                m[1],
                m[2],
                m[3],
                m[4],
                shares_of(m[5]),
                m[6],
                m[7],
                m[8],
                m[9],
                money(m[10]),
                m[11],
            )  # fmt: skip
            for m in self.sorted_matches()
        ]

    def result(self) -> tuple[list[Disposition], list[Lot], list[object]]:
        """All three kinds of records at once."""
        return self.dispositions(), self.lots(), self.wash_matches()


def _lot_record(piece: _Piece) -> Lot:
    """The open lot's record (the Decimals it was read with while nothing changed it)."""
    exact = piece.exact
    loss_basis: Decimal | None
    if exact is None:
        quantity, basis = _quantity(piece.quantity), _money(piece.cost_basis)
        adjustment = _money(piece.adjustment)
        loss_basis = None if piece.loss_basis is None else _money(piece.loss_basis)
    elif isinstance(exact, Transaction):  # a buy's piece, untouched since
        quantity, basis = exact.quantity, exact.quantity * exact.price + exact.fees
        adjustment, loss_basis = _DECIMAL_ZERO, None
    elif isinstance(exact, _Deferred):  # an event's lot, untouched since
        quantity, basis, adjustment, loss_basis = exact.decimals()
    else:
        quantity, basis, adjustment, loss_basis = exact
    return Lot(
        account_id=piece.account_id,
        symbol=piece.symbol,
        lot_id=piece.lot_id,
        quantity=quantity,
        cost_basis=basis,
        purchased=piece.purchased,
        acquired=piece.acquired,
        wash_sale_adjustment=adjustment,
        loss_basis=loss_basis,
        inherited=piece.inherited,
    )


def _natural(piece: _Piece) -> tuple[str | int, ...]:
    key = piece.natural
    if key is None:
        key = piece.natural = natural_key(piece.lot_id)
    return key


def _sale_index(match: _Match) -> int:
    return match[0]


def _lot_order(piece: _Piece) -> tuple[int, ...]:
    return piece.order


def _per_share(piece: _Piece) -> Decimal:
    # The Decimal replay's ``cost_basis / quantity`` (28 digits), to the same value:
    # the units differ by 10**-3, and rounding to 28 digits commutes with a power of 10.
    # Kept while the piece's basis and shares are unchanged (lots wait for many sales).
    basis, quantity = piece.cost_basis, piece.quantity
    cached = piece.per_share
    if cached is not None and cached[0] == basis and cached[1] == quantity:
        return cached[2]
    value = (Decimal(basis) / Decimal(quantity)).scaleb(_Q_PLACES - _M_PLACES)
    piece.per_share = (basis, quantity, value, -value)
    return value


# The sort keys of the relief orders (``lots.relief.ORDERS``, then the holding-period
# start, then the lot id in natural order, :func:`lots.relief.natural_key`: known from
# the start for generated and split lot ids, parsed once for any other).


def _fifo_key(piece: _Piece) -> tuple[int, dt.date, tuple[str | int, ...]]:
    return piece.day, piece.acquired, piece.natural or _natural(piece)


def _lifo_key(piece: _Piece) -> tuple[int, dt.date, tuple[str | int, ...]]:
    return -piece.day, piece.acquired, piece.natural or _natural(piece)


def _hifo_key(piece: _Piece) -> tuple[Decimal, dt.date, tuple[str | int, ...]]:
    cached = piece.per_share
    if cached is None or cached[0] != piece.cost_basis or cached[1] != piece.quantity:
        _per_share(piece)
        cached = piece.per_share
        assert cached is not None
    return cached[3], piece.acquired, piece.natural or _natural(piece)


def _min_tax_place(piece: _Piece, sale_date: dt.date, price: Decimal) -> tuple[int, Decimal]:
    gain_per_share = price - _per_share(piece)
    long = piece.inherited or sale_date > one_year_after(piece.acquired)  # (``_term``)
    if gain_per_share < 0:
        return (1 if long else 0, gain_per_share)
    if gain_per_share == 0:
        return (2, _DECIMAL_ZERO)
    return (3 if long else 4, gain_per_share)


def _relief_order(
    held: list[_Piece],
    method: LotMethod,
    sale_date: dt.date,
    price: Decimal,
    lot_id: str | None,
    in_fifo_order: bool = False,
) -> list[_Piece]:
    """The pieces of ``held`` in the order ``lots.relief.select_lots`` relieves them
    (specific identification: only the lot ``lot_id`` and its parts).

    ``in_fifo_order``: ``held`` is already in FIFO order (:func:`_fifo_sort`), so FIFO
    and specific identification keep its order instead of sorting.
    """
    lots: list[_Piece] = held
    if method is LotMethod.SPECIFIC or lot_id is not None:
        assert lot_id is not None
        lots = [piece for piece in held if belongs_to(piece.lot_id, lot_id)]
        method = LotMethod.SPECIFIC
        if not lots:
            raise NotExact("a lot not held")
    if in_fifo_order and (method is LotMethod.FIFO or method is LotMethod.SPECIFIC):
        pass
    elif len(lots) > 1:
        if method is LotMethod.FIFO or method is LotMethod.SPECIFIC:
            lots = sorted(lots, key=_fifo_key)
        elif method is LotMethod.HIFO:
            lots = sorted(lots, key=_hifo_key)
        elif method is LotMethod.LIFO:
            lots = sorted(lots, key=_lifo_key)
        else:
            lots = sorted(
                lots,
                key=lambda p: (
                    _min_tax_place(p, sale_date, price),
                    p.acquired,
                    p.natural or _natural(p),
                ),
            )
    return lots


def _take(lots: list[_Piece], quantity: int) -> list[tuple[_Piece, int]]:
    """The shares of each lot, in order, that ``quantity`` shares relieve."""
    taken: list[tuple[_Piece, int]] = []
    remaining = quantity
    for piece in lots:
        if remaining <= 0:
            break
        take = piece.quantity if piece.quantity < remaining else remaining
        taken.append((piece, take))
        remaining -= take
    if remaining > 0:
        raise NotExact("more shares than held")
    return taken


def _fifo_sort(held: list[_Piece]) -> None:
    """Sort ``held`` in place in FIFO order: trade date, holding-period start, then lot
    id in natural order (parsed only for the pieces tied on the first two)."""
    held.sort(key=_fifo_key)


_HANDLERS: Final[dict[str, Callable[[FastReplay, int, Transaction], None]]] = {
    Action.SPLIT.value: FastReplay.corporate,
    Action.RETURN_OF_CAPITAL.value: FastReplay.corporate,
    Action.MERGER.value: FastReplay.corporate,
    Action.SYMBOL_CHANGE.value: FastReplay.corporate,
    Action.SPINOFF.value: FastReplay.corporate,
    Action.TRANSFER.value: FastReplay.transfer,
    Action.GIFT_RECEIVED.value: FastReplay.receive,
    Action.INHERITED.value: FastReplay.receive,
}

__all__ = [
    "MONEY_SCALE",
    "QUANTITY_SCALE",
    "FastReplay",
    "LotsError",
    "NotExact",
    "exact_units",
    "from_units",
    "scale_units",
    "split_units",
    "to_units",
]
