"""The ``household`` command line.

Each command takes ``--format json|table|csv``; ``json`` prints one JSON
document on stdout and nothing else. Exit codes: 0 success, 2 bad input or
usage (one line on stderr, ``file:row: field: message``), 1 anything else.
Commands live in small modules registered on :data:`app` at the bottom of this
file.
"""

from __future__ import annotations

import enum
import sys
from collections.abc import Callable
from typing import Any, TypeVar

import typer

from lots.errors import LotsError

app = typer.Typer(
    name="household",
    help="Household tax-lot engine: wash sales, gains, asset location, rebalancing.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


class OutputFormat(enum.StrEnum):
    """The ``--format`` choices."""

    TABLE = "table"
    JSON = "json"
    CSV = "csv"


F = TypeVar("F", bound=Callable[..., Any])


def bad_input(message: str) -> typer.Exit:
    """Print one line to stderr and return the exit (code 2) to raise."""
    print(f"household: {message}", file=sys.stderr)
    return typer.Exit(code=2)


def main() -> None:
    """Entry point of the console script: bad input becomes exit 2 and one line."""
    try:
        app()
    except LotsError as error:
        print(f"household: {error}", file=sys.stderr)
        sys.exit(2)


# Commands register themselves on ``app``; import them last.
from household import cli_location, cli_lots, cli_plan  # noqa: E402,F401
