"""Results move in releases, so that no single submission can be read off by comparing before and after.

A response counts in results (the needs map, the thank-you page, the API, indicators, the follow-up panel,
placements' response counts) only once it belongs to a release. A release is made when at least k
responses are waiting that are not held in quarantine: all of them at once, in one statement. Before it,
every public and partner view is unchanged however often it is read; after it, the views move by at least
k responses together, each figure perturbed (participation.suppression).

Releases are made right after a submission is stored (`release_if_due`), after a quarantined burst is
let through, after the demo loads, and by `flask --app participation release` (for a daily schedule, it
releases only when k are waiting, like the others).
"""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa

from participation.core.changes import execute_counted
from participation.extensions import db
from participation.privacy import truncate_to_hour
from participation.suppression import threshold
from participation.surveys.models import Response, ResultRelease

_LOCK = 7_301_001  # the advisory lock's number on PostgreSQL: one release at a time


def released() -> sa.ColumnElement[bool]:
    """The condition every result query puts on responses: made visible by a release."""
    return Response.release_id.is_not(None)


def _waiting() -> sa.ColumnElement[bool]:
    """Stored, not yet released, and not held in quarantine (participation.quarantine)."""
    return sa.and_(Response.release_id.is_(None), Response.quarantined.is_(False))


def waiting() -> int:
    """Responses stored but not yet released (quarantined ones not counted)."""
    return db.session.scalar(sa.select(sa.func.count(Response.id)).where(_waiting())) or 0


def release_if_due(k: int | None = None) -> ResultRelease | None:
    """Release every waiting response when at least k are waiting. None when none was due.

    Two processes releasing at once are serialised, and each counts again under the lock, so a release
    never holds fewer than k responses. The lock lasts as long as the unit of work it is taken in: in a
    request until the request's commit (PostgreSQL: a transaction-level advisory lock; SQLite: the write
    lock `db.transaction()` takes), so the next release counts only after this one is visible; outside a
    request (`flask release`) the block below is the outermost and commits.
    """
    k = threshold() if k is None else k
    if waiting() < k:
        return None
    with db.transaction():
        if db.engine.dialect.name == "postgresql":
            db.session.execute(sa.select(sa.func.pg_advisory_xact_lock(_LOCK)))
        return release_waiting(k)


def release_waiting(k: int) -> ResultRelease | None:
    """In the caller's transaction: release every waiting response if at least k are waiting.

    The caller holds the lock or is alone (the demo loader, `release_if_due`).
    """
    release = ResultRelease(released_hour=truncate_to_hour(datetime.now(UTC)), responses=0)
    db.session.add(release)
    db.session.flush()  # on SQLite this takes the write lock before the count below
    if waiting() < k:
        db.session.delete(release)
        db.session.flush()
        return None
    # The needs map notices a release by its number, so this writes no change row (core.changes).
    result = execute_counted(
        sa.update(Response)
        .where(_waiting())
        .values(release_id=release.id)
        .execution_options(synchronize_session=False)
    )
    release.responses = int(result.rowcount or 0)
    return release
