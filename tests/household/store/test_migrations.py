"""Migrations: from empty to the latest, and from the first revision to the latest with data."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import sqlalchemy as sa

from household.loader import household_to_dict, load_household
from household.store import Store

ROOT = Path(__file__).resolve().parents[3]
HOUSEHOLD = ROOT / "fixtures" / "households" / "plan_harvest.json"


def _tables(store: Store) -> set[str]:
    return set(sa.inspect(store.engine).get_table_names())


def test_from_empty_to_the_latest(backend_url: str) -> None:
    store = Store(backend_url, clock=lambda: dt.datetime(2026, 6, 1))
    assert store.revision() is None
    store.init()
    assert store.revision() == Store.head() == "0002"
    assert {"households", "events", "policies", "plans", "imports", "reviews"} <= _tables(store)
    store.init()  # idempotent
    assert store.revision() == "0002"
    store.dispose()


def test_from_the_first_revision_to_the_latest_with_data_in_it(backend_url: str) -> None:
    store = Store(backend_url, clock=lambda: dt.datetime(2026, 6, 1))
    store.migrate("0001")
    assert store.revision() == "0001"
    assert "reviews" not in _tables(store)
    household = load_household(HOUSEHOLD)
    store.add_household(household)  # revision 0001 has what adding needs
    events_before = store.events(household.household_id)
    store.init()
    assert store.revision() == "0002"
    assert "reviews" in _tables(store)
    assert store.events(household.household_id) == events_before
    assert store.export(household.household_id) == household_to_dict(household)
    assert store.next_reviews() == {}
    store.dispose()
