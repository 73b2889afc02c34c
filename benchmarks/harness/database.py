"""The run's database: a temporary SQLite file or an emptied PostgreSQL database, and plain connections."""

from __future__ import annotations

import contextlib
import sqlite3
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any


def normalised(url: str) -> str:
    from participation.config import normalise_database_url

    return normalise_database_url(url)


def engine_for(url: str):  # type: ignore[no-untyped-def]
    import sqlalchemy as sa

    return sa.create_engine(url, poolclass=sa.pool.NullPool)


def reset_schema(url: str) -> None:
    """Empty a PostgreSQL database: DROP SCHEMA public CASCADE; CREATE SCHEMA public."""
    import sqlalchemy as sa

    engine = engine_for(url)
    try:
        with engine.begin() as connection:
            # Fail rather than hang if another session (a test run?) holds locks in this database.
            connection.execute(sa.text("SET LOCAL lock_timeout = '10s'"))
            connection.execute(sa.text("DROP SCHEMA IF EXISTS public CASCADE"))
            connection.execute(sa.text("CREATE SCHEMA public"))
    finally:
        engine.dispose()


def prepare_database(database_url: str | None, temp: Path, name: str) -> str:
    """The given database with its public schema emptied, or a new SQLite file in the temp folder."""
    if not database_url:
        return f"sqlite:///{temp / name}"
    url = normalised(database_url)
    if url.startswith("postgresql"):
        print(f"Resetting the public schema of {url} …", file=sys.stderr)
        reset_schema(url)
    return url


def database_description(url: str) -> str:
    import sqlalchemy as sa

    if url.startswith("sqlite"):
        return f"SQLite {sqlite3.sqlite_version} (WAL, synchronous=NORMAL), temporary file"
    engine = engine_for(url)
    try:
        with engine.connect() as connection:
            version = connection.scalar(sa.text("SHOW server_version"))
    finally:
        engine.dispose()
    host = sa.engine.make_url(url).host or "a local socket"
    where = " (same machine)" if host in {"127.0.0.1", "localhost", "a local socket"} else ""
    return f"PostgreSQL {str(version).split()[0]} on {host}{where}"


@contextlib.contextmanager
def driver_connection(url: str) -> Iterator[Any]:
    """A plain DBAPI connection (sqlite3 or psycopg), outside SQLAlchemy."""
    import sqlalchemy as sa

    parsed = sa.engine.make_url(url)
    if parsed.get_backend_name() == "sqlite":
        connection = sqlite3.connect(parsed.database or "")
    else:
        import psycopg

        connection = psycopg.connect(
            parsed.set(drivername="postgresql").render_as_string(hide_password=False), autocommit=True
        )
    try:
        yield connection
    finally:
        connection.close()


def run_query(connection: Any, sql: str, params: dict[str, Any]) -> list[tuple[Any, ...]]:
    cursor = connection.cursor()
    try:
        cursor.execute(sql, params)
        return [tuple(row) for row in cursor.fetchall()]
    finally:
        cursor.close()
