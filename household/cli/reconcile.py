"""``household reconcile HOUSEHOLD_ID --custodian LOTS.csv | --1099b ROWS.csv``.

``--custodian``: the breaks between the store's lots and the custodian's (missing,
extra, quantity, basis, date); ``--accept`` turns them into correcting events.
``--1099b``: each broker row against the household's Form 8949 rows, with the
wash-sale adjustments to add and why. See :mod:`household.store.reconcile`.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from household.cli import BadUsage
from household.cli.common import OutputFormat, add_format
from household.cli.store import add_store, open_store


def configure(parser: argparse.ArgumentParser, name: str) -> None:
    """Arguments of ``reconcile``."""
    parser.add_argument("household_id")
    parser.add_argument("--custodian", type=Path, default=None, help="LOTS.csv")
    parser.add_argument("--1099b", dest="form_1099b", type=Path, default=None, help="ROWS.csv")
    parser.add_argument(
        "--tolerance", default="0.01", help="dollars of basis difference ignored (default 0.01)"
    )
    parser.add_argument(
        "--accept", action="store_true", help="record the custodian's figures as corrections"
    )
    add_store(parser)
    add_format(parser)
    parser.set_defaults(run=reconcile_command)


def reconcile_command(args: argparse.Namespace) -> int:
    from household.render import console, csv_text, print_json, table
    from household.store.reconcile import (
        BREAK_COLUMNS,
        TAX_ROW_COLUMNS,
        accept_breaks,
        read_1099b,
        read_custodian_lots,
        reconcile_1099b,
        reconcile_lots,
    )
    from lots.errors import InputError
    from lots.numbers import to_decimal

    if (args.custodian is None) == (args.form_1099b is None):
        raise BadUsage("reconcile: give one of --custodian LOTS.csv or --1099b ROWS.csv")
    try:
        tolerance = to_decimal(args.tolerance)
    except (TypeError, ValueError):
        raise InputError(f"{args.tolerance!r} is not a number", field="--tolerance") from None
    store = open_store(args)
    state = store.state(args.household_id)
    ledger = state.ledger()
    if args.custodian is not None:
        breaks = reconcile_lots(ledger.lots, read_custodian_lots(args.custodian), tolerance)
        rows = [b.to_dict() for b in breaks]
        document: dict[str, object] = {"household_id": args.household_id, "breaks": rows}
        if args.accept:
            document["accepted"] = accept_breaks(store, args.household_id, breaks)
        title = f"{args.household_id}: breaks against {args.custodian.name}"
        columns = BREAK_COLUMNS
    else:
        if args.accept:
            raise BadUsage("--accept: only with --custodian")
        rows = reconcile_1099b(state, ledger, read_1099b(args.form_1099b), tolerance)
        document = {"household_id": args.household_id, "rows": rows}
        title = f"{args.household_id}: 1099-B rows of {args.form_1099b.name}"
        columns = TAX_ROW_COLUMNS
    if args.output is OutputFormat.JSON:
        print_json(document)
        return 0
    flat = [_flat(row, columns) for row in rows]
    if args.output is OutputFormat.CSV:
        sys.stdout.write(csv_text(flat, columns))
    else:
        console().print(table(title, flat, list(columns)))
        for item in document.get("accepted", []):  # type: ignore[attr-defined]
            print(f"accepted: {item}")
    return 0


def _flat(row: dict[str, object], columns: tuple[str, ...]) -> dict[str, object]:
    """A result row as one CSV line: nested parts spread (``broker_proceeds``), absent empty."""
    out: dict[str, object] = dict.fromkeys(columns)
    for key, value in row.items():
        if value is None and key not in columns:
            continue  # an absent part (no broker row, nothing to add): its columns stay empty
        if isinstance(value, dict):
            for inner, item in value.items():
                out[f"{key}_{inner}"] = item
        elif isinstance(value, list):
            out[key] = "; ".join(str(v) for v in value)
        else:
            out[key] = value
    return out
