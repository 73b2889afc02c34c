"""partners own their data: an owning partner on every survey, placement, forum session and data point

Revision ID: 4a7e2c91b0d3
Revises: d2658bed0e15
Create Date: 2026-12-02 06:30:00

Existing rows get the partner of the account that created them (from the audit log), a placement its
survey's or forum session's, a data point the partner of who entered it (else its indicator's); what no one
can tell goes to the backbone partner (the first admin's partner, else the first partner, else a new one
named "Backbone"). Then every owner column is NOT NULL, and a partner with data can no longer be deleted.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "4a7e2c91b0d3"
down_revision = "d2658bed0e15"
branch_labels = None
depends_on = None

NEW = ("survey", "forum_session", "placement", "data_point")
# table → (owner column, audit actions that created it)
CREATED_BY = {
    "survey": ("partner_id", ("survey_created", "survey_duplicated", "survey_imported")),
    "forum_session": ("partner_id", ("forum_created",)),
    "action": ("partner_id", ("action_saved",)),
    "indicator": ("owner_partner_id", ("indicator_saved",)),
    "placement": ("partner_id", ("placement_created",)),
}
EXISTING = {"action": "partner_id", "indicator": "owner_partner_id", "program": "partner_id"}


def _backbone(connection: sa.Connection) -> int:
    found = connection.scalar(
        sa.text(
            "SELECT partner_id FROM user_account WHERE role = 'admin' AND partner_id IS NOT NULL "
            "ORDER BY id LIMIT 1"
        )
    ) or connection.scalar(sa.text("SELECT id FROM partner ORDER BY id LIMIT 1"))
    if found is None:
        connection.execute(sa.text("INSERT INTO partner (name, kind) VALUES ('Backbone', 'backbone')"))
        found = connection.scalar(sa.text("SELECT id FROM partner ORDER BY id LIMIT 1"))
    return int(found)


def _from_creator(connection: sa.Connection, table: str, column: str, actions: tuple[str, ...]) -> None:
    names = ", ".join(f"'{action}'" for action in actions)
    connection.execute(
        sa.text(
            f"UPDATE {table} SET {column} = ("  # noqa: S608 (names are constants above)
            " SELECT u.partner_id FROM audit_event e JOIN user_account u ON u.id = e.user_id"
            f" WHERE e.object_type = '{table}' AND e.object_id = {table}.id AND e.action IN ({names})"
            " AND u.partner_id IS NOT NULL ORDER BY e.id LIMIT 1)"
            f" WHERE {column} IS NULL"
        )
    )


def _missing(connection: sa.Connection, table: str, column: str) -> int:
    return int(connection.scalar(sa.text(f"SELECT count(*) FROM {table} WHERE {column} IS NULL")) or 0)  # noqa: S608


def _to_backbone(connection: sa.Connection, table: str, column: str) -> None:
    if _missing(connection, table, column):
        connection.execute(
            sa.text(f"UPDATE {table} SET {column} = :partner WHERE {column} IS NULL"),  # noqa: S608
            {"partner": _backbone(connection)},
        )


def _backfill(connection: sa.Connection) -> None:
    for table in ("survey", "forum_session", "action", "indicator"):
        column, actions = CREATED_BY[table]
        _from_creator(connection, table, column, actions)
        _to_backbone(connection, table, column)
    _to_backbone(connection, "program", "partner_id")
    connection.execute(
        sa.text(
            "UPDATE placement SET partner_id = COALESCE("
            " (SELECT partner_id FROM survey WHERE survey.id = placement.survey_id),"
            " (SELECT partner_id FROM forum_session WHERE forum_session.id = placement.forum_session_id))"
        )
    )
    _from_creator(connection, "placement", *CREATED_BY["placement"])
    _to_backbone(connection, "placement", "partner_id")
    connection.execute(
        sa.text(
            "UPDATE data_point SET partner_id = COALESCE("
            " (SELECT partner_id FROM user_account"
            "  WHERE user_account.id = data_point.entered_by_id AND role != 'admin'),"
            " (SELECT owner_partner_id FROM indicator WHERE indicator.id = data_point.indicator_id))"
        )
    )


def upgrade() -> None:
    for table in NEW:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column("partner_id", sa.Integer(), nullable=True))
    _backfill(op.get_bind())
    for table in NEW:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.alter_column("partner_id", existing_type=sa.Integer(), nullable=False)
            batch_op.create_index(batch_op.f(f"ix_{table}_partner_id"), ["partner_id"], unique=False)
            batch_op.create_foreign_key(
                batch_op.f(f"fk_{table}_partner_id_partner"),
                "partner",
                ["partner_id"],
                ["id"],
                ondelete="RESTRICT",
            )
    for table, column in EXISTING.items():
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_constraint(batch_op.f(f"fk_{table}_{column}_partner"), type_="foreignkey")
            batch_op.alter_column(column, existing_type=sa.Integer(), nullable=False)
            if table != "action":  # the action's owner column had its index already
                batch_op.create_index(batch_op.f(f"ix_{table}_{column}"), [column], unique=False)
            batch_op.create_foreign_key(
                batch_op.f(f"fk_{table}_{column}_partner"),
                "partner",
                [column],
                ["id"],
                ondelete="RESTRICT",
            )


def downgrade() -> None:
    for table, column in EXISTING.items():
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_constraint(batch_op.f(f"fk_{table}_{column}_partner"), type_="foreignkey")
            if table != "action":
                batch_op.drop_index(batch_op.f(f"ix_{table}_{column}"))
            batch_op.alter_column(column, existing_type=sa.Integer(), nullable=True)
            batch_op.create_foreign_key(
                batch_op.f(f"fk_{table}_{column}_partner"),
                "partner",
                [column],
                ["id"],
                ondelete="SET NULL",
            )
    for table in NEW:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_constraint(batch_op.f(f"fk_{table}_partner_id_partner"), type_="foreignkey")
            batch_op.drop_index(batch_op.f(f"ix_{table}_partner_id"))
            batch_op.drop_column("partner_id")
