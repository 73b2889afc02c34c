"""Shared measurement: indicators computed from answers or entered and approved, the curve, programs."""

from __future__ import annotations

import sqlalchemy as sa

from participation.extensions import db
from participation.measurement import services
from participation.measurement.models import DataPoint, Indicator, PointStatus, Program
from participation.surveys.models import Question
from participation.themes.models import VisionGoal
from tests.factories import csrf_token, gen_user, login


def demo_indicator(client, runner) -> Indicator:
    runner.invoke(args=["demo"])
    login(client, gen_user("staff"))
    goal = db.session.scalar(sa.select(VisionGoal).where(VisionGoal.slug == "democracy"))
    question = db.session.scalar(sa.select(Question).where(Question.key == "influence_feel"))
    token = csrf_token(client, "/staff/measurement/indicators/new")
    response = client.post(
        "/staff/measurement/indicators/new",
        data={
            "csrf_token": token,
            "name": "Unga som känner att de får vara med och bestämma",
            "goal_id": goal.id,
            "unit": "%",
            "polarity": "higher",
            "source": "Bäckbyenkäten",
            "baseline_period": "20252",
            "baseline_value": "30",
            "target_period": "20262",
            "target_value": "45",
            "question_id": question.id,
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    return db.session.scalar(sa.select(Indicator).order_by(Indicator.id.desc()).limit(1))


def test_indicator_computed_from_a_survey_question_per_term(client, runner):
    indicator = demo_indicator(client, runner)
    page = f"/staff/measurement/indicators/{indicator.id}"
    client.post(f"{page}/compute", data={"csrf_token": csrf_token(client, page)})
    db.session.expire_all()
    points = db.session.scalars(
        sa.select(DataPoint).where(DataPoint.indicator_id == indicator.id).order_by(DataPoint.period)
    ).all()
    assert [p.period for p in points] == [20252, 20261, 20262]
    assert all(
        p.computed and p.status is PointStatus.APPROVED and p.n >= 10 and 0 < p.value < 100 for p in points
    )
    html = client.get(page).get_data(as_text=True)
    assert "<svg" in html and "polyline" in html and "Autumn 2026" in html


def test_partner_values_wait_for_an_admin(app, client, runner):
    indicator = demo_indicator(client, runner)
    analyst = app.test_client()
    login(analyst, gen_user("analyst"))
    page = f"/staff/measurement/indicators/{indicator.id}"
    entered = analyst.post(
        f"{page}/points",
        data={
            "csrf_token": csrf_token(analyst, page),
            "period": "20261",
            "value": "38,5",
            "story": "Tjejforumet startade i januari.",
        },
    )
    assert entered.status_code == 302
    point = db.session.scalar(sa.select(DataPoint).where(DataPoint.indicator_id == indicator.id))
    assert (
        point.status is PointStatus.PENDING
        and point.value == 38.5
        and point.story["en"] == "Tjejforumet startade i januari."
    )
    assert (
        services.curve(db.session.get(Indicator, indicator.id)).history == []
    )  # not counted before approval
    assert (
        analyst.post(
            f"/staff/measurement/points/{point.id}/approve", data={"csrf_token": csrf_token(analyst, page)}
        ).status_code
        == 403
    )
    admin = app.test_client()
    login(admin, gen_user("admin"))
    admin.post(f"/staff/measurement/points/{point.id}/approve", data={"csrf_token": csrf_token(admin, page)})
    db.session.expire_all()
    assert db.session.get(DataPoint, point.id).status is PointStatus.APPROVED
    bad = analyst.post(
        f"{page}/points", data={"csrf_token": csrf_token(analyst, page), "period": "20262", "value": "x"}
    )
    body = bad.get_data(as_text=True)
    assert bad.status_code == 422 and 'value="x"' in body  # what was typed and chosen stays
    assert '<option value="20262" selected>Autumn 2026</option>' in body
    not_a_term = analyst.post(
        f"{page}/points", data={"csrf_token": csrf_token(analyst, page), "period": "2026", "value": "3"}
    )
    assert not_a_term.status_code == 422  # a code no list offers is refused with a message, never a 500


def test_forecast_and_turning_the_curve():
    indicator = Indicator(
        baseline_period=20252, baseline_value=30.0, polarity=services.Polarity.HIGHER_IS_BETTER, points=[]
    )
    for period, value in [(20242, 26.0), (20251, 28.0), (20252, 30.0), (20261, 36.0)]:
        indicator.points.append(DataPoint(period=period, value=value, status=PointStatus.APPROVED, story={}))
    curve = services.curve(indicator)
    forecast = dict(curve.forecast)
    assert forecast[20252] == 30.0 and forecast[20261] == 32.0  # the old trend: +2 a term
    assert curve.turning is True  # 36 beats the forecast of 32
    indicator.polarity = services.Polarity.LOWER_IS_BETTER
    assert services.curve(indicator).turning is False


def test_program_three_questions(client, runner):
    runner.invoke(args=["demo"])
    login(client, gen_user("staff"))
    goal = db.session.scalar(sa.select(VisionGoal))
    token = csrf_token(client, "/staff/measurement/programs/new")
    created = client.post(
        "/staff/measurement/programs/new", data={"csrf_token": token, "name": "Tjejforum", "goal_id": goal.id}
    )
    program = db.session.scalar(sa.select(Program).order_by(Program.id.desc()).limit(1))
    page = created.headers["Location"]
    for question, label, value in [
        ("how_much", "Kvällar", "24"),
        ("how_well", "Nöjda deltagare", "85"),
        ("better_off", "Känner sig tryggare", "62"),
    ]:
        assert (
            client.post(
                page,
                data={
                    "csrf_token": csrf_token(client, page),
                    "question": question,
                    "period": "20262",
                    "label": label,
                    "value": value,
                    "unit": "",
                },
            ).status_code
            == 302
        )
    html = client.get(page).get_data(as_text=True)
    assert "Kvällar" in html and "Is anyone better off?" in html
    assert len(db.session.get(Program, program.id).measures) == 3
    assert (
        client.post(
            page, data={"csrf_token": csrf_token(client, page), "question": "why", "period": "20262"}
        ).status_code
        == 400
    )


def test_demo_indicator_shows_the_follow_up_panel(client, runner):
    runner.invoke(args=["demo"])
    login(client, gen_user("analyst"))
    indicator = db.session.scalar(sa.select(Indicator).where(Indicator.question_id.is_not(None)))
    html = client.get(f"/staff/measurement/indicators/{indicator.id}").get_data(as_text=True)
    assert "Individual follow-up" in html and "Answered higher" in html
