"""results move in releases: a release table, and each response's release

Revision ID: 3f1c0de5a1e5
Revises: cde33d961604
Create Date: 2026-12-02 06:10:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from participation.database import UTCDateTime

revision = "3f1c0de5a1e5"
down_revision = "cde33d961604"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "result_release",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("released_hour", UTCDateTime(), nullable=False),
        sa.Column("responses", sa.Integer(), nullable=False),
        sa.CheckConstraint("responses >= 0", name=op.f("ck_result_release_responses_not_negative")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_result_release")),
    )
    with op.batch_alter_table("response", schema=None) as batch_op:
        batch_op.add_column(sa.Column("release_id", sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f("ix_response_release_id"), ["release_id"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_response_release_id_result_release"), "result_release", ["release_id"], ["id"]
        )


def downgrade() -> None:
    with op.batch_alter_table("response", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_response_release_id_result_release"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_response_release_id"))
        batch_op.drop_column("release_id")
    op.drop_table("result_release")
