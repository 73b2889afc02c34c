"""Every migration of this release keeps every row, both ways, on SQLite (which rebuilds tables to alter them)."""

from __future__ import annotations

import tempfile
from pathlib import Path

import sqlalchemy as sa
from alembic import command

from participation import create_app
from participation.core.commands import alembic_config
from participation.demo.services import load_demo
from participation.extensions import db

LAST_RELEASED = "cde33d961604"  # the schema of the last landed release


def _counts() -> dict[str, int]:
    names = sa.inspect(db.engine).get_table_names()
    return {name: db.session.scalar(sa.text(f'SELECT count(*) FROM "{name}"')) for name in names}


def test_upgrading_and_downgrading_the_demo_keeps_every_row():
    with tempfile.TemporaryDirectory() as folder:
        app = create_app({"TESTING": True, "DATABASE_URL": f"sqlite:///{Path(folder) / 'm.sqlite3'}"})
        with app.app_context():
            command.upgrade(alembic_config(), "head")
            load_demo()
            full = _counts()
            assert full["answer"] > 1000 and full["forum_vote"] > 0 and full["audit_event"] >= 0
            command.downgrade(alembic_config(), LAST_RELEASED)
            db.session.remove()
            old = _counts()
            assert {name: full[name] for name in old if name != "alembic_version"} == {
                name: count for name, count in old.items() if name != "alembic_version"
            }
            command.upgrade(alembic_config(), "head")
            db.session.remove()
            again = _counts()
            assert {name: again[name] for name in old} == {name: full[name] for name in old}
            assert db.session.execute(sa.text("PRAGMA foreign_keys")).scalar() == 1
            db.session.remove()
            db.engine.dispose()
