"""Monitoring: what needs attention across the stored households (placeholder, filled below)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from lots.errors import InputError

CALENDARS = ("quarterly", "semi-annual", "annual")


def parse_review(text: str, field: str = "review") -> Any:
    """A review calendar: ``quarterly``, ``semi-annual``, ``annual`` or ISO dates, comma-joined."""
    value = text.strip().lower()
    if value in CALENDARS:
        return value
    dates = []
    for part in value.split(","):
        try:
            dates.append(dt.date.fromisoformat(part.strip()).isoformat())
        except ValueError:
            raise InputError(
                f"{text!r} is not a review calendar (quarterly, semi-annual, annual, or dates)",
                field=field,
            ) from None
    return sorted(dates)


def parse_rate(text: str, field: str) -> Decimal:
    """A rate between 0 and 1."""
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise InputError(f"{text!r} is not a number", field=field) from None
    if not value.is_finite() or not 0 <= value <= 1:
        raise InputError(f"{text!r} is not between 0 and 1", field=field)
    return value
