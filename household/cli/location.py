"""``household locate`` and ``household import``: the commands; the work is elsewhere.

:mod:`household.locating` maps the household into :mod:`location` and builds the
``location`` section; :mod:`household.importing` converts a CSV set. Both are imported
when a command runs, so the other commands start without the solver.

Example: ``household locate fixtures/households/young_couple.json --format json``.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

from household.cli import BadUsage
from household.cli.common import (
    OutputFormat,
    add_allow_extra_columns,
    add_as_of,
    add_format,
    parse_date,
)


def configure(parser: argparse.ArgumentParser, name: str) -> None:
    """Arguments of ``locate`` and ``import``."""
    if name == "locate":
        parser.add_argument("household_file", type=Path, help="the household JSON file")
        parser.add_argument(
            "--ignore-current",
            action="store_true",
            help="recommend the ideal placement, ignoring today's lots",
        )
        add_as_of(parser, "date for holding periods (default: the file's as_of)")
        parser.add_argument(
            "--solver",
            action="append",
            default=None,
            help="solver backend, repeatable, in order: highs, pulp-highs, cbc "
            "(default: highs, then cbc)",
        )
        add_format(parser)
        parser.set_defaults(run=locate_command)
    else:
        parser.add_argument("--accounts", type=Path, required=True, help="accounts.csv")
        parser.add_argument("--transactions", type=Path, required=True, help="transactions.csv")
        parser.add_argument("--securities", type=Path, default=None, help="securities.csv")
        parser.add_argument(
            "--template",
            type=Path,
            default=None,
            help="a household file supplying rates, classes, targets, policy",
        )
        parser.add_argument(
            "--household-id",
            default=None,
            help="the household's id (default: the name of the folder holding accounts.csv)",
        )
        add_as_of(parser, "the prices' date (YYYY-MM-DD)")
        parser.add_argument(
            "--out",
            type=Path,
            default=None,
            help="write the household file here (atomically) instead of stdout; "
            "an existing file needs --force",
        )
        parser.add_argument("--force", action="store_true", help="let --out replace a file")
        add_allow_extra_columns(parser)
        add_format(parser, OutputFormat.JSON)
        parser.set_defaults(run=import_command)


def _print_table(section: dict[str, Any]) -> None:
    """The placement (accounts x classes, dollars), the after-tax values and the explanations."""
    from household.render import money_display, tables_text

    classes = [c["asset_class"] for c in section["classes"]]
    cells = {(r["account_id"], r["asset_class"]): r for r in section["rows"]}
    columns = ["account", *classes, "cash reserve", "total"]
    placement: list[dict[str, Any]] = []
    for account in section["accounts"]:
        row: dict[str, Any] = {"account": f"{account['account_id']} ({account['treatment']})"}
        for name in classes:
            cell = cells.get((account["account_id"], name))
            row[name] = money_display(Decimal(cell["dollars"])) if cell else "-"
        row["cash reserve"] = money_display(Decimal(account["cash_reserve"]))
        row["total"] = money_display(Decimal(account["total"]))
        placement.append(row)
    total_row: dict[str, Any] = {"account": "total"}
    for c in section["classes"]:
        total_row[c["asset_class"]] = money_display(Decimal(c["dollars"]))
    reserves = sum((Decimal(a["cash_reserve"]) for a in section["accounts"]), Decimal(0))
    total_row["cash reserve"] = money_display(reserves)
    total_row["total"] = money_display(Decimal(section["household_value"]))
    placement.append(total_row)
    if section["target_basis"] == "aftertax":
        after = {
            c["asset_class"]: money_display(Decimal(c["measured"])) for c in section["classes"]
        }
        placement.append({"account": "after-tax", **after})
    targets = {c["asset_class"]: money_display(Decimal(c["target"])) for c in section["classes"]}
    placement.append({"account": "target", **targets})

    values = []
    for name in ("recommended", "ideal", "naive"):
        v = section["objective"][name]
        values.append(
            {
                "placement": name,
                "after tax": money_display(Decimal(v["after_tax_value"])),
                "transition cost": money_display(Decimal(v["transition_cost"])),
                "tax now": money_display(Decimal(v["tax_now"])) if "tax_now" in v else "",
                "net": money_display(Decimal(v["net_value"])),
            }
        )
    greedy = section["objective"]["greedy"]["after_tax_value"]
    values.append({"placement": "greedy", "after tax": money_display(Decimal(greedy))})
    title = (
        f"Asset location ({section['solver']}, {section['status']}, "
        f"{section['horizon_years']} years, {section['target_basis']} targets)"
    )
    value_columns = ["placement", "after tax", "transition cost", "tax now", "net"]
    print(
        tables_text(
            [
                (title, placement, columns),
                ("After-tax value at the horizon", values, value_columns),
            ]
        ),
        end="",
    )
    for line in section["explanations"]:
        print(f"- {line}")
    for line in section["exceptions"]:
        print(f"! {line}")


def _print_csv(section: dict[str, Any]) -> None:
    out = io.StringIO()
    fields = ["account_id", "asset_class", "dollars", "weight", "loss_per_dollar", "explanation"]
    writer = csv.DictWriter(out, fieldnames=fields, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    for row in section["rows"]:
        writer.writerow(row)
    print(out.getvalue(), end="")


def locate_command(args: argparse.Namespace) -> int:
    """Asset location: which asset class sits in which account, explained."""
    from household.loader import load_household
    from household.locating import locate_household, location_section
    from location.solvers import BACKENDS, DEFAULT_SOLVERS

    date = parse_date(args.as_of)
    solver, ignore_current, format = args.solver, args.ignore_current, args.output
    for name in solver or ():
        if name not in BACKENDS:
            raise BadUsage(f"--solver: unknown solver {name!r} (known: {', '.join(BACKENDS)})")
    household = load_household(args.household_file)
    result, exceptions = locate_household(
        household,
        as_of=date,
        ignore_current=ignore_current,
        solvers=tuple(solver) if solver else DEFAULT_SOLVERS,
    )
    section = location_section(household, result, exceptions)
    if format is OutputFormat.JSON:
        print(json.dumps({"location": section}, indent=2))
    elif format is OutputFormat.CSV:
        _print_csv(section)
    else:
        _print_table(section)
    return 0


def import_command(args: argparse.Namespace) -> int:
    """Convert a CSV set (accounts, transactions, securities) into a household JSON file.

    ``--format json`` (the default) prints the household file, or writes it to
    ``--out``; ``table`` and ``csv`` print the open lots it holds (for a person or
    a spreadsheet), and ``--out`` still writes the household file.
    """
    from household.importing import import_household
    from household.io_atomic import write_text_atomic
    from household.loader import read_json

    date = parse_date(args.as_of)
    out, template = args.out, args.template
    if out is not None:
        _check_out_file(out, args.force)
    document = import_household(
        args.accounts,
        args.transactions,
        args.securities,
        template=read_json(template) if template else None,
        template_path=template,
        household_id=args.household_id,
        as_of=date,
        allow_extra_columns=args.allow_extra_columns,
    )
    text = json.dumps(document, indent=2) + "\n"
    if out is not None:
        write_text_atomic(out, text, force=args.force)
    if args.output is OutputFormat.JSON:
        if out is None:
            print(text, end="")
        return 0
    from household.render import csv_text, print_table

    columns = ["account_id", "symbol", "lot_id", "quantity", "purchased", "acquired"]
    columns += ["cost_basis", "wash_sale_adjustment"]
    if args.output is OutputFormat.CSV:
        print(csv_text(document["lots"], columns), end="")
    else:
        print_table(f"Open lots of {document['household_id']}", document["lots"], columns)
    return 0


def _check_out_file(out: Path, force: bool) -> None:
    """Refuse an ``--out`` that cannot be written before doing the work."""
    from household.errors import OutputError

    if not out.parent.is_dir():
        raise OutputError(f"the folder {str(out.parent)!r} does not exist", file=str(out))
    if out.is_dir():
        raise OutputError("is a folder; give a file name", file=str(out))
    if out.exists() and not force:
        raise OutputError("already exists (use --force to replace it)", file=str(out))
