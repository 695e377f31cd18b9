"""``household compare A.json B.json`` and ``household whatif HOUSEHOLD.json --set PATH=VALUE``.

Both plan two households (``--kind rebalance``, the default, or ``harvest``)
on ``--as-of`` (default: each file's own ``as_of``) and show them side by side:
after-tax value at the horizon, tax now short and long, trading cost, tracking
error, the location per account and class, and the trades that differ, each
with its difference (``B - A``) and the differences explained in words.

``whatif`` makes B from A by ``--set PATH=VALUE`` edits (``tax.ordinary=0.35``,
``targets.bonds=0.30``, ``accounts[0].lot_method=hifo``,
``harvest.min_loss_dollars=500``; see :mod:`household.whatif.edit`) and
``--no-harvest``, which compares A's harvest plan with B's where harvesting is
off (``harvest.min_loss_percent=1``: no priced lot's loss reaches all of its
basis). A path that does not exist, or an edit that makes the household
invalid, is bad input (exit 2, naming the path).

Output: ``--format table`` (default), ``json`` (``{"a", "b", "differences",
"explanation"}``) or ``csv`` (every metric, then the differing location cells
and trades); ``--out DIR`` also writes ``comparison.html``, ``comparison.json``
and both plans (``a.json``, ``b.json``). Exit code 0 (a refused plan is shown,
not an error), 2 for bad input.
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
from pathlib import Path
from typing import Any

from household.cli.common import OutputFormat, add_as_of, add_format, parse_date


def configure(parser: argparse.ArgumentParser, name: str) -> None:
    """Arguments of ``compare`` and ``whatif``."""
    if name == "compare":
        parser.add_argument("a", type=Path, metavar="A.json", help="household file A")
        parser.add_argument("b", type=Path, metavar="B.json", help="household file B")
    else:
        parser.add_argument("household_path", type=Path, help="household JSON file")
        parser.add_argument(
            "--set",
            dest="edits",
            action="append",
            default=[],
            metavar="PATH=VALUE",
            help="edit the copy B (repeatable): tax.ordinary=0.35, accounts[0].lot_method=hifo",
        )
        parser.add_argument(
            "--no-harvest", action="store_true", help="B does not harvest (compares harvest plans)"
        )
    parser.add_argument(
        "--kind",
        choices=["rebalance", "harvest"],
        default="rebalance",
        help="which plan to compare (default rebalance)",
    )
    add_as_of(parser, "plan date YYYY-MM-DD (default: each file's as_of)")
    parser.add_argument("--out", type=Path, default=None, help="write comparison.html here")
    add_format(parser)
    parser.set_defaults(run=compare_command if name == "compare" else whatif_command)


def _plan(document: Any, source: str, kind: str, args: argparse.Namespace) -> Any:
    from household.loader import household_from_dict
    from household.whatif import plan_household

    household = household_from_dict(document, source=source)
    return plan_household(household, kind=kind, as_of=parse_date(args.as_of))


def compare_command(args: argparse.Namespace) -> int:
    """Plan two household files and compare them."""
    from household.loader import read_json
    from household.whatif import compare

    plan_a = _plan(read_json(args.a), str(args.a), args.kind, args)
    plan_b = _plan(read_json(args.b), str(args.b), args.kind, args)
    return _emit(compare(plan_a, plan_b), plan_a, plan_b, args)


def whatif_command(args: argparse.Namespace) -> int:
    """Plan a household and its edited copy and compare them."""
    from household.loader import read_json
    from household.whatif import NO_HARVEST, apply_edits, compare, parse_edit

    source = str(args.household_path)
    document = read_json(args.household_path)
    given = list(args.edits)
    kind = args.kind
    if args.no_harvest:
        kind = "harvest"
    edits = [parse_edit(text) for text in given]
    edited = apply_edits(document, edits, source=source)
    if args.no_harvest:
        edited = apply_edits(edited, [parse_edit(NO_HARVEST)], source=source)
        given.append("no harvest")
    plan_a = _plan(document, source, kind, args)
    plan_b = _plan(edited, f"{source} (edited)", kind, args)
    return _emit(compare(plan_a, plan_b, edits=given), plan_a, plan_b, args)


def _text(value: Any) -> str:
    from decimal import Decimal

    if value is None:
        return "n/a"
    if isinstance(value, Decimal):
        return format(value, ",")
    return str(value)


def _emit(comparison: Any, plan_a: Any, plan_b: Any, args: argparse.Namespace) -> int:
    document = comparison.to_json_dict()
    if args.out is not None:
        from household.whatif.html import render_comparison_html

        args.out.mkdir(parents=True, exist_ok=True)
        (args.out / "comparison.html").write_text(
            render_comparison_html(comparison), encoding="utf-8"
        )
        (args.out / "comparison.json").write_text(json.dumps(document, indent=2) + "\n")
        for name, plan in (("a", plan_a), ("b", plan_b)):
            (args.out / f"{name}.json").write_text(json.dumps(plan.to_json_dict(), indent=2) + "\n")
    if args.output is OutputFormat.JSON:
        json.dump(document, sys.stdout, indent=2)
        sys.stdout.write("\n")
        return 0
    if args.output is OutputFormat.CSV:
        writer = csv.writer(sys.stdout, lineterminator="\n")
        writer.writerow(["section", "name", "a", "b", "difference", "explanation"])
        explained = {d.name: d.explanation for d in comparison.differences}
        for (name, _label), row in zip(_metrics(), comparison.metric_rows(), strict=True):
            writer.writerow(
                [
                    "metric",
                    name,
                    *(_csv(row[k]) for k in ("a", "b", "difference")),
                    explained.get(name, ""),
                ]
            )
        for d in comparison.differences:
            if d.section != "metric":
                writer.writerow(
                    [d.section, d.name, _csv(d.a), _csv(d.b), _csv(d.difference), d.explanation]
                )
        return 0
    from rich.console import Console
    from rich.table import Table

    console = Console(file=sys.stdout, width=110)
    a, b = comparison.a, comparison.b
    metrics = Table(
        title=f"A: {a['household_id']} ({a['status']})  B: {b['household_id']} ({b['status']})"
    )
    for column in ("", "A", "B", "B - A"):
        metrics.add_column(column, justify="left" if not column else "right")
    for row in comparison.metric_rows():
        metrics.add_row(row["metric"], _text(row["a"]), _text(row["b"]), _text(row["difference"]))
    console.print(metrics)
    others = [d for d in comparison.differences if d.section != "metric"]
    if others:
        table = Table(title="location and trades that differ")
        for column in ("", "what", "A", "B", "B - A"):
            table.add_column(column, justify="right" if column in ("A", "B", "B - A") else "left")
        for d in others:
            table.add_row(d.section, d.name, _text(d.a), _text(d.b), _text(d.difference))
        console.print(table)
    console.print(comparison.explanation)
    return 0


def _metrics() -> Any:
    from household.whatif.compare import METRICS

    return METRICS


def _csv(value: Any) -> str:
    from decimal import Decimal

    if value is None:
        return ""
    return format(value, "f") if isinstance(value, Decimal) else str(value)
