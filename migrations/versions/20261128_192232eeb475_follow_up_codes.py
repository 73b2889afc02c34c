"""follow-up codes

Revision ID: 192232eeb475
Revises: f0094dd8902b
Create Date: 2026-11-28 08:22:55.439142
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from participation.database import UTCDateTime  # noqa: F401  (used by columns that keep UTC times)

revision = "192232eeb475"
down_revision = "f0094dd8902b"
branch_labels = None
depends_on = None


def upgrade() -> None:

    op.create_table(
        "follow_up",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code_hash", sa.String(length=64), nullable=False),
        sa.Column("consent_version", sa.String(length=20), nullable=False),
        sa.Column("created_hour", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_follow_up")),
        sa.UniqueConstraint("code_hash", name=op.f("uq_follow_up_code_hash")),
    )
    with op.batch_alter_table("response", schema=None) as batch_op:
        batch_op.add_column(sa.Column("follow_up_id", sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f("ix_response_follow_up_id"), ["follow_up_id"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_response_follow_up_id_follow_up"),
            "follow_up",
            ["follow_up_id"],
            ["id"],
            ondelete="SET NULL",
        )


def downgrade() -> None:

    with op.batch_alter_table("response", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_response_follow_up_id_follow_up"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_response_follow_up_id"))
        batch_op.drop_column("follow_up_id")

    op.drop_table("follow_up")
