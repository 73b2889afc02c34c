"""offer incomplete languages: a survey remembers that staff chose to offer half-translated languages

Revision ID: e5b17c3a9d20
Revises: b81d4c6e2f07
Create Date: 2026-12-02 13:00:00

Every existing survey starts with the careful choice: only fully translated languages are offered.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "e5b17c3a9d20"
down_revision = "b81d4c6e2f07"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("survey") as batch:
        batch.add_column(
            sa.Column("offer_incomplete", sa.Boolean(), server_default=sa.false(), nullable=False)
        )


def downgrade() -> None:
    with op.batch_alter_table("survey") as batch:
        batch.drop_column("offer_incomplete")
