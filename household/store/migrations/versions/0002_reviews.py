"""Monitoring: the next review date per household, re-armed after fills.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "reviews",
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


def downgrade() -> None:
    op.drop_table("reviews")
