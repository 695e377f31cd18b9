"""``household rebalance`` and ``household harvest``: a household file to a signed-off plan.

Both read one household JSON file, build the plan for ``--as-of`` (the file's
``as_of`` when not given; the clock is never read) and print it: ``--format
table`` (rich tables), ``json`` (one document, one key per report section,
every decimal a string, money in cents half-even) or ``csv`` (the blotter).
``--out DIR`` also writes every section as ``DIR/<section>.csv``, the JSON
document as ``DIR/plan.json`` and a self-contained ``DIR/report.html``.

Exit codes: 0 for an accepted plan, 1 for a refused one (a quality check
failed; the reasons go to stderr, the plan is still printed), 2 for bad input.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from household.cli import OutputFormat, app, bad_input

if TYPE_CHECKING:
    from household.plan import Plan

AsOfOption = typer.Option(None, "--as-of", help="plan date YYYY-MM-DD (default: the file's as_of)")
OutOption = typer.Option(None, "--out", help="write CSVs, plan.json and report.html here")
FormatOption = typer.Option(OutputFormat.TABLE, "--format", help="table, json or csv")


def _as_of(text: str | None, household_as_of: dt.date | None) -> dt.date:
    if text is None:
        if household_as_of is None:
            raise bad_input("--as-of: required (the household file has no as_of)")
        return household_as_of
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise bad_input(f"--as-of: {text!r} is not a date (YYYY-MM-DD)") from None


def write_outputs(plan: Plan, directory: Path) -> list[Path]:
    """Write every section as CSV, ``plan.json`` and ``report.html`` to ``directory``."""
    from household.html_report import render_html
    from household.reports import write_csvs

    paths = write_csvs(plan, directory)
    json_path = directory / "plan.json"
    json_path.write_text(json.dumps(plan.to_json_dict(), indent=2) + "\n", encoding="utf-8")
    html_path = directory / "report.html"
    html_path.write_text(render_html(plan), encoding="utf-8")
    return [*paths, json_path, html_path]


def emit(plan: Plan, out: Path | None, output: OutputFormat) -> None:
    """Print the plan, write ``--out``, and exit 1 when it is refused."""
    from household.reports import csv_text, render_tables, sections

    if out is not None:
        write_outputs(plan, out)
    if output is OutputFormat.JSON:
        json.dump(plan.to_json_dict(), sys.stdout, indent=2)
        sys.stdout.write("\n")
    elif output is OutputFormat.CSV:
        sys.stdout.write(csv_text(sections(plan)["trades"]))
    else:
        sys.stdout.write(render_tables(plan))
    if plan.refused:
        print(f"household: plan refused: {plan.refused_because}", file=sys.stderr)
        raise typer.Exit(code=1)


@app.command("rebalance")
def rebalance_command(
    household_path: Path = typer.Argument(..., help="household JSON file", show_default=False),
    as_of: str | None = AsOfOption,
    out: Path | None = OutOption,
    output: OutputFormat = FormatOption,
    mode: str = typer.Option(
        "rebalance", "--mode", help="rebalance, or cash (buy-only / raise-cash)"
    ),
) -> None:
    """Plan a tax-aware rebalance: drift, location, trades, taxes, costs, checks."""
    from household.loader import load_household
    from household.plan import rebalance

    if mode not in ("rebalance", "cash"):
        raise bad_input(f"--mode: {mode!r} is not rebalance or cash")
    household = load_household(household_path)
    plan = rebalance(household, _as_of(as_of, household.as_of), mode=mode)
    emit(plan, out, output)


@app.command("harvest")
def harvest_command(
    household_path: Path = typer.Argument(..., help="household JSON file", show_default=False),
    as_of: str | None = AsOfOption,
    out: Path | None = OutOption,
    output: OutputFormat = FormatOption,
) -> None:
    """Plan a tax-loss harvest: loss lots swapped for substitutes, wash sales avoided."""
    from household.loader import load_household
    from household.plan import harvest

    household = load_household(household_path)
    plan = harvest(household, _as_of(as_of, household.as_of))
    emit(plan, out, output)
