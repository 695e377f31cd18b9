"""``household monitor [--prices PRICES.csv] [--as-of DATE]``: what needs attention.

Per stored household: band breaches at the prices, reviews due, wash-sale
windows closing (the safe-to-rebuy date per group sold at a loss), gain lots
turning long-term within the policy's ``long_term_days``, and harvest
candidates above the thresholds. See :mod:`household.store.monitor`.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path

from household.cli.common import OutputFormat, add_as_of, add_format, parse_date
from household.cli.store import add_store, open_store


def configure(parser: argparse.ArgumentParser, name: str) -> None:
    """Arguments of ``monitor``."""
    parser.add_argument("household_ids", nargs="*", help="households (default: all)")
    parser.add_argument("--prices", type=Path, default=None, help="PRICES.csv: symbol,price")
    add_as_of(parser, "the date to monitor on (default: today)")
    add_store(parser)
    add_format(parser)
    parser.set_defaults(run=monitor_command)


def monitor_command(args: argparse.Namespace) -> int:
    from household.render import console, csv_text, print_json, table
    from household.store.monitor import monitor_store, read_prices

    # The command line is the edge: only here may "today" come from the clock.
    as_of = parse_date(args.as_of) or dt.date.today()
    prices = read_prices(args.prices) if args.prices else None
    store = open_store(args)
    report = monitor_store(store, as_of, prices, args.household_ids or None)
    rows = [alert for household in report["households"] for alert in household["alerts"]]
    columns = ["household_id", "alert", "subject", "detail", "date", "amount"]
    if args.output is OutputFormat.JSON:
        print_json(report)
    elif args.output is OutputFormat.CSV:
        sys.stdout.write(csv_text(rows, columns))
    else:
        console().print(table(f"monitor {as_of.isoformat()}", rows, columns))
    return 0
