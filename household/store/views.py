"""JSON-ready views of what the store holds (``store show``, ``store list``).

Decimals are strings, as everywhere in the command line's JSON (``docs/formats.md``);
amounts are exact here (no rounding: the ledger is a record, not a report).
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from lots.numbers import plain
from lots.records import Disposition, Lot
from lots.washsale import Ledger, WashMatch

if TYPE_CHECKING:
    from household.store.store import HouseholdState

__all__ = ["disposition_entry", "lot_entry", "match_entry", "show_document"]


def _text(value: Decimal) -> str:
    return format(plain(value), "f")


def lot_entry(lot: Lot) -> dict[str, Any]:
    """An open lot, as ``wash-sales`` prints one."""
    return {
        "account_id": lot.account_id,
        "symbol": lot.symbol,
        "lot_id": lot.lot_id,
        "quantity": _text(lot.quantity),
        "purchased": lot.purchased.isoformat(),
        "acquired": lot.acquired.isoformat(),
        "cost_basis": _text(lot.cost_basis),
        "wash_sale_adjustment": _text(lot.wash_sale_adjustment),
    }


def disposition_entry(row: Disposition) -> dict[str, Any]:
    """A relieved lot (a Form 8949 row when ``reportable``)."""
    return {
        "sale_date": row.sale_date.isoformat(),
        "account_id": row.account_id,
        "symbol": row.symbol,
        "lot_id": row.lot_id,
        "quantity": _text(row.quantity),
        "acquired": row.acquired.isoformat(),
        "term": row.term.value,
        "proceeds": _text(row.proceeds),
        "cost_basis": _text(row.cost_basis),
        "code": row.code,
        "adjustment": _text(row.adjustment),
        "gain": _text(row.gain),
        "permanently_disallowed": _text(row.permanently_disallowed),
        "reportable": row.reportable,
    }


def match_entry(match: WashMatch) -> dict[str, Any]:
    """A wash-sale match: loss shares of a sale and their replacement lot."""
    return {
        "sale_date": match.sale_date.isoformat(),
        "account_id": match.account_id,
        "symbol": match.symbol,
        "lot_id": match.lot_id,
        "quantity": _text(match.quantity),
        "replacement_account_id": match.replacement_account_id,
        "replacement_symbol": match.replacement_symbol,
        "replacement_lot_id": match.replacement_lot_id,
        "replacement_purchased": match.replacement_purchased.isoformat(),
        "disallowed": _text(match.disallowed),
        "permanent": match.permanent,
    }


def show_document(
    state: HouseholdState, ledger: Ledger, plans: Sequence[dict[str, Any]]
) -> dict[str, Any]:
    """``store show --format json``."""
    return {
        "household_id": state.household_id,
        "event_seq": state.seq,
        "events": len(state.events),
        "lots": [lot_entry(lot) for lot in ledger.lots],
        "ledger": {
            "dispositions": [disposition_entry(row) for row in ledger.dispositions],
            "matches": [match_entry(m) for m in ledger.matches],
        },
        "cash": {k: _text(v) for k, v in state.cash().items()},
        "policy": {
            "version": state.policy_version,
            "household": state.policy,
            "monitoring": state.monitoring,
        },
        "plans": list(plans),
    }
