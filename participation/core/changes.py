"""Changes that counts kept outside the answers must see (the needs map's tally), recorded as rows.

What a count reads is declared where the data is, next to the column: `info=counted()` on a column, a
relationship or an association table, and on a primary key for the row itself (inserting or deleting it).
One listener, installed by the app factory (`init_app`), reads those declarations and nothing else: a
flush that changes a declared column, inserts or deletes a declared row, or deletes a row that declared
rows hang on (found from the foreign keys: ON DELETE CASCADE of a counted table, SET NULL of a counted
column) writes one DataChange row. Bulk statements and raw SQL bypass the listener: they go through
`execute_counted` (which reads the same declarations off the statement) or `record_change`.

A scope says how much the tally must count again: "text" (the free-text codes only) or "all".
"released" declares what the tally notices by itself through the release's number (a response counts at
its release), so it writes no row.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from typing import Any

import sqlalchemy as sa
from flask import Flask
from sqlalchemy.orm import Mapped, Mapper, RelationshipProperty, Session, mapped_column
from sqlalchemy.orm.interfaces import MANYTOONE

from participation.database import Base
from participation.extensions import db

ALL, TEXT, RELEASED = "all", "text", "released"
# Written by `flask restore` (participation.core.backup): the database was replaced; count everything again.
# A row of its own kind, because a restored database's next row can repeat an id a tally saw before.
RESTORED = "restored"
INFO_KEY = "moves_counts"
# Rows kept: the newest always (so SQLite, which numbers a row max(id) + 1, never gives an id again), and
# enough before it that a tally which refreshed a few changes ago finds every one it has not seen.
KEEP = 200


@dataclass(frozen=True)
class Counts:
    """What a change does to the counts: of the value (a column), of inserting or deleting the row."""

    changed: str | None
    inserted: str | None
    deleted: str | None


def counted(scope: str = ALL, *, inserted: str | None = None) -> dict[str, Counts]:
    """`info=` for something the needs map's counts read; on a primary key, for the row itself.

    `inserted` when a new row moves the counts otherwise than a deleted one (a response: at its release).
    """
    return {INFO_KEY: Counts(scope, inserted or scope, scope)}


class DataChange(Base):
    """A change that the needs map's cached counts must see: one row per flush that made one.

    New responses need no row (the cache notices them by their release and reads only those); staff
    changes do: moderation and coding ("text": only the free-text counts are read again), anything else
    that can change a count, such as a theme tag or a deleted response ("all": everything is read again).
    Only the newest KEEP rows are kept (see `record_change`); holds no personal data.
    """

    __tablename__ = "data_change"

    id: Mapped[int] = mapped_column(primary_key=True)
    scope: Mapped[str] = mapped_column(sa.String(10))


# --- reading the declarations ------------------------------------------------------------------------


def widest(scopes: Iterable[str | None]) -> str | None:
    """The scope that covers all of them: "all" over "text"; none for "released" and undeclared."""
    found = set(scopes)
    return ALL if found & {ALL, RESTORED} else TEXT if TEXT in found else None


def _declared(column: sa.ColumnElement[Any]) -> Counts | None:
    table = getattr(column, "table", None)
    found = column.info.get(INFO_KEY) if isinstance(column, sa.Column) else None
    return found or (table.info.get(INFO_KEY) if isinstance(table, sa.Table) else None)


def column_scope(column: sa.ColumnElement[Any]) -> str | None:
    """What changing the column's value does to the counts."""
    counts = _declared(column)
    return counts.changed if counts else None


def row_counts(table: sa.Table) -> Counts | None:
    """The declaration of a table's rows: on the table (an association table) or on its primary key."""
    declared = table.info.get(INFO_KEY)
    if declared is None and len(table.primary_key.columns) == 1:
        declared = next(iter(table.primary_key.columns)).info.get(INFO_KEY)
    return declared


@cache
def deletion_scope(table: sa.Table) -> str | None:
    """What deleting a row of the table does: its own declaration, and what the database does after.

    ON DELETE CASCADE deletes the rows of another table (as deleting them would count); SET NULL changes
    a column (as changing it would count). So deleting a survey, a theme or a place counts because of
    what hangs on it, without a declaration of its own.
    """
    return _deletion_scope(table, frozenset())


def _deletion_scope(table: sa.Table, seen: frozenset[sa.Table]) -> str | None:
    own = row_counts(table)
    scopes = [own.deleted if own else None]
    for other in table.metadata.tables.values():
        for key in other.foreign_keys:
            if key.column.table is not table:
                continue
            action = (key.ondelete or "").upper()
            if action == "CASCADE" and other not in seen:
                scopes.append(_deletion_scope(other, seen | {table}))
            elif action in ("SET NULL", "SET DEFAULT"):
                scopes.append(column_scope(key.parent))
    return widest(scopes)


@cache
def relationship_scope(prop: RelationshipProperty[Any]) -> str | None:
    """What changing a relationship does: the columns it writes (a foreign key, an association table)."""
    own = prop.info.get(INFO_KEY)
    pairs = [*prop.synchronize_pairs, *(prop.secondary_synchronize_pairs or [])]
    written = [column_scope(target) for _source, target in pairs]
    if prop.secondary is not None and isinstance(prop.secondary, sa.Table):
        counts = row_counts(prop.secondary)
        written.append(counts.changed if counts else None)
    return widest([own.changed if own else None, *written])


@cache
def counted_attributes(mapper: Mapper[Any]) -> dict[str, str]:
    """The mapped attributes whose changes move counts, with their scope (empty for most models)."""
    found = {}
    for prop in mapper.attrs:
        if isinstance(prop, RelationshipProperty):
            scope = relationship_scope(prop)
        else:
            scope = widest(column_scope(column) for column in getattr(prop, "columns", ()))
        if scope is not None:
            found[prop.key] = scope
    return found


# --- the listener ------------------------------------------------------------------------------------


def _table(mapper: Mapper[Any]) -> sa.Table:
    return mapper.local_table  # type: ignore[return-value]


def _changed(instance: object, only_secondary: bool = False) -> str | None:
    state = sa.inspect(instance)
    scopes = []
    for key, scope in counted_attributes(state.mapper).items():
        prop = state.mapper.attrs[key]
        if only_secondary and not (isinstance(prop, RelationshipProperty) and prop.secondary is not None):
            continue
        if state.attrs[key].history.has_changes():
            scopes.append(scope)
    return widest(scopes)


def _noticed_with_parent(instance: object, new: set[object]) -> bool:
    """The row is part of a new row that counts at its release (an answer of a new response)."""
    state = sa.inspect(instance)
    for prop in state.mapper.relationships:
        if prop.direction is not MANYTOONE or relationship_scope(prop) is None:
            continue
        parent = state.attrs[prop.key].loaded_value
        if parent in new:
            parent_counts = row_counts(_table(sa.inspect(parent).mapper))
            if parent_counts is not None and parent_counts.inserted == RELEASED:
                return True
            if _noticed_with_parent(parent, new):
                return True
    return False


def _inserted(instance: object, new: set[object]) -> str | None:
    counts = row_counts(_table(sa.inspect(instance).mapper))
    scope = widest([counts.inserted if counts else None])
    if scope is not None and _noticed_with_parent(instance, new):
        scope = None
    # Association rows of a new row are no objects of their own: its relationships say whether it has any.
    return widest([scope, _changed(instance, only_secondary=True)])


def flush_scope(session: Session) -> str | None:
    """What the pending changes of a session do to the counts, read off the declarations."""
    new = set(session.new)  # a fresh set on every access: read it once
    scopes = [_inserted(instance, new) for instance in new]
    scopes += [deletion_scope(_table(sa.inspect(instance).mapper)) for instance in session.deleted]
    scopes += [_changed(instance) for instance in session.dirty]
    return widest(scopes)


def _note_changes(session: Session, _context: Any, _instances: Any) -> None:
    scope = flush_scope(session)
    if scope is not None:
        _add_change(session, scope)  # written with the flush it belongs to


def init_app(app: Flask) -> None:
    """Watch every session's flushes for declared changes (once per process: sessions are one class)."""
    if not sa.event.contains(Session, "before_flush", _note_changes):
        sa.event.listen(Session, "before_flush", _note_changes)


# --- bulk statements, raw SQL, pruning ---------------------------------------------------------------


def _prune(session: Session) -> None:
    """Delete the rows more than KEEP older than the newest (a range of the primary key: cheap).

    Rows another transaction is deleting at the same time are skipped, not waited for: the next write
    deletes them.
    """
    newest = sa.select(sa.func.max(DataChange.id)).scalar_subquery()
    old = sa.select(DataChange.id).where(DataChange.id < newest - KEEP).with_for_update(skip_locked=True)
    session.connection().execute(sa.delete(DataChange).where(DataChange.id.in_(old)))


def _add_change(session: Session, scope: str) -> None:
    _prune(session)
    session.add(DataChange(scope=scope))


def record_change(scope: str, session: Session | None = None) -> None:
    """Tell every process's tally that the counts moved ("all" or "text"): after raw SQL, for example.

    Written (flushed) at once, in the caller's transaction: it stands or falls with the change.
    """
    if scope not in (ALL, TEXT, RESTORED):
        raise ValueError(f"unknown scope {scope!r}")
    session = session or db.session()
    _add_change(session, scope)
    session.flush()


def statement_scope(statement: sa.Insert | sa.Update | sa.Delete) -> str | None:
    """What a bulk statement does to the counts, read off the declarations of its table and columns."""
    table = statement.table
    if not isinstance(table, sa.Table):
        raise TypeError(f"a statement on one table, not {table!r}")
    if isinstance(statement, sa.Delete):
        return deletion_scope(table)
    if isinstance(statement, sa.Insert):
        counts = row_counts(table)
        return widest([counts.inserted if counts else None])
    values = statement._values  # no public view of the columns an UPDATE sets
    if not values:  # set some other way (one row per parameter set): any counted column may change
        return widest(column_scope(column) for column in table.columns)
    return widest(column_scope(table.c[key] if isinstance(key, str) else key) for key in values)


def execute_counted(statement: sa.Insert | sa.Update | sa.Delete) -> sa.CursorResult[Any]:
    """Execute a bulk statement in the request's session and record the change it makes, if any."""
    session = db.session()
    result: sa.CursorResult[Any] = session.execute(statement)  # type: ignore[assignment]
    scope = statement_scope(statement)
    if scope is not None and result.rowcount != 0:
        record_change(scope, session)
    return result
