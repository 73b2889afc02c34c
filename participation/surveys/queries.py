"""Finding surveys: the one home of "a survey participants may see" and of the staff's lists."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from participation.extensions import db
from participation.surveys.models import Question, Response, Survey, SurveyStatus


def shown_to_participants() -> sa.ColumnElement[bool]:
    """Surveys participants (and partners' API clients) may see: published or archived, never drafts.

    Archived ones are shown to say they are closed, and their results stay readable.
    """
    return Survey.status != SurveyStatus.DRAFT


def published_survey(slug: str) -> Survey | None:
    """The survey with this address, if participants may see it."""
    return db.session.scalar(
        sa.select(Survey)
        .where(Survey.slug == slug, shown_to_participants())
        # The page shows every question with its options: three queries instead of one per question.
        .options(selectinload(Survey.questions).selectinload(Question.options))
    )


def open_surveys(now: datetime) -> list[Survey]:
    """Surveys open right now, newest first."""
    candidates = db.session.scalars(
        sa.select(Survey).where(Survey.status == SurveyStatus.PUBLISHED).order_by(Survey.id.desc())
    )
    return [survey for survey in candidates if survey.is_open(now)]


def all_surveys() -> list[Survey]:
    """Every survey that is not archived, for staff to choose from."""
    return list(
        db.session.scalars(
            sa.select(Survey).where(Survey.status != SurveyStatus.ARCHIVED).order_by(Survey.id.desc())
        )
    )


def survey_theme_ids(survey: Survey) -> set[int]:
    """The themes a survey asks about: on its questions and on their options."""
    themes = {theme.id for question in survey.questions for theme in question.themes}
    themes |= {
        theme.id for question in survey.questions for option in question.options for theme in option.themes
    }
    return themes


def response_count(survey: Survey) -> int:
    """Every stored response of the survey, released or not: for staff's own bookkeeping, never shown to others."""
    return (
        db.session.scalar(sa.select(sa.func.count(Response.id)).where(Response.survey_id == survey.id)) or 0
    )
