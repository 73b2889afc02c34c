"""forum: indexes that hold everything a session's counts read, so counting never visits the rows

Revision ID: a7c31e5d9f24
Revises: f3a9c2d71b48
Create Date: 2026-12-02 15:40:00

Every phone's page and every results.json body counts the session's votes and participants again (issue
15, point 6). With (session_id, item_id, value, quarantined, weight) the vote counts are read from the
index alone, in the order they are grouped by; it replaces (session_id, item_id), its prefix. The
participants are counted from (session_id, quarantined). No data changes.
"""

from __future__ import annotations

from alembic import op

revision = "a7c31e5d9f24"
down_revision = "f3a9c2d71b48"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(
        "ix_forum_vote_session_counts",
        "forum_vote",
        ["session_id", "item_id", "value", "quarantined", "weight"],
        unique=False,
    )
    op.drop_index("ix_forum_vote_session_id_item_id", table_name="forum_vote")
    op.create_index(
        "ix_forum_participant_session_counted",
        "forum_participant",
        ["session_id", "quarantined"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index("ix_forum_participant_session_counted", table_name="forum_participant")
    op.create_index("ix_forum_vote_session_id_item_id", "forum_vote", ["session_id", "item_id"], unique=False)
    op.drop_index("ix_forum_vote_session_counts", table_name="forum_vote")
