"""Opinion groups: two camps are found, with what sets them apart and their common ground, never a small group."""

from __future__ import annotations

import random
from datetime import UTC, datetime

import numpy as np
import pytest
import sqlalchemy as sa

from participation.extensions import db
from participation.forum import opinions
from participation.forum.models import ForumMode, ForumParticipant, ForumSession, ForumVote
from tests.factories import gen_user, login
from tests.forum.test_forum import make_session
from tests.reports import read_xlsx

STATEMENTS = ("A: mer fritid", "B: fler lärare", "C: mindre buss", "D: färre parker", "E: trygg skola")


def camps(per_camp: int = 30, seed: int = 3) -> list[list[int]]:
    """Two camps: one agrees with A, B and disagrees with C, D, the other the opposite; all agree with E."""
    rng = random.Random(seed)
    people = []
    for camp in (1, -1):
        for _ in range(per_camp):
            row = [camp, camp, -camp, -camp, 1]
            if rng.random() < 0.3:  # noise: one vote passed
                row[rng.randrange(4)] = 0
            people.append(row)
    return people


def add_votes(session_id: int, item_ids: list[int], people: list[list[int]]) -> None:
    """Each row of votes as one participant of the session (in the items' order)."""
    hour = datetime(2026, 1, 1, tzinfo=UTC)
    for number, row in enumerate(people):
        participant = ForumParticipant(session_id=session_id, participant_hash=f"p{number}", joined_hour=hour)
        db.session.add(participant)
        db.session.flush()
        for item_id, value in zip(item_ids, row, strict=True):
            db.session.add(
                ForumVote(session_id=session_id, item_id=item_id, participant_id=participant.id, value=value)
            )
    db.session.commit()


def statements_session(people: list[list[int]]) -> ForumSession:
    session = make_session(ForumMode.STATEMENTS, items=STATEMENTS)
    add_votes(session.id, [item.id for item in session.items], people)
    return session


@pytest.fixture(autouse=True)
def _fresh_groups():
    opinions._RECENT.clear()
    yield
    opinions._RECENT.clear()


def texts(statements) -> set[str]:
    return {s.item.text["sv"] for s in statements}


def test_the_pure_grouping_is_deterministic_and_refuses_small_groups():
    matrix = np.array(camps(), dtype=float)
    first, again = opinions.group_labels(matrix, 5), opinions.group_labels(matrix, 5)
    assert first is not None and again is not None and (first == again).all()
    assert first.tolist() == [0] * 30 + [1] * 30
    assert opinions.group_labels(matrix[:9], 5) is None  # fewer than 2·k rows
    lopsided = np.array(camps()[:30] + camps()[30:34], dtype=float)  # a camp of 4 < k
    labels = opinions.group_labels(lopsided, 5)
    assert labels is None or np.bincount(labels).min() >= 5


def test_two_camps_give_two_groups_with_what_sets_them_apart_and_common_ground(app, db):
    session = statements_session(camps())
    with app.test_request_context():
        result = opinions.opinion_groups(session)
    assert result is not None and len(result.groups) == 2
    first, second = result.groups
    assert texts(first.apart) <= {"A: mer fritid", "B: fler lärare", "C: mindre buss", "D: färre parker"}
    assert first.apart and second.apart
    assert all(s.difference > 0 for s in first.apart if s.item.text["sv"][0] in "AB")
    assert texts(result.common) == {"E: trygg skola"}
    assert all(group.size >= result.k for group in result.groups)
    with app.test_request_context():
        assert opinions.opinion_groups(session) == result  # the same votes, the same output


def test_too_few_voters_or_a_group_under_k_shows_nothing(app, db):
    few = statements_session(camps(per_camp=4))
    lopsided = statements_session(camps()[:30] + camps()[30:33])
    with app.test_request_context():
        assert opinions.opinion_groups(few) is None
        result = opinions.opinion_groups(lopsided)
    assert result is None or all(g.size >= 5 for g in result.groups)


def test_removing_one_voter_never_shows_a_group_under_k(app, db):
    """A camp of exactly k, then k − 1: the second is not shown as a group of four, nor as anything under k."""
    base = camps()[:30]
    small = camps()[30:35]
    with app.test_request_context():
        at_k = opinions.opinion_groups(statements_session(base + small))
        below = opinions.opinion_groups(statements_session(base + small[:4]))
    assert at_k is not None and all(g.size >= 5 for g in at_k.groups)
    assert below is None or all(g.size >= 5 for g in below.groups)


def test_held_votes_and_participants_are_left_out(app, db):
    session = statements_session(camps())
    db.session.execute(sa.update(ForumParticipant).values(quarantined=True))
    db.session.commit()
    with app.test_request_context():
        assert opinions.opinion_groups(session) is None


def test_a_topics_session_has_no_opinion_groups(app, db):
    session = make_session(ForumMode.TOPICS)
    with app.test_request_context():
        assert opinions.opinion_groups(session) is None


def test_facilitator_and_projector_show_the_groups_only_when_allowed(client):
    session = statements_session(camps())
    empty = statements_session(camps(per_camp=3))
    login(client, gen_user("staff"))
    page = client.get(f"/staff/forum/{session.id}").get_data(as_text=True)
    assert "Opinion groups" in page and "Common ground" in page and "E: trygg skola" in page
    assert "Opinion groups" not in client.get(f"/staff/forum/{empty.id}").get_data(as_text=True)
    db.session.execute(
        sa.update(ForumSession).where(ForumSession.id == session.id).values(results_hidden=True)
    )
    db.session.commit()
    assert "Opinion groups" not in client.get(f"/en/f/{session.code}/screen").get_data(as_text=True)
    db.session.execute(
        sa.update(ForumSession).where(ForumSession.id == session.id).values(results_hidden=False)
    )
    db.session.commit()
    screen = client.get(f"/en/f/{session.code}/screen").get_data(as_text=True)
    assert "Opinion groups" in screen and "Common ground" in screen


def test_the_export_has_the_opinion_groups_table(client):
    session = statements_session(camps())
    login(client, gen_user("staff"))
    response = client.get(f"/staff/forum/{session.id}/results.xlsx")
    sheets = read_xlsx(response.data)
    assert any("Opinion groups" in title for title in sheets)
    machine = client.get(f"/staff/forum/{session.id}/results.csv?format=machine&table=opinion_groups")
    header = machine.get_data(as_text=True).splitlines()[0]
    assert header.startswith("group,") and "E: trygg skola" in machine.get_data(as_text=True)
    printable = client.get(f"/staff/forum/{session.id}/results").get_data(as_text=True)
    assert "Opinion groups" in printable and "Common ground" in printable
    human = client.get(f"/staff/forum/{session.id}/results.csv?delimiter=comma").get_data(as_text=True)
    assert "Opinion groups" in human and "Results" in human
    plain = client.get(f"/staff/forum/{session.id}/results.csv?format=machine")
    assert plain.get_data(as_text=True).splitlines()[0].startswith("item,")


def test_groups_kept_between_refreshes_never_show_a_group_under_k(app, db):
    """Within REFRESH_SECONDS the last groups are reused, yet a held participant is gone at once."""
    session = statements_session(camps())
    with app.test_request_context():
        first = opinions.opinion_groups(session)
        assert first is not None and len(first.groups) == 2
        ids = sorted(db.session.scalars(sa.select(ForumParticipant.id)))
        held = ids[30:56]  # of the second camp, only four are still counted
        db.session.execute(
            sa.update(ForumParticipant).where(ForumParticipant.id.in_(held)).values(quarantined=True)
        )
        db.session.commit()
        again = opinions.opinion_groups(session)
    assert again is None or all(group.size >= 5 for group in again.groups)
