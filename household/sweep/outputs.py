"""A sweep's outputs, written from its result records once the households are done.

Under ``OUT``:

- ``households.csv`` and ``households.parquet``: one row per household
  (:data:`household.sweep.work.ROW_FIELDS`), sorted by household id then file,
  with no timings, so two runs of one sweep give equal files. In the Parquet
  file money columns are ``decimal128(20, 2)`` (exact), ``trades`` is an
  integer and the rest text; an empty cell is null.
- ``summary.json``: households planned, refused and failed; harvested losses
  short and long; estimated tax saved; trades; cost; refusals by check; the
  first failures; what ran it and how long it took (the only timings).
- ``summary.html``: the same, self-contained, with two charts (the
  distribution of tax saved, refusals by reason).
- ``plans/ID.json`` were written as the households finished.

Two files giving one household id cannot both be that household: both are
reported as failed and neither plan is kept.

Worked example: three households saving $0, $120.50 and $300 of tax, one of
them refused by ``bands``, give ``tax_saved = "420.50"``, ``refused = 1`` and
``refusals_by_reason = {"bands": 1}``.
"""

from __future__ import annotations

import csv
import io
import json
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

from household.sweep.work import ROW_FIELDS, Unit

__all__ = ["MONEY_COLUMNS", "finish", "iter_rows", "summary_table"]

#: Columns written as exact decimals with cents in Parquet.
MONEY_COLUMNS = (
    "managed_before",
    "managed_after",
    "cost",
    "tax",
    "tax_short",
    "tax_long",
    "harvested_short",
    "harvested_long",
    "tax_saved",
)
_TOTALS = ("harvested_short", "harvested_long", "tax_saved", "tax", "cost")
_PARQUET_CHUNK = 2048
_FAILURES_LISTED = 20


def iter_rows(out: Path, units: Sequence[Unit]) -> Iterator[dict[str, Any]]:
    """The households' rows in output order (household id, then file), duplicates failed.

    Two passes over the records, so only the ids and file names are held.
    """
    from household.sweep.driver import plan_name

    keys: list[tuple[str, str, str]] = []
    first: dict[str, str] = {}  # plan file name -> the first file giving it
    clashes: dict[str, list[str]] = {}
    for unit, row in _zip_records(out, units):
        keys.append((row["household_id"], row["file"], unit.key))
        if row["status"] == "failed":
            continue
        name = plan_name(row["household_id"])
        if name in first:
            clashes.setdefault(name, [first[name]]).append(row["file"])
        else:
            first[name] = row["file"]
    del first
    for household_id, _file, key in sorted(keys):
        path = out / "records" / f"{key}.json"
        row = dict(json.loads(path.read_text(encoding="utf-8"))["row"])
        name = plan_name(household_id)
        if row["status"] != "failed" and name in clashes:
            others = ", ".join(clashes[name])
            row.update(dict.fromkeys(ROW_FIELDS[5:], ""))
            row["trades"] = 0
            row["status"] = "failed"
            row["error"] = f"household_id {household_id!r} is given by several files: {others}"
        yield row


def _zip_records(out: Path, units: Sequence[Unit]) -> Iterator[tuple[Unit, dict[str, Any]]]:
    for unit in units:
        path = out / "records" / f"{unit.key}.json"
        try:
            record = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        yield unit, record["row"]


def _csv_line(row: Mapping[str, Any]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerow([row[name] for name in ROW_FIELDS])
    return buffer.getvalue()


class _ParquetSink:
    """Rows to ``households.parquet`` in chunks (money exact, empty cells null)."""

    def __init__(self, path: Path) -> None:
        import pyarrow as pa
        import pyarrow.parquet as pq

        self.pa = pa
        fields = []
        for name in ROW_FIELDS:
            if name in MONEY_COLUMNS:
                fields.append(pa.field(name, pa.decimal128(20, 2)))
            elif name == "trades":
                fields.append(pa.field(name, pa.int64()))
            else:
                fields.append(pa.field(name, pa.string()))
        self.schema = pa.schema(fields)
        self.writer = pq.ParquetWriter(str(path), self.schema, compression="zstd")
        self.rows: list[Mapping[str, Any]] = []

    def add(self, row: Mapping[str, Any]) -> None:
        self.rows.append(row)
        if len(self.rows) >= _PARQUET_CHUNK:
            self.flush()

    def flush(self) -> None:
        if not self.rows:
            return
        columns: dict[str, list[Any]] = {}
        for name in ROW_FIELDS:
            values = [row[name] for row in self.rows]
            if name in MONEY_COLUMNS:
                columns[name] = [Decimal(v) if v != "" else None for v in values]
            elif name == "trades":
                columns[name] = [int(v) for v in values]
            else:
                columns[name] = [v if v != "" else None for v in values]
        self.writer.write_table(self.pa.table(columns, schema=self.schema))
        self.rows = []

    def close(self) -> None:
        self.flush()
        self.writer.close()


def _money(value: Decimal) -> str:
    return format(value.quantize(Decimal("0.01")), "f")


def finish(
    out: Path,
    units: Sequence[Unit],
    identity: Mapping[str, Any],
    *,
    lost: Sequence[tuple[Unit, str]],
    planned_now: int,
    skipped: int,
    executor: Mapping[str, Any],
    batch_size: int,
    seconds: float,
) -> dict[str, Any]:
    """Write the tables, ``summary.json`` and ``summary.html``; return the summary."""
    from household.sweep.driver import atomic_write, plan_name
    from household.sweep.html import render_summary_html

    counts: Counter[str] = Counter()
    totals = dict.fromkeys(_TOTALS, Decimal(0))
    trades = 0
    reasons: Counter[str] = Counter()
    saved: list[float] = []
    failures: list[dict[str, str]] = []
    keep_plans: set[str] = set()
    csv_path, parquet_path = out / "households.csv", out / "households.parquet"
    csv_temporary = out / ".households.csv.tmp"
    parquet_temporary = out / ".households.parquet.tmp"
    sink = _ParquetSink(parquet_temporary)
    with csv_temporary.open("w", encoding="utf-8", newline="") as stream:
        stream.write(",".join(ROW_FIELDS) + "\n")
        for row in iter_rows(out, units):
            stream.write(_csv_line(row))
            sink.add(row)
            status = row["status"]
            counts[status] += 1
            if status == "failed":
                if len(failures) < _FAILURES_LISTED:
                    failures.append({"household_id": row["household_id"], "error": row["error"]})
                continue
            keep_plans.add(plan_name(row["household_id"]))
            trades += int(row["trades"])
            for name in _TOTALS:
                totals[name] += Decimal(row[name] or "0")
            saved.append(float(row["tax_saved"] or 0))
            if status == "refused":
                for check in row["refused_checks"].split(";"):
                    reasons[check or "unknown"] += 1
    sink.close()
    csv_temporary.replace(csv_path)
    parquet_temporary.replace(parquet_path)
    for path in (out / "plans").glob("*.json"):
        if path.name not in keep_plans:
            path.unlink()
    for unit, message in lost:
        counts["failed"] += 1
        if len(failures) < _FAILURES_LISTED:
            failures.append({"household_id": unit.key, "error": message})
    households = sum(counts.values())
    summary: dict[str, Any] = {
        **identity,
        "households": households,
        "planned": counts["planned"],
        "refused": counts["refused"],
        "failed": counts["failed"],
        "planned_this_run": planned_now,
        "skipped_done": skipped,
        "harvested_short": _money(totals["harvested_short"]),
        "harvested_long": _money(totals["harvested_long"]),
        "tax_saved": _money(totals["tax_saved"]),
        "tax": _money(totals["tax"]),
        "trades": trades,
        "cost": _money(totals["cost"]),
        "refusals_by_reason": dict(sorted(reasons.items())),
        "failures": failures,
        "executor": dict(executor),
        "batch_size": batch_size,
        "seconds": round(seconds, 3),
        "households_per_second": round(planned_now / seconds, 2) if seconds > 0 else None,
    }
    atomic_write(out / "summary.json", json.dumps(summary, indent=2) + "\n")
    atomic_write(out / "summary.html", render_summary_html(summary, saved))
    return summary


def summary_table(summary: Mapping[str, Any]) -> list[tuple[str, str]]:
    """The summary as ``(label, value)`` lines for the terminal table."""
    rate = summary.get("households_per_second")
    as_of = "each file's date" if summary["as_of"] == "file" else summary["as_of"]
    lines = [
        ("sweep", f"{summary['sweep_id']} ({summary['kind']}, as of {as_of})"),
        ("households", str(summary["households"])),
        ("planned", str(summary["planned"])),
        ("refused", str(summary["refused"])),
        ("failed", str(summary["failed"])),
        ("planned this run", str(summary["planned_this_run"])),
        ("already done", str(summary["skipped_done"])),
        ("harvested losses, short", summary["harvested_short"]),
        ("harvested losses, long", summary["harvested_long"]),
        ("estimated tax saved", summary["tax_saved"]),
        ("trades", str(summary["trades"])),
        ("trading cost", summary["cost"]),
        ("time", f"{summary['seconds']} s" + (f" ({rate} households/s)" if rate else "")),
    ]
    for reason, count in summary["refusals_by_reason"].items():
        lines.append((f"refused by {reason}", str(count)))
    return lines
