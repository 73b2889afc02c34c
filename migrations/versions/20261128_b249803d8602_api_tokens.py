"""api tokens

Revision ID: b249803d8602
Revises: 9689f44f0aa2
Create Date: 2026-11-28 08:16:30.717150
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from participation.database import UTCDateTime  # noqa: F401  (used by columns that keep UTC times)

revision = "b249803d8602"
down_revision = "9689f44f0aa2"
branch_labels = None
depends_on = None


def upgrade() -> None:

    op.create_table(
        "api_token",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("partner_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("last_used_day", UTCDateTime(), nullable=True),
        sa.Column("revoked_at", UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["partner_id"], ["partner.id"], name=op.f("fk_api_token_partner_id_partner"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_token")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_api_token_token_hash")),
    )
    with op.batch_alter_table("api_token", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_api_token_partner_id"), ["partner_id"], unique=False)


def downgrade() -> None:

    with op.batch_alter_table("api_token", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_api_token_partner_id"))

    op.drop_table("api_token")
