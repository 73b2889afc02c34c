"""The forum's writes are one unit per request: refusals keep nothing, lost races keep the rest of the request."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from participation.audit.models import AuditEvent
from participation.audit.services import record
from participation.core.floods import FloodBurst
from participation.database import utcnow
from participation.extensions import db
from participation.forum import voting
from participation.forum.models import ForumMode, ForumParticipant, ForumSession, ForumVote
from participation.forum.results import session_results
from participation.forum.sessions import ForumError
from participation.privacy import keyed_hash, truncate_to_hour
from tests.forum.test_floods import Phone, poll
from tests.forum.test_forum import make_session


def participants() -> int:
    db.session.rollback()
    return db.session.scalar(sa.select(sa.func.count(ForumParticipant.id))) or 0


def test_a_refused_first_vote_from_a_held_join_leaves_neither_join_nor_burst(app, db, monkeypatch):
    """The join, its place in the burst and the refused vote are one unit: the 4xx rolls all of it back."""
    monkeypatch.setitem(app.config, "FLOOD_JOINS", "1 per 10 minutes")
    session = make_session(ForumMode.POLL, items=("Ja", "Nej"))
    yes = session.items[0].id
    assert Phone(app, session).fresh().vote(yes).status_code == 303
    refused = Phone(app, session).fresh().vote(yes, value="7")  # a held join, then a vote no poll takes
    assert refused.status_code == 400
    assert participants() == 1
    assert db.session.scalar(sa.select(sa.func.count(FloodBurst.id))) == 0


def test_a_refused_vote_does_not_tell_the_screens_anything_changed(app, db):
    session = make_session(ForumMode.POLL, items=("Ja", "Nej"))
    phone = Phone(app, session).fresh()
    assert phone.vote(session.items[0].id).status_code == 303
    version = poll(session.id).version
    assert phone.vote(session.items[1].id).status_code == 409  # a poll has one vote
    assert poll(session.id).version == version


def test_a_counted_join_whose_vote_is_held_still_moves_the_screens(app, db, monkeypatch):
    """How many joined is on the projector: the join announces itself, even when its vote waits in a burst."""
    monkeypatch.setitem(app.config, "FLOOD_VOTES", "1 per 10 minutes")
    session = make_session(ForumMode.POLL, items=("Ja", "Nej"))
    yes = session.items[0].id
    assert Phone(app, session).fresh().vote(yes).status_code == 303
    version = poll(session.id).version
    etag = Phone(app, session).client.get(f"/en/f/{session.code}/results.json").headers["ETag"]
    assert Phone(app, session).fresh().vote(yes).status_code == 303  # counted join, held vote
    results = session_results(poll(session.id))
    assert results.participants == 2 and results.items[0].votes == 1
    assert results.version > version
    again = Phone(app, session).client.get(
        f"/en/f/{session.code}/results.json", headers={"If-None-Match": etag}
    )
    assert again.status_code == 200


def test_a_vote_the_database_refuses_rolls_back_only_its_own_savepoint(app, db):
    """The dot budget's CHECK refuses the second poll vote; what the request did before it is still there."""
    session = make_session(ForumMode.POLL, items=("Ja", "Nej"))
    first, second = (item.id for item in session.items)
    with app.test_request_context("/en/f", environ_base={"REMOTE_ADDR": "192.0.2.10"}):
        forum = db.session.get(ForumSession, session.id)
        participant = voting.participant_for(forum, keyed_hash("forum", forum.id, "phone"), utcnow())
        voting.vote(forum, participant, first)
        with pytest.raises(ForumError) as refused:
            voting.vote(forum, participant, second)
        assert refused.value.status == 409
        # Not committed (the request would commit at its end), and not rolled back either.
        assert db.session.scalar(sa.select(ForumParticipant.id)) == participant.id
        assert db.session.scalars(sa.select(ForumVote.item_id)).all() == [first]
    assert participants() == 0  # the request never committed: nothing of it stands


def test_a_join_that_loses_the_race_reads_the_winner_and_keeps_the_rest_of_the_request(app, db, monkeypatch):
    session = make_session(ForumMode.POLL, items=("Ja", "Nej"))
    device = keyed_hash("forum", session.id, "phone")
    with db.independent_transaction() as other:  # the parallel request that joined first
        other.add(
            ForumParticipant(
                session_id=session.id,
                participant_hash=device,
                dots_allowed=1,
                joined_hour=truncate_to_hour(utcnow()),
            )
        )
    winner = db.session.scalar(sa.select(ForumParticipant.id))
    found, looked = voting.find_participant, []

    def too_early(forum: ForumSession, participant_hash: str | None) -> ForumParticipant | None:
        """The first look happened before the other request committed: it saw no one."""
        looked.append(participant_hash)
        return None if len(looked) == 1 else found(forum, participant_hash)

    monkeypatch.setattr(voting, "find_participant", too_early)
    with app.test_request_context("/en/f", environ_base={"REMOTE_ADDR": "192.0.2.10"}):
        forum = db.session.get(ForumSession, session.id)
        with db.transaction():
            record("forum_test_marker", "forum_session", forum.id)
        participant = voting.participant_for(forum, device, utcnow())
        assert participant.id == winner and len(looked) == 2
        assert (
            db.session.scalar(
                sa.select(sa.func.count(AuditEvent.id)).where(AuditEvent.action == "forum_test_marker")
            )
            == 1
        )
