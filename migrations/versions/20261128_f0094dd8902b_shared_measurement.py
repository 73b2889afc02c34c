"""shared measurement

Revision ID: f0094dd8902b
Revises: b249803d8602
Create Date: 2026-11-28 08:21:02.135383
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from participation.database import UTCDateTime  # noqa: F401  (used by columns that keep UTC times)

revision = "f0094dd8902b"
down_revision = "b249803d8602"
branch_labels = None
depends_on = None


def upgrade() -> None:

    op.create_table(
        "program",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.JSON(), nullable=False),
        sa.Column("goal_id", sa.Integer(), nullable=False),
        sa.Column("partner_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["goal_id"], ["vision_goal.id"], name=op.f("fk_program_goal_id_vision_goal"), ondelete="RESTRICT"
        ),
        sa.ForeignKeyConstraint(
            ["partner_id"], ["partner.id"], name=op.f("fk_program_partner_id_partner"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_program")),
    )
    with op.batch_alter_table("program", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_program_goal_id"), ["goal_id"], unique=False)

    op.create_table(
        "indicator",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("goal_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.JSON(), nullable=False),
        sa.Column("definition", sa.JSON(), nullable=False),
        sa.Column("unit", sa.String(length=40), nullable=False),
        sa.Column(
            "polarity",
            sa.Enum("higher", "lower", name="polarity", native_enum=False, length=20),
            nullable=False,
        ),
        sa.Column("source", sa.String(length=200), nullable=False),
        sa.Column("owner_partner_id", sa.Integer(), nullable=True),
        sa.Column("baseline_period", sa.Integer(), nullable=True),
        sa.Column("baseline_value", sa.Double(), nullable=True),
        sa.Column("target_period", sa.Integer(), nullable=True),
        sa.Column("target_value", sa.Double(), nullable=True),
        sa.Column("question_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["goal_id"],
            ["vision_goal.id"],
            name=op.f("fk_indicator_goal_id_vision_goal"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["owner_partner_id"],
            ["partner.id"],
            name=op.f("fk_indicator_owner_partner_id_partner"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["question_id"],
            ["question.id"],
            name=op.f("fk_indicator_question_id_question"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_indicator")),
    )
    with op.batch_alter_table("indicator", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_indicator_goal_id"), ["goal_id"], unique=False)

    op.create_table(
        "program_measure",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("program_id", sa.Integer(), nullable=False),
        sa.Column("period", sa.Integer(), nullable=False),
        sa.Column(
            "question",
            sa.Enum(
                "how_much", "how_well", "better_off", name="programquestion", native_enum=False, length=20
            ),
            nullable=False,
        ),
        sa.Column("label", sa.String(length=200), nullable=False),
        sa.Column("value", sa.Double(), nullable=False),
        sa.Column("unit", sa.String(length=40), nullable=False),
        sa.ForeignKeyConstraint(
            ["program_id"],
            ["program.id"],
            name=op.f("fk_program_measure_program_id_program"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_program_measure")),
        sa.UniqueConstraint(
            "program_id",
            "period",
            "question",
            "label",
            name=op.f("uq_program_measure_program_id_period_question_label"),
        ),
    )
    op.create_table(
        "data_point",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("indicator_id", sa.Integer(), nullable=False),
        sa.Column("period", sa.Integer(), nullable=False),
        sa.Column("value", sa.Double(), nullable=False),
        sa.Column("n", sa.Integer(), nullable=True),
        sa.Column("computed", sa.Boolean(), nullable=False),
        sa.Column(
            "status",
            sa.Enum("pending", "approved", name="pointstatus", native_enum=False, length=20),
            nullable=False,
        ),
        sa.Column("story", sa.JSON(), nullable=False),
        sa.Column("entered_by_id", sa.Integer(), nullable=True),
        sa.Column("approved_by_id", sa.Integer(), nullable=True),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["approved_by_id"],
            ["user_account.id"],
            name=op.f("fk_data_point_approved_by_id_user_account"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["entered_by_id"],
            ["user_account.id"],
            name=op.f("fk_data_point_entered_by_id_user_account"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["indicator_id"],
            ["indicator.id"],
            name=op.f("fk_data_point_indicator_id_indicator"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_data_point")),
        sa.UniqueConstraint("indicator_id", "period", name=op.f("uq_data_point_indicator_id_period")),
    )


def downgrade() -> None:

    op.drop_table("data_point")
    op.drop_table("program_measure")
    with op.batch_alter_table("indicator", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_indicator_goal_id"))

    op.drop_table("indicator")
    with op.batch_alter_table("program", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_program_goal_id"))

    op.drop_table("program")
