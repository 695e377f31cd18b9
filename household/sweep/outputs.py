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

A monitor sweep writes the same files with its own columns
(:data:`household.sweep.work.MONITOR_FIELDS`: alerts per code, the gains
turning long-term, the harvest candidates' losses; counts are integers, the two
sums exact decimals in Parquet), a summary of alerts by code, and each
household's monitor document under ``alerts/ID.json`` instead of plans.

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

from household.sweep.work import (
    ALERT_COLUMNS,
    INT_COLUMNS,
    ROW_FIELDS,
    SweepKind,
    Unit,
    documents_folder,
    row_fields,
)

__all__ = ["MONEY_COLUMNS", "MONITOR_MONEY_COLUMNS", "finish", "iter_rows", "summary_table"]

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
#: A monitor sweep's money columns.
MONITOR_MONEY_COLUMNS = ("turning_long_term_gain", "harvest_candidate_loss")
_TOTALS = ("harvested_short", "harvested_long", "tax_saved", "tax", "cost")
_PARQUET_CHUNK = 2048
_FAILURES_LISTED = 20


def iter_rows(
    out: Path, units: Sequence[Unit], fields: Sequence[str] = ROW_FIELDS
) -> Iterator[dict[str, Any]]:
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
        path = out / "records" / plan_name(key)
        row = dict(json.loads(path.read_text(encoding="utf-8"))["row"])
        name = plan_name(household_id)
        if row["status"] != "failed" and name in clashes:
            others = ", ".join(clashes[name])
            row.update(dict.fromkeys(fields[5:], ""))
            row.update({name: 0 for name in INT_COLUMNS if name in row})
            row["status"] = "failed"
            row["error"] = f"household_id {household_id!r} is given by several files: {others}"
        yield row


def _zip_records(out: Path, units: Sequence[Unit]) -> Iterator[tuple[Unit, dict[str, Any]]]:
    from household.sweep.driver import plan_name

    for unit in units:
        path = out / "records" / plan_name(unit.key)
        try:
            record = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        yield unit, record["row"]


def _csv_line(row: Mapping[str, Any], fields: Sequence[str]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerow([row[name] for name in fields])
    return buffer.getvalue()


class _ParquetSink:
    """Rows to ``households.parquet`` in chunks (money exact, empty cells null)."""

    def __init__(self, path: Path, columns: Sequence[str], money: Sequence[str]) -> None:
        import pyarrow as pa
        import pyarrow.parquet as pq

        self.pa = pa
        self.columns, self.money = tuple(columns), frozenset(money)
        fields = []
        for name in self.columns:
            if name in self.money:
                fields.append(pa.field(name, pa.decimal128(20, 2)))
            elif name in INT_COLUMNS:
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
        for name in self.columns:
            values = [row[name] for row in self.rows]
            if name in self.money:
                columns[name] = [Decimal(v) if v != "" else None for v in values]
            elif name in INT_COLUMNS:
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


class _PlanTotals:
    """What a rebalance or harvest sweep's summary adds up over its rows."""

    def __init__(self) -> None:
        self.totals = dict.fromkeys(_TOTALS, Decimal(0))
        self.trades = 0
        self.reasons: Counter[str] = Counter()
        self.saved: list[float] = []

    def add(self, row: Mapping[str, Any]) -> None:
        self.trades += int(row["trades"])
        for name in _TOTALS:
            self.totals[name] += Decimal(row[name] or "0")
        self.saved.append(float(row["tax_saved"] or 0))
        if row["status"] == "refused":
            for check in row["refused_checks"].split(";"):
                self.reasons[check or "unknown"] += 1

    def fields(self, counts: Counter[str]) -> dict[str, Any]:
        return {
            "planned": counts["planned"],
            "refused": counts["refused"],
            "failed": counts["failed"],
            "harvested_short": _money(self.totals["harvested_short"]),
            "harvested_long": _money(self.totals["harvested_long"]),
            "tax_saved": _money(self.totals["tax_saved"]),
            "tax": _money(self.totals["tax"]),
            "trades": self.trades,
            "cost": _money(self.totals["cost"]),
            "refusals_by_reason": dict(sorted(self.reasons.items())),
        }


class _MonitorTotals:
    """What a monitor sweep's summary adds up over its rows."""

    def __init__(self) -> None:
        self.alerts: Counter[str] = Counter()
        self.with_alerts = 0
        self.gain = Decimal(0)
        self.loss = Decimal(0)
        self.per_household: list[float] = []

    def add(self, row: Mapping[str, Any]) -> None:
        for code, column in ALERT_COLUMNS.items():
            self.alerts[code] += int(row[column])
        self.with_alerts += int(row["alerts"]) > 0
        self.gain += Decimal(row["turning_long_term_gain"] or "0")
        self.loss += Decimal(row["harvest_candidate_loss"] or "0")
        self.per_household.append(float(row["alerts"]))

    def fields(self, counts: Counter[str]) -> dict[str, Any]:
        return {
            "monitored": counts["monitored"],
            "failed": counts["failed"],
            "with_alerts": self.with_alerts,
            "alerts": sum(self.alerts.values()),
            "alerts_by_kind": {code: self.alerts[code] for code in ALERT_COLUMNS},
            "reviews_due": self.alerts["review_due"],
            "turning_long_term_gain": _money(self.gain),
            "harvest_candidate_loss": _money(self.loss),
        }


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
    tasks: int = 0,
) -> dict[str, Any]:
    """Write the tables, ``summary.json`` and ``summary.html``; return the summary."""
    from household.sweep.driver import atomic_write, plan_name
    from household.sweep.html import render_monitor_html, render_summary_html

    kind = SweepKind(identity["kind"])
    fields = row_fields(kind)
    monitor = kind is SweepKind.MONITOR
    totals: _PlanTotals | _MonitorTotals = _MonitorTotals() if monitor else _PlanTotals()
    counts: Counter[str] = Counter()
    failures: list[dict[str, str]] = []
    keep: set[str] = set()
    csv_path, parquet_path = out / "households.csv", out / "households.parquet"
    csv_temporary = out / ".households.csv.tmp"
    parquet_temporary = out / ".households.parquet.tmp"
    sink = _ParquetSink(
        parquet_temporary, fields, MONITOR_MONEY_COLUMNS if monitor else MONEY_COLUMNS
    )
    with csv_temporary.open("w", encoding="utf-8", newline="") as stream:
        stream.write(",".join(fields) + "\n")
        for row in iter_rows(out, units, fields):
            stream.write(_csv_line(row, fields))
            sink.add(row)
            status = row["status"]
            counts[status] += 1
            if status == "failed":
                if len(failures) < _FAILURES_LISTED:
                    failures.append({"household_id": row["household_id"], "error": row["error"]})
                continue
            keep.add(plan_name(row["household_id"]))
            totals.add(row)
    sink.close()
    csv_temporary.replace(csv_path)
    parquet_temporary.replace(parquet_path)
    for path in (out / documents_folder(kind)).glob("*.json"):
        if path.name not in keep:
            path.unlink()
    for unit, message in lost:
        counts["failed"] += 1
        if len(failures) < _FAILURES_LISTED:
            failures.append({"household_id": unit.key, "error": message})
    summary: dict[str, Any] = {
        **identity,
        "households": sum(counts.values()),
        **totals.fields(counts),
        "planned_this_run": planned_now,
        "skipped_done": skipped,
        "failures": failures,
        "executor": dict(executor),
        "batch_size": batch_size,
        "tasks": tasks,
        "seconds": round(seconds, 3),
        "households_per_second": round(planned_now / seconds, 2) if seconds > 0 else None,
    }
    atomic_write(out / "summary.json", json.dumps(summary, indent=2) + "\n")
    if isinstance(totals, _MonitorTotals):
        page = render_monitor_html(summary, totals.per_household)
    else:
        page = render_summary_html(summary, totals.saved)
    atomic_write(out / "summary.html", page)
    return summary


def summary_table(summary: Mapping[str, Any]) -> list[tuple[str, str]]:
    """The summary as ``(label, value)`` lines for the terminal table."""
    rate = summary.get("households_per_second")
    as_of = "each file's date" if summary["as_of"] == "file" else summary["as_of"]
    time_line = ("time", f"{summary['seconds']} s" + (f" ({rate} households/s)" if rate else ""))
    head = [
        ("sweep", f"{summary['sweep_id']} ({summary['kind']}, as of {as_of})"),
        ("households", str(summary["households"])),
    ]
    if summary["kind"] == SweepKind.MONITOR.value:
        lines = [
            *head,
            ("monitored", str(summary["monitored"])),
            ("failed", str(summary["failed"])),
            ("monitored this run", str(summary["planned_this_run"])),
            ("already done", str(summary["skipped_done"])),
            ("households with alerts", str(summary["with_alerts"])),
        ]
        for code, count in summary["alerts_by_kind"].items():
            lines.append((f"alerts: {code.replace('_', ' ')}", str(count)))
        lines.append(("gains turning long-term", summary["turning_long_term_gain"]))
        lines.append(("harvest candidates' losses", summary["harvest_candidate_loss"]))
        return [*lines, time_line]
    lines = [
        *head,
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
        time_line,
    ]
    for reason, count in summary["refusals_by_reason"].items():
        lines.append((f"refused by {reason}", str(count)))
    return lines
