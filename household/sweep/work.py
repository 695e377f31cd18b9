"""One household, one unit of work: load, plan, and a row of the sweep's table.

A sweep maps :func:`run_task` over batches of households. It is a pure
function of the files and the task (kind and plan date): the same inputs give
the same :class:`Outcome`, byte for byte, in any process on any machine, which
is what lets the process pool and a Dask cluster give identical results.

A household that fails (a bad file, an infeasible constraint, a solver error)
becomes an outcome with ``status`` ``failed`` and the error's one-line message;
the task goes on with the next household. Only the worker's own death (killed,
out of memory) loses a task, and the sweep then reports its households as
failed too.

The row reads the plan's JSON document only (its ``summary``, ``tax_impact``,
``harvest`` and ``checks`` sections), never the plan record, so the planner
behind :func:`household.plan.rebalance` may change as long as the document
keeps its fields. Summary fields read: ``household_id``, ``as_of``, ``kind``,
``status``, ``mode``, ``trades``, ``managed_before``, ``managed_after``,
``cost``, ``tax``; when present, ``after_tax_value``, ``tracking_error_before``
and ``tracking_error_after`` (empty cells otherwise).

Worked example: a harvest plan whose ``harvest`` section sells a short-term
loss of $5,000 and a long-term loss of $2,000 (no other gains this year, a 30%
ordinary rate) takes 3,000 x 0.30 = $900 off this year's tax (``summary.tax``
is -900.00; the rest is carried forward), giving the row ``harvested_short =
-5000.00``, ``harvested_long = -2000.00``, ``tax_saved = 900.00``.
"""

from __future__ import annotations

import datetime as dt
import enum
import hashlib
import json
import os
from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import attrs

if TYPE_CHECKING:
    from household.model import Household
    from household.plan import Plan

__all__ = [
    "ALERT_COLUMNS",
    "MONITOR_FIELDS",
    "ROW_FIELDS",
    "SUMMARY_OPTIONAL",
    "Outcome",
    "SweepKind",
    "Task",
    "Unit",
    "documents_folder",
    "file_state",
    "monitor_row",
    "plan_unit",
    "planner",
    "row_fields",
    "run_task",
]


class SweepKind(enum.StrEnum):
    """What a sweep does to each household."""

    REBALANCE = "rebalance"
    HARVEST = "harvest"
    MONITOR = "monitor"


#: The columns of ``households.csv`` and ``households.parquet``, in order. No timings.
ROW_FIELDS = (
    "household_id",
    "file",
    "kind",
    "as_of",
    "status",
    "mode",
    "trades",
    "managed_before",
    "managed_after",
    "cost",
    "tax",
    "tax_short",
    "tax_long",
    "harvested_short",
    "harvested_long",
    "tax_saved",
    "after_tax_value",
    "tracking_error_before",
    "tracking_error_after",
    "refused_checks",
    "refused_because",
    "error",
)

#: The columns of a monitor sweep's ``households.csv`` and ``households.parquet``.
MONITOR_FIELDS = (
    "household_id",
    "file",
    "kind",
    "as_of",
    "status",
    "alerts",
    "band_breaches",
    "review_due",
    "next_review",
    "wash_windows",
    "turning_long_term",
    "turning_long_term_gain",
    "harvest_candidates",
    "harvest_candidate_loss",
    "unpriced",
    "error",
)

#: The monitor's alert codes, each with its count column.
ALERT_COLUMNS = {
    "band_breach": "band_breaches",
    "review_due": "review_due",
    "wash_window": "wash_windows",
    "turning_long_term": "turning_long_term",
    "harvest_candidate": "harvest_candidates",
}


def row_fields(kind: SweepKind) -> tuple[str, ...]:
    """The table's columns for a sweep kind."""
    return MONITOR_FIELDS if kind is SweepKind.MONITOR else ROW_FIELDS


def documents_folder(kind: SweepKind) -> str:
    """Where each household's document goes under ``OUT``: ``plans``, or ``alerts`` for monitor."""
    return "alerts" if kind is SweepKind.MONITOR else "plans"


#: Summary fields the optimiser adds; read when present, empty cells otherwise.
SUMMARY_OPTIONAL = ("after_tax_value", "tracking_error_before", "tracking_error_after")

STATUSES = ("planned", "refused", "failed")


@attrs.frozen
class Unit:
    """One household file of the sweep.

    Attributes:
        key: the file's name without ``.json``: unique in the source folder, it
            names the household's result record until its id is known.
        path: the file; for a store, ``store:HOUSEHOLD_ID``.
        store: the store's URL or path when the household is read from a store.
        version: for a store, the hash of its event count, policy version and
            next review date.
        armed: for a store, the next review date re-armed after fills (ISO), if any.
    """

    key: str
    path: str
    store: str | None = None
    version: str = ""
    armed: str | None = None


@attrs.frozen
class Task:
    """A batch of households planned in one worker call.

    Attributes:
        kind: ``rebalance``, ``harvest`` or ``monitor``.
        as_of: the plan date, or ``None`` for each file's own ``as_of``.
        units: the households.
    """

    kind: SweepKind
    as_of: dt.date | None
    units: tuple[Unit, ...]


@attrs.frozen
class Outcome:
    """What planning one household gave.

    Attributes:
        key: the unit's key.
        row: the household's row (:data:`ROW_FIELDS`; text, or ints for ``trades``).
        plan_text: the plan's JSON document as written to ``plans/ID.json``;
            ``None`` for a failed household.
        input_sha256: the hash of the file planned, for the result record.
    """

    key: str
    row: Mapping[str, Any]
    plan_text: str | None
    input_sha256: str


def planner(kind: SweepKind) -> Callable[[Household, dt.date], Plan]:
    """The planning function of a plan sweep kind (``household.plan``'s)."""
    import household.plan as plan_module

    if kind is SweepKind.REBALANCE:
        return plan_module.rebalance
    if kind is SweepKind.HARVEST:
        return plan_module.harvest
    raise ValueError(f"a {kind.value} sweep plans nothing")


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _decimal_sum(rows: Sequence[Mapping[str, Any]], column: str) -> Decimal:
    return sum(
        (Decimal(str(row[column])) for row in rows if row.get(column) is not None), Decimal(0)
    )


def _cents(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.01"))


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return format(value, "f")
    return str(value)


def plan_row(document: Mapping[str, Any], file: str) -> dict[str, Any]:
    """The sweep row of one plan's JSON document."""
    summary = document["summary"]
    tax_by_term = {row.get("term"): row for row in document.get("tax_impact", [])}
    harvest_rows = document.get("harvest", [])
    refused = [c["check"] for c in document.get("checks", []) if not c.get("passed", True)]
    tax = Decimal(str(summary["tax"]))
    # The tax saved is what the plan takes off this year's netted tax (summary.tax < 0),
    # not a sum of per-lot figures: past the $3,000 loss limit a lot saves nothing now.
    saved = max(Decimal(0), -tax)
    row: dict[str, Any] = {
        "household_id": summary["household_id"],
        "file": file,
        "kind": summary["kind"],
        "as_of": summary["as_of"],
        "status": "refused" if summary.get("status") == "refused" or refused else "planned",
        "mode": summary.get("mode", ""),
        "trades": int(summary.get("trades", len(document.get("trades", [])))),
        "managed_before": _text(summary.get("managed_before")),
        "managed_after": _text(summary.get("managed_after")),
        "cost": _text(summary.get("cost")),
        "tax": _text(summary["tax"]),
        "tax_short": _text(tax_by_term.get("short", {}).get("estimated_tax")),
        "tax_long": _text(tax_by_term.get("long", {}).get("estimated_tax")),
        "harvested_short": _text(_cents(_decimal_sum(harvest_rows, "short_loss"))),
        "harvested_long": _text(_cents(_decimal_sum(harvest_rows, "long_loss"))),
        "tax_saved": _text(_cents(saved)),
        "refused_checks": ";".join(refused),
        "refused_because": _one_line(str(summary.get("refused_because", ""))),
        "error": "",
    }
    for name in SUMMARY_OPTIONAL:
        row[name] = _text(summary.get(name))
    return {name: row[name] for name in ROW_FIELDS}


def monitor_row(document: Mapping[str, Any], file: str, as_of: dt.date) -> dict[str, Any]:
    """The sweep row of one household's monitor document (:func:`monitor_household`'s).

    Counts per alert code; ``turning_long_term_gain`` sums the gains waiting
    would turn long-term, ``harvest_candidate_loss`` the candidates' losses
    (negative), both to the cent.
    """
    alerts = document["alerts"]
    counts = dict.fromkeys(ALERT_COLUMNS.values(), 0)
    sums = {"turning_long_term": Decimal(0), "harvest_candidate": Decimal(0)}
    for alert in alerts:
        counts[ALERT_COLUMNS[alert["alert"]]] += 1
        if alert["alert"] in sums and alert["amount"] is not None:
            sums[alert["alert"]] += Decimal(alert["amount"])
    row: dict[str, Any] = {
        "household_id": document["household_id"],
        "file": file,
        "kind": SweepKind.MONITOR.value,
        "as_of": as_of.isoformat(),
        "status": "monitored",
        "alerts": len(alerts),
        **counts,
        "next_review": document["next_review"],
        "turning_long_term_gain": _text(_cents(sums["turning_long_term"])),
        "harvest_candidate_loss": _text(_cents(sums["harvest_candidate"])),
        "unpriced": ";".join(document["unpriced"]),
        "error": "",
    }
    return {name: row[name] for name in MONITOR_FIELDS}


#: Integer columns, 0 in a failed row.
INT_COLUMNS = ("trades", "alerts", *ALERT_COLUMNS.values())


def failed_row(
    key: str, file: str, kind: SweepKind, as_of: dt.date | None, error: str
) -> dict[str, Any]:
    """The row of a household that could not be planned."""
    fields = row_fields(kind)
    row: dict[str, Any] = dict.fromkeys(fields, "")
    row.update(
        household_id=key,
        file=file,
        kind=kind.value,
        as_of=as_of.isoformat() if as_of else "",
        status="failed",
        error=_one_line(error),
    )
    row.update({name: 0 for name in INT_COLUMNS if name in row})
    return row


def plan_unit(kind: SweepKind, as_of: dt.date | None, unit: Unit) -> Outcome:
    """Plan one household; a failure becomes a ``failed`` outcome with its message."""
    from household.loader import household_from_dict, read_json
    from lots.errors import LotsError

    file = unit.path if unit.store else os.path.basename(unit.path)
    digest = unit.version
    try:
        if not unit.store:
            with open(unit.path, "rb") as handle:
                digest = hashlib.sha256(handle.read()).hexdigest()
        if kind is SweepKind.MONITOR:
            return _monitor_unit(as_of, unit, file, digest)
        if unit.store:
            household = _store(unit.store).state(unit.key).household()
        else:
            household = household_from_dict(read_json(unit.path), source=file)
        date = as_of or household.as_of
        if date is None:
            raise LotsError("as_of: the household file has no as_of; give --as-of", file=file)
        plan = planner(kind)(household, date)
        document = plan.to_json_dict()
        text = json.dumps(document, separators=(",", ":")) + "\n"  # the C encoder: compact
        return Outcome(unit.key, plan_row(document, file), text, digest)
    except LotsError as error:
        message = str(error)
    except OSError as error:
        message = f"{file}: cannot read the file: {error.strerror}"
    except Exception as error:  # noqa: BLE001 - fault isolation: any failure is a record
        message = f"{file}: internal error ({type(error).__name__}): {error}"
    return Outcome(unit.key, failed_row(unit.key, file, kind, as_of, message), None, digest)


def _monitor_unit(as_of: dt.date | None, unit: Unit, file: str, digest: str) -> Outcome:
    """Monitor one household as the store does (:func:`household.store.monitor.monitor_store`).

    A stored household is read from its store. A household file is monitored as
    if it had just been added to a store (``store add``): its policy, the
    default monitoring settings and the events ``store add`` would write, so the
    same household gives the same alerts from a file or from a store.
    """
    from household.store.events import EventKind
    from household.store.monitor import monitor_household
    from lots.errors import LotsError

    state = _store(unit.store).state(unit.key) if unit.store else file_state(unit.path, file)
    date = as_of or _policy_as_of(state.policy)
    if date is None:
        raise LotsError("as_of: the household has no as_of; give --as-of", file=file)

    document = monitor_household(
        state.household_id,
        state.policy,
        state.monitoring,
        state.ledger(),
        state.cash(),
        [e.record() for e in state.active if e.kind is EventKind.LOOKBACK],
        date,
        None,
        dt.date.fromisoformat(unit.armed) if unit.armed else None,
    )
    text = json.dumps(document, separators=(",", ":")) + "\n"
    return Outcome(unit.key, monitor_row(document, file, date), text, digest)


def _policy_as_of(policy: Mapping[str, Any]) -> dt.date | None:
    text = policy.get("as_of")
    return dt.date.fromisoformat(text) if text else None


def file_state(path: str, file: str) -> Any:
    """A household file as the store would hold it once added: a :class:`HouseholdState`.

    Its policy (:func:`household.store.store.policy_of` of the file as the
    loader reads it), the default monitoring settings and the events of
    :func:`household.store.store.household_events`, numbered from 1.
    """
    from household.loader import household_from_dict, household_to_dict, read_json
    from household.store import HouseholdState
    from household.store.events import Event, dumps, encode
    from household.store.store import DEFAULT_MONITORING, household_events, policy_of

    household = household_from_dict(read_json(path), source=file)
    events = tuple(
        Event(seq, kind, effective, "", dumps(encode(record)))
        for seq, (kind, effective, record) in enumerate(household_events(household), start=1)
    )
    policy = policy_of(household_to_dict(household))
    return HouseholdState(household.household_id, policy, 1, dict(DEFAULT_MONITORING), events)


_STORES: dict[str, Any] = {}


def _store(url: str) -> Any:
    """One :class:`household.store.Store` per URL per worker process."""
    if url not in _STORES:
        from household.store import Store

        _STORES[url] = Store(url)
    return _STORES[url]


def run_task(task: Task) -> list[Outcome]:
    """Plan every household of a batch, in order."""
    return [plan_unit(task.kind, task.as_of, unit) for unit in task.units]
