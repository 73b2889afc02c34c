"""The migration that gives every survey, placement, forum session and data point an owning partner."""

from __future__ import annotations

import tempfile
from pathlib import Path

import sqlalchemy as sa
from alembic import command

from participation import create_app
from participation.core.commands import alembic_config
from participation.extensions import db

BEFORE = "d2658bed0e15"
OWNERS = "4a7e2c91b0d3"


def _rows(sql: str) -> list[tuple]:
    return [tuple(row) for row in db.session.execute(sa.text(sql))]


def test_existing_rows_get_their_creator_s_partner_and_nothing_is_lost():
    """Filled from the audit log's creator, a placement from its survey, the rest from the backbone."""
    with tempfile.TemporaryDirectory() as folder:
        app = create_app({"TESTING": True, "DATABASE_URL": f"sqlite:///{Path(folder) / 'm.sqlite3'}"})
        with app.app_context():
            command.upgrade(alembic_config(), BEFORE)
            for statement in (
                "INSERT INTO partner (id, name, kind) VALUES (1, 'Backbone org', 'other'), (2, 'City', 'city')",
                "INSERT INTO user_account (id, email, password_hash, role, partner_id, active, session_token,"
                " created_at) VALUES"
                " (1, 'admin@x.se', '', 'admin', 1, 1, 't1', '2026-01-01 00:00:00'),"
                " (2, 'staff@x.se', '', 'staff', 2, 1, 't2', '2026-01-01 00:00:00')",
                "INSERT INTO survey (id, slug, status, base_language, languages, title, intro, thanks,"
                " profile_fields, created_at) VALUES"
                " (1, 'city', 'published', 'sv', '[]', '{}', '{}', '{}', '[]', '2026-01-01 00:00:00'),"
                " (2, 'nobody', 'draft', 'sv', '[]', '{}', '{}', '{}', '[]', '2026-01-01 00:00:00')",
                "INSERT INTO audit_event (at, user_id, action, object_type, object_id, detail) VALUES"
                " ('2026-01-01 00:00:00', 2, 'survey_created', 'survey', 1, '{}')",
                "INSERT INTO question (id, survey_id, key, position, kind, prompt, required) VALUES"
                " (1, 1, 'q', 0, 'free_text', '{}', 0)",
                "INSERT INTO placement (id, code, survey_id, place, created_at) VALUES"
                " (1, 'P1', 1, 'Tvättstugan', '2026-01-01 00:00:00')",
                "INSERT INTO response (id, survey_id, placement_id, idempotency_key, submitted_hour, language) VALUES"
                " (1, 1, 1, 'k1', '2026-01-01 10:00:00', 'sv')",
                "INSERT INTO answer (id, response_id, question_id, text_value) VALUES (1, 1, 1, 'hej')",
                "INSERT INTO placement_scan (placement_id, day, count) VALUES (1, '2026-01-02', 7)",
            ):
                db.session.execute(sa.text(statement))
            db.session.commit()
            command.upgrade(alembic_config(), OWNERS)
            assert _rows("SELECT id, partner_id FROM survey ORDER BY id") == [(1, 2), (2, 1)]
            assert _rows("SELECT partner_id FROM placement") == [(2,)]
            # SQLite rebuilt the tables without letting the old ones' removal cascade.
            assert _rows("SELECT count(*) FROM answer") == [(1,)]
            assert _rows("SELECT count, placement_id FROM placement_scan") == [(7, 1)]
            assert _rows("SELECT placement_id FROM response") == [(1,)]
            assert _rows("PRAGMA foreign_keys") == [(1,)]
            command.downgrade(alembic_config(), BEFORE)
            assert _rows("SELECT count(*) FROM answer") == [(1,)]
            db.session.remove()
            db.engine.dispose()
