"""Lot relief: which lots a sale takes its shares from.

When an account sells shares of a symbol it holds in several lots, the lots
relieved decide the basis, the term and so the tax of the sale. Each method is
a small pure function with one signature, ``place(lot, sale_date, price)``,
giving a lot's place in the order the sale takes lots (smallest first);
:data:`ORDERS` maps :class:`LotMethod` to them, :func:`order_lots` sorts by
them and :func:`select_lots` takes shares greedily in that order.

Methods (ties always broken by holding-period start, then lot id, so the result
is deterministic):

* FIFO: earliest trade date first (the IRS default when shares are not
  identified).
* LIFO: latest trade date first.
* HIFO: highest adjusted basis per share first.
* Specific identification: the lot the sale names and the parts it was split
  into (``L1.1``, ``L1.2``), ordered like FIFO: by trade date (one for all the
  parts), then holding-period start, then lot id. The part that became a
  replacement usually starts earlier and so goes first, but the order is the
  holding-period start's, not the suffix's: ``L1.2`` goes first when a later
  wash carried an earlier holding period to it.
* Minimum tax: short-term losses (largest loss per share first), then
  long-term losses (largest first), then lots at neither gain nor loss, then
  long-term gains (smallest gain per share first), then short-term gains
  (smallest first).

Worked example (minimum tax, selling at $50 on 2026-06-01)::

    A  bought 2024-01-10 at $60  long-term loss  $10/share
    B  bought 2026-02-01 at $55  short-term loss  $5/share
    C  bought 2023-05-05 at $20  long-term gain  $30/share
    D  bought 2026-03-01 at $45  short-term gain  $5/share

    order: B (ST loss), A (LT loss), C (LT gain), D (ST gain)
"""

from __future__ import annotations

import datetime as dt
import enum
import re
from collections.abc import Callable, Sequence
from decimal import Decimal
from functools import lru_cache
from typing import Protocol, TypeVar

from lots.errors import InsufficientSharesError, UnknownLotError
from lots.numbers import ZERO
from lots.records import Term
from lots.terms import term_of


class LotLike(Protocol):
    """What lot relief needs to know of a lot (``lots.records.Lot`` has it all)."""

    @property
    def lot_id(self) -> str: ...
    @property
    def quantity(self) -> Decimal: ...
    @property
    def cost_basis(self) -> Decimal: ...
    @property
    def purchased(self) -> dt.date: ...
    @property
    def acquired(self) -> dt.date: ...


L = TypeVar("L", bound=LotLike)


class LotMethod(enum.Enum):
    """The lot-relief methods."""

    FIFO = "fifo"
    LIFO = "lifo"
    HIFO = "hifo"
    SPECIFIC = "specific"
    MIN_TAX = "min_tax"

    @classmethod
    def parse(cls, text: str) -> LotMethod:
        """Read a method name, case-insensitively; ``ValueError`` names the known ones."""
        key = text.strip().lower().replace("-", "_")
        aliases = {"mintax": "min_tax", "specific_id": "specific", "spec_id": "specific"}
        try:
            return cls(aliases.get(key, key))
        except ValueError:
            known = ", ".join(member.value for member in cls)
            raise ValueError(f"unknown lot method {text!r} (known: {known})") from None


_DIGITS = re.compile(r"(\d+)")


@lru_cache(maxsize=4096)
def natural_key(lot_id: str) -> tuple[str | int, ...]:
    """Sort key for lot ids so ``L2`` comes before ``L10``.

    Splitting on digit runs alternates text (even places) and numbers (odd
    places), so two keys always compare text with text and numbers with numbers.
    """
    parts: list[str | int] = list(_DIGITS.split(lot_id))
    parts[1::2] = [int(part) for part in parts[1::2]]
    return tuple(parts)


def _fifo(lot: LotLike, sale_date: dt.date, price: Decimal) -> object:
    return lot.purchased


def _lifo(lot: LotLike, sale_date: dt.date, price: Decimal) -> object:
    return -lot.purchased.toordinal()


def _hifo(lot: LotLike, sale_date: dt.date, price: Decimal) -> object:
    return -(lot.cost_basis / lot.quantity)


def _min_tax(lot: LotLike, sale_date: dt.date, price: Decimal) -> object:
    gain_per_share = price - lot.cost_basis / lot.quantity
    # Inherited shares are long-term however long they were held (Publication 559).
    term = Term.LONG if getattr(lot, "inherited", False) else term_of(lot.acquired, sale_date)
    if gain_per_share < 0:
        return (0 if term is Term.SHORT else 1, gain_per_share)  # largest loss first
    if gain_per_share == 0:
        return (2, ZERO)
    return (3 if term is Term.LONG else 4, gain_per_share)  # smallest gain first


#: The lot-relief methods: each gives a lot's place in the order a sale relieves
#: lots (smaller first); ties go by holding-period start, then lot id (see
#: :func:`order_lots`). Specific identification keeps the named lot's parts and
#: orders them FIFO.
ORDERS: dict[LotMethod, Callable[[LotLike, dt.date, Decimal], object]] = {
    LotMethod.FIFO: _fifo,
    LotMethod.LIFO: _lifo,
    LotMethod.HIFO: _hifo,
    LotMethod.SPECIFIC: _fifo,
    LotMethod.MIN_TAX: _min_tax,
}


def _natural(lot: LotLike) -> tuple[str | int, ...]:
    # A lot may carry its natural key precomputed (the ledger's open lots do).
    key: tuple[str | int, ...] | None = getattr(lot, "natural_id", None)
    return key if key is not None else natural_key(lot.lot_id)


def belongs_to(lot_id: str, named: str) -> bool:
    """Whether ``lot_id`` is the lot ``named`` or a part split from it (``L1.2`` of ``L1``)."""
    return lot_id == named or lot_id.startswith(named + ".")


def order_lots(
    lots: Sequence[L],
    method: LotMethod,
    sale_date: dt.date,
    price: Decimal,
    lot_id: str | None = None,
) -> list[L]:
    """The lots in the order a sale relieves them.

    Args:
        lots: the account's open lots of the symbol sold.
        method: the lot-relief method.
        sale_date: the sale's trade date (decides terms for minimum tax).
        price: the sale price per share (decides gains for minimum tax).
        lot_id: for specific identification, the lot named by the sale.

    Returns:
        The lots in relief order (only the named lot's parts for specific ID).
    """
    if method is LotMethod.SPECIFIC or lot_id is not None:
        assert lot_id is not None, "specific identification needs a lot id"
        lots = [lot for lot in lots if belongs_to(lot.lot_id, lot_id)]
        method = LotMethod.SPECIFIC
    if len(lots) < 2:
        return list(lots)
    place = ORDERS[method]
    keys = [(place(lot, sale_date, price), lot.acquired) for lot in lots]
    if len(set(keys)) == len(keys):
        # No ties (the usual case): the lot ids need not be compared.
        ranks = sorted(range(len(lots)), key=keys.__getitem__)
    else:
        ranks = sorted(range(len(lots)), key=lambda i: (keys[i], _natural(lots[i])))
    return [lots[i] for i in ranks]


def select_lots(
    lots: Sequence[L],
    quantity: Decimal,
    method: LotMethod,
    sale_date: dt.date,
    price: Decimal,
    lot_id: str | None = None,
) -> list[tuple[L, Decimal]]:
    """Take ``quantity`` shares from ``lots`` by ``method``.

    Args:
        lots: the account's open lots of the symbol sold.
        quantity: shares to sell, positive.
        method: the lot-relief method.
        sale_date: the sale's trade date.
        price: the sale price per share.
        lot_id: the lot named by a specific-identification sale.

    Returns:
        ``(lot, shares taken)`` pairs in relief order; the shares add up to
        ``quantity``.

    Raises:
        UnknownLotError: a named lot that is not held.
        InsufficientSharesError: more shares than the lots (or the named lot) hold.
    """
    ordered = order_lots(lots, method, sale_date, price, lot_id)
    if lot_id is not None and not ordered:
        raise UnknownLotError(f"lot {lot_id!r} is not held", field="lot_id", lot=lot_id)
    taken: list[tuple[L, Decimal]] = []
    remaining = quantity
    for lot in ordered:
        if remaining <= 0:
            break
        take = min(remaining, lot.quantity)
        taken.append((lot, take))
        remaining -= take
    if remaining > 0:
        held = quantity - remaining
        what = f"lot {lot_id!r}" if lot_id is not None else "the account"
        raise InsufficientSharesError(
            f"sells {quantity} shares but {what} holds {held} (no short sales)",
            field="quantity",
            lot=lot_id,
            date=sale_date,
        )
    return taken
