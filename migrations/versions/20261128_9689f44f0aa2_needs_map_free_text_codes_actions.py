"""needs map, free-text codes, actions

Revision ID: 9689f44f0aa2
Revises: 34f9399f1f75
Create Date: 2026-11-28 08:09:47.342287
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from participation.database import UTCDateTime  # noqa: F401  (used by columns that keep UTC times)

revision = "9689f44f0aa2"
down_revision = "34f9399f1f75"
branch_labels = None
depends_on = None


def upgrade() -> None:

    op.create_table(
        "codebook_version",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("note", sa.String(length=200), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_codebook_version")),
    )
    op.create_table(
        "population_figure",
        sa.Column("age_band", sa.String(length=20), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(length=200), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("age_band", name=op.f("pk_population_figure")),
    )
    op.create_table(
        "action",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("title", sa.JSON(), nullable=False),
        sa.Column("text", sa.JSON(), nullable=False),
        sa.Column("reason", sa.JSON(), nullable=False),
        sa.Column("has_reason", sa.Boolean(), nullable=False),
        sa.Column("base_language", sa.String(length=10), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "heard",
                "decided",
                "in_progress",
                "done",
                "not_possible",
                name="actionstatus",
                native_enum=False,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("partner_id", sa.Integer(), nullable=True),
        sa.Column("decided_on", sa.Date(), nullable=False),
        sa.Column("published", sa.Boolean(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.CheckConstraint(
            "status != 'not_possible' OR has_reason", name=op.f("ck_action_reason_when_not_possible")
        ),
        sa.ForeignKeyConstraint(
            ["partner_id"], ["partner.id"], name=op.f("fk_action_partner_id_partner"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_action")),
    )
    with op.batch_alter_table("action", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_action_partner_id"), ["partner_id"], unique=False)
        batch_op.create_index("ix_action_published_decided_on", ["published", "decided_on"], unique=False)

    op.create_table(
        "action_forum_item",
        sa.Column("action_id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["action_id"],
            ["action.id"],
            name=op.f("fk_action_forum_item_action_id_action"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["item_id"],
            ["forum_item.id"],
            name=op.f("fk_action_forum_item_item_id_forum_item"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("action_id", "item_id", name=op.f("pk_action_forum_item")),
    )
    op.create_table(
        "action_theme",
        sa.Column("action_id", sa.Integer(), nullable=False),
        sa.Column("theme_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["action_id"], ["action.id"], name=op.f("fk_action_theme_action_id_action"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["theme_id"], ["theme.id"], name=op.f("fk_action_theme_theme_id_theme"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("action_id", "theme_id", name=op.f("pk_action_theme")),
    )
    op.create_table(
        "text_code",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("answer_id", sa.Integer(), nullable=False),
        sa.Column("theme_id", sa.Integer(), nullable=False),
        sa.Column("codebook_version_id", sa.Integer(), nullable=False),
        sa.Column("coder_id", sa.Integer(), nullable=True),
        sa.Column("coded_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["answer_id"], ["answer.id"], name=op.f("fk_text_code_answer_id_answer"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["codebook_version_id"],
            ["codebook_version.id"],
            name=op.f("fk_text_code_codebook_version_id_codebook_version"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["coder_id"],
            ["user_account.id"],
            name=op.f("fk_text_code_coder_id_user_account"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["theme_id"], ["theme.id"], name=op.f("fk_text_code_theme_id_theme"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_text_code")),
        sa.UniqueConstraint("answer_id", "theme_id", name=op.f("uq_text_code_answer_id_theme_id")),
    )
    with op.batch_alter_table("text_code", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_text_code_answer_id"), ["answer_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_text_code_theme_id"), ["theme_id"], unique=False)


def downgrade() -> None:

    with op.batch_alter_table("text_code", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_text_code_theme_id"))
        batch_op.drop_index(batch_op.f("ix_text_code_answer_id"))

    op.drop_table("text_code")
    op.drop_table("action_theme")
    op.drop_table("action_forum_item")
    with op.batch_alter_table("action", schema=None) as batch_op:
        batch_op.drop_index("ix_action_published_decided_on")
        batch_op.drop_index(batch_op.f("ix_action_partner_id"))

    op.drop_table("action")
    op.drop_table("population_figure")
    op.drop_table("codebook_version")
