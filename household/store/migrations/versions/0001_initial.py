"""The first store: households, the event log, policy versions, plans, fills imports.

Revision ID: 0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "households",
        sa.Column("household_id", sa.String(200), primary_key=True),
        sa.Column("created_at", sa.String(40), nullable=False),
    )
    op.create_table(
        "events",
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
    )
    op.create_index("ix_events_symbol", "events", ["household_id", "symbol"])
    op.create_index("ix_events_date", "events", ["household_id", "effective_date"])
    op.create_table(
        "policies",
        sa.Column("household_id", sa.String(200), sa.ForeignKey("households.household_id")),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("recorded_at", sa.String(40), nullable=False),
        sa.Column("document", sa.Text, nullable=False),
        sa.PrimaryKeyConstraint("household_id", "version", name="pk_policies"),
    )
    op.create_table(
        "plans",
        sa.Column("plan_id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("household_id", sa.String(200), sa.ForeignKey("households.household_id")),
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
    op.create_index("ix_plans_household_id", "plans", ["household_id"])
    op.create_table(
        "imports",
        sa.Column("import_id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("household_id", sa.String(200), sa.ForeignKey("households.household_id")),
        sa.Column("plan_id", sa.Integer, sa.ForeignKey("plans.plan_id")),
        sa.Column("content_hash", sa.String(64), nullable=False),
        sa.Column("file_name", sa.String(400), nullable=False),
        sa.Column("recorded_at", sa.String(40), nullable=False),
        sa.Column("report", sa.Text, nullable=False),
        sa.UniqueConstraint("household_id", "content_hash", name="uq_imports_content"),
    )


def downgrade() -> None:
    op.drop_table("imports")
    op.drop_table("plans")
    op.drop_table("policies")
    op.drop_index("ix_events_date", "events")
    op.drop_index("ix_events_symbol", "events")
    op.drop_table("events")
    op.drop_table("households")
