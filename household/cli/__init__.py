"""The ``household`` command line.

Every command takes ``--format json|table|csv``; ``json`` prints one JSON
document on stdout and nothing else. Exit codes: 0 success, 2 bad input or
usage (one line on stderr, ``file:row: field: message``), 1 anything else (a
refused plan, or an internal failure, also one line).

Start-up is kept small: the table :data:`COMMANDS` names each command, its
module and its one-line help, and only the module of the command being run
is imported (``household --help`` imports none). A command module has two
functions:

- ``configure(parser, name)`` adds the command's arguments to its
  :class:`argparse.ArgumentParser` (``name`` is the command, for modules that
  serve several) and sets ``parser.set_defaults(run=...)``;
- the ``run(args) -> int`` it set returns the exit code. It imports what it
  needs inside the function, and raises :class:`lots.errors.LotsError` (or
  :class:`BadUsage`) for bad input.

Commands with sub-commands (``household store init``) add their own
sub-parsers in ``configure``.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Sequence
from typing import NoReturn

__all__ = ["COMMANDS", "BadUsage", "main", "run"]

COMMANDS: dict[str, tuple[str, str]] = {
    "wash-sales": (
        "household.cli.lots",
        "Replay a CSV history and apply the wash-sale rule across all accounts.",
    ),
    "gains": (
        "household.cli.lots",
        "Realized gains: Form 8949 rows and short- and long-term totals.",
    ),
    "import": (
        "household.cli.location",
        "Convert a CSV set (accounts, transactions, securities) into a household file.",
    ),
    "locate": (
        "household.cli.location",
        "Asset location: which asset class sits in which account, explained.",
    ),
    "rebalance": (
        "household.cli.plan",
        "Plan a tax-aware rebalance: drift, location, trades, taxes, costs, checks.",
    ),
    "harvest": (
        "household.cli.plan",
        "Plan a tax-loss harvest: loss lots swapped for substitutes, wash sales avoided.",
    ),
    "store": (
        "household.cli.store",
        "The household store: init, add, list, show, export households and their events.",
    ),
    "fills": (
        "household.cli.fills",
        "Import fills against a stored plan: reconcile, report slippage, append them.",
    ),
    "reconcile": (
        "household.cli.reconcile",
        "Reconcile a stored household against a custodian's lots or a broker's 1099-B.",
    ),
    "monitor": (
        "household.cli.monitor",
        "Monitor stored households: band breaches, reviews due, wash windows, long-term lots.",
    ),
    "sweep": (
        "household.cli.sweep",
        "Plan or monitor many households (a folder or a store), on a pool or Dask; resumable.",
    ),
    "compare": (
        "household.cli.whatif",
        "Plan two households and show them side by side, the differences explained.",
    ),
    "whatif": (
        "household.cli.whatif",
        "Plan a household and an edited copy (--set PATH=VALUE) and compare them.",
    ),
}
"""Command name -> (module, one-line help). Modules are imported only when run."""


class BadUsage(Exception):
    """Bad usage or a bad option value: exit 2 with one line on stderr."""


class _Parser(argparse.ArgumentParser):
    """An argument parser whose errors are one line on stderr and exit 2."""

    def error(self, message: str) -> NoReturn:
        print(f"{self.prog}: {message} (see --help)", file=sys.stderr)
        raise SystemExit(2)


def _command_of(argv: Sequence[str]) -> str | None:
    for token in argv:
        if token in COMMANDS:
            return token
        if not token.startswith("-"):
            return None
    return None


def build_parser(command: str | None) -> argparse.ArgumentParser:
    """The parser; only ``command``'s module is imported to configure it."""
    parser = _Parser(
        prog="household",
        description="Household tax-lot engine: wash sales, gains, asset location, rebalancing.",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    for name, (module_name, help_text) in COMMANDS.items():
        command_parser = sub.add_parser(name, help=help_text, description=help_text)
        if name == command:
            importlib.import_module(module_name).configure(command_parser, name)
    return parser


def run(argv: Sequence[str] | None = None) -> int:
    """Run the command line on ``argv`` (default ``sys.argv[1:]``); return the exit code."""
    from lots.errors import LotsError

    arguments = list(sys.argv[1:] if argv is None else argv)
    try:
        parser = build_parser(_command_of(arguments))
        if not arguments:
            parser.print_help()
            return 2
        args = parser.parse_args(arguments)
        runner = getattr(args, "run", None)
        if runner is None:
            parser.parse_args([*arguments, "--help"])
            return 2
        return int(runner(args) or 0)
    except SystemExit as done:
        return done.code if isinstance(done.code, int) else (0 if done.code is None else 2)
    except (LotsError, BadUsage) as error:
        print(f"household: {_one_line(str(error))}", file=sys.stderr)
        return 2
    except BrokenPipeError:
        return 1
    except Exception as error:  # an internal failure: one line, exit 1
        if os.environ.get("HOUSEHOLD_DEBUG"):
            raise
        kind = type(error).__name__
        message = _one_line(str(error))
        print(f"household: internal error ({kind}): {message}", file=sys.stderr)
        return 1


def _one_line(text: str) -> str:
    return " ".join(text.split())


def main() -> NoReturn:
    """Entry point of the console script."""
    sys.exit(run())
