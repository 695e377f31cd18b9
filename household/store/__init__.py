"""The household store: a system of record for households, their events and plans.

``Store(url)`` (:mod:`household.store.store`) keeps, per household, an
append-only event log (:mod:`household.store.events`), a versioned policy and
every plan; lots and the wash-sale ledger are a replay of the events. Fills are
imported and reconciled against a stored plan (:mod:`household.store.fills`),
lots and 1099-B rows against a custodian's files
(:mod:`household.store.reconcile`), and :mod:`household.store.monitor` lists
what needs attention across every stored household.
"""

from __future__ import annotations

from household.store.events import Event, EventKind
from household.store.store import HouseholdState, Store, StoreError, redacted, resolve_url

__all__ = ["Event", "EventKind", "HouseholdState", "Store", "StoreError", "redacted", "resolve_url"]
