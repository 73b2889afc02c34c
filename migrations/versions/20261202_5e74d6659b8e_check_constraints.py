"""check constraints: every enum column, an answer's shape, a placement's target, times, bounds and counts

Revision ID: 5e74d6659b8e
Revises: 8b3f5d2e7c41
Create Date: 2026-12-02 09:00:00

Rules the code kept only in Python become the database's. Before adding them, a free text without a
moderation status is set to pending (it waits for a person, as every new text does) and a status on an
answer that is not a text is cleared. The app never wrote any other breaking row; if one exists, the
upgrade stops before changing anything and names the rule and how many rows break it (never their values).
"""

from __future__ import annotations

from typing import Literal

import sqlalchemy as sa
from alembic import op

revision = "5e74d6659b8e"
down_revision = "8b3f5d2e7c41"
branch_labels = None
depends_on = None


def _one_of(column: str, *values: str) -> str:
    return f"{column} IN ({', '.join(repr(value) for value in values)})"


# table → (name without the ck_<table>_ prefix, condition); the enum ones are named after their class.
CHECKS: dict[str, list[tuple[str, str]]] = {
    "action": [
        ("action_status", _one_of("status", "heard", "decided", "in_progress", "done", "not_possible"))
    ],
    "forum_session": [
        ("forum_mode", _one_of("mode", "topics", "dots", "statements", "poll")),
        ("session_status", _one_of("status", "open", "closed")),
    ],
    "survey": [
        ("survey_status", _one_of("status", "draft", "published", "archived")),
        ("closes_after_opens", "opens_at IS NULL OR closes_at IS NULL OR closes_at > opens_at"),
        ("retention_days_positive", "retention_days IS NULL OR retention_days > 0"),
    ],
    "user_account": [("role", _one_of("role", "admin", "staff", "analyst"))],
    "flood_burst": [
        ("burst_kind", _one_of("kind", "survey", "forum")),
        ("burst_status", _one_of("status", "open", "released", "discarded")),
    ],
    "forum_item": [("item_status", _one_of("status", "pending", "approved", "hidden"))],
    "forum_participant": [("dots_allowed_positive", "dots_allowed IS NULL OR dots_allowed >= 1")],
    "program_measure": [("program_question", _one_of("question", "how_much", "how_well", "better_off"))],
    "question": [
        (
            "question_kind",
            _one_of(
                "kind",
                "single_choice",
                "multiple_choice",
                "scale",
                "yes_no",
                "ranking",
                "free_text",
                "number",
            ),
        ),
        ("min_not_above_max", "min_value IS NULL OR max_value IS NULL OR min_value <= max_value"),
        ("max_choices_positive", "max_choices IS NULL OR max_choices >= 1"),
    ],
    "indicator": [("polarity", _one_of("polarity", "higher", "lower"))],
    "answer": [
        ("moderation_status", _one_of("moderation_status", "pending", "approved", "hidden", "redacted")),
        (
            "one_value",
            "(CASE WHEN option_id IS NULL THEN 0 ELSE 1 END)"
            " + (CASE WHEN value_int IS NULL THEN 0 ELSE 1 END)"
            " + (CASE WHEN text_value IS NULL THEN 0 ELSE 1 END) = 1",
        ),
        ("rank_with_option", "rank IS NULL OR option_id IS NOT NULL"),
        ("moderated_when_text", "(text_value IS NULL) = (moderation_status IS NULL)"),
    ],
    "data_point": [("point_status", _one_of("status", "pending", "approved"))],
    "placement": [("at_most_one_target", "survey_id IS NULL OR forum_session_id IS NULL")],
    "placement_scan": [("count_not_negative", "count >= 0")],
    "population_figure": [("count_not_negative", "count >= 0")],
}


def _conform(connection: sa.Connection) -> None:
    connection.execute(
        sa.text(
            "UPDATE answer SET moderation_status = 'pending'"
            " WHERE text_value IS NOT NULL AND moderation_status IS NULL"
        )
    )
    connection.execute(
        sa.text(
            "UPDATE answer SET moderation_status = NULL WHERE text_value IS NULL AND moderation_status IS NOT NULL"
        )
    )
    broken = []
    for table, checks in CHECKS.items():
        for name, condition in checks:
            # NOT of an unknown (NULL) condition is unknown too: counted as a CHECK judges it, as passing.
            count = connection.scalar(sa.text(f"SELECT count(*) FROM {table} WHERE NOT ({condition})"))  # noqa: S608
            if count:
                broken.append(f"ck_{table}_{name}: {count} row(s) of {table}")
    if broken:
        raise RuntimeError(
            "Rows break the new CHECK constraints; correct them and upgrade again: " + "; ".join(broken)
        )


def _recreate() -> Literal["always", "auto"]:
    # SQLite cannot add or drop a constraint: the table is rebuilt (env.py turns foreign keys off meanwhile).
    return "always" if op.get_bind().dialect.name == "sqlite" else "auto"


def upgrade() -> None:
    _conform(op.get_bind())
    for table, checks in CHECKS.items():
        with op.batch_alter_table(table, schema=None, recreate=_recreate()) as batch_op:
            for name, condition in checks:
                batch_op.create_check_constraint(op.f(f"ck_{table}_{name}"), condition)


def downgrade() -> None:
    for table, checks in reversed(CHECKS.items()):
        with op.batch_alter_table(table, schema=None, recreate=_recreate()) as batch_op:
            for name, _condition in reversed(checks):
                batch_op.drop_constraint(op.f(f"ck_{table}_{name}"), type_="check")
