"""Store fixtures: every store test runs on SQLite and on PostgreSQL.

PostgreSQL comes from ``HOUSEHOLD_TEST_POSTGRES_URL`` (``.ci/run`` starts a
throwaway server and sets it); each test gets a database of its own, dropped
afterwards. Without the variable the PostgreSQL cases skip with a message, and
under ``CI=true`` they fail instead: CI never passes silently without them.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import itertools
import os
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from household.store import Store
from household.store.store import resolve_url

POSTGRES_VARIABLE = "HOUSEHOLD_TEST_POSTGRES_URL"
BACKENDS = ["sqlite", "postgresql"]


def postgres_admin_url() -> str:
    """The server's URL, or skip (fail under CI=true) when none is given."""
    url = os.environ.get(POSTGRES_VARIABLE)
    if not url:
        message = (
            f"PostgreSQL store tests need a server: set {POSTGRES_VARIABLE} "
            "(bash .ci/run starts one)"
        )
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message + "; under CI=true this is a failure")
        pytest.skip(message)
    return url


@pytest.fixture
def fixed_clock() -> Callable[[], dt.datetime]:
    """A clock that ticks one second per reading, from 2026-06-01 12:00 UTC."""
    counter = itertools.count()
    start = dt.datetime(2026, 6, 1, 12, 0, tzinfo=dt.UTC)
    return lambda: start + dt.timedelta(seconds=next(counter))


@contextlib.contextmanager
def fresh_url(backend: str, tmp_path: Path) -> Iterator[str]:
    """A fresh, empty store URL on ``backend`` (``sqlite`` or ``postgresql``)."""
    if backend == "sqlite":
        yield f"sqlite:///{tmp_path / 'household.db'}"
        return
    admin = resolve_url(postgres_admin_url())
    name = f"hl_{uuid.uuid4().hex[:12]}"
    engine = sa.create_engine(admin, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
    try:
        yield admin.set(database=name).render_as_string(hide_password=False)
    finally:
        with engine.connect() as connection:
            connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        engine.dispose()


@pytest.fixture(params=BACKENDS)
def backend_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh store URL on each backend in turn."""
    with fresh_url(request.param, tmp_path) as url:
        yield url


@pytest.fixture
def store(backend_url: str, fixed_clock: Callable[[], dt.datetime]) -> Iterator[Store]:
    """An initialised store on each backend, with a fixed clock."""
    opened = Store(backend_url, clock=fixed_clock)
    opened.init()
    yield opened
    opened.dispose()
