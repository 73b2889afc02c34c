"""The facilitator's countdown closes voting at zero (issue 15, point 1): on the server, from the stored end.

No job runs at zero: the end is computed from `deadline`, so the tests move the clock (the services take
`now`, the participant routes read `routes._now`) rather than wait.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from flask_babel import force_locale

from participation.audit.models import AuditEvent
from participation.extensions import db
from participation.forum import routes, sessions, voting
from participation.forum.models import ForumMode, ForumSession, ForumVote
from participation.forum.sessions import Control, ForumError
from tests.forum.test_evening import fresh, post_staff, staff_client
from tests.forum.test_floods import Phone
from tests.forum.test_forum import make_session

START = datetime(2026, 3, 8, 18, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _database(db):  # type: ignore[no-untyped-def]
    return db


def votes_stored(session: ForumSession) -> int:
    return int(
        db.session.scalar(sa.select(sa.func.count(ForumVote.id)).where(ForumVote.session_id == session.id))
        or 0
    )


def participant(session: ForumSession, name: str):  # type: ignore[no-untyped-def]
    return voting.participant_for(session, name, START)


def test_a_vote_after_the_end_of_the_countdown_is_refused(app):
    session = make_session(ForumMode.POLL, items=("Ja", "Nej"))
    yes, no = (item.id for item in session.items)
    sessions.start_timer(session, 1, START)
    end = START + timedelta(minutes=1)
    early, late = participant(session, "early"), participant(session, "late")

    assert sessions.voting_is_open(session, end - timedelta(milliseconds=1))
    voting.vote(session, early, yes, now=end - timedelta(milliseconds=1))
    assert not sessions.voting_is_open(session, end) and sessions.time_is_up(session, end)
    with force_locale("en"), pytest.raises(ForumError, match="Time is up") as refused:
        voting.vote(session, late, no, now=end)
    assert 400 <= refused.value.status < 500
    # Taking a vote back is voting too: the countdown's end freezes it.
    with force_locale("en"), pytest.raises(ForumError, match="Time is up"):
        voting.withdraw(session, early, yes, now=end + timedelta(seconds=5))
    assert votes_stored(session) == 1
    # Nothing was written at zero: the stored switch is still on, the rule reads the end.
    assert fresh(session.id).voting_open is True


def test_opening_voting_again_clears_the_countdown(app):
    session = make_session(ForumMode.STATEMENTS, items=("A", "B"))
    first = session.items[0].id
    sessions.start_timer(session, 2, START)
    after = START + timedelta(minutes=3)
    assert not sessions.voting_is_open(session, after)
    sessions.control(session, Control.OPEN_VOTING, after)
    session = fresh(session.id)
    assert session.deadline is None and sessions.voting_is_open(session, after)
    assert sessions.seconds_left(session, after) is None
    voting.vote(session, participant(session, "p"), first, now=after)
    assert votes_stored(session) == 1


@pytest.mark.parametrize("then", [None, 5])
def test_stopping_or_restarting_an_ended_countdown_does_not_open_voting(app, then):
    """Stopping (or replacing) the countdown that closed voting leaves voting closed: only "open voting" opens it."""
    session = make_session(ForumMode.POLL, items=("Ja", "Nej"))
    sessions.start_timer(session, 1, START)
    after = START + timedelta(minutes=2)
    sessions.start_timer(session, then, after)
    session = fresh(session.id)
    assert session.voting_open is False and not sessions.voting_is_open(session, after + timedelta(seconds=1))
    with pytest.raises(ForumError):
        voting.vote(session, participant(session, "p"), session.items[0].id, now=after + timedelta(seconds=1))


def test_a_countdown_stopped_before_its_end_leaves_voting_open(app):
    session = make_session(ForumMode.POLL, items=("Ja", "Nej"))
    sessions.start_timer(session, 1, START)
    sessions.start_timer(session, None, START + timedelta(seconds=30))
    session = fresh(session.id)
    assert sessions.voting_is_open(session, START + timedelta(hours=1))


def test_the_countdown_and_the_close_it_makes_are_audited(app):
    session = make_session(ForumMode.POLL, items=("Ja", "Nej"))
    sessions.start_timer(session, 3, START)
    sessions.control(session, Control.OPEN_VOTING, START + timedelta(minutes=4))
    events = list(
        db.session.scalars(
            sa.select(AuditEvent).where(AuditEvent.object_id == session.id).order_by(AuditEvent.id)
        )
    )
    timer = next(event for event in events if event.action == "forum_timer")
    assert timer.detail["ends"] == (START + timedelta(minutes=3)).isoformat()
    assert events[-1].action == "forum_open_voting"


# --- Every screen reads voting as closed, and the poll's tag moves at zero -------------------------------


def test_every_view_reads_voting_closed_at_zero_and_the_etag_changes(app, monkeypatch):
    session = make_session(ForumMode.POLL, items=("Ja", "Nej"))
    staff = staff_client(app)
    assert post_staff(staff, f"/staff/forum/{session.id}/timer", minutes="1").status_code == 302
    phone = Phone(app, session)
    before = phone.client.get(f"/en/f/{session.code}/results.json")
    assert before.get_json()["voting_open"] is True and before.get_json()["time_up"] is False
    assert 'name="action" value="vote"' in phone.client.get(f"/en/f/{session.code}").get_data(as_text=True)

    later = datetime.now(UTC) + timedelta(minutes=1, seconds=1)
    monkeypatch.setattr(routes, "_now", lambda: later)
    # The same version in the database, but the poll that has seen it gets the new state, not a 304.
    after = phone.client.get(
        f"/en/f/{session.code}/results.json", headers={"If-None-Match": before.headers["ETag"]}
    )
    assert after.status_code == 200 and after.headers["ETag"] != before.headers["ETag"]
    data = after.get_json()
    assert data["version"] == before.get_json()["version"]
    assert (data["voting_open"], data["time_up"], data["seconds_left"]) == (False, True, 0)
    assert data["state"] != before.get_json()["state"]
    again = phone.client.get(
        f"/en/f/{session.code}/results.json", headers={"If-None-Match": after.headers["ETag"]}
    )
    assert again.status_code == 304

    page = phone.client.get(f"/en/f/{session.code}").get_data(as_text=True)
    assert "Time is up. Voting is closed." in page and 'value="vote"' not in page
    screen = phone.client.get(f"/en/f/{session.code}/screen").get_data(as_text=True)
    assert "Time is up. Voting is closed." in screen and "Voting is open." not in screen

    refused = phone.vote(session.items[0].id)
    assert refused.status_code == 409
    assert 'role="alert">Time is up. Voting is closed.' in refused.get_data(as_text=True)
    assert votes_stored(session) == 0


def test_the_facilitator_sees_the_close_and_opens_voting_again(app, monkeypatch):
    session = make_session(ForumMode.POLL, items=("Ja", "Nej"))
    staff = staff_client(app)
    post_staff(staff, f"/staff/forum/{session.id}/timer", minutes="1")
    # The facilitator's page reads the real clock: move the stored end into the past instead.
    db.session.execute(
        sa.update(ForumSession)
        .where(ForumSession.id == session.id)
        .values(deadline=datetime.now(UTC) - timedelta(seconds=1))
    )
    db.session.commit()
    manage = staff.get(f"/staff/forum/{session.id}").get_data(as_text=True)
    assert "The countdown has ended, so voting is closed." in manage
    assert 'value="open_voting"' in manage and 'value="close_voting"' not in manage

    assert post_staff(staff, f"/staff/forum/{session.id}/control", action="open_voting").status_code == 302
    reopened = fresh(session.id)
    assert reopened.deadline is None and reopened.voting_open
    phone = Phone(app, session)
    assert phone.client.get(f"/en/f/{session.code}/results.json").get_json()["voting_open"] is True
    assert phone.vote(session.items[0].id).status_code == 303
    assert votes_stored(session) == 1


def test_a_big_rooms_shared_body_does_not_outlive_the_end_of_the_countdown(app, monkeypatch):
    from participation.forum import live

    monkeypatch.setattr(live, "SHARED_FROM", 1)  # every room shares its body for a moment
    monkeypatch.setattr(live, "now", lambda: 1000.0)  # and that moment never passes
    session = make_session(ForumMode.POLL, items=("Ja", "Nej"))
    staff = staff_client(app)
    assert post_staff(staff, f"/staff/forum/{session.id}/timer", minutes="1").status_code == 302
    phone = Phone(app, session)
    assert phone.vote(session.items[0].id).status_code < 400  # the room has someone to share with
    before = phone.client.get(f"/en/f/{session.code}/results.json")
    assert before.get_json()["voting_open"] is True
    assert phone.client.get(f"/en/f/{session.code}/results.json").headers["ETag"] == before.headers["ETag"]
    later = datetime.now(UTC) + timedelta(minutes=1, seconds=1)
    monkeypatch.setattr(routes, "_now", lambda: later)
    after = phone.client.get(f"/en/f/{session.code}/results.json")
    assert after.get_json()["voting_open"] is False and after.get_json()["time_up"] is True
    assert after.headers["ETag"].endswith('-up-en"')
