"""The demo's synthetic responses: three terms of plausible answers, the same ones on every run.

One seeded random generator draws everything in a fixed order, so the demo (and every test and figure
built on it) is reproducible: an answerer may change how it words an answer, never which draws it makes.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from participation.demo import content
from participation.extensions import db
from participation.placements.models import Placement
from participation.privacy import keyed_hash, truncate_to_hour
from participation.surveys.models import (
    PROFILE_CHOICES,
    Answer,
    ModerationStatus,
    ProfileField,
    Question,
    QuestionKind,
    Response,
    Survey,
)

# Three school terms, so trends across periods have something to show.
PERIODS = [
    (datetime(2025, 9, 1, tzinfo=UTC), 110),
    (datetime(2026, 2, 1, tzinfo=UTC), 130),
    (datetime(2026, 9, 1, tzinfo=UTC), 150),
]
SAMPLE_TEXTS = [
    "Fler kvällsaktiviteter på fritidsgården",
    "Bättre belysning vid gångtunneln",
    "More summer jobs for people under 16",
    "Läxhjälp på helgerna också",
    "A place for girls only, one evening a week",
    "Att någon lyssnar på oss när vi säger något",
]

Answerer = Callable[[Question, random.Random, int], list[Answer]]


def _single_choice(question: Question, rng: random.Random, period_index: int) -> list[Answer]:
    # Later terms lean more towards jobs, so the needs map shows a trend.
    weights = [3 + period_index, 3, 2, 2, 2][: len(question.options)]
    option = rng.choices(question.options, weights=weights)[0]
    return [Answer(question_id=question.id, option_id=option.id)]


def _multiple_choice(question: Question, rng: random.Random, _period_index: int) -> list[Answer]:
    options = question.options
    picks = rng.sample(options, rng.randint(1, question.max_choices or len(options)))
    return [Answer(question_id=question.id, option_id=option.id) for option in picks]


def _ranking(question: Question, rng: random.Random, _period_index: int) -> list[Answer]:
    picks = rng.sample(question.options, rng.randint(1, 3))
    return [
        Answer(question_id=question.id, option_id=option.id, rank=rank)
        for rank, option in enumerate(picks, start=1)
    ]


def _scale(question: Question, rng: random.Random, _period_index: int) -> list[Answer]:
    return [Answer(question_id=question.id, value_int=rng.choices(range(1, 6), [2, 3, 4, 3, 2])[0])]


def _yes_no(question: Question, rng: random.Random, period_index: int) -> list[Answer]:
    return [Answer(question_id=question.id, value_int=int(rng.random() < 0.35 + 0.1 * period_index))]


def _number(question: Question, rng: random.Random, _period_index: int) -> list[Answer]:
    return [Answer(question_id=question.id, value_int=rng.randint(0, 12))]


def _free_text(question: Question, rng: random.Random, _period_index: int) -> list[Answer]:
    if rng.random() >= 0.3:  # most leave the box empty
        return []
    return [
        Answer(
            question_id=question.id,
            text_value=rng.choice(SAMPLE_TEXTS),
            moderation_status=ModerationStatus.PENDING,
        )
    ]


_ANSWERERS: dict[QuestionKind, Answerer] = {
    QuestionKind.SINGLE_CHOICE: _single_choice,
    QuestionKind.MULTIPLE_CHOICE: _multiple_choice,
    QuestionKind.RANKING: _ranking,
    QuestionKind.SCALE: _scale,
    QuestionKind.YES_NO: _yes_no,
    QuestionKind.NUMBER: _number,
    QuestionKind.FREE_TEXT: _free_text,
}


def _skipped(question: Question, chosen: set[int], rng: random.Random) -> bool:
    """Not shown (its condition's option was not chosen), or an optional question left out."""
    if question.show_if_option_id is not None and question.show_if_option_id not in chosen:
        return True
    return not question.required and rng.random() < 0.25


def synthetic_answers(survey: Survey, rng: random.Random, period_index: int) -> list[Answer]:
    """One respondent's answers; a question shown only after a single choice follows what was chosen."""
    answers: list[Answer] = []
    chosen: set[int] = set()
    for question in survey.questions:
        answerer = _ANSWERERS.get(question.kind)
        if _skipped(question, chosen, rng) or answerer is None:
            continue
        given = answerer(question, rng, period_index)
        answers += given
        if question.kind is QuestionKind.SINGLE_CHOICE:
            chosen.update(answer.option_id for answer in given if answer.option_id is not None)
    return answers


def synthetic_responses(survey: Survey, placements: list[Placement]) -> None:
    # Seeded on purpose: the same synthetic demo every run, and no secret comes from it.
    rng = random.Random(20260901)  # nosec B311
    languages = list(content.SURVEY["title"])
    for period_index, (start, count) in enumerate(PERIODS):
        for number in range(count):
            moment = start + timedelta(days=rng.randint(0, 100), hours=rng.randint(14, 21))
            db.session.add(
                Response(
                    survey_id=survey.id,
                    placement_id=rng.choice(placements).id,
                    respondent_hash=None,
                    idempotency_key=keyed_hash("demo", survey.id, f"{period_index}-{number}"),
                    submitted_hour=truncate_to_hour(moment),
                    language=rng.choices(languages, weights=[10, 2, 4, 3, 3, 2, 1])[0],
                    age_band=rng.choices(PROFILE_CHOICES[ProfileField.AGE_BAND], [2, 5, 6, 3, 1])[0],
                    gender=rng.choices(PROFILE_CHOICES[ProfileField.GENDER], [5, 5, 1, 1])[0],
                    lives_in_area=rng.choices(PROFILE_CHOICES[ProfileField.LIVES_IN_AREA], [7, 2, 1])[0],
                    answers=synthetic_answers(survey, rng, period_index),
                )
            )
