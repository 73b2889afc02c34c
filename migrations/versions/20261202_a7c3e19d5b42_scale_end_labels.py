"""scale end labels: a scale question's own words for its low and high end, per language

Revision ID: a7c3e19d5b42
Revises: 5e74d6659b8e
Create Date: 2026-12-02 10:30:00

Both columns are empty for every existing question, which keeps showing the generic words. Stored
answers are untouched: a scale answer stays a point from 1 to 5.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "a7c3e19d5b42"
down_revision = "5e74d6659b8e"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("question") as batch:
        batch.add_column(sa.Column("scale_low", sa.JSON(), nullable=True))
        batch.add_column(sa.Column("scale_high", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("question") as batch:
        batch.drop_column("scale_high")
        batch.drop_column("scale_low")
