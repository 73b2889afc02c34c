"""`flask backup PATH` and `flask restore PATH`: a consistent copy of the database while the app serves.

SQLite is copied with its online backup API: one step under one read transaction, so the copy is the
database as of one moment while submissions go on (WAL mode lets them). PostgreSQL is copied by `pg_dump`
in its custom format, which reads everything in one snapshot; without the client programs the command says
what to install instead of guessing. A restore goes only into an empty database (no tables), so it can
never mix two states; the kind of a backup is read from its first bytes, so a SQLite copy is not fed to
PostgreSQL. After a restore one change row "restored" is written, and every process's needs-map tally
counts afresh at its next use (participation.insights.tally notices that row even where its id repeats
one seen before the restore, and change rows that disappeared), so the processes need no restart.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess  # nosec B404
import tempfile
from pathlib import Path

import click
import sqlalchemy as sa
from flask.cli import with_appcontext

from participation.core.changes import RESTORED, record_change
from participation.extensions import db

SQLITE_MAGIC = b"SQLite format 3\x00"
PG_DUMP_MAGIC = b"PGDMP"


class BackupError(click.ClickException):
    """A backup or restore that cannot be done as asked, said plainly (exit status 1)."""


def kind_of_file(path: Path) -> str:
    """ "sqlite" or "postgresql", from the file's first bytes."""
    with path.open("rb") as file:
        head = file.read(len(SQLITE_MAGIC))
    if head.startswith(SQLITE_MAGIC):
        return "sqlite"
    if head.startswith(PG_DUMP_MAGIC):
        return "postgresql"
    raise BackupError(f"{path} is neither a SQLite database nor a pg_dump file in custom format.")


def _sqlite_file(engine: sa.Engine) -> str:
    name = engine.url.database
    if not name or name == ":memory:":
        raise BackupError("The configured SQLite database is in memory: there is no file to back up.")
    return name


def _pg_tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise BackupError(
            f"{name} was not found. Install PostgreSQL's client programs of the server's major version or"
            " newer (Debian: apt-get install postgresql-client), or back the database up with your"
            " provider's tools (a pg_dump in custom format can be restored here)."
        )
    return found


def _pg_arguments(engine: sa.Engine) -> tuple[list[str], dict[str, str]]:
    """Connection options for pg_dump and pg_restore; the password goes in the environment, not argv."""
    url = engine.url
    options = [f"--dbname={url.database}"]
    if url.host:
        options.append(f"--host={url.host}")
    if url.port:
        options.append(f"--port={url.port}")
    if url.username:
        options.append(f"--username={url.username}")
    environment = {**os.environ}
    if url.password:
        environment["PGPASSWORD"] = str(url.password)
    return [*options, "--no-password"], environment


def _run(command: list[str], environment: dict[str, str]) -> None:
    """Run pg_dump or pg_restore: an argument list, never through a shell."""
    done = subprocess.run(command, env=environment, capture_output=True, text=True, check=False)  # nosec B603
    if done.returncode != 0:
        raise BackupError(f"{Path(command[0]).name} failed: {done.stderr.strip() or done.returncode}")


def backup_database(engine: sa.Engine, target: Path) -> str:
    """Copy the database to `target` (written whole or not at all); returns the kind written."""
    target = target.resolve()
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, partial_name = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
    os.close(handle)
    partial = Path(partial_name)
    try:
        if engine.dialect.name == "sqlite":
            source = sqlite3.connect(_sqlite_file(engine))
            copy = sqlite3.connect(partial)
            try:
                source.backup(copy)  # every page in one step: the database as of one moment
            finally:
                copy.close()
                source.close()
        elif engine.dialect.name == "postgresql":
            options, environment = _pg_arguments(engine)
            _run(
                [_pg_tool("pg_dump"), "--format=custom", "--no-owner", f"--file={partial}", *options],
                environment,
            )
        else:
            raise BackupError(f"Backups of {engine.dialect.name} are not supported.")
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)
    return engine.dialect.name


def is_empty(engine: sa.Engine) -> bool:
    return not sa.inspect(engine).get_table_names()


def restore_database(engine: sa.Engine, source: Path) -> None:
    """Bring a backup back into the configured database, which must be empty."""
    kind = kind_of_file(source)
    if kind != engine.dialect.name:
        raise BackupError(
            f"{source} is a {kind} backup, but the configured database is {engine.dialect.name}."
        )
    if not is_empty(engine):
        raise BackupError(
            "The configured database is not empty. Restore only into an empty database: create a new one"
            " (for SQLite, point PARTICIPATION_DATABASE_URL at a new file) and run restore again."
        )
    if kind == "sqlite":
        engine.dispose()  # no pooled connection of this process holds the file while it is written
        backup = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
        target = sqlite3.connect(_sqlite_file(engine))
        try:
            backup.backup(target)
        finally:
            target.close()
            backup.close()
    else:
        options, environment = _pg_arguments(engine)
        command = [_pg_tool("pg_restore"), "--no-owner", "--exit-on-error", "--single-transaction", *options]
        _run([*command, str(source)], environment)
    with db.transaction():
        record_change(RESTORED)  # every process's tally counts afresh at its next use


@click.command("backup")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@with_appcontext
def backup(path: Path) -> None:
    """Write a consistent copy of the database to PATH, while the app keeps serving."""
    kind = backup_database(db.engine, path)
    click.echo(f"Backed up the {kind} database to {path}.")


@click.command("restore")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@with_appcontext
def restore(path: Path) -> None:
    """Restore a backup made by `backup` into the configured database, which must be empty."""
    restore_database(db.engine, path)
    click.echo(f"Restored {path}. If this release is newer than the backup, run `flask db upgrade` now.")
