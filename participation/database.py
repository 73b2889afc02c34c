"""SQLAlchemy setup: the declarative base, the engine and the request-scoped session."""

from __future__ import annotations

import enum
import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from flask import Flask, current_app, has_request_context
from flask import Response as FlaskResponse
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


_OPEN_UNIT = "delaktig.unit_of_work"  # session.info key: an outermost transaction() block is open


@contextmanager
def _saved_whole(session: Session) -> Iterator[None]:
    """Commit the session at the end of the block, or roll it back if anything escapes it."""
    try:
        yield
        session.commit()
    except BaseException:
        session.rollback()
        raise


def _begin_writing(session: Session) -> None:
    """On SQLite, make sure the connection is inside a real transaction that holds the write lock.

    Python's sqlite3 begins a transaction only before an INSERT, UPDATE or DELETE; a SAVEPOINT outside one
    starts its own, and releasing it would commit on the spot. BEGIN IMMEDIATE takes the single writer's
    lock up front (waiting out the busy timeout), so a block that reads before it writes never finds its
    snapshot overtaken by another writer. PostgreSQL needs nothing: its savepoints nest in the transaction.
    """
    connection = session.connection()
    if connection.dialect.name != "sqlite":
        return
    driver = connection.connection.driver_connection
    if driver is not None and not driver.in_transaction:
        driver.execute("BEGIN IMMEDIATE")


def _app_context_id() -> int:
    """One session per application context, whatever thread or greenlet runs it."""
    return id(app_ctx._get_current_object())  # type: ignore[attr-defined]


class Database:
    """Engines per app, and one session per application context bound to that app's engine."""

    def __init__(self) -> None:
        # Any callable returning a Session will do (SQLAlchemy's docs); its types ask for a sessionmaker.
        self.session: scoped_session[Session] = scoped_session(self._new_session, scopefunc=_app_context_id)  # type: ignore[arg-type]

    @staticmethod
    def _new_session() -> Session:
        return Session(bind=current_app.extensions["database_engine"], expire_on_commit=False)

    @property
    def engine(self) -> Engine:
        return current_app.extensions["database_engine"]

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """The one door for writes: a block that is saved whole or not at all.

        Inside a request the request is the unit of work: the block is a SAVEPOINT, so an error raised in
        it (a refused edit) undoes exactly what the block changed, and the request commits once at its
        end (see `init_app`). Outside a request (a command, the demo, a test calling a service) the
        outermost block commits, and nested blocks are savepoints. Services write only inside such a
        block and raise typed errors; views never commit or roll back.

        A race the database decides (a unique index) is caught around the block: the IntegrityError
        undid the block, and the caller then reads what won.
        """
        session = self.session()
        _begin_writing(session)
        if has_request_context() or session.info.get(_OPEN_UNIT):
            with session.begin_nested():
                yield session
            return
        session.info[_OPEN_UNIT] = True
        try:
            with _saved_whole(session):
                yield session
        finally:
            session.info.pop(_OPEN_UNIT, None)

    @contextmanager
    def independent_transaction(self) -> Iterator[Session]:
        """A write that must stand whatever the request does next (a failed login attempt counts).

        Its own session and connection, committed at the end of the block; never mixed with the
        request's unit of work. On SQLite open it before the request's first write: the request holds the
        single writer's lock from then to its end, so an independent write after it would wait it out.
        """
        session = Session(bind=self.engine, expire_on_commit=False)
        try:
            with _saved_whole(session):
                yield session
        finally:
            session.close()

    def init_app(self, app: Flask) -> None:
        app.extensions["database_engine"] = create_engine_for(app.config["DATABASE_URL"])

        @app.after_request
        def _end_unit_of_work(response: FlaskResponse) -> FlaskResponse:
            # A request commits once, here, and only when it succeeded: a refusal (4xx) or an error page
            # keeps nothing of what it may have begun.
            if response.status_code < 400:
                self.session.commit()
            else:
                self.session.rollback()
            return response

        @app.teardown_request
        def _abandon_unit_of_work(exc: BaseException | None) -> None:
            if exc is not None:
                self.session.rollback()

        @app.teardown_appcontext
        def _remove_session(_exc: BaseException | None) -> None:
            self.session.remove()
