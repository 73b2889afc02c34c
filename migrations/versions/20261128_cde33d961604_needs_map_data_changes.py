"""needs map data changes, and an index for its quotes

Revision ID: cde33d961604
Revises: 192232eeb475
Create Date: 2026-11-28 10:04:21.602937
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from participation.database import UTCDateTime  # noqa: F401  (used by columns that keep UTC times)

revision = "cde33d961604"
down_revision = "192232eeb475"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "data_change",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("scope", sa.String(length=10), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_data_change")),
    )
    with op.batch_alter_table("text_code", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_text_code_theme_id"))
        batch_op.create_index("ix_text_code_theme_id_answer_id", ["theme_id", "answer_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("text_code", schema=None) as batch_op:
        batch_op.drop_index("ix_text_code_theme_id_answer_id")
        batch_op.create_index(batch_op.f("ix_text_code_theme_id"), ["theme_id"], unique=False)
    op.drop_table("data_change")
