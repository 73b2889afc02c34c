"""Forum sessions: join, propose, vote and take back; the database holds one vote per item and the dot budget."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from participation.extensions import db
from participation.forum import sessions
from participation.forum.models import (
    ForumItem,
    ForumMode,
    ForumParticipant,
    ForumSession,
    ForumVote,
    ItemStatus,
)
from participation.forum.results import session_results
from participation.placements.models import Placement
from participation.staff.ownership import new_objects_belong_to
from participation.suppression import Count, protect
from tests.factories import csrf_token, gen_partner, gen_user, login
from tests.reports import read_csv, read_xlsx


def make_session(
    mode: ForumMode = ForumMode.TOPICS, items=("Mer sommarjobb", "Öppet på helger"), **options
) -> ForumSession:
    settings = {"dots_per_person": 3, "several_dots_per_item": False, "requires_approval": True, **options}
    with new_objects_belong_to(gen_partner().id):  # the partner gen_user's staff belong to
        return sessions.create_session(
            title="Tjejforum",
            base_language="sv",
            languages=["sv", "en"],
            mode=mode,
            items=list(items),
            **settings,
        )


def page_token(client, session) -> str:
    return csrf_token(client, "/en/f")  # the join form always carries one


def vote(client, session, item, **data):
    return client.post(
        f"/en/f/{session.code}/vote",
        data={"csrf_token": page_token(client, session), "item": item.id, **data},
    )


def votes() -> int:
    db.session.rollback()
    return db.session.scalar(sa.select(sa.func.coalesce(sa.func.sum(ForumVote.weight), 0)))


def test_facilitator_creates_a_session_with_a_projector_qr(client):
    login(client, gen_user("staff"))
    response = client.post(
        "/staff/forum/new",
        data={
            "csrf_token": csrf_token(client, "/staff/forum/new"),
            "title": "Tjejforum",
            "mode": "topics",
            "base_language": "sv",
            "languages": ["sv", "ar"],
            "dots_per_person": "3",
            "requires_approval": "y",
            "items": "Mer sommarjobb\n\nLäxhjälp",
        },
    )
    assert response.status_code == 302
    session = db.session.scalar(sa.select(ForumSession))
    assert session.code.startswith("TJEJFO") and [i.text["sv"] for i in session.items] == [
        "Mer sommarjobb",
        "Läxhjälp",
    ]
    placement = db.session.scalar(sa.select(Placement).where(Placement.code == session.code))
    assert placement.forum_session_id == session.id
    scan = client.get(f"/q/{session.code}", headers={"Accept-Language": "ar"})
    assert (
        scan.headers["Location"] == f"/en/f/{session.code}"
    )  # the facilitator's explicit English choice wins
    screen = client.get(f"/sv/f/{session.code}/screen").get_data(as_text=True)
    assert session.code in screen and f"/sv/f/{session.code}/qr.svg" in screen


def test_join_by_typing_the_code(client):
    session = make_session()
    token = csrf_token(client, "/en/f")
    assert (
        client.post("/en/f", data={"csrf_token": token, "code": session.code.lower()}).headers["Location"]
        == f"/en/f/{session.code}"
    )
    wrong = client.post("/en/f", data={"csrf_token": token, "code": "NOPE12"})
    assert wrong.status_code == 404 and 'value="NOPE12"' in wrong.get_data(as_text=True)


def test_proposals_wait_for_approval_and_flagged_ones_always_wait(app, client):
    session = make_session(requires_approval=False)
    token = page_token(client, session)
    client.post(f"/en/f/{session.code}/propose", data={"csrf_token": token, "text": "Fler  fotbollsplaner"})
    client.post(f"/en/f/{session.code}/propose", data={"csrf_token": token, "text": "Ring mig 0701234567"})
    db.session.expire_all()
    items = db.session.scalars(
        sa.select(ForumItem).where(ForumItem.proposed.is_(True)).order_by(ForumItem.id)
    ).all()
    assert [(i.text["en"], i.status) for i in items] == [
        ("Fler fotbollsplaner", ItemStatus.APPROVED),
        ("Ring mig 0701234567", ItemStatus.PENDING),
    ]
    page = client.get(f"/en/f/{session.code}").get_data(as_text=True)
    assert "Fler fotbollsplaner" in page and "0701234567" not in page
    too_long = client.post(f"/en/f/{session.code}/propose", data={"csrf_token": token, "text": "x" * 201})
    assert too_long.status_code == 422 and "x" * 201 in too_long.get_data(as_text=True)


def test_facilitator_approves_opens_voting_and_closes(client, app):
    session = make_session()
    participant = app.test_client()
    participant.post(
        f"/en/f/{session.code}/propose",
        data={"csrf_token": page_token(participant, session), "text": "Fritidsgården öppen längre"},
    )
    login(client, gen_user("staff"))
    manage = f"/staff/forum/{session.id}"
    proposal = db.session.scalar(sa.select(ForumItem).where(ForumItem.proposed.is_(True)))
    assert "Fritidsgården öppen längre" in client.get(manage).get_data(as_text=True)
    assert (
        client.post(
            f"{manage}/items/{proposal.id}",
            data={"csrf_token": csrf_token(client, manage), "status": "approved"},
        ).status_code
        == 302
    )
    assert vote(participant, session, proposal).status_code == 409  # voting not open yet
    client.post(f"{manage}/control", data={"csrf_token": csrf_token(client, manage), "action": "open_voting"})
    assert vote(participant, session, proposal).status_code == 303
    client.post(
        f"{manage}/control", data={"csrf_token": csrf_token(client, manage), "action": "close_session"}
    )
    closed = vote(participant, session, session.items[0])
    assert closed.status_code == 410 and "closed" in closed.get_data(as_text=True)
    assert votes() == 1
    # Themes can still be set after the session, so its results flow into the needs map.
    client.post(
        f"{manage}/items/{proposal.id}", data={"csrf_token": csrf_token(client, manage), "theme_ids": []}
    )
    assert client.get(manage).status_code == 200


def test_one_vote_per_item_can_be_taken_back(client):
    session = make_session(ForumMode.POLL, items=("Ja", "Nej"))
    first, second = session.items
    assert vote(client, session, first).status_code == 303
    again = vote(client, session, first)
    assert again.status_code == 409 and votes() == 1
    switch = vote(client, session, second)
    assert switch.status_code == 409 and "used all your votes" in switch.get_data(as_text=True)
    assert vote(client, session, first, action="withdraw").status_code == 303
    assert vote(client, session, second).status_code == 303
    assert votes() == 1


def test_dot_budget_is_held_by_the_database(client):
    session = make_session(
        ForumMode.DOTS, items=("A", "B", "C", "D"), dots_per_person=3, several_dots_per_item=True
    )
    a, b, c, d = session.items
    for item in (a, a, b):
        assert vote(client, session, item).status_code == 303
    over = vote(client, session, c)
    assert over.status_code == 409 and "used all your dots" in over.get_data(as_text=True)
    assert votes() == 3
    vote(client, session, a, action="withdraw")
    assert vote(client, session, d).status_code == 303
    db.session.rollback()
    participant = db.session.scalar(sa.select(ForumParticipant))
    assert participant.dots_used == 3
    # Even code that forgets the rule cannot overspend: the CHECK constraint refuses it.
    with pytest.raises(IntegrityError):
        db.session.execute(sa.update(ForumParticipant).values(dots_used=ForumParticipant.dots_used + 1))
        db.session.flush()
    db.session.rollback()


def test_the_database_refuses_a_second_vote_on_an_item(client):
    session = make_session(ForumMode.STATEMENTS, items=("Bäckby är tryggt",))
    vote(client, session, session.items[0], value="1")
    db.session.rollback()
    existing = db.session.scalar(sa.select(ForumVote))
    db.session.add(
        ForumVote(session_id=session.id, item_id=existing.item_id, participant_id=existing.participant_id)
    )
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()


def test_statements_agree_disagree_pass_and_change_of_mind(app, client):
    session = make_session(ForumMode.STATEMENTS, items=("Bäckby är tryggt",))
    statement = session.items[0]
    assert vote(client, session, statement, value="1").status_code == 303
    assert vote(client, session, statement, value="-1").status_code == 303
    other = app.test_client()
    vote(other, session, statement, value="0")
    assert vote(other, session, statement, value="7").status_code == 400
    results = session_results(db.session.get(ForumSession, session.id))
    [only] = results.items
    assert (only.agree, only.disagree, only.passed) == (0, 1, 1)


def test_bad_votes_are_refused_in_the_participants_language_and_store_nothing(client):
    session, other = make_session(ForumMode.POLL, items=("Ja",)), make_session(ForumMode.POLL, items=("Nej",))
    foreign = vote(client, session, other.items[0])
    assert foreign.status_code == 404 and "not something you can vote on" in foreign.get_data(as_text=True)
    assert (
        client.post(
            f"/en/f/{session.code}/vote", data={"csrf_token": page_token(client, session), "item": "x"}
        ).status_code
        == 400
    )
    assert (
        client.post(f"/en/f/{session.code}/vote", data={"item": session.items[0].id}).status_code == 400
    )  # no CSRF
    swedish = client.post(
        f"/sv/f/{session.code}/vote",
        data={"csrf_token": page_token(client, session), "item": other.items[0].id},
    )
    assert swedish.status_code == 404 and '<html lang="sv"' in swedish.get_data(as_text=True)
    assert votes() == 0


def test_live_results_answer_304_until_something_changes(app, client):
    session = make_session(ForumMode.POLL, items=("Ja", "Nej"))
    first = client.get(f"/en/f/{session.code}/results.json")
    etag = first.headers["ETag"]
    assert first.get_json()["items"][0]["votes"] is None  # zero looks like any count below k: hidden
    unchanged = client.get(f"/en/f/{session.code}/results.json", headers={"If-None-Match": etag})
    assert unchanged.status_code == 304 and unchanged.data == b""
    for _ in range(30):  # enough that the perturbed count is shown whatever its noise (at most 25)
        vote(app.test_client(), session, session.items[1])
    changed = client.get(f"/en/f/{session.code}/results.json", headers={"If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["ETag"] != etag
    ranking = changed.get_json()["items"]
    votes = db.session.scalars(sa.select(ForumVote.id).where(ForumVote.item_id == session.items[1].id))
    assert ranking[0]["text"] == "Nej" and ranking[0]["votes"] == protect(Count.of(votes), 5)


def test_exports_hide_small_counts(app, client):
    session = make_session(ForumMode.POLL, items=("Ja", "Nej"))
    for _ in range(30):
        vote(app.test_client(), session, session.items[0])
    vote(app.test_client(), session, session.items[1])
    login(client, gen_user("staff"))
    rows = read_csv(client.get(f"/staff/forum/{session.id}/results.csv").data, ",").tables["Results"]
    votes = db.session.scalars(sa.select(ForumVote.id).where(ForumVote.item_id == session.items[0].id))
    assert rows[0] == ["Item", "Themes", "votes", "votes: Hidden (fewer than 5)"]
    assert rows[1][0] == "Ja" and rows[1][2:] == [str(protect(Count.of(votes), 5)), "0"]
    assert rows[2][0] == "Nej" and rows[2][2:] == ["", "1"]  # hidden: empty, and flagged
    sheets = read_xlsx(client.get(f"/staff/forum/{session.id}/results.xlsx").data)
    assert sheets["Results"][2][2:] == (None, 1) and isinstance(sheets["Results"][1][2], int)
    assert "fewer than 5" in client.get(f"/staff/forum/{session.id}/results").get_data(as_text=True)


def test_a_refused_first_vote_or_topic_leaves_no_join_behind(app, db):
    """Nothing partial: a phone whose first action is refused is not counted as having joined."""
    session = make_session(ForumMode.POLL, items=("Ja", "Nej"))
    phone = app.test_client()
    refused = vote(phone, session, session.items[0], value="7")  # not a value a poll vote can have
    assert 400 <= refused.status_code < 500
    assert db.session.scalar(sa.select(sa.func.count(ForumParticipant.id))) == 0
    assert vote(phone, session, session.items[0]).status_code == 303
    assert db.session.scalar(sa.select(sa.func.count(ForumParticipant.id))) == 1
