"""Alembic environment: runs migrations on the app's engine inside the Flask app context."""

from __future__ import annotations

from alembic import context

import participation.models  # noqa: F401  (fills the metadata)
from participation.database import Base
from participation.extensions import db

config = context.config
target_metadata = Base.metadata


def run_migrations_online() -> None:
    engine = db.engine
    with engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            render_as_batch=connection.dialect.name == "sqlite",
            compare_type=True,
        )
        with context.begin_transaction():
            context.run_migrations()


if context.is_offline_mode():
    raise SystemExit("Offline migrations are not supported; run `flask db upgrade` against a database.")
run_migrations_online()
