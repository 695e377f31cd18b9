"""Lot relief: which lots a sale takes its shares from.

When an account sells shares of a symbol it holds in several lots, the lots
relieved decide the basis, the term and so the tax of the sale. Each method is
a small pure function with one signature, ``order(lots, sale_date, price)``,
returning the account's lots of that symbol in the order the sale takes them;
:data:`ORDERS` maps :class:`LotMethod` to them, and :func:`select_lots` takes
shares greedily in that order.

Methods (ties always broken by holding-period start, then lot id, so the result
is deterministic):

* FIFO: earliest trade date first (the IRS default when shares are not
  identified).
* LIFO: latest trade date first.
* HIFO: highest adjusted basis per share first.
* Specific identification: the lot the sale names (and the parts it was split
  into, ``L1.1``, ``L1.2``, in that order).
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


def natural_key(lot_id: str) -> tuple[tuple[int, int | str], ...]:
    """Sort key for lot ids so ``L2`` comes before ``L10``."""
    return tuple((0, int(part)) if part.isdigit() else (1, part) for part in _DIGITS.split(lot_id))


def _tie(lot: LotLike) -> tuple[dt.date, tuple[tuple[int, int | str], ...]]:
    return (lot.acquired, natural_key(lot.lot_id))


def _fifo(lots: Sequence[L], sale_date: dt.date, price: Decimal) -> list[L]:
    return sorted(lots, key=lambda lot: (lot.purchased, _tie(lot)))


def _lifo(lots: Sequence[L], sale_date: dt.date, price: Decimal) -> list[L]:
    return sorted(lots, key=lambda lot: (-lot.purchased.toordinal(), _tie(lot)))


def _hifo(lots: Sequence[L], sale_date: dt.date, price: Decimal) -> list[L]:
    return sorted(lots, key=lambda lot: (-(lot.cost_basis / lot.quantity), _tie(lot)))


def _min_tax_key(lot: LotLike, sale_date: dt.date, price: Decimal) -> tuple[int, Decimal]:
    gain_per_share = price - lot.cost_basis / lot.quantity
    term = term_of(lot.acquired, sale_date)
    if gain_per_share < 0:
        return (0 if term is Term.SHORT else 1, gain_per_share)  # largest loss first
    if gain_per_share == 0:
        return (2, ZERO)
    return (3 if term is Term.LONG else 4, gain_per_share)  # smallest gain first


def _min_tax(lots: Sequence[L], sale_date: dt.date, price: Decimal) -> list[L]:
    return sorted(lots, key=lambda lot: (_min_tax_key(lot, sale_date, price), _tie(lot)))


Order = Callable[[Sequence[L], dt.date, Decimal], list[L]]

#: The lot-relief methods, by enum; specific identification filters then orders FIFO.
ORDERS: dict[LotMethod, Callable[[Sequence[LotLike], dt.date, Decimal], list[LotLike]]] = {
    LotMethod.FIFO: _fifo,
    LotMethod.LIFO: _lifo,
    LotMethod.HIFO: _hifo,
    LotMethod.SPECIFIC: _fifo,
    LotMethod.MIN_TAX: _min_tax,
}


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
        named = [lot for lot in lots if belongs_to(lot.lot_id, lot_id)]
        return _fifo(named, sale_date, price)
    order: Callable[[Sequence[L], dt.date, Decimal], list[L]] = ORDERS[method]  # type: ignore[assignment]
    return order(lots, sale_date, price)


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
