"""Fills: import a broker's executions against a stored plan, reconcile, append them.

``FILLS.csv`` has the columns ``date,account_id,symbol,side,quantity,price,fees``
and an optional ``lot_id`` (specific identification of the lot sold). A bad row
refuses the whole file (``fills.csv:4: quantity: 'ten' is not a number``).

Each fill is matched to the plan's ticket of the same account, symbol and side
(the plan JSON's ``trades``), and each ticket gets a status:

============  ==========================================================
``filled``     the fills add up to the planned quantity
``partial``    less than planned was filled (but some)
``over``       more than planned was filled
``unplanned``  fills with no ticket (a status of the fills)
``missing``    a ticket with no fill at all
============  ==========================================================

Slippage is measured against the ticket's estimated price, signed so that a
positive number is a cost: ``(average fill price - estimated price) * filled``
for a buy, the negative of that for a sale. The actual cost of a ticket is its
fees plus its slippage, to set against the estimated ``commission +
spread_cost + impact``.

Example: a ticket to buy 39 BND at an estimated 50.00 (commission 1.00, spread
1.95) filled as 39 at 50.02 with fees 1.00 has slippage (50.02 - 50.00) * 39 =
0.78 and an actual cost of 1.00 + 0.78 = 1.78 against 2.95 estimated.

The actual tax is the lots engine's: the household's ledger is replayed with
and without the fills, and the change in each term's net gain on Form 8949
(taxable accounts only, wash-sale adjustments included) goes through the same
netting as the plan's estimate (``lots.netting.added_tax`` with the household's
year to date and carryforwards, through :func:`household.plan.taxfacts.tax_facts`),
so the two compare like for like: a net loss saves the ordinary rate on at most
the loss limit ($3,000), whatever part of it the fills realised. Example: fills
realising a long-term loss of 3,929.80 with nothing else this year, at 32%
ordinary and 5% state, save 3,000 x 0.37 = 1,110.00 (tax -1,110.00); the other
929.80 carries forward.

A sale fill without a ``lot_id`` whose ticket names lots (``lots_sold`` ``"J1:60;J2:40"``)
relieves those lots in that order, as the plan intended (specific identification);
shares beyond them, and sales without a ticket, follow the account's method.

The fills are then appended as ``fill`` events, the import is recorded by the
file's SHA-256 (the same file again is recognised and refused: nothing is
applied twice) and the household's next review is re-armed, all in one
transaction.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

import attrs
import sqlalchemy as sa

from household.csvio import CsvRows
from household.render import money_text, quantity_text
from household.store import schema
from household.store.events import EventKind
from household.store.store import (
    HouseholdState,
    Store,
    StoreError,
    content_hash,
    with_events,
)
from lots.errors import InputError
from lots.numbers import ZERO, plain, to_decimal
from lots.records import Action, Disposition, Term, Transaction
from lots.washsale import Ledger

__all__ = [
    "Fill",
    "FillsAlreadyImported",
    "TicketResult",
    "fill_transactions",
    "import_fills",
    "read_fills",
    "reconcile_fills",
    "term_gains",
]

FILL_COLUMNS = ("date", "account_id", "symbol", "side", "quantity", "price", "fees")


class FillsAlreadyImported(StoreError):
    """The same fills file (by content) was imported before: nothing is applied."""


@attrs.frozen
class Fill:
    """One row of ``FILLS.csv``."""

    line: int
    date: dt.date
    account_id: str
    symbol: str
    side: Action
    quantity: Decimal
    price: Decimal
    fees: Decimal
    lot_id: str | None = None


def read_fills(path: str | Path, accounts: Sequence[str]) -> list[Fill]:
    """Read ``FILLS.csv``, all rows or none (``InputError`` naming file, row and field)."""
    rows = CsvRows(path, FILL_COLUMNS, (*FILL_COLUMNS, "lot_id"))
    known = set(accounts)
    fills = []
    for line, record in rows:
        date = rows.date(line, record, "date")
        account_id = rows.text(line, record, "account_id")
        if account_id not in known:
            raise rows.error(line, "account_id", f"unknown account {account_id!r}")
        symbol = rows.symbol(line, record, "symbol")
        side_text = rows.text(line, record, "side")
        try:
            side = Action(side_text.lower())
        except ValueError:
            raise rows.error(line, "side", f"{side_text!r} is not buy or sell") from None
        quantity = rows.number(line, record, "quantity")
        if quantity <= 0:
            raise rows.error(line, "quantity", f"{quantity} must be positive")
        price = rows.number(line, record, "price")
        if price <= 0:
            raise rows.error(line, "price", f"{price} must be positive")
        fees = rows.number(line, record, "fees", default=ZERO)
        if fees < 0:
            raise rows.error(line, "fees", f"{fees} must not be negative")
        fills.append(
            Fill(
                line=line,
                date=date,
                account_id=account_id,
                symbol=symbol,
                side=side,
                quantity=quantity,
                price=price,
                fees=fees,
                lot_id=record.get("lot_id") or None,
            )
        )
    if not fills:
        raise InputError("no fills in the file", file=str(path), row=2)
    return fills


@attrs.frozen
class TicketResult:
    """One ticket of the plan (or one group of unplanned fills) after the fills."""

    account_id: str
    symbol: str
    side: Action
    status: str
    planned: Decimal
    filled: Decimal
    estimated_price: Decimal | None
    average_price: Decimal | None
    slippage: Decimal
    estimated_cost: Decimal
    actual_cost: Decimal
    fees: Decimal
    lines: tuple[int, ...]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready (decimals as strings, money in cents)."""
        return {
            "account_id": self.account_id,
            "symbol": self.symbol,
            "side": self.side.value,
            "status": self.status,
            "planned": quantity_text(self.planned),
            "filled": quantity_text(self.filled),
            "estimated_price": None if self.estimated_price is None else str(self.estimated_price),
            "average_price": None if self.average_price is None else str(self.average_price),
            "slippage": money_text(self.slippage),
            "estimated_cost": money_text(self.estimated_cost),
            "actual_cost": money_text(self.actual_cost),
            "fees": money_text(self.fees),
            "rows": ";".join(str(line) for line in self.lines),
        }


def _decimal(value: Any) -> Decimal:
    return ZERO if value in (None, "") else to_decimal(str(value))


def _tickets(plan: Mapping[str, Any]) -> dict[tuple[str, str, Action], dict[str, Any]]:
    """The plan's trades by (account, symbol, side), quantities and costs summed."""
    tickets: dict[tuple[str, str, Action], dict[str, Any]] = {}
    for trade in plan.get("trades", []):
        key = (trade["account_id"], trade["symbol"], Action(trade["side"]))
        quantity = _decimal(trade["quantity"])
        cost = (
            _decimal(trade.get("commission"))
            + _decimal(trade.get("spread_cost"))
            + _decimal(trade.get("impact"))
        )
        entry = tickets.setdefault(
            key, {"quantity": ZERO, "notional": ZERO, "cost": ZERO, "lots": []}
        )
        entry["quantity"] += quantity
        entry["notional"] += quantity * _decimal(trade["price"])
        entry["cost"] += cost
        entry["lots"].extend(_lots_sold(trade.get("lots_sold", "")))
    return tickets


def _lots_sold(text: str) -> list[tuple[str, Decimal]]:
    """``"J1:60;J2:40"`` as ``[("J1", 60), ("J2", 40)]``."""
    out = []
    for part in (text or "").split(";"):
        if part.strip():
            lot_id, _, quantity = part.rpartition(":")
            out.append((lot_id.strip(), to_decimal(quantity)))
    return out


def reconcile_fills(plan: Mapping[str, Any], fills: Sequence[Fill]) -> list[TicketResult]:
    """Each ticket of the plan's ``trades`` against the fills (see the module docstring)."""
    tickets = _tickets(plan)
    grouped: dict[tuple[str, str, Action], list[Fill]] = {}
    for fill in fills:
        grouped.setdefault((fill.account_id, fill.symbol, fill.side), []).append(fill)
    results = []
    for key in list(tickets) + [k for k in grouped if k not in tickets]:
        ticket = tickets.get(key)
        group = grouped.get(key, [])
        filled = sum((f.quantity for f in group), ZERO)
        fees = sum((f.fees for f in group), ZERO)
        gross = sum((f.quantity * f.price for f in group), ZERO)
        average = gross / filled if filled else None
        planned = ticket["quantity"] if ticket else ZERO
        estimated = ticket["notional"] / planned if ticket and planned else None
        slippage = ZERO
        if estimated is not None and filled:
            slippage = gross - estimated * filled
            if key[2] is Action.SELL:
                slippage = -slippage
        if ticket is None:
            status = "unplanned"
        elif not group:
            status = "missing"
        elif filled == planned:
            status = "filled"
        elif filled < planned:
            status = "partial"
        else:
            status = "over"
        results.append(
            TicketResult(
                account_id=key[0],
                symbol=key[1],
                side=key[2],
                status=status,
                planned=planned,
                filled=filled,
                estimated_price=None if estimated is None else _price(estimated),
                average_price=None if average is None else _price(average),
                slippage=slippage,
                estimated_cost=ticket["cost"] if ticket else ZERO,
                actual_cost=fees + slippage,
                fees=fees,
                lines=tuple(f.line for f in group),
            )
        )
    return results


def _price(value: Decimal) -> Decimal:
    return plain(value.quantize(Decimal("0.000001")))


def fill_transactions(
    plan: Mapping[str, Any], fills: Sequence[Fill], source: str
) -> list[Transaction]:
    """The fills as transactions; a sale without ``lot_id`` takes its ticket's lots in order."""
    remaining = {key: list(ticket["lots"]) for key, ticket in _tickets(plan).items()}
    out: list[Transaction] = []
    for fill in fills:
        base = Transaction(
            date=fill.date,
            account_id=fill.account_id,
            symbol=fill.symbol,
            action=fill.side,
            quantity=fill.quantity,
            price=fill.price,
            fees=fill.fees,
            lot_id=fill.lot_id,
            row=fill.line,
            source=source,
        )
        key = (fill.account_id, fill.symbol, fill.side)
        lots = remaining.get(key)
        if fill.side is not Action.SELL or fill.lot_id is not None or not lots:
            out.append(base)
            continue
        left = fill.quantity
        fees_left = fill.fees
        pieces: list[tuple[str | None, Decimal]] = []
        while left > 0 and lots:
            lot_id, planned = lots[0]
            take = min(planned, left)
            pieces.append((lot_id, take))
            left -= take
            if take == planned:
                lots.pop(0)
            else:
                lots[0] = (lot_id, planned - take)
        if left > 0:
            pieces.append((None, left))
        for index, (lot_id, quantity) in enumerate(pieces):
            if index == len(pieces) - 1:
                fee = fees_left
            else:
                fee = (fill.fees * quantity / fill.quantity).quantize(Decimal("0.01"))
                fee = min(fee, fees_left)
            fees_left -= fee
            out.append(attrs.evolve(base, quantity=quantity, fees=fee, lot_id=lot_id))
    return out


def term_gains(dispositions: Sequence[Disposition]) -> dict[Term, Decimal]:
    """Net gain per term of the Form 8949 rows (taxable accounts), adjustments included."""
    totals = {Term.SHORT: ZERO, Term.LONG: ZERO}
    for row in dispositions:
        if row.reportable:
            totals[row.term] += row.gain
    return totals


def _actual_tax(state: HouseholdState, before: Ledger, after: Ledger) -> dict[str, Decimal]:
    """The fills' gains per term and the tax they add, netted as the plan's estimate is."""
    from household.plan.taxfacts import tax_facts

    facts = tax_facts(state.household(before))
    old, new = term_gains(before.dispositions), term_gains(after.dispositions)
    short = new[Term.SHORT] - old[Term.SHORT]
    long = new[Term.LONG] - old[Term.LONG]
    return {"short_gain": short, "long_gain": long, "tax": facts.added(short, long)}


def import_fills(
    store: Store,
    path: str | Path,
    plan_id: int,
    *,
    next_review: dt.date | None = None,
) -> dict[str, Any]:
    """Import ``path`` against plan ``plan_id``: reconcile, append, re-arm; one transaction.

    Args:
        store: the store.
        path: the ``FILLS.csv`` file.
        plan_id: the stored plan the fills execute.
        next_review: the review date to arm (default: the household's calendar's
            next date after the last fill).

    Returns:
        The report: tickets, totals (slippage, costs, tax estimated and actual),
        the events appended and the next review date.

    Raises:
        InputError: a bad row (nothing applied).
        FillsAlreadyImported: the same file was imported before.
    """
    from household.store.monitor import next_review_after

    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as error:
        raise InputError(f"cannot read the file: {error.strerror}", file=str(path)) from None
    digest = content_hash(data)
    plan = store.plan(plan_id)
    household_id = plan["household_id"]
    document = plan["document"]
    with store.writing(household_id) as connection:
        done = connection.execute(
            sa.select(schema.imports.c.import_id, schema.imports.c.recorded_at).where(
                schema.imports.c.household_id == household_id,
                schema.imports.c.content_hash == digest,
            )
        ).first()
        if done is not None:
            raise FillsAlreadyImported(
                f"these fills were imported already (import {done.import_id},"
                f" {done.recorded_at}): nothing applied",
                file=str(path),
            )
        state = store.state_in(connection, household_id)
        fills = read_fills(path, [a["account_id"] for a in state.policy["accounts"]])
        tickets = reconcile_fills(document, fills)
        transactions = fill_transactions(document, fills, path.name)
        events = [(EventKind.FILL, txn.date, txn) for txn in transactions]
        before = state.ledger()
        after_state = with_events(state, events)
        after = after_state.ledger()
        for account_id, amount in after_state.cash().items():
            if amount < 0:
                raise InputError(
                    f"the fills leave account {account_id!r} with cash {money_text(amount)}",
                    file=str(path),
                    field="account_id",
                    hint="record the deposit first: household store cash",
                )
        actual = _actual_tax(state, before, after)
        estimated_tax = _decimal(document.get("summary", {}).get("tax"))
        last = max(f.date for f in fills)
        review = next_review or next_review_after(state.monitoring.get("review"), last)
        totals = {
            "slippage": money_text(sum((t.slippage for t in tickets), ZERO)),
            "estimated_cost": money_text(sum((t.estimated_cost for t in tickets), ZERO)),
            "actual_cost": money_text(sum((t.actual_cost for t in tickets), ZERO)),
            "fees": money_text(sum((t.fees for t in tickets), ZERO)),
            "estimated_tax": money_text(estimated_tax),
            "actual_tax": money_text(actual["tax"]),
            "actual_short_gain": money_text(actual["short_gain"]),
            "actual_long_gain": money_text(actual["long_gain"]),
        }
        report: dict[str, Any] = {
            "household_id": household_id,
            "plan_id": plan_id,
            "file": path.name,
            "content_hash": digest,
            "tickets": [t.to_dict() for t in tickets],
            "totals": totals,
            "next_review": review.isoformat(),
        }
        now = store.now()
        import_id = int(
            connection.execute(
                schema.imports.insert().returning(schema.imports.c.import_id),
                {
                    "household_id": household_id,
                    "plan_id": plan_id,
                    "content_hash": digest,
                    "file_name": path.name,
                    "recorded_at": now,
                    "report": "{}",
                },
            ).scalar_one()
        )
        seqs = store.append_in(
            connection, household_id, events, state.seq, now, import_id=import_id
        )
        report["import_id"] = import_id
        report["events"] = [seqs[0], seqs[-1]]
        connection.execute(
            schema.imports.update()
            .where(schema.imports.c.import_id == import_id)
            .values(report=json.dumps(report))
        )
        store.arm_review(connection, household_id, review, f"fills import {import_id}")
        store.keep_ledger(connection, after_state, after)
    return report
