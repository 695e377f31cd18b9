"""The store's events: what a household's append-only log holds.

Every event is one row of the ``events`` table: a kind, an effective date, a
recorded-at time (given by the caller, never read from a clock here) and the
record's fields as a JSON payload. The payload is generic: :func:`encode` walks
an ``attrs`` record's fields (a :class:`lots.records.Transaction`, a
:class:`lots.records.Lot`, ...) and tags the values JSON has no type for
(``{"$decimal": "12.50"}``, ``{"$date": "2026-03-10"}``, ``{"$enum": "Action",
"value": "buy"}``), and :func:`decode` rebuilds the record from them, so a new
field or a new action of the lots engine (reinvest, split, merger, ...) is stored
without a migration.

How a household file becomes events (``store add``)
---------------------------------------------------
A household file holds the open ``lots`` (with their adjusted basis and dates)
and ``recent_transactions`` (the look-back history, whose effect the lots
already show). ``store add`` writes, in this order:

1. one ``cash`` event per account: its opening cash (``{"account_id", "amount"}``);
2. one ``open_lot`` event per lot, in file order, carrying the lot as it is
   (quantity, adjusted basis, purchase date, holding-period start, wash-sale
   adjustment), effective on its purchase date;
3. one ``lookback`` event per recent transaction, in file order: kept for the
   wash-sale look-back and given back by ``store export``, but never replayed
   (its shares are already in the lots);
4. one ``cash_flow`` event per pending cash flow.

The replay (:func:`lots.washsale.replay`) takes the ``open_lot`` events as its
opening lots and the ``trade`` and ``fill`` events as its transactions, so with
no trades it gives back the file's lots exactly. A CSV set (``store add
--accounts --transactions``) becomes ``trade`` events instead, one per row, and
the replay computes the lots.

A correction is a ``reversal`` event naming the ``seq`` of the event it cancels;
the cancelled event stays in the log and drops out of every replay.

Example::

    seq kind      effective   payload
    1   cash      2026-06-01  {"account_id": "joint", "amount": {"$decimal": "1000"}}
    2   open_lot  2024-03-01  {"account_id": "joint", "symbol": "VXUS", "lot_id": "J2", ...}
    3   fill      2026-06-02  {"action": "buy", "quantity": {"$decimal": "39"}, ...}
    4   reversal  2026-06-03  {"reverses": 3}
"""

from __future__ import annotations

import datetime as dt
import enum
import functools
import json
from decimal import Decimal
from typing import Any

import attrs

import lots.records
from lots.numbers import to_decimal
from lots.washsale import Ledger, WashMatch

__all__ = [
    "Event",
    "EventKind",
    "REPLAYED",
    "decode",
    "dumps",
    "encode",
    "ledger_from_text",
    "ledger_text",
    "loads",
]


class EventKind(enum.Enum):
    """What an event is."""

    CASH = "cash"
    OPEN_LOT = "open_lot"
    LOOKBACK = "lookback"
    CASH_FLOW = "cash_flow"
    TRADE = "trade"
    FILL = "fill"
    REVERSAL = "reversal"


REPLAYED = frozenset({EventKind.TRADE, EventKind.FILL})
"""Kinds whose payload is a transaction the replay applies."""


@attrs.frozen
class Event:
    """One event of a household's log, as stored.

    Attributes:
        seq: its number in the household's log (1, 2, ...); 0 before it is stored.
        kind: what it is.
        effective_date: when it took effect.
        recorded_at: when it was recorded (ISO text, from the caller's clock).
        text: the payload, the record's fields as JSON text (see :func:`encode`).
        reverses: for a reversal, the ``seq`` it cancels.
        import_id: the fills import it came from, if any.
    """

    seq: int
    kind: EventKind
    effective_date: dt.date
    recorded_at: str
    text: str
    reverses: int | None = None
    import_id: int | None = None
    _record: Any = attrs.field(default=None, eq=False, repr=False, alias="_record")

    @property
    def payload(self) -> dict[str, Any]:
        """The payload as stored (tagged JSON values, see :func:`encode`)."""
        return loads(self.text)

    def record(self) -> Any:
        """The payload as its record: a Transaction, a Lot, or the plain dict (decoded once)."""
        if self._record is None:
            object.__setattr__(self, "_record", decode_text(self.text))
        return self._record


_PLAIN = (str, int, bool, type(None))


def _value(value: Any) -> Any:
    kind = type(value)
    if kind in _PLAIN:
        return value
    if kind is Decimal:
        return {"$decimal": format(value, "f") if value.is_finite() else str(value)}
    if kind is dt.date:
        return {"$date": value.isoformat()}
    if isinstance(value, enum.Enum):
        return {"$enum": type(value).__name__, "value": value.value}
    if isinstance(value, tuple | list):
        return [_value(item) for item in value]
    if isinstance(value, dict):
        return {str(k): _value(v) for k, v in value.items()}
    if isinstance(value, Decimal):
        return {"$decimal": format(value, "f")}
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return {"$date": value.isoformat()}
    if attrs.has(type(value)):
        return encode(value)
    raise TypeError(f"cannot store a {type(value).__name__} in an event")


@functools.cache
def _field_names(kind: type) -> tuple[str, ...]:
    return tuple(field.name for field in attrs.fields(kind))


def encode(record: Any) -> dict[str, Any]:
    """An attrs record (or a plain dict) as a JSON-ready payload; the record type is kept.

    >>> from lots.records import Transaction
    >>> import datetime as dt
    >>> encode(Transaction(dt.date(2026, 3, 10), "joint", "XYZ", "sell", "100", "9"))["quantity"]
    {'$decimal': '100'}
    """
    kind = type(record)
    if not attrs.has(kind):
        return {key: _value(value) for key, value in record.items()}
    payload: dict[str, Any] = {"$record": kind.__name__}
    for name in _field_names(kind):
        payload[name] = _value(getattr(record, name))
    return payload


def _hook(value: dict[str, Any]) -> Any:
    """``json.loads`` object hook: tagged values back to their types."""
    if len(value) == 1:
        if "$decimal" in value:
            return to_decimal(value["$decimal"])
        if "$date" in value:
            return dt.date.fromisoformat(value["$date"])
    elif "$enum" in value and len(value) == 2:
        kind = getattr(lots.records, value["$enum"], None)
        return kind(value["value"]) if isinstance(kind, type) else value["value"]
    return value


def _decoded(value: Any) -> Any:
    if isinstance(value, list):
        return [_decoded(item) for item in value]
    if not isinstance(value, dict):
        return value
    if "$decimal" in value or "$date" in value or "$enum" in value:
        return _hook(value)
    return decode(value)


def decode(payload: dict[str, Any]) -> Any:
    """Rebuild a payload made by :func:`encode` (records of ``lots.records`` by name)."""
    fields = {key: _decoded(value) for key, value in payload.items() if key != "$record"}
    name = payload.get("$record")
    if name is None:
        return fields
    kind = getattr(lots.records, name)
    known = set(_field_names(kind))
    return kind(**{key: value for key, value in fields.items() if key in known})


def decode_text(text: str) -> Any:
    """The record of a stored payload's JSON text (faster than ``decode(loads(text))``)."""
    payload = json.loads(text, object_hook=_hook)
    name = payload.pop("$record", None)
    if name is None:
        return payload
    kind = getattr(lots.records, name)
    known = set(_field_names(kind))
    return kind(**{key: value for key, value in payload.items() if key in known})


_ENCODER = json.JSONEncoder(separators=(",", ":"))


def dumps(payload: dict[str, Any]) -> str:
    """JSON text of a payload (fields in record order, no spaces): deterministic."""
    return _ENCODER.encode(payload)


def ledger_text(ledger: Ledger, **extra: Any) -> str:
    """A replay's result as JSON text (the ``ledgers`` cache): lots, dispositions, matches.

    ``extra`` keys (plain JSON) are kept beside them and given back by
    :func:`ledger_from_text`.

    >>> from lots.records import Lot
    >>> ledger = Ledger((), (Lot("joint", "VTI", "J1", "100", "28000.00", dt.date(2025, 1, 10)),))
    >>> ledger_from_text(ledger_text(ledger, order=[0])) == (ledger, {"order": [0]})
    True
    """
    return dumps(
        {
            "lots": [encode(lot) for lot in ledger.lots],
            "dispositions": [encode(row) for row in ledger.dispositions],
            "matches": [encode(match) for match in ledger.matches],
            **extra,
        }
    )


def ledger_from_text(text: str) -> tuple[Ledger, dict[str, Any]]:
    """The :class:`lots.washsale.Ledger` of :func:`ledger_text`'s JSON, exactly, and its extras."""
    document = json.loads(text, object_hook=_hook)

    def records(kind: type, payloads: list[dict[str, Any]]) -> tuple[Any, ...]:
        known = set(_field_names(kind))
        return tuple(kind(**{k: v for k, v in p.items() if k in known}) for p in payloads)

    ledger = Ledger(
        dispositions=records(lots.records.Disposition, document.pop("dispositions")),
        lots=records(lots.records.Lot, document.pop("lots")),
        matches=records(WashMatch, document.pop("matches")),
    )
    return ledger, document


def loads(text: str) -> dict[str, Any]:
    """The payload of a stored row."""
    result: dict[str, Any] = json.loads(text)
    return result
