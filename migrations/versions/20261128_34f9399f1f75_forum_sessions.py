"""forum sessions

Revision ID: 34f9399f1f75
Revises: f7e0c1bc15bf
Create Date: 2026-11-28 08:06:34.751449
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from participation.database import UTCDateTime  # noqa: F401  (used by columns that keep UTC times)

revision = "34f9399f1f75"
down_revision = "f7e0c1bc15bf"
branch_labels = None
depends_on = None


def upgrade() -> None:

    op.create_table(
        "forum_session",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=16), nullable=False),
        sa.Column(
            "mode",
            sa.Enum("topics", "dots", "statements", "poll", name="forummode", native_enum=False, length=20),
            nullable=False,
        ),
        sa.Column(
            "status",
            sa.Enum("open", "closed", name="sessionstatus", native_enum=False, length=20),
            nullable=False,
        ),
        sa.Column("title", sa.JSON(), nullable=False),
        sa.Column("base_language", sa.String(length=10), nullable=False),
        sa.Column("languages", sa.JSON(), nullable=False),
        sa.Column("dots_per_person", sa.Integer(), nullable=True),
        sa.Column("several_dots_per_item", sa.Boolean(), nullable=False),
        sa.Column("requires_approval", sa.Boolean(), nullable=False),
        sa.Column("proposals_open", sa.Boolean(), nullable=False),
        sa.Column("voting_open", sa.Boolean(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("closed_at", UTCDateTime(), nullable=True),
        sa.CheckConstraint(
            "dots_per_person IS NULL OR dots_per_person >= 1", name=op.f("ck_forum_session_dots_positive")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_forum_session")),
        sa.UniqueConstraint("code", name=op.f("uq_forum_session_code")),
    )
    op.create_table(
        "forum_item",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("text", sa.JSON(), nullable=False),
        sa.Column("proposed", sa.Boolean(), nullable=False),
        sa.Column(
            "status",
            sa.Enum("pending", "approved", "hidden", name="itemstatus", native_enum=False, length=20),
            nullable=False,
        ),
        sa.Column("flags", sa.JSON(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["forum_session.id"],
            name=op.f("fk_forum_item_session_id_forum_session"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_forum_item")),
    )
    with op.batch_alter_table("forum_item", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_forum_item_session_id"), ["session_id"], unique=False)

    op.create_table(
        "forum_participant",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("participant_hash", sa.String(length=64), nullable=False),
        sa.Column("dots_allowed", sa.Integer(), nullable=True),
        sa.Column("dots_used", sa.Integer(), nullable=False),
        sa.Column("joined_hour", UTCDateTime(), nullable=False),
        sa.CheckConstraint(
            "dots_used >= 0 AND (dots_allowed IS NULL OR dots_used <= dots_allowed)",
            name=op.f("ck_forum_participant_dot_budget"),
        ),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["forum_session.id"],
            name=op.f("fk_forum_participant_session_id_forum_session"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_forum_participant")),
        sa.UniqueConstraint(
            "session_id", "participant_hash", name=op.f("uq_forum_participant_session_id_participant_hash")
        ),
    )
    op.create_table(
        "forum_item_theme",
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("theme_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["item_id"],
            ["forum_item.id"],
            name=op.f("fk_forum_item_theme_item_id_forum_item"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["theme_id"], ["theme.id"], name=op.f("fk_forum_item_theme_theme_id_theme"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("item_id", "theme_id", name=op.f("pk_forum_item_theme")),
    )
    op.create_table(
        "forum_vote",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("participant_id", sa.Integer(), nullable=False),
        sa.Column("weight", sa.Integer(), nullable=False),
        sa.Column("value", sa.Integer(), nullable=False),
        sa.CheckConstraint("value IN (-1, 0, 1)", name=op.f("ck_forum_vote_value_range")),
        sa.CheckConstraint("weight >= 1", name=op.f("ck_forum_vote_weight_positive")),
        sa.ForeignKeyConstraint(
            ["item_id"], ["forum_item.id"], name=op.f("fk_forum_vote_item_id_forum_item"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["participant_id"],
            ["forum_participant.id"],
            name=op.f("fk_forum_vote_participant_id_forum_participant"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["forum_session.id"],
            name=op.f("fk_forum_vote_session_id_forum_session"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_forum_vote")),
        sa.UniqueConstraint("item_id", "participant_id", name=op.f("uq_forum_vote_item_id_participant_id")),
    )
    with op.batch_alter_table("forum_vote", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_forum_vote_participant_id"), ["participant_id"], unique=False)
        batch_op.create_index("ix_forum_vote_session_id_item_id", ["session_id", "item_id"], unique=False)

    with op.batch_alter_table("placement", schema=None) as batch_op:
        batch_op.add_column(sa.Column("forum_session_id", sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f("ix_placement_forum_session_id"), ["forum_session_id"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_placement_forum_session_id_forum_session"),
            "forum_session",
            ["forum_session_id"],
            ["id"],
            ondelete="SET NULL",
        )


def downgrade() -> None:

    with op.batch_alter_table("placement", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_placement_forum_session_id_forum_session"), type_="foreignkey"
        )
        batch_op.drop_index(batch_op.f("ix_placement_forum_session_id"))
        batch_op.drop_column("forum_session_id")

    with op.batch_alter_table("forum_vote", schema=None) as batch_op:
        batch_op.drop_index("ix_forum_vote_session_id_item_id")
        batch_op.drop_index(batch_op.f("ix_forum_vote_participant_id"))

    op.drop_table("forum_vote")
    op.drop_table("forum_item_theme")
    op.drop_table("forum_participant")
    with op.batch_alter_table("forum_item", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_forum_item_session_id"))

    op.drop_table("forum_item")
    op.drop_table("forum_session")
