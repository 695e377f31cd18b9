"""The store's tables (SQLAlchemy Core), one place for every column.

Seven tables, all keyed by the household:

* ``households``: one row per household (its id and when it was added). Writers
  lock this row (``SELECT ... FOR UPDATE`` on PostgreSQL; SQLite serialises
  writers with ``BEGIN IMMEDIATE``), so two writers of one household land in order.
* ``events``: the append-only log. ``seq`` numbers a household's events from 1;
  ``kind`` says what the event is (:class:`household.store.events.EventKind`),
  ``effective_date`` when it took effect, ``recorded_at`` when the store learnt
  it, ``payload`` the record's fields as JSON (generic, so a new kind of
  transaction needs no migration), ``reverses`` the ``seq`` of the event a
  reversal cancels. ``account_id``, ``symbol`` and ``action`` are copies of
  payload fields, indexed for look-ups. Rows are inserted, never updated.
* ``policies``: the versioned policy, everything of the household file that is
  not lots or history (targets, bands, constraints, costs, tax profile, accounts,
  securities, the review calendar), one JSON document per version.
* ``plans``: every plan made from the store: its JSON, the hash of the household
  document it was made from, the engine version, its parameters and the event
  ``seq`` it reflects.
* ``imports``: every fills file applied, by content hash (a re-import is
  recognised and refused), with the plan it was reconciled against.
* ``reviews`` (revision 0002): the next review date per household, re-armed
  after fills.
* ``ledgers`` (revision 0003): a cache, never the record. The replay of a
  household's events (its open lots, dispositions and wash-sale matches, as
  :func:`household.store.events.ledger_text`) with the event ``seq`` and the
  policy version it reflects; it is used only while both are still the latest,
  and a replay replaces it otherwise. Dropping the table loses nothing.
"""

from __future__ import annotations

import sqlalchemy as sa

metadata = sa.MetaData()

households = sa.Table(
    "households",
    metadata,
    sa.Column("household_id", sa.String(200), primary_key=True),
    sa.Column("created_at", sa.String(40), nullable=False),
)

events = sa.Table(
    "events",
    metadata,
    sa.Column("household_id", sa.String(200), sa.ForeignKey("households.household_id")),
    sa.Column("seq", sa.Integer, nullable=False),
    sa.Column("kind", sa.String(40), nullable=False),
    sa.Column("effective_date", sa.Date, nullable=False),
    sa.Column("recorded_at", sa.String(40), nullable=False),
    sa.Column("account_id", sa.String(200)),
    sa.Column("symbol", sa.String(100)),
    sa.Column("action", sa.String(40)),
    sa.Column("reverses", sa.Integer),
    sa.Column("import_id", sa.Integer),
    sa.Column("payload", sa.Text, nullable=False),
    sa.PrimaryKeyConstraint("household_id", "seq", name="pk_events"),
    sa.Index("ix_events_symbol", "household_id", "symbol"),
    sa.Index("ix_events_date", "household_id", "effective_date"),
)

policies = sa.Table(
    "policies",
    metadata,
    sa.Column("household_id", sa.String(200), sa.ForeignKey("households.household_id")),
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column("recorded_at", sa.String(40), nullable=False),
    sa.Column("document", sa.Text, nullable=False),
    sa.PrimaryKeyConstraint("household_id", "version", name="pk_policies"),
)

plans = sa.Table(
    "plans",
    metadata,
    sa.Column("plan_id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("household_id", sa.String(200), sa.ForeignKey("households.household_id"), index=True),
    sa.Column("kind", sa.String(40), nullable=False),
    sa.Column("as_of", sa.Date, nullable=False),
    sa.Column("recorded_at", sa.String(40), nullable=False),
    sa.Column("event_seq", sa.Integer, nullable=False),
    sa.Column("policy_version", sa.Integer, nullable=False),
    sa.Column("input_hash", sa.String(64), nullable=False),
    sa.Column("engine_version", sa.String(80), nullable=False),
    sa.Column("parameters", sa.Text, nullable=False),
    sa.Column("document", sa.Text, nullable=False),
)

imports = sa.Table(
    "imports",
    metadata,
    sa.Column("import_id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("household_id", sa.String(200), sa.ForeignKey("households.household_id")),
    sa.Column("plan_id", sa.Integer, sa.ForeignKey("plans.plan_id")),
    sa.Column("content_hash", sa.String(64), nullable=False),
    sa.Column("file_name", sa.String(400), nullable=False),
    sa.Column("recorded_at", sa.String(40), nullable=False),
    sa.Column("report", sa.Text, nullable=False),
    sa.UniqueConstraint("household_id", "content_hash", name="uq_imports_content"),
)

reviews = sa.Table(
    "reviews",
    metadata,
    sa.Column(
        "household_id",
        sa.String(200),
        sa.ForeignKey("households.household_id"),
        primary_key=True,
    ),
    sa.Column("next_review", sa.Date, nullable=False),
    sa.Column("armed_at", sa.String(40), nullable=False),
    sa.Column("reason", sa.String(200), nullable=False),
)

ledgers = sa.Table(
    "ledgers",
    metadata,
    sa.Column(
        "household_id", sa.String(200), sa.ForeignKey("households.household_id"), primary_key=True
    ),
    sa.Column("event_seq", sa.Integer, nullable=False),
    sa.Column("policy_version", sa.Integer, nullable=False),
    sa.Column("recorded_at", sa.String(40), nullable=False),
    sa.Column("ledger", sa.Text, nullable=False),
)
