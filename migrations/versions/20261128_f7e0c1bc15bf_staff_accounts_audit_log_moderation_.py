"""staff accounts, audit log, moderation flags

Revision ID: f7e0c1bc15bf
Revises: c6ee2ca69343
Create Date: 2026-11-28 07:43:40.413759
"""

from __future__ import annotations

import secrets

import sqlalchemy as sa
from alembic import op

from participation.database import UTCDateTime

revision = "f7e0c1bc15bf"
down_revision = "c6ee2ca69343"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "audit_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("action", sa.String(length=40), nullable=False),
        sa.Column("object_type", sa.String(length=40), nullable=False),
        sa.Column("object_id", sa.Integer(), nullable=True),
        sa.Column("detail", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user_account.id"],
            name=op.f("fk_audit_event_user_id_user_account"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_event")),
    )
    with op.batch_alter_table("audit_event", schema=None) as batch_op:
        batch_op.create_index("ix_audit_event_at", ["at"], unique=False)
        batch_op.create_index(batch_op.f("ix_audit_event_user_id"), ["user_id"], unique=False)

    with op.batch_alter_table("answer", schema=None) as batch_op:
        batch_op.add_column(sa.Column("flags", sa.JSON(), nullable=True))

    # Every existing account gets its own random session token before the column becomes required.
    with op.batch_alter_table("user_account", schema=None) as batch_op:
        batch_op.add_column(sa.Column("session_token", sa.String(length=64), nullable=True))
    connection = op.get_bind()
    accounts = sa.table("user_account", sa.column("id", sa.Integer), sa.column("session_token", sa.String))
    for (account_id,) in connection.execute(sa.select(accounts.c.id)).all():
        connection.execute(
            accounts.update().where(accounts.c.id == account_id).values(session_token=secrets.token_hex(16))
        )
    with op.batch_alter_table("user_account", schema=None) as batch_op:
        batch_op.alter_column("session_token", existing_type=sa.String(length=64), nullable=False)


def downgrade() -> None:
    with op.batch_alter_table("user_account", schema=None) as batch_op:
        batch_op.drop_column("session_token")

    with op.batch_alter_table("answer", schema=None) as batch_op:
        batch_op.drop_column("flags")

    with op.batch_alter_table("audit_event", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_audit_event_user_id"))
        batch_op.drop_index("ix_audit_event_at")

    op.drop_table("audit_event")
