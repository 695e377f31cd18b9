"""Errors for bad household input.

They extend :class:`lots.errors.LotsError` so the command line handles one
hierarchy: any of them is bad input (exit code 2, one line on stderr naming the
file, the row or JSON path, and the field).
"""

from __future__ import annotations

from lots.errors import InputError, LotsError


class HouseholdError(LotsError):
    """Bad household input."""


class SchemaError(HouseholdError):
    """A household file that does not match the schema; ``row`` holds the JSON path."""


class InfeasibleError(HouseholdError):
    """A household whose constraints cannot all hold (the message says which, in words)."""


class OutputError(HouseholdError):
    """An output that cannot be written as asked (a missing folder, an existing file)."""


__all__ = [
    "HouseholdError",
    "InfeasibleError",
    "InputError",
    "LotsError",
    "OutputError",
    "SchemaError",
]
