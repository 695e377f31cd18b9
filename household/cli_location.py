"""``household locate`` and ``household import``: the commands; the work is elsewhere.

:mod:`household.locating` maps the household into :mod:`location` and builds the
``location`` section; :mod:`household.importing` converts a CSV set. Both are imported
when a command runs, so the other commands start without the solver.

Example: ``household locate fixtures/households/young_couple.json --format json``.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import typer

from household.cli import OutputFormat, app, bad_input


def _print_table(section: dict[str, Any]) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console()
    classes = [c["asset_class"] for c in section["classes"]]
    placement = Table(
        title=f"Asset location ({section['solver']}, {section['status']}, "
        f"{section['horizon_years']} years, {section['target_basis']} targets)"
    )
    placement.add_column("account")
    for name in classes:
        placement.add_column(name, justify="right")
    placement.add_column("cash reserve", justify="right")
    placement.add_column("total", justify="right")
    cells = {(r["account_id"], r["asset_class"]): r for r in section["rows"]}
    for account in section["accounts"]:
        row = [f"{account['account_id']} ({account['treatment']})"]
        for name in classes:
            cell = cells.get((account["account_id"], name))
            row.append(f"{Decimal(cell['dollars']):,}" if cell else "-")
        row.append(f"{Decimal(account['cash_reserve']):,}")
        row.append(f"{Decimal(account['total']):,}")
        placement.add_row(*row)
    placement.add_row(
        "total",
        *[f"{Decimal(c['dollars']):,}" for c in section["classes"]],
        f"{sum(Decimal(a['cash_reserve']) for a in section['accounts']):,}",
        f"{Decimal(section['household_value']):,}",
        style="bold",
    )
    if section["target_basis"] == "aftertax":
        placement.add_row(
            "after-tax", *[f"{Decimal(c['measured']):,}" for c in section["classes"]], "", ""
        )
    placement.add_row("target", *[f"{Decimal(c['target']):,}" for c in section["classes"]], "", "")
    console.print(placement)

    values = Table(title="After-tax value at the horizon")
    for column in ("placement", "after tax", "transition cost", "tax now", "net"):
        values.add_column(column, justify="right" if column != "placement" else "left")
    for name in ("recommended", "ideal", "naive"):
        v = section["objective"][name]
        values.add_row(
            name,
            f"{Decimal(v['after_tax_value']):,}",
            f"{Decimal(v['transition_cost']):,}",
            f"{Decimal(v.get('tax_now', '0')):,}" if "tax_now" in v else "",
            f"{Decimal(v['net_value']):,}",
        )
    greedy = section["objective"]["greedy"]["after_tax_value"]
    values.add_row("greedy", f"{Decimal(greedy):,}", "", "", "")
    console.print(values)
    for line in section["explanations"]:
        console.print(f"- {line}", highlight=False)
    for line in section["exceptions"]:
        console.print(f"[yellow]! {line}[/yellow]")


def _print_csv(section: dict[str, Any]) -> None:
    out = io.StringIO()
    fields = ["account_id", "asset_class", "dollars", "weight", "loss_per_dollar", "explanation"]
    writer = csv.DictWriter(out, fieldnames=fields, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    for row in section["rows"]:
        writer.writerow(row)
    print(out.getvalue(), end="")


@app.command("locate")
def locate_command(
    household_file: Path = typer.Argument(..., help="The household JSON file."),
    format: OutputFormat = typer.Option(OutputFormat.TABLE, "--format", help="Output format."),
    ignore_current: bool = typer.Option(
        False, "--ignore-current", help="Recommend the ideal placement, ignoring today's lots."
    ),
    as_of: str | None = typer.Option(
        None, "--as-of", help="Date for holding periods (default: the file's as_of)."
    ),
    solver: list[str] | None = typer.Option(
        None,
        "--solver",
        help="Solver backend, repeatable, in order (highs, pulp-highs, cbc; default highs, cbc).",
    ),
) -> None:
    """Asset location: which asset class sits in which account, explained."""
    from household.loader import load_household
    from household.locating import locate_household, location_section
    from location.solvers import BACKENDS, DEFAULT_SOLVERS

    date = None
    if as_of is not None:
        try:
            date = dt.date.fromisoformat(as_of)
        except ValueError:
            raise bad_input(f"--as-of: {as_of!r} is not a date (YYYY-MM-DD)") from None
    for name in solver or ():
        if name not in BACKENDS:
            raise bad_input(f"--solver: unknown solver {name!r} (known: {', '.join(BACKENDS)})")
    household = load_household(household_file)
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


@app.command("import")
def import_command(
    accounts: Path = typer.Option(..., "--accounts", help="accounts.csv"),
    transactions: Path = typer.Option(..., "--transactions", help="transactions.csv"),
    securities: Path | None = typer.Option(None, "--securities", help="securities.csv"),
    template: Path | None = typer.Option(
        None, "--template", help="A household file supplying rates, classes, targets, policy."
    ),
    household_id: str | None = typer.Option(None, "--household-id", help="The household's id."),
    as_of: str | None = typer.Option(None, "--as-of", help="The prices' date (YYYY-MM-DD)."),
    out: Path | None = typer.Option(None, "--out", help="Write here instead of stdout."),
    format: OutputFormat = typer.Option(
        OutputFormat.JSON, "--format", help="Only json: the output is a household file."
    ),
) -> None:
    """Convert a CSV set (accounts, transactions, securities) into a household JSON file."""
    from household.importing import import_household
    from household.loader import read_json

    if format is not OutputFormat.JSON:
        raise bad_input("--format: import writes a household file (json)")
    date = None
    if as_of is not None:
        try:
            date = dt.date.fromisoformat(as_of)
        except ValueError:
            raise bad_input(f"--as-of: {as_of!r} is not a date (YYYY-MM-DD)") from None
    document = import_household(
        accounts,
        transactions,
        securities,
        template=read_json(template) if template else None,
        household_id=household_id,
        as_of=date,
    )
    text = json.dumps(document, indent=2) + "\n"
    if out is None:
        print(text, end="")
    else:
        out.write_text(text, encoding="utf-8")
