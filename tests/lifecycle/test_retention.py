"""Retention that happens: answers past their survey's retention are erased from every table, and the
needs map and the indicators show the same released figures for their terms afterwards."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa

from participation.audit.models import AuditEvent
from participation.demo import content
from participation.extensions import db
from participation.insights import needs
from participation.insights.filters import Filters
from participation.insights.models import ArchivedCell, TextCode
from participation.lifecycle.retention import apply_all
from participation.measurement.models import DataPoint, Indicator
from participation.suppression import threshold
from participation.surveys.models import Answer, Question, Response, Survey

CUTOFF = datetime(2026, 6, 1, tzinfo=UTC)  # the demo's autumn 2025 and spring 2026 terms are before it


def figures(app) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    """Everything the needs map and the indicators show, as a participant's data leaves them."""
    with app.test_request_context():
        k = threshold()
        terms = needs.terms()
        return {
            "terms": terms,
            "per_term": {t: needs.as_rows(needs.needs_map(Filters(period=t), k), "sv") for t in terms},
            "respondents": {t: needs.respondents(Filters(period=t), k) for t in terms},
            "trend": needs.trend(Filters(), k),
            "by_age": needs.breakdown(Filters(), "age_band", k),
            "by_place": needs.breakdown(Filters(), "placement", k),
            "points": sorted(
                (point.indicator_id, point.period, point.value, point.n)
                for point in db.session.scalars(sa.select(DataPoint))
            ),
        }


def test_retention_erases_old_answers_and_keeps_their_figures(app, db, runner) -> None:  # type: ignore[no-untyped-def]
    runner.invoke(args=["demo"])
    survey = db.session.scalar(sa.select(Survey).where(Survey.slug == content.SURVEY["slug"]))
    now = datetime.now(UTC)
    survey.retention_days = (now - CUTOFF).days
    db.session.commit()
    cutoff = now - timedelta(days=survey.retention_days)
    old = sa.select(Response.id).where(Response.survey_id == survey.id, Response.submitted_hour < cutoff)
    old_responses = set(db.session.scalars(old))
    old_answers = set(db.session.scalars(sa.select(Answer.id).where(Answer.response_id.in_(old))))
    old_codes = set(
        db.session.scalars(sa.select(TextCode.id).join(Answer).where(Answer.response_id.in_(old)))
    )
    assert len(old_responses) >= 200 and old_codes, "the demo has two old terms, with coded free texts"
    linked = db.session.scalars(
        sa.select(Indicator)
        .join(Question, Indicator.question_id == Question.id)
        .where(Question.survey_id == survey.id)
    ).all()
    assert linked, "the demo has an indicator computed from the survey"
    before = figures(app)
    assert {20252, 20261} <= set(before["terms"])

    result = runner.invoke(args=["retention"])
    assert result.exit_code == 0, result.output
    assert f"erased {len(old_responses)} responses" in result.output
    db.session.expire_all()

    # Gone from every table: the responses, their answers and free texts, the texts' theme codes.
    assert not set(db.session.scalars(sa.select(Response.id).where(Response.id.in_(old_responses))))
    assert not set(db.session.scalars(sa.select(Answer.id).where(Answer.id.in_(old_answers))))
    assert not set(db.session.scalars(sa.select(TextCode.id).where(TextCode.id.in_(old_codes))))
    assert db.session.scalar(sa.select(sa.func.min(Response.submitted_hour))) >= cutoff
    # What is kept holds no record of anyone: counts per cell and measure only.
    assert {column.name for column in ArchivedCell.__table__.columns} == {
        "term",
        "age_band",
        "gender",
        "placement_id",
        "measure",
        "theme_id",
        "value",
    }
    event = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "retention")).one()
    assert event.detail["responses"] == len(old_responses) and event.detail["answers"] == len(old_answers)

    # The same figures, term by term, noise included: the same counts with the same record keys.
    assert figures(app) == before
    # A second run erases nothing more and counts nothing twice.
    again = runner.invoke(args=["retention"])
    assert again.exit_code == 0 and "erased 0 responses" in again.output
    assert figures(app) == before


def test_a_survey_without_retention_keeps_everything(app, db, runner) -> None:  # type: ignore[no-untyped-def]
    runner.invoke(args=["demo"])
    db.session.execute(sa.update(Survey).values(retention_days=None))
    db.session.commit()
    count = db.session.scalar(sa.select(sa.func.count(Response.id)))
    assert apply_all(datetime.now(UTC) + timedelta(days=10_000)) == []
    assert db.session.scalar(sa.select(sa.func.count(Response.id))) == count
