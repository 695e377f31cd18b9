"""``household sweep rebalance|harvest|monitor SOURCE``: one kind of work over many households.

SOURCE is a folder of household files (``*.json``) or a store: the path of its
SQLite file or a database URL (``household store``), every stored household.
``--workers N`` (default: the machine's cores) runs a process pool; ``--dask ADDRESS`` runs the same
sweep on a Dask cluster and ``--dask local`` starts a ``LocalCluster`` (of
``--workers`` workers). The results are identical whichever runs them.

Outputs go to ``--out DIR`` (default ``sweep-out``): ``summary.json``,
``summary.html``, ``households.csv``, ``households.parquet`` and
``plans/ID.json``. Rerunning into the same folder resumes: finished households
are not planned again. A progress bar is drawn when stdout is a terminal; plain
lines go to stderr otherwise. The summary is printed as a table (or ``--format
json``: the ``summary.json`` document).

Exit codes: 0 when every household was planned (refused plans included: a
refusal is a result), 1 when some failed (each is in ``households.csv`` with
its message), 2 for bad input or usage.

``sweep monitor`` lists what needs attention in each household, as
``household monitor`` does for a store (band breaches, reviews due, wash-sale
windows closing, lots turning long-term, harvest candidates): a folder's
household files are monitored as if just added to a store. Its table has a row
per household with the alerts counted by kind, and each household's alerts go
to ``alerts/ID.json``.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from household.cli import BadUsage
from household.cli.common import OutputFormat, add_as_of, add_format, parse_date


def configure(parser: argparse.ArgumentParser, name: str) -> None:
    """Arguments of ``sweep``."""
    sub = parser.add_subparsers(dest="sweep_kind", metavar="KIND", parser_class=type(parser))
    for kind, help_text in (
        ("rebalance", "plan a tax-aware rebalance of every household"),
        ("harvest", "plan a tax-loss harvest of every household"),
        ("monitor", "list what needs attention in every household (as household monitor)"),
    ):
        command = sub.add_parser(kind, help=help_text, description=help_text)
        command.add_argument(
            "source", metavar="SOURCE", help="folder of household files, or a store (path or URL)"
        )
        add_as_of(command, "plan or monitor date YYYY-MM-DD (default: each household's as_of)")
        command.add_argument(
            "--out", type=Path, default=Path("sweep-out"), help="output folder (default sweep-out)"
        )
        command.add_argument(
            "--workers", type=int, default=None, help="worker processes (default: the cores)"
        )
        command.add_argument(
            "--dask",
            default=None,
            metavar="ADDRESS",
            help="run on the Dask scheduler at ADDRESS, or 'local' for a LocalCluster",
        )
        command.add_argument(
            "--batch-size",
            type=int,
            default=None,
            help="households per task (default: about a second of work, fewer at the end)",
        )
        command.add_argument(
            "--retry-failed", action="store_true", help="plan again households that failed before"
        )
        command.add_argument(
            "--fresh", action="store_true", help="forget earlier results in --out and start over"
        )
        add_format(command)
        command.set_defaults(run=sweep_command)


def _executor(args: argparse.Namespace) -> Any:
    from household.sweep import DaskCluster, ProcessPool

    if args.workers is not None and args.workers < 1:
        raise BadUsage(f"--workers: {args.workers} is not a positive number")
    if args.batch_size is not None and args.batch_size < 1:
        raise BadUsage(f"--batch-size: {args.batch_size} is not a positive number")
    if args.dask is None:
        return ProcessPool(args.workers)
    if args.dask != "local" and args.workers is not None:
        raise BadUsage("--workers: give it with --dask local only (a cluster has its own)")
    return DaskCluster(args.dask, args.workers)


def _rich_progress() -> Any:
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeRemainingColumn,
    )

    bar = Progress(
        TextColumn("sweep"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[failed]} failed"),
        TextColumn("{task.fields[rate]}/s"),
        TimeRemainingColumn(),
        transient=True,
    )
    state: dict[str, Any] = {}

    def report(done: int, failed: int, total: int) -> None:
        import time

        if "task" not in state:
            state.update(task=bar.add_task("sweep", total=total, failed=0, rate="-"))
            state.update(first=done, start=time.perf_counter())
        elapsed = max(time.perf_counter() - state["start"], 1e-9)
        rate = f"{(done - state['first']) / elapsed:.1f}"
        bar.update(state["task"], completed=done, failed=failed, rate=rate)

    return bar, report


def sweep_command(args: argparse.Namespace) -> int:
    """Run or resume the sweep and print its summary."""
    from household.sweep import SweepKind, run_sweep
    from household.sweep.driver import plain_progress
    from household.sweep.outputs import summary_table

    as_of = parse_date(args.as_of)
    kind = SweepKind(args.sweep_kind)
    tty = sys.stdout.isatty() and args.output is not OutputFormat.JSON
    with _executor(args) as executor:
        if tty:
            bar, report = _rich_progress()
            with bar:
                result = run_sweep(
                    kind, args.source, args.out, executor, as_of=as_of,
                    batch_size=args.batch_size, retry_failed=args.retry_failed,
                    fresh=args.fresh, progress=report,
                )  # fmt: skip
        else:
            result = run_sweep(
                kind, args.source, args.out, executor, as_of=as_of,
                batch_size=args.batch_size, retry_failed=args.retry_failed,
                fresh=args.fresh, progress=plain_progress(),
            )  # fmt: skip
    summary = result.summary
    if args.output is OutputFormat.JSON:
        json.dump(summary, sys.stdout, indent=2)
        sys.stdout.write("\n")
    elif args.output is OutputFormat.CSV:
        sys.stdout.write((args.out / "households.csv").read_text(encoding="utf-8"))
    else:
        from rich.console import Console
        from rich.table import Table

        table = Table(title=f"sweep {args.sweep_kind}: {args.out}", show_header=False)
        table.add_column("", style="bold")
        table.add_column("", justify="right")
        for label, value in summary_table(summary):
            table.add_row(label, value)
        Console(file=sys.stdout, width=100).print(table)
    if result.failed:
        print(
            f"household: {result.failed} of {summary['households']} households failed"
            f" (see {args.out / 'households.csv'})",
            file=sys.stderr,
        )
        return 1
    return 0
