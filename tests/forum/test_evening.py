"""A forum evening (issue 15): phones that stay still, counts in plural forms, the reveal, the countdown,
the final view, the facilitator's steps and every language in the room."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa
from flask import g
from flask_babel import refresh
from sqlalchemy.exc import IntegrityError

from participation.database import utcnow
from participation.extensions import db
from participation.forum import labels, sessions
from participation.forum.models import ForumItem, ForumMode, ForumSession, SessionStatus
from participation.suppression import Cell
from tests.factories import csrf_token, gen_user, login
from tests.forum.test_floods import Phone
from tests.forum.test_forum import make_session


@pytest.fixture(autouse=True)
def _database(db):  # type: ignore[no-untyped-def]
    """The app context and a clean database for every test here."""
    return db


def fresh(session_id: int) -> ForumSession:
    db.session.expire_all()
    session = db.session.get(ForumSession, session_id)
    assert session is not None
    return session


def staff_client(app):  # type: ignore[no-untyped-def]
    client = app.test_client()
    login(client, gen_user("staff"))
    return client


def post_staff(client, path: str, **data: object):  # type: ignore[no-untyped-def]
    return client.post(path, data={"csrf_token": csrf_token(client, "/staff/forum/"), **data})


def many_votes(app, session: ForumSession, item_id: int, n: int, first: int = 0) -> None:  # type: ignore[no-untyped-def]
    for i in range(n):
        assert Phone(app, session, f"198.51.100.{first + i + 1}").fresh().vote(item_id).status_code == 303


# --- Counts in the catalog's plural forms ----------------------------------------------------------------


def test_counts_read_in_plural_forms_and_hidden_ones_say_so(app):
    with app.test_request_context("/sv/f"):
        g.lang = "sv"  # the catalog's own plural forms: "1 röst", "2 röster"
        refresh()
        assert labels.count_label(ForumMode.TOPICS, "votes", Cell(1, None), 5) == "1 röst"
        assert labels.count_label(ForumMode.TOPICS, "votes", Cell(2, None), 5) == "2 röster"
    with app.test_request_context("/en/f"):
        g.lang = "en"
        refresh()  # Flask-Babel keeps the locale it chose until told
        assert labels.count_label(ForumMode.TOPICS, "votes", Cell(1, None), 5) == "1 vote"
        assert labels.count_label(ForumMode.TOPICS, "votes", Cell(7, None), 5) == "7 votes"
        assert labels.count_label(ForumMode.DOTS, "votes", Cell(1, None), 5) == "1 dot"
        assert labels.count_label(ForumMode.POLL, "votes", Cell(None, None), 5) == "fewer than 5 votes"
        assert labels.count_label(ForumMode.STATEMENTS, "agree", Cell(1, None), 5) == "1 agrees"
        assert labels.count_label(ForumMode.STATEMENTS, "pass", Cell(None, None), 5) == "fewer than 5 pass"
        assert labels.participants_label(Cell(12, None), 5) == "12 taking part"


def test_bars_scale_to_the_top_count_and_hidden_counts_have_none(app):
    assert [labels.width_class(n, 20) for n in (0, 1, 10, 20, 30)] == ["w0", "w5", "w50", "w100", "w100"]
    assert labels.width_class(3, 0) == "w0"
    session = make_session(ForumMode.TOPICS)
    sessions.control(session, sessions.Control.OPEN_VOTING, utcnow())
    summer, weekends = (item.id for item in session.items)
    many_votes(app, session, summer, 10)
    many_votes(app, session, weekends, 2, first=20)
    data = Phone(app, session, "203.0.113.9").client.get(f"/en/f/{session.code}/results.json").get_json()
    rows = {row["id"]: row for row in data["items"]}
    assert rows[summer]["widths"] == {"votes": "w100"} and rows[summer]["labels"] == {"votes": "10 votes"}
    # Two votes are hidden: no figure, no bar, the words say "fewer than 5".
    assert rows[weekends]["votes"] is None and rows[weekends]["widths"] == {"votes": "w0"}
    assert rows[weekends]["labels"] == {"votes": "fewer than 5 votes"}
    assert data["participants_label"] == "12 taking part"


# --- Phones that stay still ------------------------------------------------------------------------------


def test_the_phone_list_keeps_its_order_and_the_ranking_is_shown_apart(app):
    session = make_session(ForumMode.TOPICS, items=("Första", "Andra", "Tredje"), requires_approval=False)
    sessions.control(session, sessions.Control.OPEN_VOTING, utcnow())
    first, second, third = (item.id for item in session.items)
    many_votes(app, session, third, 6)
    phone = Phone(app, session, "203.0.113.7").fresh()
    answer = phone.vote(second)
    # Back to the same item, which has not moved, with its voted state and the undo beside it.
    assert answer.status_code == 303 and answer.headers["Location"].endswith(f"?voted={second}#item-{second}")
    page = phone.client.get(answer.headers["Location"]).get_data(as_text=True)
    listed = [int(i) for i in re.findall(r'<li class="forum-item[^"]*" id="item-(\d+)"', page)]
    assert listed == [first, second, third]
    ranked = page.split('class="ranking phone-ranking"')[1]
    assert [int(i) for i in re.findall(r'<li data-item="(\d+)"', ranked)][0] == third
    assert f'class="forum-item voted" id="item-{second}"' in page
    assert page.count('value="withdraw"') == 1 and 'class="voted-mark"' in page


# --- The reveal, the countdown and the final view --------------------------------------------------------


def test_hidden_results_show_on_no_public_view_until_revealed(app):
    session = make_session(ForumMode.POLL, items=("Ja", "Nej"))
    yes = session.items[0].id
    many_votes(app, session, yes, 30)
    staff = staff_client(app)
    assert post_staff(staff, f"/staff/forum/{session.id}/control", action="hide_results").status_code == 302
    viewer = Phone(app, session, "203.0.113.8").client
    data = viewer.get(f"/en/f/{session.code}/results.json").get_json()
    assert data["revealed"] is False
    assert all(set(row) == {"id", "text"} for row in data["items"])
    for path in (f"/en/f/{session.code}/screen", f"/en/f/{session.code}"):
        html = viewer.get(path).get_data(as_text=True)
        assert "data-count=" not in html.replace('data-field="participants" data-count=', "")
        assert "data-bar" not in html
    assert "The results are hidden until the facilitator shows them." in viewer.get(
        f"/en/f/{session.code}"
    ).get_data(as_text=True)

    post_staff(staff, f"/staff/forum/{session.id}/control", action="reveal_results")
    data = viewer.get(f"/en/f/{session.code}/results.json").get_json()
    assert data["revealed"] is True and data["items"][0]["votes"] is not None


def test_the_final_view_has_no_join_banner_and_shows_results_even_if_they_were_hidden(app):
    session = make_session(ForumMode.TOPICS)
    staff = staff_client(app)
    screen = Phone(app, session).client.get(f"/sv/f/{session.code}/screen").get_data(as_text=True)
    assert 'class="screen-join"' in screen and "127.0.0.1:5000/f" in screen and session.code in screen
    post_staff(staff, f"/staff/forum/{session.id}/control", action="hide_results")
    post_staff(staff, f"/staff/forum/{session.id}/timer", minutes="5")
    post_staff(staff, f"/staff/forum/{session.id}/control", action="close_session")
    closed = fresh(session.id)
    assert closed.status is SessionStatus.CLOSED and closed.deadline is None and closed.revealed
    screen = Phone(app, session).client.get(f"/en/f/{session.code}/screen").get_data(as_text=True)
    assert 'class="screen-join"' not in screen and "Final results" in screen and "data-bar" in screen


def test_the_short_join_address_leads_to_the_join_page(client):
    assert client.get("/f", headers={"Accept-Language": "ar"}).headers["Location"] == "/ar/f"


def test_a_countdown_the_facilitator_starts_and_stops(app):
    session = make_session(ForumMode.TOPICS)
    staff = staff_client(app)
    viewer = Phone(app, session).client
    assert post_staff(staff, f"/staff/forum/{session.id}/timer", minutes="3").status_code == 302
    left = viewer.get(f"/en/f/{session.code}/results.json").get_json()["seconds_left"]
    assert 175 <= left <= 180
    assert 'role="timer" data-countdown="' in viewer.get(f"/en/f/{session.code}/screen").get_data(
        as_text=True
    )
    assert post_staff(staff, f"/staff/forum/{session.id}/timer", minutes="7").status_code == 400
    assert post_staff(staff, f"/staff/forum/{session.id}/timer", minutes="stop").status_code == 302
    assert viewer.get(f"/en/f/{session.code}/results.json").get_json()["seconds_left"] is None


def test_the_database_refuses_a_countdown_on_a_closed_session(app):
    session = make_session(ForumMode.TOPICS)
    sessions.control(session, sessions.Control.CLOSE_SESSION, utcnow())
    with pytest.raises(IntegrityError):
        db.session.execute(
            sa.update(ForumSession)
            .where(ForumSession.id == session.id)
            .values(deadline=utcnow() + timedelta(minutes=3))
        )
        db.session.flush()
    db.session.rollback()


def test_closing_asks_first(app):
    session = make_session(ForumMode.TOPICS)
    staff = staff_client(app)
    manage = staff.get(f"/staff/forum/{session.id}").get_data(as_text=True)
    assert 'value="close_session"' not in manage and f"/staff/forum/{session.id}/close" in manage
    confirm = staff.get(f"/staff/forum/{session.id}/close").get_data(as_text=True)
    assert 'value="close_session"' in confirm and fresh(session.id).is_open
    # The steps come in the order the evening runs.
    steps = [
        manage.index(f'value="{action}"') for action in ("close_proposals", "open_voting", "hide_results")
    ]
    assert steps == sorted(steps) and manage.index('name="minutes"') > steps[-1]


# --- Every language in the room --------------------------------------------------------------------------


def test_a_proposal_keeps_its_language_and_the_facilitator_translates_it(app):
    session = make_session(ForumMode.TOPICS, requires_approval=False)
    arabic = Phone(app, session, "203.0.113.20").fresh()
    arabic.client.post(
        f"/ar/f/{session.code}/propose", data={"csrf_token": arabic.token, "text": "ملعب كرة قدم جديد"}
    )
    item = db.session.scalar(sa.select(ForumItem).where(ForumItem.proposed.is_(True)))
    assert item is not None and item.language == "ar" and item.text == {"ar": "ملعب كرة قدم جديد"}
    swedish_page = Phone(app, session).client.get(f"/sv/f/{session.code}").get_data(as_text=True)
    assert '<p class="item-text" lang="ar" dir="rtl"' in swedish_page

    staff = staff_client(app)
    page = staff.get(f"/staff/forum/{session.id}/translate?lang=sv").get_data(as_text=True)
    assert f'name="i{item.id}"' in page and 'name="title"' not in page  # the title is written in Swedish
    assert "Written in this language." in page
    saved = post_staff(
        staff,
        f"/staff/forum/{session.id}/translate?lang=sv",
        **{f"i{item.id}": "En ny fotbollsplan", "title": "ignored: Swedish is the title's own language"},
    )
    assert saved.status_code == 302
    assert fresh(session.id).title == {"sv": "Tjejforum"}
    swedish_page = Phone(app, session).client.get(f"/sv/f/{session.code}").get_data(as_text=True)
    assert '<p class="item-text" lang="sv" dir="ltr" data-swap="text-' in swedish_page
    assert "En ny fotbollsplan" in swedish_page

    post_staff(staff, f"/staff/forum/{session.id}/translate?lang=ar", title="منتدى الفتيات")
    arabic_page = arabic.client.get(f"/ar/f/{session.code}").get_data(as_text=True)
    assert "منتدى الفتيات" in arabic_page
    too_long = post_staff(staff, f"/staff/forum/{session.id}/translate?lang=ar", title="x" * 201)
    assert too_long.status_code == 422


def test_the_projector_shows_two_languages_side_by_side(app):
    session = make_session(ForumMode.TOPICS)
    staff = staff_client(app)
    first = session.items[0].id
    post_staff(staff, f"/staff/forum/{session.id}/translate?lang=ar", **{f"i{first}": "المزيد من الوظائف"})
    client = Phone(app, session).client
    screen = client.get(f"/sv/f/{session.code}/screen?lang2=ar").get_data(as_text=True)
    assert 'class="second" lang="ar" dir="rtl">المزيد من الوظائف' in screen
    assert screen.count("two-languages") >= 3  # the title and both items
    assert "two-languages" not in client.get(f"/sv/f/{session.code}/screen?lang2=xx").get_data(as_text=True)


def test_the_prompt_is_written_at_the_start_and_shown_to_the_room(app):
    staff = staff_client(app)
    response = staff.post(
        "/staff/forum/new",
        data={
            "csrf_token": csrf_token(staff, "/staff/forum/new"),
            "title": "Tjejforum",
            "prompt": "Vad ska vi göra i sommar?",
            "mode": "topics",
            "base_language": "sv",
            "languages": ["sv", "ar"],
            "dots_per_person": "3",
            "items": "",
        },
    )
    assert response.status_code == 302
    session = db.session.scalar(sa.select(ForumSession))
    assert session is not None and session.prompt == {"sv": "Vad ska vi göra i sommar?"}
    client = Phone(app, session).client
    assert "Vad ska vi göra i sommar?" in client.get(f"/sv/f/{session.code}/screen").get_data(as_text=True)
    page = staff.get(f"/staff/forum/{session.id}/translate?lang=ar").get_data(as_text=True)
    assert 'name="prompt"' in page


def test_an_admin_can_undo_a_close_the_same_day_and_it_is_audited(app, client):
    from datetime import UTC, datetime, timedelta

    import sqlalchemy as sa

    from participation.audit.models import AuditEvent
    from participation.extensions import db
    from participation.forum import sessions as forum_sessions
    from participation.forum.models import SessionStatus
    from tests.factories import csrf_token, gen_forum_session, gen_user, login

    session = gen_forum_session()
    session.status, session.closed_at, session.voting_open = SessionStatus.CLOSED, datetime.now(UTC), False
    db.session.commit()
    staff = app.test_client()
    login(staff, gen_user("staff", email="staff@undo.example"))
    page = f"/staff/forum/{session.id}"
    assert "Undo the close" not in staff.get(page).get_data(as_text=True)
    assert staff.post(f"{page}/reopen", data={"csrf_token": csrf_token(staff, page)}).status_code == 403
    login(client, gen_user("admin", email="admin@undo.example"))
    assert "Undo the close (only today)" in client.get(page).get_data(as_text=True)
    client.post(f"{page}/reopen", data={"csrf_token": csrf_token(client, page)})
    db.session.expire_all()
    assert session.status is SessionStatus.OPEN and session.closed_at is None and not session.voting_open
    assert db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "forum_reopen")) is not None
    # Closed yesterday: too late to undo, and the page no longer offers it.
    session.status, session.closed_at = SessionStatus.CLOSED, datetime.now(UTC) - timedelta(days=1, hours=1)
    db.session.commit()
    with app.test_request_context():
        assert not forum_sessions.may_reopen(session, datetime.now(UTC))
    assert "Undo the close" not in client.get(page).get_data(as_text=True)
    client.post(f"{page}/reopen", data={"csrf_token": csrf_token(client, page)})
    db.session.expire_all()
    assert session.status is SessionStatus.CLOSED
