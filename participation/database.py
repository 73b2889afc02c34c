"""SQLAlchemy setup: the declarative base, the engine and the request-scoped session."""

from __future__ import annotations

import enum
import re
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from flask import Flask, current_app
from flask.globals import app_ctx
from sqlalchemy.engine import Engine
from sqlalchemy.ext.mutable import MutableDict
from sqlalchemy.orm import DeclarativeBase, Session, scoped_session

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Declarative base with a constraint naming convention, so migrations name things predictably."""

    metadata = sa.MetaData(naming_convention=NAMING_CONVENTION)


# Text per language: {"sv": "...", "en": "..."}. One JSON column per translatable field.
TranslatedText = MutableDict.as_mutable(sa.JSON())


def enum_constraint_name(enum_class: type[enum.Enum]) -> str:
    """The class name in snake case (SurveyStatus: survey_status), so the CHECK is ck_<table>_survey_status."""
    return re.sub(r"(?<!^)(?=[A-Z])", "_", enum_class.__name__).lower()


def enum_column(enum_class: type[enum.Enum]) -> sa.Enum:
    """A portable enum column storing the members' values (not names) as short strings.

    A CHECK keeps out any other string, whatever writes the row (raw SQL, a bulk insert, another tool).
    """
    return sa.Enum(
        enum_class,
        name=enum_constraint_name(enum_class),
        native_enum=False,
        create_constraint=True,
        length=20,
        values_callable=lambda members: [member.value for member in members],
        validate_strings=True,
    )


def utcnow() -> datetime:
    """Timezone-aware now, used as a callable column default."""
    return datetime.now(UTC)


class UTCDateTime(sa.TypeDecorator[datetime]):
    """Stores aware datetimes as UTC and returns them aware, on SQLite and PostgreSQL alike."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: sa.Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: sa.Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _configure_sqlite(engine: Engine) -> None:
    @sa.event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()


def create_engine_for(url: str) -> Engine:
    """An engine for the URL, with SQLite in WAL mode and foreign keys on.

    SQL parameters hold slugs, e-mail addresses and answers: errors and tracebacks never show them.
    """
    if url.startswith("sqlite"):
        # A generous busy timeout lets concurrent submissions queue for the single writer.
        engine = sa.create_engine(
            url, connect_args={"timeout": 30, "check_same_thread": False}, hide_parameters=True
        )
        _configure_sqlite(engine)
        return engine
    # Terms and hours are computed in UTC, whatever time zone the server is set to.
    return sa.create_engine(
        url,
        pool_pre_ping=True,
        pool_size=5,
        max_overflow=10,
        connect_args={"options": "-c timezone=UTC"},
        hide_parameters=True,
    )


def _app_context_id() -> int:
    """One session per application context, whatever thread or greenlet runs it."""
    return id(app_ctx._get_current_object())  # type: ignore[attr-defined]


class Database:
    """Engines per app, and one session per application context bound to that app's engine."""

    def __init__(self) -> None:
        self.session: scoped_session[Session] = scoped_session(self._new_session, scopefunc=_app_context_id)

    @staticmethod
    def _new_session() -> Session:
        return Session(bind=current_app.extensions["database_engine"], expire_on_commit=False)

    @property
    def engine(self) -> Engine:
        return current_app.extensions["database_engine"]

    def init_app(self, app: Flask) -> None:
        app.extensions["database_engine"] = create_engine_for(app.config["DATABASE_URL"])

        @app.teardown_appcontext
        def _remove_session(_exc: BaseException | None) -> None:
            self.session.remove()
