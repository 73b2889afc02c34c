"""The staff home tells what to do: open surveys with this week's responses (protected), texts waiting for
moderation with the oldest's age, forum sessions running, actions to follow up and, for admins, lockouts."""

from __future__ import annotations

import secrets
from datetime import UTC, date, datetime, timedelta

from participation.actions.models import Action, ActionStatus
from participation.extensions import db
from participation.staff.models import LoginThrottle
from participation.suppression import threshold
from participation.surveys.models import (
    Answer,
    ModerationStatus,
    Response,
    ResultRelease,
    Survey,
    SurveyStatus,
)
from tests.factories import gen_forum_session, gen_survey, gen_user, login, q


def add_responses(survey: Survey, count: int, *, hours_ago: int = 0, text: str | None = None) -> None:
    """`count` released responses, each with a pending free text when `text` is given."""
    hour = (datetime.now(UTC) - timedelta(hours=hours_ago)).replace(minute=0, second=0, microsecond=0)
    release = ResultRelease(released_hour=hour, responses=count)
    db.session.add(release)
    db.session.flush()
    for _ in range(count):
        response = Response(
            survey_id=survey.id,
            idempotency_key=secrets.token_hex(16),
            submitted_hour=hour,
            language="sv",
            release_id=release.id,
        )
        if text is not None:
            response.answers.append(
                Answer(
                    question_id=q(survey, "text").id,
                    text_value=text,
                    moderation_status=ModerationStatus.PENDING,
                )
            )
        db.session.add(response)
    db.session.commit()


def home(client) -> str:  # type: ignore[no-untyped-def]
    response = client.get("/staff/")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_open_surveys_show_responses_today_and_this_week_protected(client) -> None:
    many = gen_survey("many")
    few = gen_survey("few")
    gen_survey("draft-one", status=SurveyStatus.DRAFT)
    add_responses(many, 40)
    add_responses(few, 2)
    login(client, gen_user("staff"))
    html = home(client)
    section = html.split('id="home-surveys"', 1)[1].split("</section>", 1)[0]
    assert section.count("<tr>") == 3  # the header and the two open surveys, not the draft
    assert f"fewer than {threshold()}" in section  # two responses are never shown as 2
    assert ">2<" not in section
    many_row = section.split(f"/staff/surveys/{many.id}", 1)[1].split("</tr>", 1)[0]
    shown = [int(cell.split("<", 1)[0]) for cell in many_row.split("<td>")[1:]]
    assert all(abs(value - 40) <= 25 for value in shown)  # perturbed, never more than the bound


def test_a_partner_sees_only_its_own_surveys(client) -> None:
    gen_survey("ours")
    theirs = gen_survey("theirs", partner="Annan förening")
    login(client, gen_user("staff"))
    assert f"/staff/surveys/{theirs.id}" not in home(client)


def test_texts_waiting_for_moderation_with_the_oldest_age(client) -> None:
    survey = gen_survey()
    add_responses(survey, 2, hours_ago=50, text="Mer fritid")
    add_responses(survey, 1, text="Bättre belysning")
    login(client, gen_user("staff"))
    section = home(client).split('id="home-moderation"', 1)[1].split("</section>", 1)[0]
    assert "3 texts are waiting." in section and "The oldest has waited 2 days." in section
    assert "Moderate the texts" in section


def test_analysts_see_no_moderation_and_no_forum(client) -> None:
    gen_survey()
    login(client, gen_user("analyst"))
    html = home(client)
    assert 'id="home-moderation"' not in html and 'id="home-forum"' not in html
    assert 'id="home-surveys"' in html and 'id="home-lockouts"' not in html


def test_running_forum_sessions_and_actions_to_follow_up(client) -> None:
    session = gen_forum_session()
    login(client, gen_user("staff"))
    partner_id = session.partner_id
    stale = Action(
        title={"sv": "Längre öppettider"},
        base_language="sv",
        status=ActionStatus.DECIDED,
        partner_id=partner_id,
        decided_on=date.today(),
        published=True,
    )
    fresh = Action(
        title={"sv": "Ny fotbollsplan"},
        base_language="sv",
        status=ActionStatus.IN_PROGRESS,
        partner_id=partner_id,
        decided_on=date.today(),
        published=True,
    )
    draft = Action(
        title={"sv": "Läxhjälp på arabiska"},
        base_language="sv",
        partner_id=partner_id,
        decided_on=date.today(),
    )
    db.session.add_all([stale, fresh, draft])
    db.session.flush()
    stale.updated_at = datetime.now(UTC) - timedelta(days=45)
    db.session.commit()
    html = home(client)
    forum = html.split('id="home-forum"', 1)[1].split("</section>", 1)[0]
    assert f"/staff/forum/{session.id}" in forum and session.code in forum
    actions = html.split('id="home-actions"', 1)[1].split("</section>", 1)[0]
    assert "Längre öppettider" in actions and "Läxhjälp på arabiska" in actions and "not published" in actions
    assert "Ny fotbollsplan" not in actions


def test_admins_see_how_many_sign_ins_are_locked_out(app, client) -> None:
    now = datetime.now(UTC)
    db.session.add_all(
        [
            LoginThrottle(
                pair_hash="a" * 64, failures=9, blocked_until=now + timedelta(minutes=10), last_attempt=now
            ),
            LoginThrottle(pair_hash="b" * 64, failures=2, blocked_until=None, last_attempt=now),
        ]
    )
    db.session.commit()
    login(client, gen_user("staff"))
    assert 'id="home-lockouts"' not in home(client)
    admin = app.test_client()
    login(admin, gen_user("admin", email="admin@example.org"))
    section = home(admin).split('id="home-lockouts"', 1)[1].split("</section>", 1)[0]
    assert "1 sign-in is locked after too many wrong passwords." in section


def test_the_staff_menu_is_a_details_element(client) -> None:
    login(client, gen_user("staff"))
    html = home(client)
    assert '<details class="staff-menu">' in html and "<summary>Menu</summary>" in html


def test_the_next_planned_forum_session_is_shown_apart_from_the_running_ones(app, client) -> None:
    from zoneinfo import ZoneInfo

    import sqlalchemy as sa

    from participation.forum.models import ForumSession
    from tests.factories import csrf_token

    login(client, gen_user("staff"))
    local = ZoneInfo(app.config["TIMEZONE"])
    tomorrow = (datetime.now(local) + timedelta(days=1)).replace(hour=18, minute=0, second=0, microsecond=0)
    form = {
        "title": "Tjejforum i december",
        "mode": "topics",
        "base_language": "sv",
        "languages": ["sv"],
        "dots_per_person": "3",
        "requires_approval": "y",
    }
    past = (datetime.now(local) - timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    refused = client.post(
        "/staff/forum/new",
        data={"csrf_token": csrf_token(client, "/staff/forum/new"), **form, "planned_at": past},
    )
    assert refused.status_code == 422 and "That day has passed" in refused.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ForumSession)) == 0  # nothing stored
    created = client.post(
        "/staff/forum/new",
        data={
            "csrf_token": csrf_token(client, "/staff/forum/new"),
            **form,
            "planned_at": tomorrow.strftime("%Y-%m-%dT%H:%M"),
        },
    )
    assert created.status_code == 302
    planned = db.session.scalar(sa.select(ForumSession))
    assert planned.planned_at == tomorrow.astimezone(UTC)  # typed in local time, kept in UTC
    running = gen_forum_session()
    forum = home(client).split('id="home-forum"', 1)[1].split("</section>", 1)[0]
    listed, nxt = forum.split("Next:", 1)
    assert running.code in listed and planned.code not in listed  # not running before its time
    assert "Tjejforum i december" in nxt and "planned for" in nxt and "6:00\u202fPM" in nxt  # local time
    manage = client.get(f"/staff/forum/{planned.id}").get_data(as_text=True)
    assert "planned for" in manage
    planned.planned_at = datetime.now(UTC) - timedelta(minutes=5)  # the evening has begun
    db.session.commit()
    forum = home(client).split('id="home-forum"', 1)[1].split("</section>", 1)[0]
    assert planned.code in forum and "Next:" not in forum
