"""Options and helpers shared by the command modules (argparse)."""

from __future__ import annotations

import argparse
import datetime as dt
import enum
from pathlib import Path

from household.cli import BadUsage

__all__ = ["OutputFormat", "add_as_of", "add_format", "parse_date", "BadUsage"]


class OutputFormat(enum.StrEnum):
    """The ``--format`` choices."""

    TABLE = "table"
    JSON = "json"
    CSV = "csv"


def add_format(parser: argparse.ArgumentParser, default: OutputFormat = OutputFormat.TABLE) -> None:
    """``--format table|json|csv``; the value lands in ``args.output``."""
    parser.add_argument(
        "--format",
        dest="output",
        type=OutputFormat,
        choices=list(OutputFormat),
        default=default,
        help=f"output format: table, json or csv (default {default.value})",
    )


def add_as_of(parser: argparse.ArgumentParser, help_text: str) -> None:
    """``--as-of YYYY-MM-DD`` as text in ``args.as_of`` (checked by :func:`parse_date`)."""
    parser.add_argument("--as-of", dest="as_of", default=None, metavar="DATE", help=help_text)


def parse_date(text: str | None, option: str = "--as-of") -> dt.date | None:
    """A ``YYYY-MM-DD`` option value, or :class:`BadUsage` naming the option."""
    if text is None:
        return None
    try:
        if len(text) != 10:
            raise ValueError(text)
        return dt.date.fromisoformat(text)
    except ValueError:
        raise BadUsage(f"{option}: {text!r} is not a date (YYYY-MM-DD)") from None


def path_argument(text: str) -> Path:
    """A path option value."""
    return Path(text)
