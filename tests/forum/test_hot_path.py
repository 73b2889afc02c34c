"""The vote and the page after it, as 1 000 phones run them (issue 15, point 6): what was made cheaper
still says the same. A bump shows in the session it was made on, the page after a vote carries the
version the vote wrote, and the counts are read from an index alone."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from participation.database import utcnow
from participation.extensions import db
from participation.forum import results, sessions
from participation.forum.models import ForumMode, ForumSession
from tests.forum.test_floods import Phone
from tests.forum.test_forum import make_session


@pytest.fixture(autouse=True)
def _database(db):  # type: ignore[no-untyped-def]
    return db


def stored_version(session_id: int) -> int:
    """The version as the database holds it, read past the ORM's identity map."""
    return int(
        db.session.connection().scalar(
            sa.select(ForumSession.__table__.c.version).where(ForumSession.__table__.c.id == session_id)
        )
    )


def page_version(body: bytes) -> int:
    found = re.search(rb'data-version="(\d+)"', body)
    assert found is not None
    return int(found.group(1))


def test_a_bump_shows_in_the_session_it_was_made_on():
    session = make_session(ForumMode.POLL)
    before = session.version
    with db.transaction():
        sessions.bump(session)
        assert session.version == stored_version(session.id) == before + 1
        sessions.bump(session)
    assert session.version == stored_version(session.id) == before + 2
    # Not loaded (expired): read again from the database, which already has the bump.
    db.session.expire(session, ["version"])
    with db.transaction():
        sessions.bump(session)
    assert session.version == stored_version(session.id) == before + 3


def test_a_bump_in_a_block_that_is_undone_is_undone_in_the_session_too():
    session = make_session(ForumMode.POLL)
    before = session.version
    with pytest.raises(RuntimeError), db.transaction():
        sessions.bump(session)
        raise RuntimeError
    assert stored_version(session.id) == before
    assert session.version == before


def test_the_page_after_a_vote_shows_the_version_the_vote_wrote(app):
    session = make_session(ForumMode.TOPICS)
    sessions.control(session, sessions.Control.OPEN_VOTING, utcnow())
    first, second = (item.id for item in session.items)
    phone = Phone(app, session)
    for item_id in (first, second):
        answer = phone.vote(item_id)
        assert answer.status_code == 303
        page = phone.client.get(answer.headers["Location"])
        db.session.rollback()
        assert page_version(page.data) == stored_version(session.id)
    # A refused vote writes nothing: its page says the version as it stands.
    refused = phone.vote(first)
    assert refused.status_code == 409
    db.session.rollback()
    assert page_version(refused.data) == stored_version(session.id)


@pytest.mark.parametrize("statement", ["_COUNTS", "_PARTICIPANTS"])
def test_counting_a_room_reads_an_index_and_not_the_rows(statement):
    if db.engine.dialect.name != "sqlite":
        pytest.skip("SQLite's query plan; PostgreSQL chooses by its statistics")
    compiled = getattr(results, statement).compile(dialect=db.engine.dialect)
    values = compiled.construct_params({"session_id": 1})
    positional = tuple(values[name] for name in compiled.positiontup or ())
    plan = " ".join(
        str(row[-1])
        for row in db.session.connection().exec_driver_sql(f"EXPLAIN QUERY PLAN {compiled}", positional)
    )
    assert "COVERING INDEX" in plan
    assert "TEMP B-TREE" not in plan  # grouped in the index's order, not sorted again
