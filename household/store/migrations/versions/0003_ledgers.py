"""A cache of each household's replay (lots, dispositions, matches) at an event seq.

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "ledgers",
        sa.Column(
            "household_id",
            sa.String(200),
            sa.ForeignKey("households.household_id"),
            primary_key=True,
        ),
        sa.Column("event_seq", sa.Integer, nullable=False),
        sa.Column("policy_version", sa.Integer, nullable=False),
        sa.Column("recorded_at", sa.String(40), nullable=False),
        sa.Column("ledger", sa.Text, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("ledgers")
