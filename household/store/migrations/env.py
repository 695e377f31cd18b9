"""Alembic environment of the household store.

Run by :func:`household.store.store.migrate` with an open connection in
``config.attributes["connection"]``; the store never runs migrations from a
URL in an ini file (so no password sits in a file).
"""

from __future__ import annotations

from alembic import context

connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=None)
with context.begin_transaction():
    context.run_migrations()
