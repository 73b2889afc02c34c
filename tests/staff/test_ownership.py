"""What a partner gets when it makes something, and what only an admin may hand to another partner."""

from __future__ import annotations

import sqlalchemy as sa

from participation.extensions import db
from participation.forum.models import ForumSession
from participation.placements.models import Placement
from participation.staff.services import get_or_create_partner
from participation.surveys.models import Survey
from tests.factories import csrf_token, gen_survey, gen_user, login

A, B = "Bäckby Ungdomsförening", "Bostadsbolaget Västerås"


def _new_survey(client, slug: str, **extra: object):  # type: ignore[no-untyped-def]
    token = csrf_token(client, "/staff/surveys/new")
    return client.post(
        "/staff/surveys/new",
        data={"csrf_token": token, "title": "Ny enkät", "starter": "blank", "slug": slug, **extra},
    )


def test_staff_create_for_their_own_partner_whatever_the_form_says(client):
    partner_b = get_or_create_partner(B)
    db.session.commit()
    login(client, gen_user("staff", partner=A))
    assert _new_survey(client, "var-egen", partner_id=partner_b.id).status_code == 302
    assert db.session.scalar(sa.select(Survey).where(Survey.slug == "var-egen")).partner.name == A
    page = client.get("/staff/surveys/new").get_data(as_text=True)
    assert B not in page  # no partner field for staff


def test_an_admin_chooses_the_partner_and_may_hand_a_survey_over(client):
    partner_b = get_or_create_partner(B)
    db.session.commit()
    login(client, gen_user("admin", partner="Backbone Bäckby"))
    assert B in client.get("/staff/surveys/new").get_data(as_text=True)
    assert _new_survey(client, "for-b", partner_id=partner_b.id).status_code == 302
    survey = db.session.scalar(sa.select(Survey).where(Survey.slug == "for-b"))
    assert survey.partner.name == B
    assert _new_survey(client, "for-backbone").status_code == 302
    assert db.session.scalar(sa.select(Survey).where(Survey.slug == "for-backbone")).partner.name == (
        "Backbone Bäckby"
    )


def test_placements_and_forum_screens_belong_to_what_they_lead_to(client):
    own = gen_survey("var", partner=A)
    other = gen_survey("deras", partner=B)
    login(client, gen_user("staff", partner=A))
    token = csrf_token(client, "/staff/placements/new")
    form = {"csrf_token": token, "places": "Tvättstugan", "language": ""}
    assert client.post("/staff/placements/new", data={**form, "survey": other.id}).status_code == 422
    assert client.post("/staff/placements/new", data={**form, "survey": own.id}).status_code == 302
    placement = db.session.scalar(sa.select(Placement))
    assert placement.survey_id == own.id and placement.partner.name == A
    created = client.post(
        "/staff/forum/new",
        data={
            "csrf_token": csrf_token(client, "/staff/forum/new"),
            "title": "Tjejforum",
            "mode": "topics",
            "base_language": "sv",
            "languages": ["sv"],
            "dots_per_person": "3",
            "requires_approval": "y",
            "items": "",
        },
    )
    assert created.status_code == 302
    session = db.session.scalar(sa.select(ForumSession))
    screen = db.session.scalar(sa.select(Placement).where(Placement.forum_session_id == session.id))
    assert session.partner.name == A and screen.partner.name == A


def test_the_demo_gives_everything_an_owner(runner):
    from participation.actions.models import Action
    from participation.measurement.models import DataPoint, Indicator, Program

    assert runner.invoke(args=["demo"]).exit_code == 0
    for model in (Survey, Placement, ForumSession, Action, Indicator, DataPoint, Program):
        assert db.session.scalar(sa.select(sa.func.count()).select_from(model)) > 0, model
        assert all(row.owner_id is not None for row in db.session.scalars(sa.select(model))), model
    owners = {row.name["en"]: row.owner.name for row in db.session.scalars(sa.select(Indicator))}
    assert owners["16–19-year-olds with a summer job"] == "Västerås stad"
    points = db.session.scalars(
        sa.select(DataPoint).join(Indicator).where(Indicator.owner_partner_id.is_not(None))
    )
    assert all(point.partner_id == point.indicator.owner_partner_id for point in points)


def test_only_an_admin_hands_an_indicator_to_another_partner(app, client):
    from participation.measurement.models import Indicator
    from participation.staff.ownership import new_objects_belong_to
    from tests.factories import gen_theme

    partner_a, partner_b = get_or_create_partner(A), get_or_create_partner(B)
    goal = gen_theme().goal
    with new_objects_belong_to(partner_a.id):
        indicator = Indicator(goal=goal, name={"en": "Jobs"}, definition={})
        db.session.add(indicator)
        db.session.commit()
    url = f"/staff/measurement/indicators/{indicator.id}/edit"
    form = {"name": "Jobs", "goal_id": str(goal.id), "polarity": "higher", "owner_partner_id": partner_b.id}
    login(client, gen_user("staff", partner=A))
    assert client.post(url, data={**form, "csrf_token": csrf_token(client, url)}).status_code == 302
    db.session.expire_all()
    assert db.session.get(Indicator, indicator.id).owner.name == A  # staff keep it with their partner
    admin = app.test_client()
    login(admin, gen_user("admin", email="admin@example.se", partner="Backbone Bäckby"))
    assert admin.post(url, data={**form, "csrf_token": csrf_token(admin, url)}).status_code == 302
    db.session.expire_all()
    assert db.session.get(Indicator, indicator.id).owner.name == B


def test_another_partner_s_draft_question_cannot_feed_an_indicator(client):
    from participation.surveys.models import SurveyStatus
    from tests.factories import gen_theme, q

    draft = gen_survey("a-utkast", status=SurveyStatus.DRAFT, partner=A)
    goal = gen_theme().goal
    db.session.commit()
    login(client, gen_user("staff", partner=B))
    url = "/staff/measurement/indicators/new"
    page = client.get(url).get_data(as_text=True)
    assert "a-utkast" not in page
    form = {"name": "B", "goal_id": str(goal.id), "polarity": "higher", "question_id": q(draft, "scale").id}
    assert client.post(url, data={**form, "csrf_token": csrf_token(client, url)}).status_code == 400


def test_an_account_without_a_partner_sees_no_one_s_data_and_creates_nothing(client):
    gen_survey("a-enkat", partner=A)
    login(client, gen_user("staff", partner=None))
    assert "a-enkat" not in client.get("/staff/surveys/").get_data(as_text=True)
    assert _new_survey(client, "utan-partner").status_code == 403
    assert db.session.scalar(sa.select(Survey).where(Survey.slug == "utan-partner")) is None


def test_a_new_placement_for_a_new_survey_gets_the_owner_the_survey_gets(db):
    survey = Survey(slug="ny", base_language="sv", languages=["sv"], title={"sv": "Ny"})
    placement = Placement(code="NYTT", place="Tvättstugan", survey=survey)
    db.session.add(placement)  # first in the session, so its owner is asked for before the survey has one
    db.session.commit()
    assert placement.partner is not None and placement.partner is survey.partner
