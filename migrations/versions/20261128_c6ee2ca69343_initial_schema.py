"""initial schema

Revision ID: c6ee2ca69343
Revises:
Create Date: 2026-11-28 07:22:00.656918
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from participation.database import UTCDateTime

revision = "c6ee2ca69343"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "partner",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_partner")),
        sa.UniqueConstraint("name", name=op.f("uq_partner_name")),
    )
    op.create_table(
        "survey",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("slug", sa.String(length=80), nullable=False),
        sa.Column(
            "status",
            sa.Enum("draft", "published", "archived", name="surveystatus", native_enum=False, length=20),
            nullable=False,
        ),
        sa.Column("base_language", sa.String(length=10), nullable=False),
        sa.Column("languages", sa.JSON(), nullable=False),
        sa.Column("title", sa.JSON(), nullable=False),
        sa.Column("intro", sa.JSON(), nullable=False),
        sa.Column("thanks", sa.JSON(), nullable=False),
        sa.Column("profile_fields", sa.JSON(), nullable=False),
        sa.Column("opens_at", UTCDateTime(), nullable=True),
        sa.Column("closes_at", UTCDateTime(), nullable=True),
        sa.Column("retention_days", sa.Integer(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_survey")),
        sa.UniqueConstraint("slug", name=op.f("uq_survey_slug")),
    )
    op.create_table(
        "vision_goal",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("slug", sa.String(length=60), nullable=False),
        sa.Column("name", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_vision_goal")),
        sa.UniqueConstraint("slug", name=op.f("uq_vision_goal_slug")),
    )
    op.create_table(
        "placement",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=16), nullable=False),
        sa.Column("survey_id", sa.Integer(), nullable=True),
        sa.Column("place", sa.String(length=120), nullable=False),
        sa.Column("language", sa.String(length=10), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("retired_at", UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["survey_id"], ["survey.id"], name=op.f("fk_placement_survey_id_survey"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_placement")),
        sa.UniqueConstraint("code", name=op.f("uq_placement_code")),
    )
    with op.batch_alter_table("placement", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_placement_survey_id"), ["survey_id"], unique=False)

    op.create_table(
        "question",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("survey_id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=60), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "single_choice",
                "multiple_choice",
                "scale",
                "yes_no",
                "ranking",
                "free_text",
                "number",
                name="questionkind",
                native_enum=False,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("prompt", sa.JSON(), nullable=False),
        sa.Column("required", sa.Boolean(), nullable=False),
        sa.Column("max_choices", sa.Integer(), nullable=True),
        sa.Column("min_value", sa.Integer(), nullable=True),
        sa.Column("max_value", sa.Integer(), nullable=True),
        sa.Column("show_if_option_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["survey_id"], ["survey.id"], name=op.f("fk_question_survey_id_survey"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_question")),
        sa.UniqueConstraint("survey_id", "key", name=op.f("uq_question_survey_id_key")),
    )
    with op.batch_alter_table("question", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_question_survey_id"), ["survey_id"], unique=False)

    op.create_table(
        "theme",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("slug", sa.String(length=60), nullable=False),
        sa.Column("goal_id", sa.Integer(), nullable=False),
        sa.Column("parent_id", sa.Integer(), nullable=True),
        sa.Column("colour", sa.String(length=7), nullable=False),
        sa.Column("name", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["goal_id"], ["vision_goal.id"], name=op.f("fk_theme_goal_id_vision_goal"), ondelete="RESTRICT"
        ),
        sa.ForeignKeyConstraint(
            ["parent_id"], ["theme.id"], name=op.f("fk_theme_parent_id_theme"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_theme")),
        sa.UniqueConstraint("slug", name=op.f("uq_theme_slug")),
    )
    with op.batch_alter_table("theme", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_theme_goal_id"), ["goal_id"], unique=False)

    op.create_table(
        "user_account",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("password_hash", sa.String(length=255), nullable=False),
        sa.Column(
            "role",
            sa.Enum("admin", "staff", "analyst", name="role", native_enum=False, length=20),
            nullable=False,
        ),
        sa.Column("partner_id", sa.Integer(), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("failed_logins", sa.Integer(), nullable=False),
        sa.Column("locked_until", UTCDateTime(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["partner_id"],
            ["partner.id"],
            name=op.f("fk_user_account_partner_id_partner"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_user_account")),
        sa.UniqueConstraint("email", name=op.f("uq_user_account_email")),
    )
    with op.batch_alter_table("user_account", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_user_account_partner_id"), ["partner_id"], unique=False)

    op.create_table(
        "option",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("question_id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=60), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("label", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["question_id"], ["question.id"], name=op.f("fk_option_question_id_question"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_option")),
        sa.UniqueConstraint("question_id", "key", name=op.f("uq_option_question_id_key")),
    )
    with op.batch_alter_table("option", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_option_question_id"), ["question_id"], unique=False)

    # question.show_if_option_id and option.question_id refer to each other: add this key last.
    with op.batch_alter_table("question", schema=None) as batch_op:
        batch_op.create_foreign_key(
            batch_op.f("fk_question_show_if_option_id_option"),
            "option",
            ["show_if_option_id"],
            ["id"],
            ondelete="SET NULL",
        )

    op.create_table(
        "placement_scan",
        sa.Column("placement_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["placement_id"],
            ["placement.id"],
            name=op.f("fk_placement_scan_placement_id_placement"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("placement_id", "day", name=op.f("pk_placement_scan")),
    )
    op.create_table(
        "question_theme",
        sa.Column("question_id", sa.Integer(), nullable=False),
        sa.Column("theme_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["question_id"],
            ["question.id"],
            name=op.f("fk_question_theme_question_id_question"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["theme_id"], ["theme.id"], name=op.f("fk_question_theme_theme_id_theme"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("question_id", "theme_id", name=op.f("pk_question_theme")),
    )
    op.create_table(
        "response",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("survey_id", sa.Integer(), nullable=False),
        sa.Column("placement_id", sa.Integer(), nullable=True),
        sa.Column("respondent_hash", sa.String(length=64), nullable=True),
        sa.Column("idempotency_key", sa.String(length=64), nullable=False),
        sa.Column("submitted_hour", UTCDateTime(), nullable=False),
        sa.Column("language", sa.String(length=10), nullable=False),
        sa.Column("age_band", sa.String(length=20), nullable=True),
        sa.Column("gender", sa.String(length=20), nullable=True),
        sa.Column("lives_in_area", sa.String(length=20), nullable=True),
        sa.ForeignKeyConstraint(
            ["placement_id"],
            ["placement.id"],
            name=op.f("fk_response_placement_id_placement"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["survey_id"], ["survey.id"], name=op.f("fk_response_survey_id_survey"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_response")),
        sa.UniqueConstraint("idempotency_key", name=op.f("uq_response_idempotency_key")),
        sa.UniqueConstraint(
            "survey_id", "respondent_hash", name=op.f("uq_response_survey_id_respondent_hash")
        ),
    )
    with op.batch_alter_table("response", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_response_placement_id"), ["placement_id"], unique=False)
        batch_op.create_index(
            "ix_response_survey_id_submitted_hour", ["survey_id", "submitted_hour"], unique=False
        )

    op.create_table(
        "answer",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("response_id", sa.Integer(), nullable=False),
        sa.Column("question_id", sa.Integer(), nullable=False),
        sa.Column("option_id", sa.Integer(), nullable=True),
        sa.Column("rank", sa.SmallInteger(), nullable=True),
        sa.Column("value_int", sa.Integer(), nullable=True),
        sa.Column("text_value", sa.Text(), nullable=True),
        sa.Column(
            "moderation_status",
            sa.Enum(
                "pending",
                "approved",
                "hidden",
                "redacted",
                name="moderationstatus",
                native_enum=False,
                length=20,
            ),
            nullable=True,
        ),
        sa.CheckConstraint("rank IS NULL OR (rank >= 1 AND rank <= 3)", name=op.f("ck_answer_rank_range")),
        sa.ForeignKeyConstraint(
            ["option_id"], ["option.id"], name=op.f("fk_answer_option_id_option"), ondelete="RESTRICT"
        ),
        sa.ForeignKeyConstraint(
            ["question_id"], ["question.id"], name=op.f("fk_answer_question_id_question"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["response_id"], ["response.id"], name=op.f("fk_answer_response_id_response"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_answer")),
        sa.UniqueConstraint(
            "response_id",
            "question_id",
            "option_id",
            name=op.f("uq_answer_response_id_question_id_option_id"),
        ),
    )
    with op.batch_alter_table("answer", schema=None) as batch_op:
        batch_op.create_index("ix_answer_question_id_option_id", ["question_id", "option_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_answer_response_id"), ["response_id"], unique=False)

    op.create_table(
        "option_theme",
        sa.Column("option_id", sa.Integer(), nullable=False),
        sa.Column("theme_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["option_id"], ["option.id"], name=op.f("fk_option_theme_option_id_option"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["theme_id"], ["theme.id"], name=op.f("fk_option_theme_theme_id_theme"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("option_id", "theme_id", name=op.f("pk_option_theme")),
    )


def downgrade() -> None:
    with op.batch_alter_table("question", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_question_show_if_option_id_option"), type_="foreignkey")
    op.drop_table("option_theme")
    with op.batch_alter_table("answer", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_answer_response_id"))
        batch_op.drop_index("ix_answer_question_id_option_id")

    op.drop_table("answer")
    with op.batch_alter_table("response", schema=None) as batch_op:
        batch_op.drop_index("ix_response_survey_id_submitted_hour")
        batch_op.drop_index(batch_op.f("ix_response_placement_id"))

    op.drop_table("response")
    op.drop_table("question_theme")
    op.drop_table("placement_scan")
    with op.batch_alter_table("option", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_option_question_id"))

    op.drop_table("option")
    with op.batch_alter_table("user_account", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_user_account_partner_id"))

    op.drop_table("user_account")
    with op.batch_alter_table("theme", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_theme_goal_id"))

    op.drop_table("theme")
    with op.batch_alter_table("question", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_question_survey_id"))

    op.drop_table("question")
    with op.batch_alter_table("placement", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_placement_survey_id"))

    op.drop_table("placement")
    op.drop_table("vision_goal")
    op.drop_table("survey")
    op.drop_table("partner")
