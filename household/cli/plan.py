"""``household rebalance`` and ``household harvest``: a household file to a signed-off plan.

Both read one household JSON file, build the plan for ``--as-of`` (the file's
``as_of`` when not given; the clock is never read) and print it: ``--format
table`` (tables for people: ``$1,234.50``, ``12.50%``), ``json`` (one document,
one key per report section, every decimal a string, money in cents half-even)
or ``csv`` (the blotter).
``--out DIR`` also writes every section as ``DIR/<section>.csv``, the JSON
document as ``DIR/plan.json`` and a self-contained ``DIR/report.html``.

Exit codes: 0 for an accepted plan, 1 for a refused one (a quality check
failed; the reasons go to stderr, the plan is still printed), 2 for bad input.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from household.cli import BadUsage
from household.cli.common import OutputFormat, add_as_of, add_format, parse_date

if TYPE_CHECKING:
    from household.plan import Plan


def configure(parser: argparse.ArgumentParser, name: str) -> None:
    """Arguments of ``rebalance`` and ``harvest``."""
    parser.add_argument(
        "household_path",
        type=Path,
        metavar="HOUSEHOLD",
        help="household JSON file (with --store: a stored household's id)",
    )
    parser.add_argument(
        "--store",
        default=None,
        metavar="URL",
        help="plan a stored household and keep the plan (summary gains plan_id)",
    )
    add_as_of(parser, "plan date YYYY-MM-DD (default: the file's as_of)")
    parser.add_argument(
        "--out", type=Path, default=None, help="write CSVs, plan.json and report.html here"
    )
    if name == "rebalance":
        parser.add_argument(
            "--mode",
            choices=["rebalance", "cash"],
            default="rebalance",
            help="rebalance (default), or cash: buy-only / raise-cash, trading only to place "
            "or raise the cash flows",
        )
    add_format(parser)
    parser.set_defaults(run=rebalance_command if name == "rebalance" else harvest_command)


def _as_of(text: str | None, household_as_of: dt.date | None) -> dt.date:
    date = parse_date(text)
    if date is None:
        if household_as_of is None:
            raise BadUsage("--as-of: required (the household file has no as_of)")
        return household_as_of
    return date


def refusal_line(plan: Plan) -> str | None:
    """The first line of every ``--out`` file of a refused plan (``None`` when accepted)."""
    if not plan.refused:
        return None
    return f"PLAN REFUSED: {' '.join(plan.refused_because.split())}"


def write_outputs(
    plan: Plan, directory: Path, document: dict[str, Any] | None = None
) -> list[Path]:
    """Write every section as CSV, ``plan.json`` and ``report.html`` to ``directory``.

    Atomically (:func:`household.io_atomic.atomic_directory`): everything is written
    into a temporary folder beside ``directory``, which then replaces it whole, so a
    failure midway leaves the old report as it was, and no file of an earlier run
    survives. A refused plan is written too, and says so on the first line of every
    file: ``# PLAN REFUSED: ...`` in each CSV (skip it with
    ``pandas.read_csv(path, skiprows=1)``), a first key ``"refused"`` in
    ``plan.json``, a comment after the doctype and a banner in ``report.html``.
    """
    from household.html_report import render_html
    from household.io_atomic import atomic_directory
    from household.reports import SECTIONS, write_csvs

    refused = refusal_line(plan)
    names = {f"{name}.csv" for name in SECTIONS} | {"plan.json", "report.html"}
    with atomic_directory(directory, replaceable=names) as folder:
        paths = write_csvs(plan, folder)
        if refused is not None:
            for path in paths:
                text = path.read_text(encoding="utf-8")
                path.write_text(f"# {refused}\n{text}", encoding="utf-8")
        document = dict(plan.to_json_dict() if document is None else document)
        if refused is not None:
            document = {"refused": refused, **document}
        text = json.dumps(document, indent=2) + "\n"
        if refused is not None:  # the first line says it: {"refused": "PLAN REFUSED: ...",
            text = "{" + text[1:].lstrip()
        (folder / "plan.json").write_text(text, encoding="utf-8")
        (folder / "report.html").write_text(render_html(plan), encoding="utf-8")
        written = [path.name for path in paths] + ["plan.json", "report.html"]
    return [directory / name for name in written]


def emit(
    plan: Plan,
    out: Path | None,
    output: OutputFormat,
    document: dict[str, Any] | None = None,
) -> int:
    """Print the plan, write ``--out`` (``document`` as its ``plan.json``), exit 1 if refused."""
    from household.reports import csv_text, render_tables, sections

    if out is not None:
        write_outputs(plan, out, document)
    if output is OutputFormat.JSON:
        json.dump(plan.to_json_dict(), sys.stdout, indent=2)
        sys.stdout.write("\n")
    elif output is OutputFormat.CSV:
        sys.stdout.write(csv_text(sections(plan)["trades"]))
    else:
        sys.stdout.write(render_tables(plan))
    if plan.refused:
        print(f"household: plan refused: {' '.join(plan.refused_because.split())}", file=sys.stderr)
        return 1
    return 0


def rebalance_command(args: argparse.Namespace) -> int:
    """Plan a tax-aware rebalance: drift, location, trades, taxes, costs, checks."""
    from household.loader import check_plan_date, load_household
    from household.plan import rebalance

    if args.store is not None:
        return stored_command(args, "rebalance")
    household = load_household(args.household_path)
    as_of = _as_of(args.as_of, household.as_of)
    check_plan_date(household, as_of)
    plan = rebalance(household, as_of, mode=args.mode)
    return emit(plan, args.out, args.output)


def harvest_command(args: argparse.Namespace) -> int:
    """Plan a tax-loss harvest: loss lots swapped for substitutes, wash sales avoided."""
    from household.loader import check_plan_date, load_household
    from household.plan import harvest

    if args.store is not None:
        return stored_command(args, "harvest")
    household = load_household(args.household_path)
    as_of = _as_of(args.as_of, household.as_of)
    check_plan_date(household, as_of)
    plan = harvest(household, as_of)
    return emit(plan, args.out, args.output)


def stored_command(args: argparse.Namespace, kind: str) -> int:
    """``--store URL HOUSEHOLD_ID``: plan a stored household, keep the plan, print it."""
    from household.cli.store import open_store
    from household.store.planning import plan_from_store

    store = open_store(args)
    plan, document, plan_id = plan_from_store(
        store, str(args.household_path), kind, parse_date(args.as_of)
    )
    if args.output is OutputFormat.JSON:
        if args.out is not None:
            write_outputs(plan, args.out, document)
        json.dump(document, sys.stdout, indent=2)
        sys.stdout.write("\n")
        return 1 if plan.refused else 0
    print(f"plan {plan_id} kept in the store", file=sys.stderr)
    return emit(plan, args.out, args.output, document)
