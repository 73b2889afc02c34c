"""The rules for answering a survey: validating a submission, storing it once, and counting results."""

from __future__ import annotations

import enum
import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload
from werkzeug.datastructures import MultiDict

from participation.core.hygiene import has_visible_text
from participation.extensions import db
from participation.followup.services import find as find_follow_up
from participation.moderation.detection import detect_flags
from participation.placements.models import Placement
from participation.privacy import truncate_to_hour
from participation.quarantine.models import BurstKind
from participation.quarantine.services import hold
from participation.suppression import Cell, Count, cell, counted_sql, share
from participation.surveys.models import (
    FREE_TEXT_MAX,
    PROFILE_CHOICES,
    RANKING_MAX,
    SCALE_POINTS,
    Answer,
    ModerationStatus,
    ProfileField,
    Question,
    QuestionKind,
    Response,
    Survey,
    SurveyStatus,
)
from participation.surveys.releases import release_if_due, released

QUESTION_FIELD = re.compile(r"^q(\d+)(?:_(\d+))?$")
# Control characters other than newline and tab are never part of an honest answer.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
NUMBER_LIMIT = 1_000_000


def field_name(question: Question, rank: int | None = None) -> str:
    return f"q{question.id}" if rank is None else f"q{question.id}_{rank}"


def profile_field_name(profile: str) -> str:
    return f"profile_{profile}"


def published_survey(slug: str) -> Survey | None:
    """A survey participants may see: published or archived (archived ones say they are closed)."""
    return db.session.scalar(
        sa.select(Survey)
        .where(Survey.slug == slug, Survey.status != SurveyStatus.DRAFT)
        # The page shows every question with its options: three queries instead of one per question.
        .options(selectinload(Survey.questions).selectinload(Question.options))
    )


def open_surveys(now: datetime) -> list[Survey]:
    """Surveys open right now, newest first."""
    candidates = db.session.scalars(
        sa.select(Survey).where(Survey.status == SurveyStatus.PUBLISHED).order_by(Survey.id.desc())
    )
    return [survey for survey in candidates if survey.is_open(now)]


def placement_for(code: str | None, survey: Survey) -> Placement | None:
    """The live placement with this code that points to this survey, if any."""
    if not code or len(code) > 16:
        return None
    return db.session.scalar(
        sa.select(Placement).where(
            Placement.code == code.upper(), Placement.survey_id == survey.id, Placement.retired_at.is_(None)
        )
    )


@dataclass
class ParsedSubmission:
    """Answers and profile values that passed validation, plus any problems keyed by field."""

    answers: list[Answer] = field(default_factory=list)
    profile: dict[str, str | None] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    tampered: bool = False
    follow_up_id: int | None = None

    @property
    def valid(self) -> bool:
        return not self.errors and not self.tampered


class _Tampered(Exception):
    """A value the rendered form could never have sent."""


def _option_ids(question: Question) -> dict[int, int]:
    return {option.id: option.id for option in question.options}


def _parse_option(question: Question, raw: str) -> int:
    try:
        option_id = int(raw)
    except ValueError:
        raise _Tampered from None
    if option_id not in _option_ids(question):
        raise _Tampered
    return option_id


def _is_shown(question: Question, chosen: set[int]) -> bool:
    return question.show_if_option_id is None or question.show_if_option_id in chosen


def _parse_question(question: Question, form: MultiDict[str, str], parsed: ParsedSubmission) -> list[Answer]:
    """Answers for one question; adds a message to parsed.errors for what the participant can fix."""
    name = field_name(question)
    kind = question.kind
    if kind is QuestionKind.MULTIPLE_CHOICE:
        raw_values = [value for value in form.getlist(name) if value]
        ids = [_parse_option(question, value) for value in raw_values]
        if len(set(ids)) != len(ids):
            raise _Tampered
        if question.max_choices and len(ids) > question.max_choices:
            parsed.errors[name] = ngettext(
                "Choose at most %(num)d answer.", "Choose at most %(num)d answers.", question.max_choices
            )
            return []
        return [Answer(question_id=question.id, option_id=option_id) for option_id in ids]
    if kind is QuestionKind.RANKING:
        limit = min(question.max_choices or RANKING_MAX, RANKING_MAX, len(question.options))
        picked = [value for rank in range(1, limit + 1) if (value := form.get(field_name(question, rank)))]
        ids = [_parse_option(question, value) for value in picked]
        if len(set(ids)) != len(ids):
            parsed.errors[name] = _("Choose each thing only once.")
            return []
        return [
            Answer(question_id=question.id, option_id=option_id, rank=rank)
            for rank, option_id in enumerate(ids, start=1)
        ]
    raw = form.get(name, "")
    if len(form.getlist(name)) > 1:
        raise _Tampered
    if kind is QuestionKind.FREE_TEXT:
        text = _CONTROL.sub("", raw).strip()
        if len(text) > FREE_TEXT_MAX:
            parsed.errors[name] = _(
                "Please write at most %(max)d characters. You wrote %(count)d.",
                max=FREE_TEXT_MAX,
                count=len(text),
            )
            return []
        if not has_visible_text(text):
            if text:  # only zero-width or other blank characters: nothing anyone could read
                parsed.errors[name] = _("Your answer looks empty. Write something, or leave the box empty.")
            return []
        return [
            Answer(
                question_id=question.id,
                text_value=text,
                moderation_status=ModerationStatus.PENDING,
                flags=detect_flags(text),
            )
        ]
    raw = raw.strip()
    if not raw:
        return []
    if kind is QuestionKind.SINGLE_CHOICE:
        return [Answer(question_id=question.id, option_id=_parse_option(question, raw))]
    if kind is QuestionKind.SCALE:
        if raw not in {str(point) for point in range(1, SCALE_POINTS + 1)}:
            raise _Tampered
        return [Answer(question_id=question.id, value_int=int(raw))]
    if kind is QuestionKind.YES_NO:
        if raw not in {"yes", "no"}:
            raise _Tampered
        return [Answer(question_id=question.id, value_int=1 if raw == "yes" else 0)]
    return _parse_number(question, raw, parsed)


def _parse_number(question: Question, raw: str, parsed: ParsedSubmission) -> list[Answer]:
    name = field_name(question)
    try:
        value = int(raw.replace("\u2212", "-").replace(" ", ""))
    except ValueError:
        parsed.errors[name] = _("Please write a whole number, for example 3.")
        return []
    low = question.min_value if question.min_value is not None else -NUMBER_LIMIT
    high = question.max_value if question.max_value is not None else NUMBER_LIMIT
    if not low <= value <= high:
        parsed.errors[name] = _("Please write a number from %(low)d to %(high)d.", low=low, high=high)
        return []
    return [Answer(question_id=question.id, value_int=value)]


def _check_no_foreign_fields(survey: Survey, form: MultiDict[str, str]) -> None:
    """Reject answers to questions this survey does not have."""
    own = {question.id for question in survey.questions}
    for key in form:
        match = QUESTION_FIELD.match(key)
        if key.startswith("q") and (not match or int(match.group(1)) not in own):
            raise _Tampered
        if key.startswith("profile_") and key.removeprefix("profile_") not in survey.profile_fields:
            raise _Tampered


def _parse_profile(survey: Survey, form: MultiDict[str, str]) -> dict[str, str | None]:
    profile: dict[str, str | None] = {}
    for profile_field in ProfileField:
        value = form.get(profile_field_name(profile_field.value), "").strip() or None
        if profile_field.value not in survey.profile_fields:
            value = None
        elif value is not None and value not in PROFILE_CHOICES[profile_field]:
            raise _Tampered
        profile[profile_field.value] = value
    return profile


def parse_submission(survey: Survey, form: MultiDict[str, str]) -> ParsedSubmission:
    """Validate a posted survey form against the survey, question by question."""
    parsed = ParsedSubmission()
    try:
        _check_no_foreign_fields(survey, form)
        parsed.profile = _parse_profile(survey, form)
        chosen: set[int] = set()
        for question in survey.questions:
            if not _is_shown(question, chosen):
                continue
            answers = _parse_question(question, form, parsed)
            chosen.update(answer.option_id for answer in answers if answer.option_id is not None)
            name = field_name(question)
            if question.required and not answers and name not in parsed.errors:
                parsed.errors[name] = _("Please answer this question.")
            parsed.answers.extend(answers)
        _parse_follow_up(form, parsed)
    except _Tampered:
        parsed.tampered = True
        parsed.answers = []
    return parsed


def _parse_follow_up(form: MultiDict[str, str], parsed: ParsedSubmission) -> None:
    """An optional follow-up code from an earlier survey links this response to the holder's others."""
    code = form.get("followup_code", "").strip()
    if not code:
        return
    link = find_follow_up(code[:40])
    if link is None:
        parsed.errors["followup_code"] = _("We do not know that code. Check it, or leave the box empty.")
    else:
        parsed.follow_up_id = link.id


class StoreOutcome(enum.Enum):
    STORED = "stored"
    DUPLICATE = "duplicate"  # this very form was already stored: a double tap or a replay
    ALREADY_ANSWERED = "already_answered"  # this device answered the survey before


def has_answered(survey: Survey, respondent_hash: str | None) -> bool:
    if respondent_hash is None:
        return False
    return (
        db.session.scalar(
            sa.select(Response.id).where(
                Response.survey_id == survey.id, Response.respondent_hash == respondent_hash
            )
        )
        is not None
    )


def _earlier_outcome(
    survey: Survey, respondent_hash: str | None, idempotency_hash: str
) -> StoreOutcome | None:
    """What an earlier submission already decided, read in one statement so a racing commit can't split it."""
    same_form = Response.idempotency_key == idempotency_hash
    condition = same_form
    if respondent_hash is not None:
        condition = sa.or_(
            same_form, sa.and_(Response.survey_id == survey.id, Response.respondent_hash == respondent_hash)
        )
    matches = db.session.scalars(sa.select(Response.idempotency_key).where(condition)).all()
    if idempotency_hash in matches:
        return StoreOutcome.DUPLICATE
    return StoreOutcome.ALREADY_ANSWERED if matches else None


def is_new_response(survey: Survey, respondent_hash: str | None, idempotency_hash: str) -> bool:
    """Whether storing would add a response (not a replay of this form, nor a device that answered)."""
    return _earlier_outcome(survey, respondent_hash, idempotency_hash) is None


def store_response(
    survey: Survey,
    parsed: ParsedSubmission,
    *,
    placement: Placement | None,
    respondent_hash: str | None,
    idempotency_hash: str,
    language: str,
    now: datetime,
    quarantined: bool = False,
) -> StoreOutcome:
    """Store the response and all its answers in one transaction, exactly once.

    A response beyond its address's flood ceiling is stored `quarantined`, counted in the survey's open
    burst in the same transaction, and left out of every result until staff release the burst.
    """
    earlier = _earlier_outcome(survey, respondent_hash, idempotency_hash)
    if earlier is not None:
        return earlier
    response = Response(
        survey_id=survey.id,
        placement_id=placement.id if placement else None,
        respondent_hash=respondent_hash,
        idempotency_key=idempotency_hash,
        submitted_hour=truncate_to_hour(now),
        language=language,
        age_band=parsed.profile.get("age_band"),
        gender=parsed.profile.get("gender"),
        lives_in_area=parsed.profile.get("lives_in_area"),
        follow_up_id=parsed.follow_up_id,
        answers=parsed.answers,
        quarantined=quarantined,
    )
    db.session.add(response)
    try:
        if quarantined:
            hold(BurstKind.SURVEY, survey.id, now)
        db.session.commit()
    except IntegrityError:
        # A concurrent request with the same form or device won the race; the database decided.
        db.session.rollback()
        earlier = _earlier_outcome(survey, respondent_hash, idempotency_hash)
        if earlier is None:
            raise
        return earlier
    release_if_due()  # results move only when k responses are waiting (participation.surveys.releases)
    return StoreOutcome.STORED


def response_count(survey: Survey) -> int:
    """Every stored response of the survey, released or not: for staff's own bookkeeping, never shown to others."""
    return (
        db.session.scalar(sa.select(sa.func.count(Response.id)).where(Response.survey_id == survey.id)) or 0
    )


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
    results = []
    for question in closed:
        base = cell(bases.get(question.id, Count()), None, k)
        if base.suppressed:
            continue
        cells = [
            (answer, cell(counts[question.id].get(answer, Count()), None, k))
            for answer in _result_keys(question)
        ]
        results.append(
            QuestionResult(
                question, base, [(answer, Cell(c.count, share(c.count, base.count))) for answer, c in cells]
            )
        )
    return results


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
