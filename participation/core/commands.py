"""`flask db …`: Alembic migrations for the configured database."""

from __future__ import annotations

import functools

import click
import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask.cli import with_appcontext

from participation.config import PROJECT_ROOT


def alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(PROJECT_ROOT / "migrations"))
    config.set_main_option("file_template", "%%(year)d%%(month).2d%%(day).2d_%%(rev)s_%%(slug)s")
    return config


def migrations_status(connection: sa.Connection) -> str:
    """ "ok" when the database is at the newest migration, else "behind" (or "unknown" without Alembic's table).

    The newest revisions are read once per process: the migrations on disk do not change while it runs.
    """
    current = set(MigrationContext.configure(connection).get_current_heads())
    if not current:
        return "unknown"
    return "ok" if current == _script_heads() else "behind"


@functools.cache
def _script_heads() -> frozenset[str]:
    return frozenset(ScriptDirectory.from_config(alembic_config()).get_heads())


@click.group("db")
def db_cli() -> None:
    """Database migrations."""


@db_cli.command("upgrade")
@click.argument("revision", default="head")
@with_appcontext
def upgrade(revision: str) -> None:
    """Upgrade the database to a revision (default: the newest)."""
    command.upgrade(alembic_config(), revision)


@db_cli.command("downgrade")
@click.argument("revision", default="-1")
@with_appcontext
def downgrade(revision: str) -> None:
    """Downgrade the database by one revision, or to the one given."""
    command.downgrade(alembic_config(), revision)


@db_cli.command("current")
@with_appcontext
def current() -> None:
    """Show the database's revision."""
    command.current(alembic_config())


@db_cli.command("revision")
@click.option("-m", "--message", required=True)
@with_appcontext
def revision(message: str) -> None:
    """Write a new migration, compared against the models (review it before committing)."""
    command.revision(alembic_config(), message=message, autogenerate=True)
