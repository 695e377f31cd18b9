"""Exact numbers for money and quantities.

Every amount in ``lots`` and ``household`` is a ``decimal.Decimal`` made through
:func:`to_decimal`, which accepts ``int``, ``str`` and ``Decimal`` and refuses
``float`` (``0.1`` is not a price anybody typed) and ``bool``. Nothing inside the
engine is rounded: :func:`money` and :func:`quantity` round only where a form or
a report does (cents half-even; quantities to 6 decimals).

Proportional splits (a sale's proceeds over the lots it relieves, a lot's basis
over its washed and unwashed shares) are computed with :func:`split`: the first
part is carried to 15 decimal places of a dollar (the one place the engine
rounds, a billionth of a cent, since a third of a dollar has no exact decimal),
the second part is the exact remainder, so the parts always add back to the
whole exactly and basis is conserved to the last digit.
"""

from __future__ import annotations

from decimal import ROUND_HALF_EVEN, Context, Decimal, Inexact, InvalidOperation

ZERO = Decimal(0)
ONE = Decimal(1)
CENT = Decimal("0.01")
QUANTITY_STEP = Decimal("0.000001")
#: Proportional parts of an amount are carried to 15 decimal places of a dollar.
AMOUNT_STEP = Decimal("1e-15")
# Wide enough that a part and its remainder are always computed exactly.
_WIDE = Context(prec=80, rounding=ROUND_HALF_EVEN)
# Refuses to round: a remainder computed in it is exact or raises.
_EXACT = Context(prec=34, rounding=ROUND_HALF_EVEN, traps=[Inexact, InvalidOperation])
# Exact splits: 60 digits hold a 15-place amount times a 12-place quantity, scaled.
_SPLIT = Context(prec=60, rounding=ROUND_HALF_EVEN, traps=[Inexact, InvalidOperation])
# The same, for amounts of any size a household could hold.
_HUGE = Context(prec=400, rounding=ROUND_HALF_EVEN, traps=[Inexact, InvalidOperation])
_SCALE = Decimal(10) ** 15
_MINUS_15 = Decimal(-15)
_MINUS_2 = Decimal(-2)


def to_decimal(value: object) -> Decimal:
    """Convert ``value`` to ``Decimal``, refusing floats.

    Args:
        value: an ``int``, a ``str`` holding a decimal number, or a ``Decimal``.

    Returns:
        The exact ``Decimal``.

    Raises:
        TypeError: for a ``float``, a ``bool`` or any other type.
        ValueError: for a string that is not a finite decimal number, or that has
            a comma or an underscore in it (``"1,234"``: a thousands separator or a
            decimal comma, ambiguous; refused, never guessed).

    >>> to_decimal("1234.50")
    Decimal('1234.50')
    >>> to_decimal("1,234.50")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ValueError: '1,234.50' is not a number (write 1234.56: no thousands separators, ...)
    """
    if isinstance(value, Decimal):
        result = value
    elif isinstance(value, bool):
        raise TypeError(f"{value!r} is a bool, not a number")
    elif isinstance(value, int):
        result = Decimal(value)
    elif isinstance(value, str):
        text = value.strip()
        if "," in text or "_" in text:
            # "1,234" is a thousand and more in one locale and one and a bit in another:
            # refused, as the CLI readers refuse it (``household.strict``).
            raise ValueError(
                f"{value!r} is not a number (write 1234.56: no thousands separators, "
                "digit-group underscores or decimal commas)"
            )
        try:
            result = Decimal(text)
        except InvalidOperation:
            raise ValueError(f"{value!r} is not a number") from None
    elif isinstance(value, float):
        raise TypeError(f"{value!r} is a float; give money and quantities as str or Decimal")
    else:
        raise TypeError(f"{value!r} is not a number")
    if not result.is_finite():
        raise ValueError(f"{value!r} is not a finite number")
    return result


def money(value: Decimal) -> Decimal:
    """Round to cents, half-even (the rounding of a report, never of the engine)."""
    return value.quantize(CENT, rounding=ROUND_HALF_EVEN)


def quantity(value: Decimal) -> Decimal:
    """Round a share quantity to 6 decimals, half-even, dropping trailing zeros."""
    rounded = value.quantize(QUANTITY_STEP, rounding=ROUND_HALF_EVEN)
    return plain(rounded)


def plain(value: Decimal) -> Decimal:
    """Drop trailing zeros without switching to exponent notation (``100``, not ``1E+2``)."""
    if value == value.to_integral_value():
        return value.quantize(ONE)
    return value.normalize()


def split(
    total: Decimal, part_quantity: Decimal, whole_quantity: Decimal
) -> tuple[Decimal, Decimal]:
    """Split ``total`` in proportion ``part_quantity / whole_quantity``.

    The first part is ``total * part / whole`` rounded half-even to 15 decimal
    places, but never beyond ``total`` itself (a total of more than 15 places can
    round past itself: 0.0000000000000006 * 9/10 = 5.4e-16 rounds to 1e-15, and
    the part is then the whole 6e-16); the second is the exact remainder, so the
    parts always add back to ``total`` exactly, and neither has the other sign.

    >>> split(Decimal("1000"), Decimal("25"), Decimal("100"))
    (Decimal('250.000000000000000'), Decimal('750.000000000000000'))
    >>> split(Decimal("1"), Decimal("1"), Decimal("3"))
    (Decimal('0.333333333333333'), Decimal('0.666666666666667'))
    >>> split(Decimal("6E-16"), Decimal("9"), Decimal("10"))
    (Decimal('6E-16'), Decimal('0'))
    """
    assert whole_quantity > 0, "split of a zero quantity"
    if not total:
        return total, total
    if part_quantity == whole_quantity:
        return total, ZERO
    if part_quantity == 0:
        return ZERO, total
    try:
        part = _ratio(total, part_quantity, whole_quantity, _SPLIT)
    except (InvalidOperation, Inexact):
        part = _ratio(total, part_quantity, whole_quantity, _HUGE)
    if (part > total) if total > 0 else (part < total):
        return total, ZERO  # (rounded past the total: the part is all of it)
    return part, _HUGE.subtract(total, part)


def _ratio(total: Decimal, part: Decimal, whole: Decimal, context: Context) -> Decimal:
    """``total * part / whole`` rounded half-even to 15 places, from the exact ratio.

    One rounding only (an integer quotient and its remainder), never a rounding to
    the context's digits first: the integer replay (``lots.fastreplay``) rounds the
    same ratio the same way.
    """
    scaled = context.multiply(context.multiply(total, part), _SCALE)
    quotient, remainder = context.divmod(scaled, whole)
    twice = context.multiply(remainder.copy_abs(), 2)
    if twice > whole or (twice == whole and context.remainder(quotient, 2) != 0):
        quotient = context.add(quotient, 1 if scaled > 0 else -1)
    return context.scaleb(quotient, _MINUS_15)


def round_units(units: int, step: int) -> int:
    """``units / step`` rounded half-even to an integer, exactly (any sign; ``step`` even).

    The integer twin of ``Decimal.quantize(..., ROUND_HALF_EVEN)`` for a number held
    as an integer of a fixed scale: e.g. money in units of 10**-20 of a dollar
    (``lots.fastreplay``) to cents is ``round_units(units, 10**18)``. Half a step is
    added and the floor taken (round half up); a tie is exactly the case that leaves
    no remainder, and goes back down when that made the result odd.

    >>> round_units(1_250, 100), round_units(1_350, 100), round_units(-1_250, 100)
    (12, 14, -12)
    >>> round_units(1_251, 100), round_units(-1_251, 100), round_units(-1_350, 100)
    (13, -13, -14)
    """
    whole, rest = divmod(units + (step >> 1), step)  # floor division: 0 <= rest < step
    if not rest and whole & 1:
        whole -= 1
    return whole


def cents_text(cents: int) -> str:
    """A whole number of cents as ``household.render.money_text`` prints the amount:
    ``"1234.50"``, ``"-0.07"``, never ``"-0.00"``.

    >>> cents_text(123450), cents_text(-7), cents_text(0)
    ('1234.50', '-0.07', '0.00')
    """
    # The Decimal of exponent -2 prints its digits with the point two places in, a sign
    # only when negative (0 is ``0.00``); twice as fast as ``divmod`` and an f-string.
    return str(_WIDE.scaleb(Decimal(cents), _MINUS_2))


def micro_text(micro: int) -> str:
    """A whole number of millionths of a share as ``household.render.quantity_text``
    prints the quantity: up to 6 places, no trailing zeros, no point for a whole number.

    >>> micro_text(100_000_000), micro_text(2_500_000), micro_text(1), micro_text(0)
    ('100', '2.5', '0.000001', '0')
    """
    sign = ""
    if micro < 0:
        sign, micro = "-", -micro
    whole, part = divmod(micro, 1_000_000)
    if not part:
        return f"{sign}{whole}"
    return f"{sign}{whole}.{part:06d}".rstrip("0")
