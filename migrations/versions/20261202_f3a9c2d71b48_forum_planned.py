"""forum: when a session is planned (the staff home's "next forum session"); a proposal's "needs a reader"

Revision ID: f3a9c2d71b48
Revises: e5b7d0c3a918
Create Date: 2026-12-02 15:30:00

Existing sessions have no planned time: an open one counts as running, as before. No proposal is marked
for a reader of its language yet.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from participation.database import UTCDateTime

revision = "f3a9c2d71b48"
down_revision = "e5b7d0c3a918"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("forum_session", schema=None) as batch_op:
        batch_op.add_column(sa.Column("planned_at", UTCDateTime(), nullable=True))
    with op.batch_alter_table("forum_item", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("needs_reader", sa.Boolean(), nullable=False, server_default=sa.false())
        )


def downgrade() -> None:
    with op.batch_alter_table("forum_item", schema=None) as batch_op:
        batch_op.drop_column("needs_reader")
    with op.batch_alter_table("forum_session", schema=None) as batch_op:
        batch_op.drop_column("planned_at")
