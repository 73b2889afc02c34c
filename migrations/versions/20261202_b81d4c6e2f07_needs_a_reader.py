"""needs a reader: a moderator marks a free text for a colleague who reads its language

Revision ID: b81d4c6e2f07
Revises: c4e8a1f09b37
Create Date: 2026-12-02 12:40:00

Every existing answer starts unmarked. The mark says nothing about the participant, only that the text
waits for someone who reads the language it was written in.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "b81d4c6e2f07"
down_revision = "c4e8a1f09b37"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("answer") as batch:
        batch.add_column(sa.Column("needs_reader", sa.Boolean(), server_default=sa.false(), nullable=False))


def downgrade() -> None:
    with op.batch_alter_table("answer") as batch:
        batch.drop_column("needs_reader")
