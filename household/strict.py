"""Strict reading of the text in input files: numbers, dates, text, encodings.

One place decides what an input value may look like, so the CSV readers
(:mod:`household.csvio`) and the household file (:mod:`household.loader`) refuse
the same things, and a typo never becomes a number (``docs/formats.md``,
"Conventions"):

- a **number** is a plain decimal, an optional sign, digits, an optional point
  and more digits, optionally an exponent (``1234.56``, ``-0.5``, ``1e3``). No
  thousands separators, currency signs, decimal commas, spaces inside, ``NaN``
  or infinities. Its absolute value is below :data:`MAX_MAGNITUDE` (10**12) and
  it has at most :data:`MAX_PLACES` (15) decimal places:

  >>> parse_decimal("235.00")
  Decimal('235.00')
  >>> parse_decimal("235,00")  # doctest: +ELLIPSIS
  Traceback (most recent call last):
  ...
  ValueError: '235,00' is not a number (write 1234.56: no thousands separators, ...)
  >>> parse_decimal("1e400")
  Traceback (most recent call last):
  ...
  ValueError: '1e400' is out of range (at most 10**12 in size and 15 decimal places)

- a **date** is ``YYYY-MM-DD`` (no ISO week dates, no ``20240212``), between
  :data:`FIRST_DATE` and :data:`LAST_DATE` (1900-01-01 to 2199-12-31):

  >>> parse_date("2024-02-12")
  datetime.date(2024, 2, 12)
  >>> parse_date("2024-W07-1")
  Traceback (most recent call last):
  ...
  ValueError: '2024-W07-1' is not a date (YYYY-MM-DD)

- **text** holds no control or invisible format characters (a NUL, a tab, a
  zero-width space), which would make two ids that print alike differ;
- a **file** is UTF-8, with or without a byte-order mark (the BOM is dropped,
  for CSV and JSON alike); UTF-16 and other encodings are refused with a hint.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from decimal import Decimal, InvalidOperation

__all__ = [
    "FIRST_DATE",
    "LAST_DATE",
    "MAX_MAGNITUDE",
    "MAX_PLACES",
    "bad_character",
    "check_decimal",
    "decode_text",
    "parse_date",
    "parse_decimal",
    "parse_symbol",
]

MAX_MAGNITUDE = Decimal(10) ** 12
"""Every input number is smaller than this in absolute value (a trillion)."""
MAX_PLACES = 15
"""Every input number has at most this many decimal places."""
FIRST_DATE = dt.date(1900, 1, 1)
"""The earliest date an input may hold."""
LAST_DATE = dt.date(2199, 12, 31)
"""The latest date an input may hold."""

_NUMBER = re.compile(r"[-+]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][-+]?[0-9]+)?")
#: A number that is one as written and in range: at most 12 digits before the point (below
#: 10**12) and 15 after it, no exponent, no spaces. Anything else takes the full rule.
_PLAIN = re.compile(r"-?[0-9]{1,12}(\.[0-9]{0,15})?")
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_SYMBOL = re.compile(r"[A-Z0-9][A-Z0-9._/^=:-]*")
_NUMBER_HINT = "write 1234.56: no thousands separators, currency signs or decimal commas"
_BAD_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"})


def check_decimal(value: Decimal, shown: object = None) -> Decimal:
    """``value`` if it is finite, below 10**12 and has at most 15 places, else ``ValueError``."""
    # The common case first, without normalising: zero, or at most 15 places as written
    # (trailing zeros stripped, or rounded to the context's precision, the exponent only
    # grows, so the rule below accepts it too).
    if value.is_finite() and (
        not value or (value.adjusted() < 12 and value.as_tuple().exponent >= -MAX_PLACES)  # type: ignore[operator]
    ):
        return value
    text = value if shown is None else shown
    if not value.is_finite():
        raise ValueError(f"{text!r} is not a finite number")
    exponent = value.normalize().as_tuple().exponent  # trailing zeros do not count
    assert isinstance(exponent, int)
    if value != 0 and (value.adjusted() >= 12 or exponent < -MAX_PLACES):
        raise ValueError(
            f"{text!r} is out of range (at most 10**12 in size and {MAX_PLACES} decimal places)"
        )
    return value


def parse_decimal(text: str) -> Decimal:
    """A number as written in an input file, strictly (see the module docstring)."""
    if _PLAIN.fullmatch(text):  # the common case: in range and in places as written
        return Decimal(text)
    stripped = text.strip()
    match = _NUMBER.fullmatch(stripped)
    if not match:
        raise ValueError(f"{text!r} is not a number ({_NUMBER_HINT})")
    exponent = match.group(3)  # "e-5", or None
    if exponent and abs(int(exponent[1:])) > 40:
        raise ValueError(
            f"{text!r} is out of range (at most 10**12 in size and {MAX_PLACES} decimal places)"
        )
    try:
        value = Decimal(stripped)
    except InvalidOperation:  # pragma: no cover - the pattern admits only decimals
        raise ValueError(f"{text!r} is not a number") from None
    if value == 0:
        return value
    return check_decimal(value, text)


def parse_date(text: str) -> dt.date:
    """A ``YYYY-MM-DD`` date between 1900-01-01 and 2199-12-31, else ``ValueError``."""
    stripped = text.strip()
    if not _DATE.fullmatch(stripped):
        raise ValueError(f"{text!r} is not a date (YYYY-MM-DD)")
    try:
        date = dt.date.fromisoformat(stripped)
    except ValueError:
        raise ValueError(f"{text!r} is not a date (YYYY-MM-DD)") from None
    if not FIRST_DATE <= date <= LAST_DATE:
        raise ValueError(f"{text!r} is out of range ({FIRST_DATE} to {LAST_DATE})")
    return date


def parse_symbol(text: str) -> str:
    """A ticker symbol, upper-cased: letters, digits and ``. _ / ^ = : -``, no spaces.

    >>> parse_symbol(" vtsax ")
    'VTSAX'
    >>> parse_symbol("BRK.B")
    'BRK.B'
    >>> parse_symbol("VT I")
    Traceback (most recent call last):
    ...
    ValueError: 'VT I' is not a symbol (letters, digits and . _ / ^ = : - only)
    """
    symbol = text.strip().upper()
    if not _SYMBOL.fullmatch(symbol):
        raise ValueError(f"{text!r} is not a symbol (letters, digits and . _ / ^ = : - only)")
    return symbol


def bad_character(text: str) -> str | None:
    """A description of the first control or invisible character in ``text``, or ``None``.

    >>> bad_character("VTI")
    >>> bad_character("VT\\x00I")
    'a control character (U+0000) at position 3'
    """
    if text.isprintable():  # no character of Other or Separator but the space: none is bad
        return None
    for position, char in enumerate(text, start=1):
        if char.isascii() and char.isprintable():
            continue
        if unicodedata.category(char) in _BAD_CATEGORIES:
            kind = (
                "a control character" if char < " " or char == "\x7f" else "an invisible character"
            )
            return f"{kind} (U+{ord(char):04X}) at position {position}"
    return None


def decode_text(data: bytes) -> str:
    """Bytes of an input file as text: UTF-8, a leading byte-order mark dropped.

    Raises:
        ValueError: UTF-16 or UTF-32 (by their byte-order marks or NUL bytes), or
            bytes that are not UTF-8 (Latin-1, Windows-1252), with the line.
    """
    sample = data[:400]
    wide = len(sample) >= 4 and max(sample[0::2].count(0), sample[1::2].count(0)) > len(sample) // 4
    if data.startswith((b"\xff\xfe", b"\xfe\xff")) or wide:
        raise ValueError("the file is UTF-16 or UTF-32 text; save it as UTF-8")
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        byte = data[error.start]
        raise ValueError(
            f"line {line}: byte 0x{byte:02x} is not UTF-8 (is the file Latin-1 or "
            "Windows-1252? save it as UTF-8)"
        ) from None
