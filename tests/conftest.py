"""Fixtures: one migrated database per test run (SQLite, or PostgreSQL when configured), emptied per test."""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner

# Set before the app is created, so nothing is generated into the working copy's instance folder.
_INSTANCE = tempfile.mkdtemp(prefix="delaktig-test-instance-")
atexit.register(shutil.rmtree, _INSTANCE, ignore_errors=True)
os.environ["PARTICIPATION_INSTANCE_PATH"] = _INSTANCE
os.environ.setdefault("PARTICIPATION_SECRET_KEY", "test-secret-key-not-for-production")

from alembic import command  # noqa: E402

from participation import create_app  # noqa: E402
from participation.core.commands import alembic_config  # noqa: E402
from participation.database import Base  # noqa: E402
from participation.extensions import db as database  # noqa: E402
from participation.extensions import limiter  # noqa: E402
from participation.insights import tally  # noqa: E402

TEST_DATABASE_URL = os.environ.get("PARTICIPATION_TEST_DATABASE_URL") or (
    f"sqlite:///{Path(_INSTANCE) / 'test.sqlite3'}"
)


def _reset_postgresql(url: str) -> None:
    engine = sa.create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))
    with engine.begin() as connection:
        connection.execute(sa.text("DROP SCHEMA public CASCADE"))
        connection.execute(sa.text("CREATE SCHEMA public"))
    engine.dispose()


@pytest.fixture(scope="session")
def app() -> Iterator[Flask]:
    """The app on a database upgraded through every migration, as `flask db upgrade` does."""
    if TEST_DATABASE_URL.startswith("postgres"):
        _reset_postgresql(TEST_DATABASE_URL)
    app = create_app({"TESTING": True, "DATABASE_URL": TEST_DATABASE_URL})
    app.test_client_class = IsolatedClient
    with app.app_context():
        command.upgrade(alembic_config(), "head")
    yield app
    with app.app_context():
        database.engine.dispose()


def _empty_all_tables(engine: sa.Engine) -> None:
    tables = [table.name for table in Base.metadata.sorted_tables]
    with engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            connection.execute(sa.text("TRUNCATE " + ", ".join(f'"{name}"' for name in tables) + " CASCADE"))
        else:
            for name in reversed(tables):  # children first, with foreign keys still enforced
                connection.execute(sa.text(f'DELETE FROM "{name}"'))


@pytest.fixture()
def db(app: Flask) -> Iterator[object]:
    """The database handle inside an app context; every table is emptied after the test."""
    with app.app_context():
        limiter.reset()
        yield database
        database.session.rollback()
        database.session.remove()
        _empty_all_tables(database.engine)
        # Like restoring a backup under a running app: ids start again, so the needs map counts afresh.
        tally.forget(app)


class IsolatedClient(FlaskClient):
    """Runs every request in its own application context, as a server does, even inside a test's context."""

    def open(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        with self.application.app_context():
            return super().open(*args, **kwargs)


@pytest.fixture()
def client(app: Flask, db: object) -> FlaskClient:
    return app.test_client()


@pytest.fixture()
def runner(app: Flask, db: object) -> FlaskCliRunner:
    return app.test_cli_runner()
