"""forum evening: a prompt per language, hidden results with a reveal, a countdown, each item's language

Revision ID: e5b7d0c3a918
Revises: e5b17c3a9d20
Create Date: 2026-12-02 13:00:00

Existing sessions keep showing their results (results_hidden false) and have no countdown; existing items
keep the base language of their session as their own (language NULL means exactly that).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from participation.database import UTCDateTime

revision = "e5b7d0c3a918"
down_revision = "e5b17c3a9d20"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("forum_session", schema=None) as batch_op:
        batch_op.add_column(sa.Column("prompt", sa.JSON(), nullable=False, server_default="{}"))
        batch_op.add_column(
            sa.Column("results_hidden", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch_op.add_column(sa.Column("deadline", UTCDateTime(), nullable=True))
        batch_op.create_check_constraint(
            batch_op.f("ck_forum_session_deadline_only_when_open"), "deadline IS NULL OR status = 'open'"
        )
    with op.batch_alter_table("forum_item", schema=None) as batch_op:
        batch_op.add_column(sa.Column("language", sa.String(length=10), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("forum_item", schema=None) as batch_op:
        batch_op.drop_column("language")
    with op.batch_alter_table("forum_session", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_forum_session_deadline_only_when_open"), type_="check")
        batch_op.drop_column("deadline")
        batch_op.drop_column("results_hidden")
        batch_op.drop_column("prompt")
