"""archived cells: the needs map's counts of responses erased at the end of their retention

Revision ID: c4e8a1f09b37
Revises: a7c3e19d5b42
Create Date: 2026-12-02 12:30:00

A new, empty table; nothing is erased by the upgrade. `flask retention` fills it just before it erases
responses past their survey's retention, so the needs map's earlier terms keep their figures.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "c4e8a1f09b37"
down_revision = "a7c3e19d5b42"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "archived_cell",
        sa.Column("term", sa.Integer(), nullable=False),
        sa.Column("age_band", sa.String(length=20), nullable=False),
        sa.Column("gender", sa.String(length=20), nullable=False),
        sa.Column("placement_id", sa.Integer(), nullable=False),
        sa.Column("measure", sa.String(length=24), nullable=False),
        sa.Column("theme_id", sa.Integer(), nullable=False),
        sa.Column("value", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint(
            "term", "age_band", "gender", "placement_id", "measure", "theme_id", name=op.f("pk_archived_cell")
        ),
    )


def downgrade() -> None:
    op.drop_table("archived_cell")
