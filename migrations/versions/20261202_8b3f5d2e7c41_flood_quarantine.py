"""flood quarantine: held responses, votes, topics and joins, the bursts they came in, a topic cap per person

Revision ID: 8b3f5d2e7c41
Revises: 4a7e2c91b0d3
Create Date: 2026-12-02 06:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from participation.database import UTCDateTime

revision = "8b3f5d2e7c41"
down_revision = "4a7e2c91b0d3"
branch_labels = None
depends_on = None

_HELD = ("response", "forum_vote", "forum_item", "forum_participant")


def upgrade() -> None:
    op.create_table(
        "flood_burst",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum("survey", "forum", name="burstkind", native_enum=False, length=20),
            nullable=False,
        ),
        sa.Column("scope_id", sa.Integer(), nullable=False),
        sa.Column("started_hour", UTCDateTime(), nullable=False),
        sa.Column("last_hour", UTCDateTime(), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column(
            "status",
            sa.Enum("open", "released", "discarded", name="burststatus", native_enum=False, length=20),
            nullable=False,
        ),
        sa.Column("decided_at", UTCDateTime(), nullable=True),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.CheckConstraint("count >= 0", name=op.f("ck_flood_burst_count_not_negative")),
        sa.CheckConstraint(
            "(status = 'open') = (decided_at IS NULL)", name=op.f("ck_flood_burst_decided_when_closed")
        ),
        sa.ForeignKeyConstraint(
            ["decided_by_id"],
            ["user_account.id"],
            name=op.f("fk_flood_burst_decided_by_id_user_account"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_flood_burst")),
    )
    op.create_index(
        "ix_flood_burst_one_open",
        "flood_burst",
        ["kind", "scope_id"],
        unique=True,
        sqlite_where=sa.text("status = 'open'"),
        postgresql_where=sa.text("status = 'open'"),
    )
    for table in _HELD:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(
                sa.Column("quarantined", sa.Boolean(), server_default=sa.false(), nullable=False)
            )
    with op.batch_alter_table("forum_participant", schema=None) as batch_op:
        batch_op.add_column(sa.Column("proposals_made", sa.Integer(), server_default="0", nullable=False))
        batch_op.create_check_constraint(
            op.f("ck_forum_participant_proposals_made_not_negative"), "proposals_made >= 0"
        )
    with op.batch_alter_table("forum_session", schema=None) as batch_op:
        batch_op.add_column(sa.Column("proposals_per_person", sa.Integer(), nullable=True))
        batch_op.create_check_constraint(
            op.f("ck_forum_session_proposals_per_person_positive"),
            "proposals_per_person IS NULL OR proposals_per_person >= 1",
        )


def downgrade() -> None:
    with op.batch_alter_table("forum_session", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_forum_session_proposals_per_person_positive"), type_="check")
        batch_op.drop_column("proposals_per_person")
    with op.batch_alter_table("forum_participant", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_forum_participant_proposals_made_not_negative"), type_="check")
        batch_op.drop_column("proposals_made")
    for table in reversed(_HELD):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column("quarantined")
    op.drop_index("ix_flood_burst_one_open", table_name="flood_burst")
    op.drop_table("flood_burst")
