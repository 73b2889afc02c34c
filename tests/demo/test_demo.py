"""`flask demo`: the Bäckby demo, complete in every language, loaded once however often it runs."""

from __future__ import annotations

import sqlalchemy as sa

from participation.extensions import db
from participation.placements.models import Placement
from participation.staff.models import Partner, User
from participation.surveys.models import QuestionKind, Response, Survey
from participation.themes.models import Theme, VisionGoal

SHIPPED = ["sv", "en", "ar", "fa-AF", "so", "ti", "fi"]


def count(model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def test_demo_is_complete_and_idempotent(runner):
    first = runner.invoke(args=["demo"])
    assert first.exit_code == 0, first.output
    assert "Staff login:" in first.output and "/q/FRITID" in first.output
    before = {m: count(m) for m in (Partner, VisionGoal, Theme, Survey, Placement, Response, User)}
    second = runner.invoke(args=["demo"])
    assert second.exit_code == 0, second.output
    assert {m: count(m) for m in before} == before
    assert first.output.splitlines()[1] == second.output.splitlines()[1]  # the same login still works

    assert before[Partner] == 4 and before[VisionGoal] == 2 and before[Theme] >= 6
    assert before[Placement] >= 4 and before[Response] >= 300


def test_demo_survey_has_every_kind_in_every_language(runner):
    runner.invoke(args=["demo"])
    survey = db.session.scalar(sa.select(Survey))
    assert {question.kind for question in survey.questions} == set(QuestionKind)
    texts = [survey.title, survey.intro, survey.thanks]
    for question in survey.questions:
        texts.append(question.prompt)
        texts += [option.label for option in question.options]
    for theme in db.session.scalars(sa.select(Theme)):
        texts.append(theme.name)
    for text in texts:
        assert all(text.get(lang, "").strip() for lang in SHIPPED), text


def test_demo_responses_span_several_periods(runner):
    runner.invoke(args=["demo"])
    hours = db.session.scalars(sa.select(Response.submitted_hour)).all()
    terms = {(hour.year, hour.month >= 8) for hour in hours}
    assert len(terms) >= 3
    assert all(hour.minute == 0 and hour.second == 0 for hour in hours)
