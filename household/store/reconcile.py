"""Reconciliation against a custodian's lots and a broker's 1099-B rows.

Custodian lots (``LOTS.csv``: ``account_id,symbol,quantity,cost_basis,acquired``,
one row per lot) are set against the store's lots (the replay), per account and
symbol: first lots of the same ``acquired`` date, then lots of the same quantity
(a date break). Each break is one of:

============  ============================================================
``missing``    a lot in the store that the custodian does not show
``extra``      a custodian lot the store does not have
``quantity``   the same lot, quantities differ by more than the tolerance
``basis``      the same lot, cost basis differs by more than the tolerance
``date``       the same lot (same quantity), acquisition dates differ
============  ============================================================

Nothing is changed until a correction is accepted (``--accept``): then a break of
a lot that is still an opening lot becomes a reversal of its ``open_lot`` event
plus a corrected ``open_lot`` event with the custodian's figures (an ``extra``
lot a new ``open_lot`` event), all in one transaction. A lot made by trades or
fills is not corrected automatically: reverse the wrong event (``store reverse``)
and record the right one.

1099-B rows (``account_id,symbol,quantity,acquired,sold,proceeds,cost_basis,code,adjustment``)
are set against the household's Form 8949 rows (the replay's dispositions in
taxable accounts, rounded to cents). A broker sees one account only, so it
misses wash sales whose replacement was bought in another account, or in an
IRA (where the loss is lost for good, Revenue Ruling 2008-5), or was a
substantially identical other symbol. For each row the report says which
adjustment to add (code ``W`` and the amount, Form 8949 column (g)) and why,
naming the replacement lot, its account and its purchase date.

Example: 100 XYZ bought 2026-01-05 for 1,000 in the joint account, sold
2026-03-10 for 900; the spouse's IRA buys XYZ on 2026-03-20. The broker's row:
proceeds 900, basis 1,000, no code. The household's row: code W, adjustment
100, gain 0. Add: W, 100.00, because the replacement shares were bought in the
IRA on 2026-03-20 (a broker sees one account only; the loss is disallowed for
good).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

import attrs

from household.csvio import CsvRows
from household.render import money_text, quantity_text
from household.store.events import EventKind
from household.store.store import HouseholdState, Store
from lots.numbers import ZERO, money
from lots.records import Disposition, Lot
from lots.relief import belongs_to
from lots.washsale import Ledger

__all__ = [
    "Break",
    "CustodianLot",
    "TaxRow",
    "accept_breaks",
    "read_1099b",
    "read_custodian_lots",
    "reconcile_1099b",
    "reconcile_lots",
]

CENT = Decimal("0.01")
QUANTITY_TOLERANCE = Decimal("0.000001")


BREAK_COLUMNS = (
    "break",
    "account_id",
    "symbol",
    "lot_id",
    "row",
    "store_quantity",
    "custodian_quantity",
    "store_basis",
    "custodian_basis",
    "store_acquired",
    "custodian_acquired",
    "detail",
)
"""The columns of a custodian break (``Break.to_dict``), in order: the CSV output's header."""

TAX_ROW_COLUMNS = (
    "row",
    "account_id",
    "symbol",
    "sold",
    "quantity",
    "broker_proceeds",
    "broker_cost_basis",
    "broker_code",
    "broker_adjustment",
    "household_proceeds",
    "household_cost_basis",
    "household_code",
    "household_adjustment",
    "household_lots",
    "status",
    "add_code",
    "add_adjustment",
    "reasons",
)
"""The CSV columns of a 1099-B row's result, its ``broker``, ``household`` and ``add`` spread."""


@attrs.frozen
class CustodianLot:
    """A row of the custodian's ``LOTS.csv``."""

    line: int
    account_id: str
    symbol: str
    quantity: Decimal
    cost_basis: Decimal
    acquired: dt.date


def read_custodian_lots(path: str | Path) -> list[CustodianLot]:
    """Read ``LOTS.csv``, all rows or none."""
    lot_columns = ["account_id", "symbol", "quantity", "cost_basis", "acquired"]
    rows = CsvRows(path, lot_columns, lot_columns)
    out = []
    for line, record in rows:
        quantity = rows.number(line, record, "quantity")
        if quantity <= 0:
            raise rows.error(line, "quantity", f"{quantity} must be positive")
        basis = rows.number(line, record, "cost_basis")
        if basis < 0:
            raise rows.error(line, "cost_basis", f"{basis} must not be negative")
        out.append(
            CustodianLot(
                line=line,
                account_id=rows.text(line, record, "account_id"),
                symbol=rows.symbol(line, record, "symbol"),
                quantity=quantity,
                cost_basis=basis,
                acquired=rows.date(line, record, "acquired"),
            )
        )
    return out


@attrs.frozen
class Break:
    """One difference between the store's lots and the custodian's."""

    kind: str
    account_id: str
    symbol: str
    lot_id: str | None
    line: int | None
    store: Lot | None
    custodian: CustodianLot | None
    detail: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "break": self.kind,
            "account_id": self.account_id,
            "symbol": self.symbol,
            "lot_id": self.lot_id,
            "row": self.line,
            "store_quantity": None if self.store is None else quantity_text(self.store.quantity),
            "custodian_quantity": None
            if self.custodian is None
            else quantity_text(self.custodian.quantity),
            "store_basis": None if self.store is None else money_text(self.store.cost_basis),
            "custodian_basis": None
            if self.custodian is None
            else money_text(self.custodian.cost_basis),
            "store_acquired": None if self.store is None else self.store.acquired.isoformat(),
            "custodian_acquired": None
            if self.custodian is None
            else self.custodian.acquired.isoformat(),
            "detail": self.detail,
        }


def reconcile_lots(
    lots: Sequence[Lot],
    custodian: Sequence[CustodianLot],
    tolerance: Decimal = CENT,
    quantity_tolerance: Decimal = QUANTITY_TOLERANCE,
) -> list[Break]:
    """The breaks between the store's lots and the custodian's (see the module docstring)."""
    keys = sorted(
        {(lot.account_id, lot.symbol) for lot in lots}
        | {(row.account_id, row.symbol) for row in custodian}
    )
    breaks: list[Break] = []
    for account_id, symbol in keys:
        ours = [lot for lot in lots if (lot.account_id, lot.symbol) == (account_id, symbol)]
        theirs = [r for r in custodian if (r.account_id, r.symbol) == (account_id, symbol)]
        pairs: list[tuple[Lot, CustodianLot]] = []
        # Same acquisition date, closest quantity first.
        for lot in list(ours):
            same = [r for r in theirs if r.acquired == lot.acquired]
            if same:
                row = min(same, key=lambda r: (abs(r.quantity - lot.quantity), r.line))
                pairs.append((lot, row))
                ours.remove(lot)
                theirs.remove(row)
        # Same quantity, another date.
        for lot in list(ours):
            same = [r for r in theirs if abs(r.quantity - lot.quantity) <= quantity_tolerance]
            if same:
                row = min(same, key=lambda r: (abs((r.acquired - lot.acquired).days), r.line))
                pairs.append((lot, row))
                ours.remove(lot)
                theirs.remove(row)
        for lot, row in pairs:
            base = {
                "account_id": account_id,
                "symbol": symbol,
                "lot_id": lot.lot_id,
                "line": row.line,
                "store": lot,
                "custodian": row,
            }
            if row.acquired != lot.acquired:
                breaks.append(
                    Break(
                        kind="date",
                        detail=(
                            f"acquired {lot.acquired.isoformat()} in the store,"
                            f" {row.acquired.isoformat()} at the custodian"
                        ),
                        **base,
                    )
                )
            if abs(row.quantity - lot.quantity) > quantity_tolerance:
                breaks.append(
                    Break(
                        kind="quantity",
                        detail=(
                            f"{quantity_text(lot.quantity)} shares in the store,"
                            f" {quantity_text(row.quantity)} at the custodian"
                        ),
                        **base,
                    )
                )
            difference = row.cost_basis - lot.cost_basis
            if abs(difference) > tolerance:
                reason = ""
                if (
                    lot.wash_sale_adjustment
                    and abs(abs(difference) - lot.wash_sale_adjustment) <= tolerance
                ):
                    reason = (
                        f"; the store's basis includes a wash-sale adjustment of"
                        f" {money_text(lot.wash_sale_adjustment)} the custodian may not see"
                    )
                breaks.append(
                    Break(
                        kind="basis",
                        detail=(
                            f"basis {money_text(lot.cost_basis)} in the store,"
                            f" {money_text(row.cost_basis)} at the custodian"
                            f" (difference {money_text(difference)}){reason}"
                        ),
                        **base,
                    )
                )
        for lot in ours:
            breaks.append(
                Break(
                    "missing",
                    account_id,
                    symbol,
                    lot.lot_id,
                    None,
                    lot,
                    None,
                    "in the store, not in the custodian's file",
                )
            )
        for row in theirs:
            breaks.append(
                Break(
                    "extra",
                    account_id,
                    symbol,
                    None,
                    row.line,
                    None,
                    row,
                    "in the custodian's file, not in the store",
                )
            )
    return breaks


def accept_breaks(store: Store, household_id: str, breaks: Sequence[Break]) -> list[dict[str, Any]]:
    """Turn the breaks into correcting events (one transaction); what was done per break."""
    state = store.state(household_id)
    opening = {}
    for event in state.active:
        if event.kind is EventKind.OPEN_LOT:
            lot = event.record()
            opening[(lot.account_id, lot.lot_id)] = (event, lot)
    events: list[tuple[EventKind, dt.date, Any]] = []
    done = []
    corrected: set[tuple[str, str]] = set()
    for item in breaks:
        if item.kind == "extra":
            row = item.custodian
            assert row is not None
            lot_id = f"C{row.line}"
            events.append(
                (
                    EventKind.OPEN_LOT,
                    row.acquired,
                    Lot(
                        row.account_id,
                        row.symbol,
                        lot_id,
                        row.quantity,
                        row.cost_basis,
                        purchased=row.acquired,
                    ),
                )
            )
            done.append({"break": item.kind, "row": row.line, "action": f"opened lot {lot_id}"})
            continue
        key = (item.account_id, item.lot_id or "")
        found = opening.get(key)
        if found is None or found[1] != item.store:
            done.append(
                {
                    "break": item.kind,
                    "lot_id": item.lot_id,
                    "action": "not corrected: the lot comes from trades or fills;"
                    " reverse the wrong event (store reverse) and record the right one",
                }
            )
            continue
        if key in corrected:
            continue
        corrected.add(key)
        event, lot = found
        events.append(
            (
                EventKind.REVERSAL,
                event.effective_date,
                {"reverses": event.seq, "reason": f"custodian reconciliation: {item.kind}"},
            )
        )
        if item.kind == "missing":
            done.append({"break": item.kind, "lot_id": lot.lot_id, "action": "closed the lot"})
            continue
        row = item.custodian
        assert row is not None
        purchased = max(lot.purchased, row.acquired)
        events.append(
            (
                EventKind.OPEN_LOT,
                purchased,
                attrs.evolve(
                    lot,
                    quantity=row.quantity,
                    cost_basis=row.cost_basis,
                    purchased=purchased,
                    acquired=row.acquired,
                    wash_sale_adjustment=min(lot.wash_sale_adjustment, row.cost_basis),
                ),
            )
        )
        done.append(
            {
                "break": item.kind,
                "lot_id": lot.lot_id,
                "action": "replaced the opening lot with the custodian's figures",
            }
        )
    if events:
        store.append(household_id, events)
    return done


# --- 1099-B ------------------------------------------------------------------


@attrs.frozen
class TaxRow:
    """A broker's 1099-B row."""

    line: int
    account_id: str
    symbol: str
    quantity: Decimal
    acquired: dt.date | None
    sold: dt.date
    proceeds: Decimal
    cost_basis: Decimal
    code: str
    adjustment: Decimal


def read_1099b(path: str | Path) -> list[TaxRow]:
    """Read a broker's 1099-B rows, all or none; ``acquired`` may be empty (``VARIOUS``)."""
    tax_columns = [
        "account_id",
        "symbol",
        "quantity",
        "acquired",
        "sold",
        "proceeds",
        "cost_basis",
        "code",
        "adjustment",
    ]
    rows = CsvRows(
        path,
        tax_columns,
        tax_columns,
    )
    out = []
    for line, record in rows:
        quantity = rows.number(line, record, "quantity")
        if quantity <= 0:
            raise rows.error(line, "quantity", f"{quantity} must be positive")
        acquired_text = record.get("acquired", "")
        acquired = None
        if acquired_text and acquired_text.lower() != "various":
            acquired = rows.date(line, record, "acquired")
        code = (record.get("code") or "").strip().upper()
        adjustment = rows.number(line, record, "adjustment", default=ZERO)
        out.append(
            TaxRow(
                line=line,
                account_id=rows.text(line, record, "account_id"),
                symbol=rows.symbol(line, record, "symbol"),
                quantity=quantity,
                acquired=acquired,
                sold=rows.date(line, record, "sold"),
                proceeds=rows.number(line, record, "proceeds"),
                cost_basis=rows.number(line, record, "cost_basis"),
                code=code,
                adjustment=adjustment,
            )
        )
    return out


def _why(rows: Sequence[Disposition], ledger: Ledger, identical: dict[str, str]) -> list[str]:
    reasons = []
    seen: set[int] = set()
    for row in rows:
        if not row.adjustment:
            continue
        for number, match in enumerate(ledger.matches):
            same_sale = (match.sale_date, match.account_id, match.symbol) == (
                row.sale_date,
                row.account_id,
                row.symbol,
            )
            if number in seen or not same_sale or not belongs_to(row.lot_id, match.lot_id):
                continue
            seen.add(number)
            where = (
                f"replacement {quantity_text(match.quantity)} {match.replacement_symbol}"
                f" (lot {match.replacement_lot_id})"
                f" bought {match.replacement_purchased.isoformat()}"
                f" in {match.replacement_account_id}"
            )
            if match.permanent:
                reasons.append(
                    f"{where}, an IRA or other sheltered account: a broker sees one account only;"
                    f" the loss of {money_text(match.disallowed)} is disallowed for good"
                    " (Rev. Rul. 2008-5)"
                )
            elif match.replacement_account_id != match.account_id:
                reasons.append(
                    f"{where}: a cross-account wash sale the broker cannot see;"
                    f" {money_text(match.disallowed)} disallowed and added to that lot's basis"
                )
            elif match.replacement_symbol != match.symbol:
                group = identical.get(match.symbol, match.symbol)
                reasons.append(
                    f"{where}: substantially identical to {match.symbol} (group {group}),"
                    f" which the broker does not treat as identical;"
                    f" {money_text(match.disallowed)} disallowed"
                )
            else:
                reasons.append(f"{where}: {money_text(match.disallowed)} disallowed")
    return reasons


def reconcile_1099b(
    state: HouseholdState, ledger: Ledger, rows: Sequence[TaxRow], tolerance: Decimal = CENT
) -> list[dict[str, Any]]:
    """Each 1099-B row against the household's Form 8949 rows: what to add, and why."""
    identical = state.identical_groups()
    reportable = [d for d in ledger.dispositions if d.reportable]
    used: set[int] = set()
    results = []
    for row in rows:
        group = [
            (i, d)
            for i, d in enumerate(reportable)
            if i not in used
            and (d.account_id, d.symbol, d.sale_date) == (row.account_id, row.symbol, row.sold)
        ]
        chosen = [
            (i, d)
            for i, d in group
            if row.acquired is None or d.acquired == row.acquired or d.purchased == row.acquired
        ]
        if sum((d.quantity for _, d in chosen), ZERO) != row.quantity:
            exact = [(i, d) for i, d in group if d.quantity == row.quantity]
            chosen = exact[:1] if exact else chosen
        entry: dict[str, Any] = {
            "row": row.line,
            "account_id": row.account_id,
            "symbol": row.symbol,
            "sold": row.sold.isoformat(),
            "quantity": quantity_text(row.quantity),
            "broker": {
                "proceeds": money_text(row.proceeds),
                "cost_basis": money_text(row.cost_basis),
                "code": row.code,
                "adjustment": money_text(row.adjustment),
            },
        }
        if not chosen or sum((d.quantity for _, d in chosen), ZERO) != row.quantity:
            entry.update(
                status="unmatched",
                household=None,
                add=None,
                reasons=["no sale of this quantity on this date in the household's records"],
            )
            results.append(entry)
            continue
        used.update(i for i, _ in chosen)
        mine = [d for _, d in chosen]
        proceeds = money(sum((d.proceeds for d in mine), ZERO))
        basis = money(sum((d.cost_basis for d in mine), ZERO))
        adjustment = money(sum((d.adjustment for d in mine), ZERO))
        code = "W" if adjustment > 0 else ""
        entry["household"] = {
            "proceeds": money_text(proceeds),
            "cost_basis": money_text(basis),
            "code": code,
            "adjustment": money_text(adjustment),
            "lots": ";".join(d.lot_id for d in mine),
        }
        reasons: list[str] = []
        missing = adjustment - row.adjustment
        add = None
        if missing > tolerance:
            add = {"code": "W", "adjustment": money_text(missing)}
            reasons.extend(_why(mine, ledger, identical))
        elif missing < -tolerance:
            reasons.append(
                f"the broker reports {money_text(row.adjustment)} of wash-sale adjustment, the"
                f" household's ledger {money_text(adjustment)}: check the broker's replacement"
            )
        if abs(proceeds - row.proceeds) > tolerance:
            reasons.append(f"proceeds differ: {money_text(proceeds)} in the household's records")
        if abs(basis - row.cost_basis) > tolerance:
            reasons.append(
                f"cost basis differs: {money_text(basis)} in the household's records"
                " (a wash-sale adjustment from another account, or a transfer, moves basis)"
            )
        if add is not None:
            status = "adjust"
        elif reasons:
            status = "differs"
        else:
            status = "agrees"
        entry.update(status=status, add=add, reasons=reasons)
        results.append(entry)
    accounts = {row.account_id for row in rows}
    for i, d in enumerate(reportable):
        if i not in used and d.account_id in accounts:
            results.append(
                {
                    "row": None,
                    "account_id": d.account_id,
                    "symbol": d.symbol,
                    "sold": d.sale_date.isoformat(),
                    "quantity": quantity_text(d.quantity),
                    "broker": None,
                    "status": "not_on_1099b",
                    "household": {
                        "proceeds": money_text(d.proceeds),
                        "cost_basis": money_text(d.cost_basis),
                        "code": d.code,
                        "adjustment": money_text(d.adjustment),
                        "lots": d.lot_id,
                    },
                    "add": None,
                    "reasons": ["a sale in the household's records the broker did not report"],
                }
            )
    return results
