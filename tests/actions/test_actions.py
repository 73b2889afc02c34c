"""'You said – we did': actions with a status, a public feed, the thank-you page, and answer rates."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from participation.actions import services
from participation.actions.models import Action, ActionStatus
from participation.forum import sessions as forum
from participation.forum.models import ForumMode
from tests.factories import (
    csrf_token,
    gen_forum_session,
    gen_survey,
    gen_theme,
    gen_user,
    login,
    open_form,
    q,
    valid_answers,
)


def save(**overrides) -> Action:
    values = {
        "title": "Fler sommarjobb via Bostadsbolaget",
        "text": "20 nya platser",
        "reason": "",
        "status": ActionStatus.DECIDED,
        "partner_id": None,
        "decided_on": date(2026, 11, 1),
        "published": True,
        "theme_ids": [],
        "base_language": "sv",
        **overrides,
    }
    return services.save_action(None, **values)


def test_public_feed_shows_published_actions_in_the_participants_language(client, db):
    action = save(title="Läxhjälp på lördagar")
    save(title="Utkast", published=False)
    services.translate_action(
        action, "ar", {"title": "مساعدة في الواجبات يوم السبت", "text": "", "reason": ""}
    )
    feed = client.get("/sv/actions").get_data(as_text=True)
    assert "Läxhjälp på lördagar" in feed and "Utkast" not in feed
    arabic = client.get("/ar/actions").get_data(as_text=True)
    assert "مساعدة في الواجبات يوم السبت" in arabic
    assert (
        '<span lang="sv" dir="ltr">20 nya platser</span>' in arabic
    )  # the untranslated text says its language


def test_not_possible_needs_a_reason_in_the_form_and_in_the_database(client, db):
    with pytest.raises(services.ActionError):
        save(status=ActionStatus.NOT_POSSIBLE)
    action = save(status=ActionStatus.NOT_POSSIBLE, reason="Lokalen är för liten")
    assert "Lokalen är för liten" in client.get("/sv/actions").get_data(as_text=True)
    db.session.add(
        Action(
            title={"sv": "x"},
            text={},
            reason={},
            status=ActionStatus.NOT_POSSIBLE,
            has_reason=False,
            decided_on=date(2026, 1, 1),
        )
    )
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()
    assert db.session.get(Action, action.id) is not None


def test_thank_you_page_shows_actions_on_the_surveys_themes(client, db):
    survey = gen_survey()
    jobs = gen_theme("jobs")
    q(survey, "scale").themes.append(jobs)
    db.session.commit()
    save(title="Sommarjobbsmässa i centrum", theme_ids=[jobs.id])
    leisure = gen_theme("leisure")
    db.session.commit()
    save(title="Något om ett annat tema", theme_ids=[leisure.id])
    result = client.post(f"/sv/s/{survey.slug}", data={**open_form(client, survey), **valid_answers(survey)})
    thanks = client.get(result.headers["Location"]).get_data(as_text=True)
    assert "Sommarjobbsmässa i centrum" in thanks and "Något om ett annat tema" not in thanks


def test_analysts_record_actions_staff_publish_them(app, client, db):
    analyst = gen_user("analyst", partner="Bostadsbolaget Västerås")
    login(client, analyst)
    token = csrf_token(client, "/staff/actions/new")
    form = {
        "csrf_token": token,
        "title": "Ny belysning vid tunneln",
        "text": "",
        "status": "in_progress",
        "reason": "",
        "partner_id": str(analyst.partner_id),
        "decided_on": "2026-11-20",
        "published": "y",
    }
    assert client.post("/staff/actions/new", data=form).status_code == 302
    action = db.session.scalar(sa.select(Action))
    assert action.published is False  # an analyst's action waits for the backbone to publish it
    staff = app.test_client()
    login(staff, gen_user("staff", email="staff@bostad.example", partner="Bostadsbolaget Västerås"))
    page = f"/staff/actions/{action.id}"
    assert staff.post(page, data={**form, "csrf_token": csrf_token(staff, page)}).status_code == 302
    db.session.expire_all()
    assert db.session.get(Action, action.id).published is True
    missing = staff.post(page, data={**form, "csrf_token": csrf_token(staff, page), "status": "not_possible"})
    assert missing.status_code == 422 and 'value="Ny belysning vid tunneln"' in missing.get_data(as_text=True)


def test_answer_rate_and_median_time(client, db):
    session = gen_forum_session(
        ForumMode.TOPICS, items=("Sommarjobb", "Fotbollsplan"), requires_approval=False
    )
    forum.control(session, forum.Control.CLOSE_SESSION, datetime(2026, 10, 1, tzinfo=UTC))
    action = save(title="Sommarjobb", theme_ids=[])
    services.link_forum_items(action, [session.items[0].id])
    rate = services.answer_rate()
    assert (rate.needs, rate.answered) == (2, 1) and rate.share == 0.5
    assert rate.median_days is not None and rate.median_days >= 0
    login(client, gen_user("staff"))
    assert "1 of 2 topics" in client.get("/staff/actions/").get_data(as_text=True)


def test_a_translation_too_long_is_refused_with_what_was_typed_and_nothing_cut(client, db):
    action = save(title="Läxhjälp på lördagar")
    login(client, gen_user("admin"))
    page = f"/staff/actions/{action.id}/translate?lang=ar"
    editor = client.get(page).get_data(as_text=True)
    assert 'class="translate-grid"' in editor and 'dir="rtl"' in editor  # the survey's side-by-side editor
    long_text = "ن" * 2001
    refused = client.post(
        page,
        data={"csrf_token": csrf_token(client, page), "title": "مساعدة في الواجبات", "text": long_text},
    )
    html = refused.get_data(as_text=True)
    assert refused.status_code == 422 and long_text in html and "مساعدة في الواجبات" in html
    assert 'aria-invalid="true"' in html and "At most 2000 characters." in html
    db.session.expire_all()
    stored = db.session.get(Action, action.id)
    assert "ar" not in stored.title and "ar" not in stored.text  # nothing partial, nothing cut
    saved = client.post(
        page, data={"csrf_token": csrf_token(client, page), "title": "مساعدة في الواجبات", "text": ""}
    )
    assert saved.status_code == 302
    db.session.expire_all()
    assert db.session.get(Action, action.id).title["ar"] == "مساعدة في الواجبات"
    base = client.get(f"/staff/actions/{action.id}/translate?lang=sv")
    assert base.status_code == 302  # the base language is not translated into
