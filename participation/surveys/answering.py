"""The rules for answering a survey: validating a submission against the survey, and storing it once."""

from __future__ import annotations

import enum
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy.exc import IntegrityError
from werkzeug.datastructures import MultiDict

from participation.core import signals
from participation.core.floods import BurstKind, hold
from participation.core.hygiene import has_visible_text
from participation.core.textflags import detect_flags
from participation.extensions import db
from participation.privacy import truncate_to_hour
from participation.surveys.models import (
    FREE_TEXT_MAX,
    NUMBER_LIMIT,
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
)
from participation.surveys.releases import release_if_due

QUESTION_FIELD = re.compile(r"^q(\d+)(?:_(\d+))?$")
# Control characters other than newline and tab are never part of an honest answer.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def field_name(question: Question, rank: int | None = None) -> str:
    return f"q{question.id}" if rank is None else f"q{question.id}_{rank}"


def profile_field_name(profile: str) -> str:
    return f"profile_{profile}"


@dataclass(frozen=True)
class Place:
    """The live placement a participant came from: its code (kept in the form) and its id (stored)."""

    code: str
    id: int


def placement_for(code: str | None, survey: Survey) -> Place | None:
    """The live placement with this code that points to this survey; None for any other code.

    Placements are a layer above surveys: they answer the signal (participation.core.signals).
    """
    if not code or len(code) > 16:
        return None
    found = signals.first_answer(signals.placement_of_code, code=code.upper(), survey_id=survey.id)
    return Place(code.upper(), found) if found is not None else None


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


def _parse_multiple(question: Question, form: MultiDict[str, str], parsed: ParsedSubmission) -> list[Answer]:
    name = field_name(question)
    ids = [_parse_option(question, value) for value in form.getlist(name) if value]
    if len(set(ids)) != len(ids):
        raise _Tampered
    if question.max_choices and len(ids) > question.max_choices:
        parsed.errors[name] = ngettext(
            "Choose at most %(num)d answer.", "Choose at most %(num)d answers.", question.max_choices
        )
        return []
    return [Answer(question_id=question.id, option_id=option_id) for option_id in ids]


def _parse_ranking(question: Question, form: MultiDict[str, str], parsed: ParsedSubmission) -> list[Answer]:
    limit = min(question.max_choices or RANKING_MAX, RANKING_MAX, len(question.options))
    picked = [value for rank in range(1, limit + 1) if (value := form.get(field_name(question, rank)))]
    ids = [_parse_option(question, value) for value in picked]
    if len(set(ids)) != len(ids):
        parsed.errors[field_name(question)] = _("Choose each thing only once.")
        return []
    return [
        Answer(question_id=question.id, option_id=option_id, rank=rank)
        for rank, option_id in enumerate(ids, start=1)
    ]


def _parse_text(question: Question, raw: str, parsed: ParsedSubmission) -> list[Answer]:
    text = _CONTROL.sub("", raw).strip()
    if len(text) > FREE_TEXT_MAX:
        parsed.errors[field_name(question)] = _(
            "Please write at most %(max)d characters. You wrote %(count)d.",
            max=FREE_TEXT_MAX,
            count=len(text),
        )
        return []
    if not has_visible_text(text):
        if text:  # only zero-width or other blank characters: nothing anyone could read
            parsed.errors[field_name(question)] = _(
                "Your answer looks empty. Write something, or leave the box empty."
            )
        return []
    answer = Answer(
        question_id=question.id,
        text_value=text,
        moderation_status=ModerationStatus.PENDING,
        flags=detect_flags(text),
    )
    return [answer]


def _parse_single(question: Question, raw: str, parsed: ParsedSubmission) -> list[Answer]:
    return [Answer(question_id=question.id, option_id=_parse_option(question, raw))]


def _parse_scale(question: Question, raw: str, parsed: ParsedSubmission) -> list[Answer]:
    if raw not in {str(point) for point in range(1, SCALE_POINTS + 1)}:
        raise _Tampered
    return [Answer(question_id=question.id, value_int=int(raw))]


def _parse_yes_no(question: Question, raw: str, parsed: ParsedSubmission) -> list[Answer]:
    if raw not in {"yes", "no"}:
        raise _Tampered
    return [Answer(question_id=question.id, value_int=1 if raw == "yes" else 0)]


_Parser = Callable[[Question, str, ParsedSubmission], list[Answer]]


def _parse_question(question: Question, form: MultiDict[str, str], parsed: ParsedSubmission) -> list[Answer]:
    """Answers for one question; adds a message to parsed.errors for what the participant can fix."""
    if question.kind is QuestionKind.MULTIPLE_CHOICE:
        return _parse_multiple(question, form, parsed)
    if question.kind is QuestionKind.RANKING:
        return _parse_ranking(question, form, parsed)
    name = field_name(question)
    if len(form.getlist(name)) > 1:
        raise _Tampered
    raw = form.get(name, "")
    if question.kind is QuestionKind.FREE_TEXT:
        return _parse_text(question, raw, parsed)
    raw = raw.strip()
    return _ONE_VALUE[question.kind](question, raw, parsed) if raw else []


# Phones in Arabic and Dari/Pashto type Arabic-Indic (٠-٩) or Persian (۰-۹) digits; both mean 0-9.
_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "0123456789" * 2)
# The typographic minus (U+2212) is a minus; spaces, also the no-break ones, group thousands.
_NUMBER_NOISE = str.maketrans({"\u2212": "-", " ": None, "\u00a0": None, "\u202f": None})
# The same rule as static/js/survey.js's whole(): an optional sign, then ASCII digits only.
_WHOLE_NUMBER = re.compile(r"^[+-]?[0-9]+$")


def whole_number(raw: str) -> int | None:
    """The whole number a participant typed, in any of the digits their phone offers; None if it isn't one."""
    text = raw.strip().translate(_NUMBER_NOISE).translate(_DIGITS)
    return int(text) if _WHOLE_NUMBER.match(text) else None


def number_range(question: Question) -> tuple[int, int]:
    """The lowest and highest answer a number question takes."""
    low = question.min_value if question.min_value is not None else -NUMBER_LIMIT
    high = question.max_value if question.max_value is not None else NUMBER_LIMIT
    return low, high


def _parse_number(question: Question, raw: str, parsed: ParsedSubmission) -> list[Answer]:
    name = field_name(question)
    value = whole_number(raw)
    if value is None:
        parsed.errors[name] = _("Please write a whole number, for example 3.")
        return []
    low, high = number_range(question)
    if not low <= value <= high:
        parsed.errors[name] = _("Please write a number from %(low)d to %(high)d.", low=low, high=high)
        return []
    return [Answer(question_id=question.id, value_int=value)]


_ONE_VALUE: dict[QuestionKind, _Parser] = {
    QuestionKind.SINGLE_CHOICE: _parse_single,
    QuestionKind.SCALE: _parse_scale,
    QuestionKind.YES_NO: _parse_yes_no,
    QuestionKind.NUMBER: _parse_number,
}


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
    # Follow-up codes belong to a layer above surveys, which answers the signal.
    link = signals.first_answer(signals.follow_up_of_code, code=code[:40])
    if link is None:
        parsed.errors["followup_code"] = _("We do not know that code. Check it, or leave the box empty.")
    else:
        parsed.follow_up_id = link


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
    placement: Place | None,
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
    try:
        with db.transaction():
            db.session.add(response)
            if quarantined:
                hold(BurstKind.SURVEY, survey.id, now)
            db.session.flush()
    except IntegrityError:
        # A concurrent request with the same form or device won the race; the database decided, and only
        # this block was undone. What won is read now.
        earlier = _earlier_outcome(survey, respondent_hash, idempotency_hash)
        if earlier is None:
            raise
        return earlier
    release_if_due()  # results move only when k responses are waiting (participation.surveys.releases)
    return StoreOutcome.STORED
