"""Migrations: from empty to the latest, and from the first revision to the latest with data."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import sqlalchemy as sa

from household.loader import household_to_dict, load_household
from household.store import Store, schema

ROOT = Path(__file__).resolve().parents[3]
HOUSEHOLD = ROOT / "fixtures" / "households" / "plan_harvest.json"


def _tables(store: Store) -> set[str]:
    return set(sa.inspect(store.engine).get_table_names())


def test_from_empty_to_the_latest(backend_url: str) -> None:
    store = Store(backend_url, clock=lambda: dt.datetime(2026, 6, 1))
    assert store.revision() is None
    store.init()
    assert store.revision() == Store.head() == "0003"
    tables = {"households", "events", "policies", "plans", "imports", "reviews", "ledgers"}
    assert tables <= _tables(store)
    store.init()  # idempotent
    assert store.revision() == "0003"
    store.dispose()


def _rows(store: Store, table: sa.Table) -> list[tuple]:
    with store.reading() as connection:
        return [tuple(row) for row in connection.execute(sa.select(table))]


def test_from_the_first_revision_to_the_latest_with_data_in_it(backend_url: str) -> None:
    store = Store(backend_url, clock=lambda: dt.datetime(2026, 6, 1))
    store.migrate("0001")
    assert store.revision() == "0001"
    assert "reviews" not in _tables(store)
    household = load_household(HOUSEHOLD)
    store.add_household(household)  # revision 0001 has what adding needs
    events_before = _rows(store, schema.events)
    policies_before = _rows(store, schema.policies)
    assert len(events_before) == 10  # 2 cash + 6 open_lot + 2 lookback
    store.migrate("0002")
    assert store.revision() == "0002"
    assert "reviews" in _tables(store) and "ledgers" not in _tables(store)
    store.init()
    assert store.revision() == "0003"
    assert "ledgers" in _tables(store)
    assert _rows(store, schema.events) == events_before
    assert _rows(store, schema.policies) == policies_before
    assert store.export(household.household_id) == household_to_dict(household)
    assert store.next_reviews() == {}
    assert _rows(store, schema.ledgers) == []  # the cache starts empty: nothing to migrate
    store.dispose()
