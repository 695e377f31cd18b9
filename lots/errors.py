"""Errors for bad user data in the lots engine.

One small hierarchy: :class:`LotsError` carries where the bad datum came from
(file, row, field) and what it concerns (account, lot, date), plus a hint. Its
``str`` is the one line the command line prints: ``file:row: field: message``.
Broken internal invariants are ``assert``s, never these.
"""

from __future__ import annotations

import datetime as dt


class LotsError(Exception):
    """Bad input to the lots engine, with its source."""

    def __init__(
        self,
        message: str,
        *,
        file: str | None = None,
        row: int | str | None = None,
        field: str | None = None,
        account: str | None = None,
        lot: str | None = None,
        date: dt.date | None = None,
        hint: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.file = file
        self.row = row
        self.field = field
        self.account = account
        self.lot = lot
        self.date = date
        self.hint = hint

    def located(self, *, file: str | None = None, row: int | str | None = None) -> LotsError:
        """Fill in the source where the raiser did not know it; returns ``self``."""
        if self.file is None:
            self.file = file
        if self.row is None:
            self.row = row
        return self

    def __str__(self) -> str:
        where = ""
        if self.file is not None:
            where = self.file
            if self.row is not None:
                where += f":{self.row}"
            where += ": "
        elif self.row is not None:
            where = f"row {self.row}: "
        field = f"{self.field}: " if self.field else ""
        hint = f" ({self.hint})" if self.hint else ""
        return f"{where}{field}{self.message}{hint}"


class InputError(LotsError):
    """A value that cannot be read or is out of range."""


class InsufficientSharesError(LotsError):
    """A sale of more shares than the account holds (no short sales)."""


class UnknownLotError(LotsError):
    """A specific-identification sale names a lot the account does not hold."""


class NotExact(Exception):
    """A number of the history does not fit the fixed scales of the integer replay
    (``lots.fastreplay``): the Decimal replay runs instead. Not a user error.

    Defined here, not in ``lots.fastreplay``, so that the pure module and its
    compiled twin (``lots._fastreplay_native``) raise one class.
    """
