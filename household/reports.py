"""The plan's report sections, as rows, and their JSON, CSV, table and pandas renderings.

Every section is a list of rows (dicts of exact values: ``Decimal``, ``str``,
``date``, ``int``, ``bool``); each rendering is derived from the same rows, so the
JSON, the CSV files, the terminal tables, the HTML report and the DataFrames
always agree. Rounding happens here and only here (``docs/formats.md``): money to
cents half-even, quantities to at most 6 decimals, weights to 6 decimals; in
JSON every decimal is a string.

Sections (``docs/formats.md`` keys, fields documented in the README):
``summary``, ``drift``, ``location``, ``trades`` (the blotter), ``tax_impact``,
``costs``, ``allocation``, ``exceptions``, ``checks``.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Callable, Iterable, Mapping
from decimal import ROUND_HALF_EVEN, Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from household.plan.costs import total_cost
from household.plan.notes import NoteCode, Stage
from household.render import MONEY_COLUMNS
from lots.numbers import ZERO, money, quantity
from lots.records import Action, Term

if TYPE_CHECKING:
    import pandas as pd

    from household.plan.records import Plan

SECTIONS = (
    "summary",
    "drift",
    "location",
    "trades",
    "tax_impact",
    "costs",
    "allocation",
    "exceptions",
    "checks",
    "blocks",
    "harvest",
)

#: Columns holding money (rounded to cents): one list, :mod:`household.render`'s.
MONEY = MONEY_COLUMNS
QUANTITY = frozenset({"quantity"})
WEIGHT_STEP = Decimal("0.000001")


def _weight(value: Decimal) -> Decimal:
    return value.quantize(WEIGHT_STEP, rounding=ROUND_HALF_EVEN)


def rounded(column: str, value: Any) -> Any:
    """Round one cell for output: money to cents, quantities to 6 decimals, else weights."""
    if not isinstance(value, Decimal):
        return value
    if column in MONEY:
        cell = money(value)
    elif column in QUANTITY:
        cell = quantity(value)
    else:
        cell = _weight(value)
    # A tiny negative rounds to "-0.00"; a report shows zero without a sign.
    return cell.copy_abs() if cell.is_zero() else cell


# --- the rows -------------------------------------------------------------------


def sections(plan: Plan) -> dict[str, list[dict[str, Any]]]:
    """Every section's rows, exact (unrounded)."""
    result = {
        "summary": [summary_row(plan)],
        "drift": drift_rows(plan),
        "location": location_rows(plan),
        "trades": trade_rows(plan),
        "tax_impact": tax_rows(plan),
        "costs": cost_rows(plan),
        "allocation": allocation_rows(plan),
        "exceptions": exception_rows(plan),
        "checks": [{"check": c.name, "passed": c.passed, "detail": c.detail} for c in plan.checks],
        "blocks": block_rows(plan),
    }
    if plan.kind == "harvest":
        result["harvest"] = harvest_rows(plan)
    return result


def block_rows(plan: Plan) -> list[dict[str, Any]]:
    """Block lines: one per security and side traded by several accounts."""
    return [
        {
            "symbol": block.symbol,
            "side": block.action.value,
            "quantity": block.quantity,
            "allocations": ";".join(f"{a}:{quantity(q)}" for a, q in block.allocations),
        }
        for block in plan.blocks
    ]


def harvest_rows(plan: Plan) -> list[dict[str, Any]]:
    """Per taxable account and symbol sold at a loss: the substitutes, losses, tax saved."""
    rows = []
    safe = plan.as_of + dt.timedelta(days=31)
    for trade in plan.trades:
        if trade.action is not Action.SELL:
            continue
        taxable = [s for s in trade.lots if s.taxable]
        if not taxable:
            continue
        substitutes = sorted(
            t.symbol
            for t in plan.trades
            if t.action is Action.BUY
            and t.account_id == trade.account_id
            and t.asset_class == trade.asset_class
        )
        rows.append(
            {
                "account_id": trade.account_id,
                "symbol": trade.symbol,
                "substitute": ";".join(substitutes),
                "short_loss": sum((s.short_gain for s in taxable), ZERO),
                "long_loss": sum((s.long_gain for s in taxable), ZERO),
                "disallowed_loss": sum((s.disallowed for s in taxable), ZERO),
                "tax_saving": -trade.tax,
                "safe_to_rebuy": safe,
            }
        )
    return rows


def summary_row(plan: Plan) -> dict[str, Any]:
    """One row: what the plan is and its totals (and the optimiser's facts)."""
    solve = plan.solve
    row: dict[str, Any] = {
        "household_id": plan.household_id,
        "as_of": plan.as_of,
        "kind": plan.kind,
        "status": plan.status,
        "mode": plan.mode,
        "trades": len(plan.trades),
        "managed_before": plan.snapshot.managed,
        "managed_after": plan.managed_after,
        "cost": plan.cost.total,
        "tax": plan.tax,
        "base_tax": plan.base_tax,
        "short_gain": plan.short_gain,
        "long_gain": plan.long_gain,
        "optimiser_tax": Decimal(repr(solve.tax)),
        "objective": Decimal(repr(solve.objective)),
        "bound": Decimal(repr(solve.bound)),
        "gap": Decimal(repr(solve.gap)),
        "solver_status": solve.status,
        "refused_because": plan.refused_because,
        "after_tax_value": plan.after_tax_value,
        "tracking_error_before": plan.tracking_error_before,
        "tracking_error_after": plan.tracking_error_after,
    }
    for key, value in plan.extra.items():
        row[key] = value
    return row


def drift_rows(plan: Plan) -> list[dict[str, Any]]:
    """Per class, before and after, ranked by severity before."""
    after = {d.asset_class: d for d in plan.drift_after}
    rows = []
    for rank, drift in enumerate(plan.drift_before, start=1):
        post = after.get(drift.asset_class)
        rows.append(
            {
                "rank": rank,
                "asset_class": drift.asset_class,
                "target": drift.target,
                "actual": drift.actual,
                "drift": drift.absolute,
                "relative_drift": drift.relative,
                "inner_band": drift.inner_width,
                "outer_band": drift.outer_width,
                "status": drift.status.value,
                "severity": drift.severity,
                "dollars_off": drift.dollars_off,
                "actual_after": post.actual if post else None,
                "drift_after": post.absolute if post else None,
                "status_after": post.status.value if post else None,
            }
        )
    return rows


def location_rows(plan: Plan) -> list[dict[str, Any]]:
    """Per account and class: dollars before and after, and the growth the optimiser used."""
    rows = []
    for account in plan.snapshot.accounts:
        before = account.class_values()
        post = plan.class_after.get(account.account_id, {})
        for asset_class in sorted(set(before) | set(post)):
            growth = plan.growth.get((account.account_id, asset_class))
            rows.append(
                {
                    "account_id": account.account_id,
                    "asset_class": asset_class,
                    "value_before": before.get(asset_class, ZERO),
                    "value_after": post.get(asset_class, ZERO),
                    "growth": Decimal(repr(round(growth, 6))) if growth is not None else None,
                }
            )
    return rows


def trade_rows(plan: Plan) -> list[dict[str, Any]]:
    """The blotter."""
    rows = []
    for trade in plan.trades:
        rows.append(
            {
                "account_id": trade.account_id,
                "symbol": trade.symbol,
                "asset_class": trade.asset_class,
                "side": trade.action.value,
                "quantity": trade.quantity,
                "price": trade.price,
                "notional": trade.notional,
                "lots_sold": ";".join(
                    f"{sale.lot.lot_id}:{quantity(sale.quantity)}" for sale in trade.lots
                ),
                "lot_taxes": ";".join(
                    f"{sale.lot.lot_id}:{_cents(sale.tax)}" for sale in trade.lots if sale.taxable
                ),
                "commission": trade.cost.commission,
                "spread_cost": trade.cost.spread,
                "impact": trade.cost.impact,
                "short_gain": trade.short_gain,
                "long_gain": trade.long_gain,
                "disallowed_loss": sum((sale.disallowed for sale in trade.lots), ZERO),
                "estimated_tax": trade.tax,
                "limit_price": trade.limit_price,
                "reason": trade.reason,
            }
        )
    return rows


def tax_rows(plan: Plan) -> list[dict[str, Any]]:
    """Realised gains and losses by term (from the ledger replay), and the netted tax.

    ``estimated_tax`` per term is the term's net at the plan's marginal netted
    rate; the ``total`` row's is the plan's tax: this year's netted tax with
    the plan less without it (``lots.netting.added_tax``).
    """
    rows = []
    sales = {Term.SHORT: [], Term.LONG: []}  # type: dict[Term, list[Any]]
    for disposition in plan.dispositions:
        if disposition.reportable:
            sales[disposition.term].append(disposition)
    rates = {}
    for trade in plan.trades:
        for sale in trade.lots:
            if sale.taxable and sale.gain != 0:
                rates[sale.term] = sale.tax / sale.gain
    for term in (Term.SHORT, Term.LONG):
        mine = sales[term]
        raw = [d.proceeds - d.cost_basis for d in mine]
        disallowed = sum((d.adjustment for d in mine), ZERO)
        net = sum(raw, ZERO) + disallowed
        rate = rates.get(term)
        rows.append(
            {
                "term": term.value,
                "gains": sum((g for g in raw if g > 0), ZERO),
                "losses": sum((g for g in raw if g < 0), ZERO),
                "disallowed": disallowed,
                "net": net,
                "rate": rate,
                "estimated_tax": net * rate if rate is not None else ZERO,
            }
        )
    rows.append(
        {
            "term": "total",
            "gains": rows[0]["gains"] + rows[1]["gains"],
            "losses": rows[0]["losses"] + rows[1]["losses"],
            "disallowed": rows[0]["disallowed"] + rows[1]["disallowed"],
            "net": rows[0]["net"] + rows[1]["net"],
            "rate": None,
            "estimated_tax": plan.tax,
        }
    )
    return rows


def cost_rows(plan: Plan) -> list[dict[str, Any]]:
    """Trading costs per account, and the total."""
    rows = []
    for account in plan.snapshot.accounts:
        mine = [t for t in plan.trades if t.account_id == account.account_id]
        if not mine:
            continue
        cost = total_cost(t.cost for t in mine)
        rows.append(
            {
                "account_id": account.account_id,
                "trades": len(mine),
                "notional": sum((t.notional for t in mine), ZERO),
                "commission": cost.commission,
                "spread_cost": cost.spread,
                "impact": cost.impact,
                "total_cost": cost.total,
            }
        )
    cost = plan.cost
    rows.append(
        {
            "account_id": "total",
            "trades": len(plan.trades),
            "notional": sum((t.notional for t in plan.trades), ZERO),
            "commission": cost.commission,
            "spread_cost": cost.spread,
            "impact": cost.impact,
            "total_cost": cost.total,
        }
    )
    return rows


def allocation_rows(plan: Plan) -> list[dict[str, Any]]:
    """Pre and post allocation side by side, household first, then per account."""
    rows = []
    before_household: dict[str, Decimal] = {}
    after_household: dict[str, Decimal] = {}
    per_account = []
    for account in plan.snapshot.accounts:
        before = account.class_values()
        after = plan.class_after.get(account.account_id, {})
        for k, v in before.items():
            before_household[k] = before_household.get(k, ZERO) + v
        for k, v in after.items():
            after_household[k] = after_household.get(k, ZERO) + v
        per_account.append(
            _allocation(
                account.account_id,
                before,
                after,
                account.cash,
                plan.cash_after.get(account.account_id, ZERO),
                None,
            )
        )
    cash_before = sum((a.cash for a in plan.snapshot.accounts), ZERO)
    cash_after = sum(plan.cash_after.values(), ZERO)
    rows.extend(
        _allocation(
            "household", before_household, after_household, cash_before, cash_after, plan.targets
        )
    )
    for account_rows in per_account:
        rows.extend(account_rows)
    return rows


def _allocation(
    scope: str,
    before: Mapping[str, Decimal],
    after: Mapping[str, Decimal],
    cash_before: Decimal,
    cash_after: Decimal,
    targets: Mapping[str, Decimal] | None,
) -> list[dict[str, Any]]:
    total_before = sum(before.values(), ZERO) + cash_before
    total_after = sum(after.values(), ZERO) + cash_after
    rows = []
    classes = sorted(set(before) | set(after) | set(targets or {}))
    for asset_class in [*classes, "cash"]:
        value_before = cash_before if asset_class == "cash" else before.get(asset_class, ZERO)
        value_after = cash_after if asset_class == "cash" else after.get(asset_class, ZERO)
        rows.append(
            {
                "scope": scope,
                "asset_class": asset_class,
                "target": (targets or {}).get(asset_class) if targets is not None else None,
                "value_before": value_before,
                "weight_before": value_before / total_before if total_before else ZERO,
                "value_after": value_after,
                "weight_after": value_after / total_after if total_after else ZERO,
            }
        )
    return rows


def exception_rows(plan: Plan) -> list[dict[str, Any]]:
    """The exception log."""
    return [
        {
            "stage": note.stage.value,
            "code": note.code.value,
            "account_id": note.account_id,
            "symbol": note.symbol,
            "asset_class": note.asset_class,
            "message": note.message,
        }
        for note in plan.notes
    ]


# --- renderings -----------------------------------------------------------------


#: column -> its rounding (money, quantity or weight), decided once per column name.
_ROUNDING: dict[str, Callable[[Decimal], Decimal]] = {}


def _rounding(column: str) -> Callable[[Decimal], Decimal]:
    rule = _ROUNDING.get(column)
    if rule is None:
        rule = money if column in MONEY else quantity if column in QUANTITY else _weight
        _ROUNDING[column] = rule
    return rule


def _jsonable(column: str, value: Any) -> Any:
    kind = type(value)
    if kind is str or value is None or kind is int or kind is bool:
        return value
    if kind is Decimal:  # rounded(column, value) as text, its rule looked up once
        cell = _rounding(column)(value)
        return str(cell.copy_abs() if cell.is_zero() else cell)
    value = rounded(column, value)
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Action | Term | NoteCode | Stage):
        return value.value
    return value


def json_rows(rows: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Rows with every decimal a rounded string and every date ISO."""
    converted = []
    rules = _ROUNDING
    for row in rows:
        cells: dict[str, Any] = {}
        for column, value in row.items():  # _jsonable, its two common cases inline
            kind = type(value)
            if kind is str or value is None or kind is int or kind is bool:
                cells[column] = value
            elif kind is Decimal:
                cell = (rules.get(column) or _rounding(column))(value)
                cells[column] = str(cell.copy_abs() if cell.is_zero() else cell)
            else:
                cells[column] = _jsonable(column, value)
        converted.append(cells)
    return converted


def to_json_dict(plan: Plan) -> dict[str, Any]:
    """The plan's JSON document: one key per section; ``summary`` is an object."""
    document: dict[str, Any] = {}
    for name, rows in sections(plan).items():
        converted = json_rows(rows)
        document[name] = converted[0] if name == "summary" else converted
    return document


def csv_text(rows: list[dict[str, Any]], columns: Iterable[str] | None = None) -> str:
    """One section as CSV text (header from the rows, else ``columns``; empty when neither)."""
    if not rows:
        return ",".join(columns) + "\n" if columns else ""
    buffer = io.StringIO()
    columns = list(rows[0])
    for row in rows[1:]:
        for column in row:
            if column not in columns:
                columns.append(column)
    writer = csv.DictWriter(buffer, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    for row in json_rows(rows):
        writer.writerow({k: "" if v is None else v for k, v in row.items()})
    return buffer.getvalue()


def write_csvs(plan: Plan, directory: Path) -> list[Path]:
    """Write every section as ``DIR/<section>.csv``; returns the paths."""
    from household.render import REPORT_COLUMNS

    directory.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, rows in sections(plan).items():
        path = directory / f"{name}.csv"
        path.write_text(csv_text(rows, REPORT_COLUMNS.get(name)), encoding="utf-8")
        paths.append(path)
    return paths


def to_frames(plan: Plan) -> dict[str, pd.DataFrame]:
    """Every section as a DataFrame; decimals become floats (a view for notebooks)."""
    import pandas as pd

    from household.render import REPORT_COLUMNS

    frames = {}
    for name, rows in sections(plan).items():
        converted = [
            {
                column: float(rounded(column, value)) if isinstance(value, Decimal) else value
                for column, value in row.items()
            }
            for row in rows
        ]
        frames[name] = pd.DataFrame(
            converted, columns=None if converted else REPORT_COLUMNS.get(name)
        )
    return frames


def render_tables(plan: Plan, names: Iterable[str] = SECTIONS) -> str:
    """The sections as tables, as text (what ``--format table`` prints).

    Money reads ``$1,234.50`` and weights ``12.50%`` (:mod:`household.render`).
    """
    from household.render import display_cell, tables_text

    all_sections = sections(plan)
    tables = []
    for name in names:
        if name not in all_sections:
            continue
        rows = json_rows(all_sections[name])
        if name == "summary":
            rows = [{"field": k, "value": display_cell(k, v)} for k, v in rows[0].items()]
        tables.append((name, rows, list(rows[0]) if rows else []))
    return tables_text(tables)


def _cents(value: Decimal) -> Decimal:
    """Money to cents, never a negative zero."""
    cents = money(value)
    return cents.copy_abs() if cents.is_zero() else cents
