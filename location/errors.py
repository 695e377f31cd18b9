"""Errors of the asset-location program: every solver status becomes one of these.

Each carries a ``hint`` saying how to fix the input. ``household`` maps
:class:`InfeasibleLocationError` to its own ``InfeasibleError`` (exit code 2).
"""

from __future__ import annotations


class LocationError(Exception):
    """A location problem that cannot be solved as given."""

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return f"{self.message} ({self.hint})" if self.hint else self.message


class LocationInputError(LocationError):
    """Inputs that are inconsistent before any solve (unknown class, negative value...)."""


class InfeasibleLocationError(LocationError):
    """Targets, menus, bounds and account sizes that cannot all hold.

    ``constraints`` lists, in words, the constraints that cannot hold.
    """

    def __init__(
        self, message: str, *, constraints: tuple[str, ...] = (), hint: str | None = None
    ) -> None:
        super().__init__(message, hint=hint)
        self.constraints = constraints


class SolverFailedError(LocationError):
    """Every solver failed (not installed, time limit, numerical trouble)."""
