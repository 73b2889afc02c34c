"""A survey's community results: counts over released responses, each figure protected on its own."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

import sqlalchemy as sa

from participation.extensions import db
from participation.suppression import Cell, Count, cell, counted_sql, share
from participation.surveys.models import SCALE_POINTS, Answer, Question, QuestionKind, Response, Survey
from participation.surveys.releases import released


def released_responses(survey: Survey) -> Count:
    """The survey's released responses with their records' key sum, for a protected figure."""
    row = db.session.execute(
        sa.select(*counted_sql(Response.id)).where(Response.survey_id == survey.id, released())
    ).one()
    return Count(int(row[0]), int(row[1]))


@dataclass
class QuestionResult:
    """Protected community results of one closed question."""

    question: Question
    base: Cell
    cells: list[tuple[str, Cell]]  # (option id or value, cell), in display order
    # A ranking only: per option, the protected count of people who ranked it first (shares of the base add
    # up to about 100 %, unlike `cells`, which counts an option at every rank).
    first_choices: list[tuple[str, Cell]] = field(default_factory=list)

    @property
    def most_common(self) -> tuple[str, Cell] | None:
        """The answer with the largest shown figure (the first in display order on a tie), if any is shown.

        Picked among protected figures only, so it says nothing a hidden figure would not.
        """
        shown = [(key, figure) for key, figure in self.cells if figure.count is not None]
        return max(shown, key=lambda item: item[1].count or 0, default=None)

    @property
    def rank_order(self) -> list[tuple[str, Cell]]:
        """A ranking's options by how many ranked them first, then the hidden ones in display order.

        Ordered by protected first-choice counts only: an average rank would mix hidden small counts into
        a shown figure, so none is computed.
        """
        shown = [(key, figure) for key, figure in self.first_choices if figure.count is not None]
        hidden = [(key, figure) for key, figure in self.first_choices if figure.count is None]
        return sorted(shown, key=lambda item: -(item[1].count or 0)) + hidden


def _result_keys(question: Question) -> list[str]:
    if question.kind is QuestionKind.SCALE:
        return [str(point) for point in range(1, SCALE_POINTS + 1)]
    if question.kind is QuestionKind.YES_NO:
        return ["1", "0"]
    return [str(option.id) for option in question.options]


def community_results(survey: Survey, k: int) -> list[QuestionResult]:
    """Counts per answer of every closed question over released responses, each protected on its own.

    Every (question, answer) figure is a count of distinct responses with their record keys, perturbed
    and hidden below k (participation.suppression); a question whose protected base is hidden is left out.
    A ranking also gets its first choices, each a protected count of its own over the same records.
    """
    closed = [question for question in survey.questions if question.kind.is_closed]
    if not closed:
        return []
    ids = [question.id for question in closed]
    value = sa.func.coalesce(sa.cast(Answer.option_id, sa.String), sa.cast(Answer.value_int, sa.String))
    answered = (
        sa.select(Answer.question_id, value.label("value"), Answer.response_id)
        .join(Response, Response.id == Answer.response_id)
        .where(Answer.question_id.in_(ids), released())
        .distinct()
        .subquery()
    )
    counts: dict[int, dict[str, Count]] = defaultdict(dict)
    for question_id, answer, n, keys in db.session.execute(
        sa.select(answered.c.question_id, answered.c.value, *counted_sql(answered.c.response_id)).group_by(
            answered.c.question_id, answered.c.value
        )
    ):
        counts[question_id][str(answer)] = Count(int(n), int(keys))
    per_response = sa.select(answered.c.question_id, answered.c.response_id).distinct().subquery()
    bases = {
        question_id: Count(int(n), int(keys))
        for question_id, n, keys in db.session.execute(
            sa.select(per_response.c.question_id, *counted_sql(per_response.c.response_id)).group_by(
                per_response.c.question_id
            )
        )
    }
    firsts = _first_choices([question.id for question in closed if question.kind is QuestionKind.RANKING])
    results = []
    for question in closed:
        base = cell(bases.get(question.id, Count()), None, k)
        if base.suppressed:
            continue
        first_choices = firsts[question.id] if question.kind is QuestionKind.RANKING else None
        results.append(
            QuestionResult(
                question,
                base,
                _shares(question, counts[question.id], base, k),
                _shares(question, first_choices, base, k) if first_choices is not None else [],
            )
        )
    return results


def _shares(question: Question, counts: dict[str, Count], base: Cell, k: int) -> list[tuple[str, Cell]]:
    """Each answer's protected count with its share of the question's protected base, in display order."""
    cells = [(answer, cell(counts.get(answer, Count()), None, k)) for answer in _result_keys(question)]
    return [(answer, Cell(c.count, share(c.count, base.count))) for answer, c in cells]


def _first_choices(question_ids: list[int]) -> dict[int, dict[str, Count]]:
    """Per ranking question and option, the released responses that ranked the option first."""
    counts: dict[int, dict[str, Count]] = defaultdict(dict)
    if not question_ids:
        return counts
    first = (
        sa.select(Answer.question_id, Answer.option_id, Answer.response_id)
        .join(Response, Response.id == Answer.response_id)
        .where(Answer.question_id.in_(question_ids), Answer.rank == 1, released())
        .distinct()
        .subquery()
    )
    for question_id, option_id, n, keys in db.session.execute(
        sa.select(first.c.question_id, first.c.option_id, *counted_sql(first.c.response_id)).group_by(
            first.c.question_id, first.c.option_id
        )
    ):
        counts[question_id][str(option_id)] = Count(int(n), int(keys))
    return counts
