"""The staff home shows held bursts (how many, since when); staff release or discard them, audited."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import pytest
import sqlalchemy as sa

from participation.audit.models import AuditEvent
from participation.core.floods import BurstStatus, FloodBurst
from participation.extensions import db
from participation.forum.models import ForumMode, ForumParticipant, ForumSession, ForumVote
from participation.forum.results import session_results
from participation.insights import tally
from participation.surveys.models import Answer, Response
from tests.factories import csrf_token, gen_survey, gen_user, login
from tests.floods import SCHOOL, Script, from_address
from tests.forum.test_floods import Phone, counted, held
from tests.forum.test_forum import make_session


@pytest.fixture()
def small_ceilings(app, monkeypatch):  # type: ignore[no-untyped-def]
    """Ceilings small enough to overflow in a few requests; the mechanism is the one the defaults use."""
    monkeypatch.setitem(app.config, "FLOOD_RESPONSES", "5 per 10 minutes; 40 per 4 hours")
    monkeypatch.setitem(app.config, "FLOOD_JOINS", "4 per 10 minutes")


def flood(app, survey, sends: int = 12) -> None:  # type: ignore[no-untyped-def]
    script = Script(from_address(app.test_client()), survey)
    for _ in range(sends):
        assert script.send() == 303


def responses(quarantined: bool) -> int:
    db.session.rollback()
    return db.session.scalar(sa.select(sa.func.count()).where(Response.quarantined.is_(quarantined))) or 0


def released_count() -> int:
    db.session.rollback()
    return db.session.scalar(sa.select(sa.func.count()).where(Response.release_id.is_not(None))) or 0


def test_the_staff_home_shows_a_burst_and_releasing_it_makes_it_count(app, client, small_ceilings):
    survey = gen_survey()
    flood(app, survey)
    assert (responses(False), responses(True)) == (5, 7)
    # Results count released responses only, and a held one is never released.
    assert released_count() == 5
    login(client, gen_user("staff"))
    home = client.get("/staff/").get_data(as_text=True)
    assert "Held back: many submissions from one address" in home
    assert "7 responses" in home and "Test survey" in home
    [burst] = db.session.scalars(sa.select(FloodBurst))
    assert f'action="/staff/quarantine/{burst.id}"' in home
    assert tally.current().responses == 5

    released = client.post(
        f"/staff/quarantine/{burst.id}", data={"csrf_token": csrf_token(client), "action": "release"}
    )
    assert released.status_code == 302
    assert (responses(False), responses(True)) == (12, 0)
    assert released_count() == 12  # the next release of results takes them in
    burst = db.session.get(FloodBurst, burst.id)
    assert burst.status is BurstStatus.RELEASED and burst.decided_at is not None
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "flood_burst_released"))
    assert event.object_id == burst.id and event.detail["count"] == 7 and event.user_id is not None
    # The needs map takes them in with the release of results, like any other responses.
    db.session.rollback()
    assert tally.current().responses == 12
    after = client.get("/staff/").get_data(as_text=True)
    assert "Held back" not in after
    assert "Released: these submissions count in the results now." in after  # in the staff's language


def test_a_new_flood_after_a_release_opens_a_new_burst(app, client, small_ceilings):
    survey = gen_survey()
    flood(app, survey, 7)
    login(client, gen_user("staff"))
    [first] = db.session.scalars(sa.select(FloodBurst))
    client.post(f"/staff/quarantine/{first.id}", data={"csrf_token": csrf_token(client), "action": "release"})
    flood(app, survey, 3)
    db.session.rollback()
    bursts = db.session.scalars(sa.select(FloodBurst).order_by(FloodBurst.id)).all()
    assert [(b.status, b.count) for b in bursts] == [(BurstStatus.RELEASED, 2), (BurstStatus.OPEN, 3)]
    assert responses(True) == 3


def test_discarding_a_burst_deletes_its_rows(app, client, small_ceilings):
    survey = gen_survey()
    flood(app, survey)
    login(client, gen_user("admin"))
    [burst] = db.session.scalars(sa.select(FloodBurst))
    client.post(f"/staff/quarantine/{burst.id}", data={"csrf_token": csrf_token(client), "action": "discard"})
    assert (responses(False), responses(True)) == (5, 0)
    assert db.session.scalar(sa.select(sa.func.count(sa.distinct(Answer.response_id)))) == 5
    assert db.session.get(FloodBurst, burst.id).status is BurstStatus.DISCARDED
    assert db.session.scalar(sa.select(AuditEvent.action).where(AuditEvent.object_type == "flood_burst")) == (
        "flood_burst_discarded"
    )


def test_only_staff_decide_with_a_csrf_token_and_only_once(app, client, small_ceilings):
    survey = gen_survey()
    flood(app, survey)
    [burst] = db.session.scalars(sa.select(FloodBurst))
    url = f"/staff/quarantine/{burst.id}"
    assert client.post(url, data={"action": "release"}).status_code == 400  # no CSRF token, no login
    login(client, gen_user("analyst"))
    assert "Held back" not in client.get("/staff/").get_data(as_text=True)
    assert client.post(url, data={"csrf_token": csrf_token(client), "action": "release"}).status_code == 403
    client.post("/staff/logout", data={"csrf_token": csrf_token(client)})
    login(client, gen_user("staff"))
    assert client.post(url, data={"action": "release"}).status_code == 400  # no CSRF token
    assert client.post(url, data={"csrf_token": csrf_token(client), "action": "maybe"}).status_code == 400
    assert responses(True) == 7
    client.post(url, data={"csrf_token": csrf_token(client), "action": "release"})
    again = client.post(
        url, data={"csrf_token": csrf_token(client), "action": "discard"}, follow_redirects=True
    )
    assert "Someone already decided about these submissions." in again.get_data(as_text=True)
    assert responses(False) == 12
    unknown = client.post(
        "/staff/quarantine/99999999", data={"csrf_token": csrf_token(client), "action": "release"}
    )
    assert unknown.status_code == 404


def test_another_partners_staff_neither_see_nor_decide_a_burst(app, client, small_ceilings):
    survey = gen_survey(partner="Bostadsbolaget")
    flood(app, survey)
    [burst] = db.session.scalars(sa.select(FloodBurst))
    login(client, gen_user("staff"))  # the youth organisation's staff
    assert "Held back" not in client.get("/staff/").get_data(as_text=True)
    refused = client.post(
        f"/staff/quarantine/{burst.id}", data={"csrf_token": csrf_token(client), "action": "release"}
    )
    assert refused.status_code == 404 and responses(True) == 7
    client.post("/staff/logout", data={"csrf_token": csrf_token(client)})
    login(client, gen_user("admin", partner="Backbone"))  # the backbone's admins decide for anyone
    assert "7 responses" in client.get("/staff/").get_data(as_text=True)


def test_a_forum_burst_is_released_into_the_results(app, client, small_ceilings):
    session = make_session(ForumMode.POLL, items=("Ja", "Nej"))
    yes = session.items[0].id
    script = Phone(app, session)
    for _ in range(10):
        script.fresh().vote(yes)
    assert (counted(ForumParticipant), held(ForumParticipant), held(ForumVote)) == (4, 6, 6)
    db.session.rollback()
    assert session_results(db.session.get(ForumSession, session.id)).items[0].votes == 4
    login(client, gen_user("staff"))
    home = client.get("/staff/").get_data(as_text=True)
    assert "6 votes" in home and "6 participants" in home and "Forum session" in home
    [burst] = db.session.scalars(sa.select(FloodBurst))
    version = db.session.get(ForumSession, session.id).version
    client.post(f"/staff/quarantine/{burst.id}", data={"csrf_token": csrf_token(client), "action": "release"})
    db.session.rollback()
    released = db.session.get(ForumSession, session.id)
    assert released.version > version  # the projector picks it up
    results = session_results(released)
    assert {r.item.id: r.votes for r in results.items}[yes] == 10 and results.participants == 10


def test_discarding_a_forum_burst_gives_the_dots_back(app, client, monkeypatch):
    monkeypatch.setitem(app.config, "FLOOD_VOTES", "2 per 10 minutes")
    session = make_session(ForumMode.DOTS, items=("A", "B", "C"), dots_per_person=3)
    phone = Phone(app, session).fresh()
    for item in session.items:
        assert phone.vote(item.id).status_code == 303
    assert (counted(ForumVote), held(ForumVote)) == (2, 1)
    login(client, gen_user("staff"))
    [burst] = db.session.scalars(sa.select(FloodBurst))
    client.post(f"/staff/quarantine/{burst.id}", data={"csrf_token": csrf_token(client), "action": "discard"})
    db.session.rollback()
    participant = db.session.scalar(sa.select(ForumParticipant))
    assert participant.dots_used == 2 and held(ForumVote) == 0


@pytest.mark.skipif(
    not os.environ.get("PARTICIPATION_RATELIMIT_STORAGE_URI", "").startswith("redis://"),
    reason="run with PARTICIPATION_RATELIMIT_STORAGE_URI=redis://… to test the shared storage",
)
def test_two_app_processes_sharing_redis_count_one_ceiling(app, db, small_ceilings):
    """Three responses here, two checks in another process's app: the sixth response from the address is held."""
    survey = gen_survey()
    flood(app, survey, 3)
    other = textwrap.dedent(
        f"""
        from participation import create_app
        from participation.core.floods import Flow, within_ceiling
        app = create_app({{"TESTING": True, "FLOOD_RESPONSES": "5 per 10 minutes; 40 per 4 hours"}})
        with app.test_request_context(environ_base={{"REMOTE_ADDR": "{SCHOOL}"}}):
            print([within_ceiling(Flow.RESPONSE, {survey.id}) for _ in range(2)])
        """
    )
    result = subprocess.run([sys.executable, "-c", other], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[True, True]"
    flood(app, survey, 1)
    # 3 + 2 = 5 reached the ceiling across both processes, so this process holds its fourth response.
    assert (responses(False), responses(True)) == (3, 1)
