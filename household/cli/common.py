"""Options and helpers shared by the command modules (argparse)."""

from __future__ import annotations

import argparse
import datetime as dt
import enum
from pathlib import Path

from household.cli import BadUsage

__all__ = [
    "BadUsage",
    "OutputFormat",
    "add_allow_extra_columns",
    "add_as_of",
    "add_format",
    "parse_date",
]


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


def add_allow_extra_columns(parser: argparse.ArgumentParser) -> None:
    """``--allow-extra-columns``: ignore CSV columns the reader does not know (else refused)."""
    parser.add_argument(
        "--allow-extra-columns",
        action="store_true",
        help="ignore CSV columns the reader does not know (by default they are refused, "
        "so a misspelt 'lot id' or a 'commission' column is never silently dropped)",
    )


def add_as_of(parser: argparse.ArgumentParser, help_text: str) -> None:
    """``--as-of YYYY-MM-DD`` as text in ``args.as_of`` (checked by :func:`parse_date`)."""
    parser.add_argument("--as-of", dest="as_of", default=None, metavar="DATE", help=help_text)


def parse_date(text: str | None, option: str = "--as-of") -> dt.date | None:
    """A ``YYYY-MM-DD`` option value, or :class:`BadUsage` naming the option."""
    from household.strict import parse_date as strict_date

    if text is None:
        return None
    try:
        return strict_date(text)
    except ValueError as error:
        raise BadUsage(f"{option}: {error}") from None


def path_argument(text: str) -> Path:
    """A path option value."""
    return Path(text)
