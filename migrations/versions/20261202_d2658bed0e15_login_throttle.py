"""failed logins throttled per (e-mail, client address) pair instead of locking the account

Revision ID: d2658bed0e15
Revises: 3f1c0de5a1e5
Create Date: 2026-12-02 06:10:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from participation.database import UTCDateTime

revision = "d2658bed0e15"
down_revision = "3f1c0de5a1e5"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "login_throttle",
        sa.Column("pair_hash", sa.String(length=64), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("blocked_until", UTCDateTime(), nullable=True),
        sa.Column("last_attempt", UTCDateTime(), nullable=False),
        sa.CheckConstraint("failures >= 0", name=op.f("ck_login_throttle_failures_not_negative")),
        sa.PrimaryKeyConstraint("pair_hash", name=op.f("pk_login_throttle")),
    )
    with op.batch_alter_table("login_throttle", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_login_throttle_last_attempt"), ["last_attempt"], unique=False)
    # The account-wide lock is gone: anyone could trigger it with five wrong passwords.
    with op.batch_alter_table("user_account", schema=None) as batch_op:
        batch_op.drop_column("locked_until")
        batch_op.drop_column("failed_logins")


def downgrade() -> None:
    with op.batch_alter_table("user_account", schema=None) as batch_op:
        batch_op.add_column(sa.Column("failed_logins", sa.Integer(), nullable=False, server_default="0"))
        batch_op.add_column(sa.Column("locked_until", UTCDateTime(), nullable=True))
    with op.batch_alter_table("user_account", schema=None) as batch_op:
        batch_op.alter_column("failed_logins", server_default=None)
    with op.batch_alter_table("login_throttle", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_login_throttle_last_attempt"))
    op.drop_table("login_throttle")
