"""Forum floods: joins, votes and topics beyond an address's ceiling are held; a room of 30 is not."""

from __future__ import annotations

import re

import sqlalchemy as sa

from participation.core.floods import BurstKind, FloodBurst
from participation.database import utcnow
from participation.extensions import db
from participation.forum import sessions
from participation.forum.models import (
    AGREE,
    ForumItem,
    ForumMode,
    ForumParticipant,
    ForumSession,
    ForumVote,
    ItemStatus,
)
from participation.forum.results import session_results
from participation.privacy import DEVICE_COOKIE, new_token
from participation.suppression import Count, protect
from tests.factories import csrf_token
from tests.floods import from_address
from tests.forum.test_forum import make_session


def protected_votes(item_id: int, value: int = AGREE) -> int | None:
    """What a poll's or a statement's count shows: its counted votes, perturbed and hidden below k."""
    ids = db.session.scalars(
        sa.select(ForumVote.id).where(
            ForumVote.item_id == item_id, ForumVote.value == value, ~ForumVote.quarantined
        )
    )
    return protect(Count.of(ids), 5)


def held(model: type) -> int:
    db.session.rollback()
    return db.session.scalar(sa.select(sa.func.count()).select_from(model).where(model.quarantined)) or 0


def counted(model: type) -> int:
    db.session.rollback()
    return db.session.scalar(sa.select(sa.func.count()).select_from(model).where(~model.quarantined)) or 0


def poll(session_id: int) -> ForumSession:
    """The session as the database holds it now (a rollback alone keeps objects it did not expire)."""
    db.session.rollback()
    db.session.expire_all()
    return db.session.get(ForumSession, session_id)


class Phone:
    """A phone (or a script pretending to be many) behind one address."""

    def __init__(self, app, session: ForumSession, address: str = "192.0.2.10") -> None:  # type: ignore[no-untyped-def]
        self.client = from_address(app.test_client(), address)
        self.code = session.code
        self.token = csrf_token(self.client, "/en/f")

    def fresh(self) -> Phone:
        self.client.set_cookie(DEVICE_COOKIE, new_token())
        return self

    def vote(self, item_id: int, **data: object):  # type: ignore[no-untyped-def]
        return self.client.post(
            f"/en/f/{self.code}/vote", data={"csrf_token": self.token, "item": item_id, **data}
        )

    def propose(self, text: str):  # type: ignore[no-untyped-def]
        return self.client.post(f"/en/f/{self.code}/propose", data={"csrf_token": self.token, "text": text})


def test_a_poll_vote_flood_from_one_address_is_held(app, db, clock):
    session = make_session(ForumMode.POLL, items=("Ja", "Nej"))
    yes = session.items[0].id
    script = Phone(app, session)
    for sent in range(400):
        # A new device cookie for every vote: each is a new participant, as in the reported attack.
        assert script.fresh().vote(yes).status_code == 303
        if sent % 100 == 99:
            clock.advance(minutes=0.25)
    # 100 joins per 10 minutes per address: the first hundred count, everyone after them is held.
    assert counted(ForumParticipant) == 100 and held(ForumParticipant) == 300
    assert counted(ForumVote) == 100 and held(ForumVote) == 300
    results = session_results(poll(session.id))
    assert {r.item.id: r.votes for r in results.items}[yes] == 100
    assert results.participants == 100
    data = script.client.get(f"/en/f/{session.code}/results.json").get_json()
    assert data["participants"] == 100
    assert {item["id"]: item["votes"] for item in data["items"]}[yes] == protected_votes(yes)
    [burst] = db.session.scalars(sa.select(FloodBurst))
    assert (burst.kind, burst.scope_id, burst.count) == (BurstKind.FORUM, session.id, 600)  # joins + votes


def test_a_forum_of_thirty_phones_behind_one_router_all_counts(app, db):
    session = make_session(ForumMode.TOPICS, items=[f"Ämne {n}" for n in range(8)], requires_approval=False)
    sessions.control(poll(session.id), sessions.Control.OPEN_VOTING, utcnow())
    item_ids = [item.id for item in poll(session.id).items]
    for n in range(30):
        phone = Phone(app, session).fresh()
        assert phone.propose(f"Förslag nummer {n}").status_code == 303
        for item_id in item_ids[:6]:
            assert phone.vote(item_id).status_code == 303
    assert held(ForumParticipant) == held(ForumVote) == held(ForumItem) == 0
    assert counted(ForumVote) == 180 and counted(ForumItem) == 38
    assert db.session.scalar(sa.select(sa.func.count()).select_from(FloodBurst)) == 0


def test_one_phone_proposes_at_most_five_topics(app, db):
    session = make_session(requires_approval=False)
    phone = Phone(app, session).fresh()
    statuses = [phone.propose(f"Reklam {n}").status_code for n in range(19)]  # the phone may try 20 a minute
    assert statuses[:5] == [303] * 5 and set(statuses[5:]) == {409}
    refused = phone.propose("Ett sista")
    assert "as many as one person can in this session" in refused.get_data(as_text=True)
    assert "Ett sista" in refused.get_data(as_text=True)  # the text stays in the box
    assert db.session.scalar(sa.select(sa.func.count()).where(ForumItem.proposed)) == 5


def test_a_hundred_spam_topics_from_one_address_are_held(app, db, clock):
    session = make_session(requires_approval=False)
    script = Phone(app, session)
    for n in range(100):
        assert script.fresh().propose(f"Köp billiga skor nummer {n}").status_code == 303
        if n % 20 == 19:
            clock.advance(minutes=1)  # five minutes in all: still inside one ten-minute window
    # 40 topics per 10 minutes per address; the other 60 are stored but shown nowhere.
    assert counted(ForumItem) == 2 + 40 and held(ForumItem) == 60
    page = script.client.get(f"/en/f/{session.code}").get_data(as_text=True)
    assert "nummer 39" in page and "nummer 40" not in page and "nummer 99" not in page
    screen = script.client.get(f"/en/f/{session.code}/screen").get_data(as_text=True)
    assert "nummer 40" not in screen
    # Held topics do not fill the session: the room can still propose.
    assert Phone(app, session, "198.51.100.7").fresh().propose("Längre öppettider").status_code == 303


def test_a_per_session_cap_on_proposals(app, db):
    session = make_session(requires_approval=False)
    sessions.set_proposal_cap(poll(session.id), 2)
    phone = Phone(app, session).fresh()
    assert [phone.propose(f"Idé {n}").status_code for n in range(3)] == [303, 303, 409]
    assert "You have proposed 2 topics" in phone.propose("Idé 4").get_data(as_text=True)


def test_topics_without_a_visible_character_are_refused(app, db):
    session = make_session(requires_approval=False)
    phone = Phone(app, session).fresh()
    for text in ["\x00", "\x00\x00\x00", "\x7f", "\x7f\x7f", "\u200b\u200d", " \u3164 ", "\u2800", "\u0301"]:
        response = phone.propose(text)
        assert response.status_code == 422, repr(text)
        assert "Write your topic first" in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).where(ForumItem.proposed)) == 0


def test_control_characters_are_stripped_and_hidden_personal_data_still_flagged(app, db):
    session = make_session(requires_approval=False)
    phone = Phone(app, session).fresh()
    phone.propose("Mer\x00 läxhjälp\x7f")
    phone.propose("jag\u200b heter\u200b Sara")  # zero-width spaces do not hide a name from the flags
    db.session.rollback()
    items = db.session.scalars(sa.select(ForumItem).where(ForumItem.proposed).order_by(ForumItem.id)).all()
    assert items[0].text["en"] == "Mer läxhjälp" and items[0].status is ItemStatus.APPROVED
    assert items[1].status is ItemStatus.PENDING and "name" in items[1].flags
    page = phone.client.get(f"/en/f/{session.code}").get_data(as_text=True)
    assert "Sara" not in page


def test_statement_counts_below_k_are_hidden_everywhere_and_after_closing(app, db):
    session = make_session(ForumMode.STATEMENTS, items=("Jag har blivit hotad i skolan", "Skolan är trygg"))
    threatened, safe = (item.id for item in session.items)
    for n in range(3):
        phone = Phone(app, session, f"198.51.100.{n + 1}").fresh()
        phone.vote(threatened, value="1" if n == 0 else "-1")
    for n in range(9):
        Phone(app, session, f"203.0.113.{n + 1}").fresh().vote(safe, value="1" if n < 7 else "-1")
    viewer = Phone(app, session, "203.0.113.200")

    def check() -> None:
        data = viewer.client.get(f"/en/f/{session.code}/results.json").get_json()
        rows = {item["id"]: item for item in data["items"]}
        assert (rows[threatened]["agree"], rows[threatened]["disagree"], rows[threatened]["pass"]) == (
            None,
            None,
            None,
        )
        # 7 agree is shown perturbed (or hidden); 2 disagree and 0 pass are hidden, nothing from a total.
        assert rows[safe]["agree"] == protected_votes(safe) and rows[safe]["disagree"] is None
        assert rows[safe]["pass"] is None
        assert data["hidden"] == "fewer than 5"
        assert data["participants"] == 12
        for page in (f"/en/f/{session.code}/screen", f"/en/f/{session.code}"):
            html = viewer.client.get(page).get_data(as_text=True)
            assert "fewer than 5" in html
            # Each count in words, in the page's plural forms: "13 agree", "fewer than 5 pass".
            tally = re.findall(r'data-field="(?:agree|disagree|pass)"[^>]*>([^<]*)<', html)
            figures = {re.sub(r" (agrees?|disagrees?|pass(es)?)$", "", words) for words in tally}
            shown = {str(protected_votes(safe)) if protected_votes(safe) else "fewer than 5", "fewer than 5"}
            assert figures == shown

    check()
    sessions.control(poll(session.id), sessions.Control.CLOSE_SESSION, utcnow())
    check()


def test_small_vote_counts_are_hidden_on_the_projector(app, db):
    session = make_session(ForumMode.POLL, items=("Ja", "Nej"))
    yes, no = (item.id for item in session.items)
    for n in range(6):
        Phone(app, session, f"198.51.100.{n + 1}").fresh().vote(yes)
    Phone(app, session, "198.51.100.99").fresh().vote(no)
    viewer = Phone(app, session, "203.0.113.200")
    data = viewer.client.get(f"/en/f/{session.code}/results.json").get_json()
    assert dict((item["id"], item["votes"]) for item in data["items"]) == {
        yes: protected_votes(yes),
        no: None,
    }
    screen = viewer.client.get(f"/en/f/{session.code}/screen").get_data(as_text=True)
    assert "fewer than 5 votes" in re.findall(r'data-field="votes"[^>]*>([^<]*)<', screen)


def test_too_many_votes_from_one_phone_get_a_message_not_a_generic_page(app, db):
    session = make_session(ForumMode.DOTS, items=[f"Punkt {n}" for n in range(3)], several_dots_per_item=True)
    item = session.items[0].id
    phone = Phone(app, session).fresh()
    last = None
    for _ in range(121):
        last = phone.vote(item, action="withdraw")  # refused each time (no vote to take back), still counted
    assert last is not None and last.status_code == 429
    assert 1 <= int(last.headers["Retry-After"]) <= 60
    html = last.get_data(as_text=True)
    assert "please send it again in" in html and "Punkt 0" in html


def test_a_429_on_proposing_keeps_the_topic(app, db):
    session = make_session()
    phone = Phone(app, session).fresh()
    last = None
    for _ in range(21):
        last = phone.propose("\x00")  # refused as empty, but each try counts against the phone's limit
    last = phone.propose("Fler bänkar i parken")
    assert last.status_code == 429
    html = last.get_data(as_text=True)
    assert "Fler bänkar i parken" in html and "Everything you wrote is still here" in html
    assert "Retry-After" in last.headers


def test_a_429_on_an_unknown_session_is_a_404_page_not_an_error(app, db):
    phone = from_address(app.test_client())
    token = csrf_token(phone, "/en/f")
    statuses = {
        phone.post("/en/f/NOSUCH/vote", data={"csrf_token": token, "item": "1"}).status_code
        for _ in range(122)
    }
    assert statuses == {404}


def test_held_topics_are_not_needs_to_answer(app, db, monkeypatch):
    from participation.actions.services import answer_rate
    from tests.factories import gen_theme

    monkeypatch.setitem(app.config, "FLOOD_PROPOSALS", "2 per 10 minutes")
    session = make_session(items=(), requires_approval=False)
    script = Phone(app, session)
    for n in range(5):
        script.fresh().propose(f"Förslag {n}")
    theme = gen_theme("leisure")
    db.session.commit()
    for item in poll(session.id).items:
        sessions.set_item_themes(item, [theme.id])
    sessions.control(poll(session.id), sessions.Control.CLOSE_SESSION, utcnow())
    assert (counted(ForumItem), held(ForumItem)) == (2, 3)
    assert answer_rate().needs == 2


def test_the_facilitator_sets_the_cap_per_session(app, client, db):
    from participation.audit.models import AuditEvent
    from tests.factories import gen_user, login

    session = make_session(requires_approval=False)
    login(client, gen_user("staff"))
    url = f"/staff/forum/{session.id}/proposal-cap"
    manage = client.get(f"/staff/forum/{session.id}").get_data(as_text=True)
    assert 'name="proposals_per_person"' in manage and 'value="5"' in manage
    for bad in ("0", "51", "x", ""):
        refused = client.post(
            url, data={"csrf_token": csrf_token(client), "proposals_per_person": bad}, follow_redirects=True
        )
        assert "Write a whole number from 1 to 50." in refused.get_data(as_text=True)
    assert poll(session.id).proposals_per_person is None
    saved = client.post(url, data={"csrf_token": csrf_token(client), "proposals_per_person": "1"})
    assert saved.status_code == 302, saved.status_code
    assert poll(session.id).proposals_per_person == 1
    assert db.session.scalar(
        sa.select(AuditEvent.detail).where(AuditEvent.action == "forum_proposal_cap")
    ) == {"cap": 1}
    phone = Phone(app, session).fresh()
    assert [phone.propose(f"Idé {n}").status_code for n in range(2)] == [303, 409]
    assert "You have proposed 1 topic," in phone.propose("Idé 3").get_data(as_text=True)
