"""Alembic environment: runs migrations on the app's engine inside the Flask app context."""

from __future__ import annotations

from typing import Literal

from alembic import context

import participation.models  # noqa: F401  (fills the metadata)
from participation.database import Base, UTCDateTime
from participation.extensions import db

config = context.config
target_metadata = Base.metadata


def render_item(type_: str, obj: object, autogen_context: object) -> str | Literal[False]:
    """Render our UTC column type by its name; the migration imports it from participation.database."""
    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "UTCDateTime()"
    return False


def run_migrations_online() -> None:
    engine = db.engine
    with engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            render_as_batch=connection.dialect.name == "sqlite",
            compare_type=True,
            render_item=render_item,
        )
        with context.begin_transaction():
            context.run_migrations()


if context.is_offline_mode():
    raise SystemExit("Offline migrations are not supported; run `flask db upgrade` against a database.")
run_migrations_online()
