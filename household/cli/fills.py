"""``household fills import FILLS.csv --plan PLAN_ID`` and ``household fills imports ID``.

Reconciles the fills with the plan's tickets (filled, partial, over, unplanned,
missing), reports slippage and actual against estimated costs and tax, then
appends the fills as events and re-arms the household's review, in one
transaction. The same file imported again is recognised and refused (exit 2).
``fills imports HOUSEHOLD_ID`` lists a household's imports with their totals
(slippage, costs, tax estimated and actual, the events appended, the review
re-armed). See :mod:`household.store.fills`.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from household.cli.common import OutputFormat, add_format, parse_date
from household.cli.store import add_store, open_store


def configure(parser: argparse.ArgumentParser, name: str) -> None:
    """``fills import``."""
    sub = parser.add_subparsers(dest="fills_command", metavar="SUBCOMMAND")
    command = sub.add_parser("import", help="import FILLS.csv against a stored plan")
    command.add_argument("fills_file", type=Path, help="FILLS.csv")
    command.add_argument("--plan", dest="plan_id", type=int, required=True, help="the plan's id")
    command.add_argument(
        "--next-review", default=None, metavar="DATE", help="re-arm the review on this date"
    )
    add_store(command)
    add_format(command)
    command.set_defaults(run=import_command)
    listing = sub.add_parser("imports", help="a household's fills imports and their totals")
    listing.add_argument("household_id")
    add_store(listing)
    add_format(listing)
    listing.set_defaults(run=imports_command)
    parser.set_defaults(run=lambda args: _missing())


def _missing() -> int:
    print("household fills: a sub-command is required (import, imports)", file=sys.stderr)
    return 2


IMPORT_COLUMNS = ("import_id", "plan_id", "file", "recorded_at", "events", "next_review")


def imports_command(args: argparse.Namespace) -> int:
    from household.render import console, csv_text, print_json, table

    store = open_store(args)
    store.state(args.household_id)  # an unknown household is an error, not an empty list
    entries = store.imports(args.household_id)
    if args.output is OutputFormat.JSON:
        print_json(entries)
        return 0
    flat = [
        {key: entry[key] for key in IMPORT_COLUMNS}
        | {"events": "-".join(str(seq) for seq in entry["events"] or [])}
        | entry["totals"]
        for entry in entries
    ]
    if args.output is OutputFormat.CSV:
        sys.stdout.write(csv_text(flat, list(flat[0]) if flat else IMPORT_COLUMNS))
    else:
        console().print(
            table(f"{args.household_id}: fills imports", flat, list(flat[0]) if flat else [])
        )
    return 0


def import_command(args: argparse.Namespace) -> int:
    from household.render import console, csv_text, print_json, table
    from household.store.fills import import_fills

    store = open_store(args)
    report = import_fills(
        store,
        args.fills_file,
        args.plan_id,
        next_review=parse_date(args.next_review, "--next-review"),
    )
    if args.output is OutputFormat.JSON:
        print_json(report)
    elif args.output is OutputFormat.CSV:
        sys.stdout.write(csv_text(report["tickets"]))
    else:
        out = console()
        rows = report["tickets"]
        out.print(table(f"fills against plan {args.plan_id}", rows, list(rows[0]) if rows else []))
        totals = [{"measure": k, "amount": v} for k, v in report["totals"].items()]
        out.print(table("totals", totals, ["measure", "amount"]))
        out.print(
            f"events {report['events'][0]}-{report['events'][1]} appended;"
            f" next review {report['next_review']}"
        )
    return 0
