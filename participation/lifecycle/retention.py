"""Retention that happens: responses older than their survey's retention are erased, their figures kept.

`flask --app participation retention`, run daily (README: a cron line and a systemd timer), does per
survey with a retention, in one transaction:
1. the needs map's counts of the released responses past the retention are added to the archived cells
   (participation.insights.models.ArchivedCell), measure by measure with their key sums, so every term's
   figures (and their fixed noise) stay as they were;
2. every indicator computed from one of the survey's questions is computed once more, so its values for
   those terms are stored before the answers behind them go (a value is stored only when it is safe to show);
3. the responses are erased, with their answers, free texts and the texts' theme codes (a counted delete:
   every process's needs map counts afresh);
4. the audit log records how many responses, answers and free texts were erased (counts, never content).
A response past the retention that was never released (too few answers came in, or it is held in
quarantine) never counted anywhere and is erased all the same.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa

from participation.audit.services import record
from participation.core.changes import execute_counted
from participation.extensions import db
from participation.insights import tally
from participation.insights.models import ArchivedCell
from participation.measurement.models import Indicator
from participation.measurement.services import computed_points
from participation.suppression import threshold
from participation.surveys.models import Answer, Question, Response, Survey


@dataclass(frozen=True)
class Kept:
    """What one survey's retention erased."""

    survey: str
    responses: int
    answers: int
    texts: int
    indicator_terms: int


def _archive(cells: dict[tally.CellKey, Counter[tuple[str, int]]]) -> None:
    """Add the cells' counts to the archived cells (a row per cell and measure, created or added to)."""
    for (term, age_band, gender, placement), counts in cells.items():
        for (measure, theme), value in counts.items():
            if not value:
                continue
            key = (term, age_band, gender, placement, measure, theme)
            row = db.session.get(ArchivedCell, key)
            if row is None:
                names = ("term", "age_band", "gender", "placement_id", "measure", "theme_id")
                db.session.add(ArchivedCell(**dict(zip(names, key, strict=True)), value=int(value)))
            else:
                row.value += int(value)
    db.session.flush()


def _answers(*where: sa.ColumnElement[bool]) -> int:
    query = (
        sa.select(sa.func.count(Answer.id)).join(Response, Answer.response_id == Response.id).where(*where)
    )
    return int(db.session.scalar(query) or 0)


def apply_retention(survey: Survey, now: datetime) -> Kept | None:
    """Erase the survey's responses past its retention, after keeping their figures; None without one."""
    if not survey.retention_days:
        return None
    past = sa.and_(
        Response.survey_id == survey.id, Response.submitted_hour < now - timedelta(days=survey.retention_days)
    )
    with db.transaction():
        responses = int(db.session.scalar(sa.select(sa.func.count(Response.id)).where(past)) or 0)
        if not responses:
            return Kept(survey.slug, 0, 0, 0, 0)
        answers = _answers(past)
        texts = _answers(past, Answer.text_value.is_not(None))
        _archive(tally.cells_of(past))
        linked = db.session.scalars(
            sa.select(Indicator)
            .join(Question, Indicator.question_id == Question.id)
            .where(Question.survey_id == survey.id)
        )
        terms = sum(computed_points(indicator, threshold()) for indicator in linked)
        execute_counted(sa.delete(Response).where(past))
        record(
            "retention",
            "survey",
            survey.id,
            responses=responses,
            answers=answers,
            texts=texts,
            indicator_terms=terms,
        )
    return Kept(survey.slug, responses, answers, texts, terms)


def apply_all(now: datetime) -> list[Kept]:
    """Every survey with a retention, one transaction each (one survey's failure keeps the others' work)."""
    surveys = db.session.scalars(
        sa.select(Survey).where(Survey.retention_days.is_not(None)).order_by(Survey.id)
    ).all()
    return [kept for survey in surveys if (kept := apply_retention(survey, now)) is not None]
