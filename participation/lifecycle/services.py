"""Erasure and access on request, for the staff page and the commands alike.

Erasing removes the responses themselves: their answers, free texts and the texts' theme codes go with
them (the database cascades), and the needs map counts afresh (the deletion is a counted statement). What
was erased is audited as counts, never content. A follow-up code's link is removed as its holder can do
(participation.followup.services.withdraw). Access gathers everything stored for one follow-up code, for
a participant's request under GDPR article 15: the link and every response joined to it, in full.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _

from participation.audit.services import record
from participation.core.changes import execute_counted
from participation.extensions import db
from participation.followup import services as followup
from participation.i18n.languages import localise
from participation.placements.models import Placement
from participation.surveys.models import Answer, Option, Question, Response, Survey


class LifecycleError(ValueError):
    """The request cannot be done as asked; the message says why, in the staff member's language."""


@dataclass(frozen=True)
class Erased:
    responses: int
    answers: int


def _erase(condition: sa.ColumnElement[bool]) -> Erased:
    answers = db.session.scalar(
        sa.select(sa.func.count(Answer.id)).join(Response, Answer.response_id == Response.id).where(condition)
    )
    responses = db.session.scalar(sa.select(sa.func.count(Response.id)).where(condition))
    execute_counted(sa.delete(Response).where(condition))
    return Erased(int(responses or 0), int(answers or 0))


def erase_survey_responses(survey: Survey) -> Erased:
    """Every response to a survey; the survey itself, its questions and its placements stay."""
    with db.transaction():
        erased = _erase(Response.survey_id == survey.id)
        record("erase_responses", "survey", survey.id, responses=erased.responses, answers=erased.answers)
    return erased


def erase_placement_responses(placement: Placement) -> Erased:
    """Every response that came in through one placement (one poster, one place)."""
    with db.transaction():
        erased = _erase(Response.placement_id == placement.id)
        record(
            "erase_responses", "placement", placement.id, responses=erased.responses, answers=erased.answers
        )
    return erased


def erase_follow_up_link(code: str) -> int:
    """Remove a follow-up code's link; its responses stay, anonymous and no longer joined. Returns how many."""
    try:
        unlinked = followup.withdraw(code)
    except followup.FollowUpError as error:
        raise LifecycleError(str(error)) from error
    with db.transaction():
        record("erase_follow_up_link", "follow_up", None, responses=unlinked)
    return unlinked


def _labels(texts: dict[str, str] | None, base: str) -> str:
    return localise(texts, base, base).text


@dataclass
class _Lookup:
    """The surveys, questions, options and places the exported responses refer to, read once."""

    surveys: dict[int, Survey]
    questions: dict[int, Question]
    options: dict[int, Option]
    places: dict[int, str]

    @classmethod
    def of(cls, responses: list[Response]) -> _Lookup:
        survey_ids = {response.survey_id for response in responses}
        placement_ids = {response.placement_id for response in responses if response.placement_id}
        questions = db.session.scalars(sa.select(Question).where(Question.survey_id.in_(survey_ids))).all()
        return cls(
            surveys={s.id: s for s in db.session.scalars(sa.select(Survey).where(Survey.id.in_(survey_ids)))},
            questions={question.id: question for question in questions},
            options={
                option.id: option
                for option in db.session.scalars(
                    sa.select(Option).where(Option.question_id.in_([question.id for question in questions]))
                )
            },
            places=dict(
                db.session.execute(
                    sa.select(Placement.id, Placement.place).where(Placement.id.in_(placement_ids))
                ).all()
            ),
        )

    def answer(self, answer: Answer, base: str) -> dict[str, Any]:
        question = self.questions[answer.question_id]
        value: Any = answer.value_int
        if answer.option_id is not None:
            value = _labels(self.options[answer.option_id].label, base)
        elif answer.text_value is not None:
            value = answer.text_value
        shown: dict[str, Any] = {"question": _labels(question.prompt, base), "kind": question.kind.value}
        if answer.rank is not None:
            shown["rank"] = answer.rank
        shown["answer"] = value
        if answer.moderation_status is not None:
            shown["moderation"] = answer.moderation_status.value
        return shown

    def response(self, response: Response) -> dict[str, Any]:
        survey = self.surveys[response.survey_id]
        base = survey.base_language
        answers = sorted(
            response.answers, key=lambda a: (self.questions[a.question_id].position, a.rank or 0)
        )
        return {
            "survey": {"address": survey.slug, "title": _labels(survey.title, base)},
            "submitted_hour": response.submitted_hour.isoformat(),
            "language": response.language,
            "place": self.places.get(response.placement_id or 0),
            "profile": {
                "age_band": response.age_band,
                "gender": response.gender,
                "lives_in_area": response.lives_in_area,
            },
            "answers": [self.answer(answer, base) for answer in answers],
        }


def access_export(code: str, now: datetime | None = None) -> dict[str, Any]:
    """Everything stored for a follow-up code, as one JSON-ready document."""
    link = followup.find(code)
    if link is None:
        raise LifecycleError(_("We do not know that code. Check it and try again."))
    responses = list(
        db.session.scalars(
            sa.select(Response)
            .where(Response.follow_up_id == link.id)
            .order_by(Response.submitted_hour, Response.id)
        )
    )
    with db.transaction():
        record("access_export", "follow_up", link.id, responses=len(responses))
    lookup = _Lookup.of(responses)
    return {
        "about": "Everything Delaktig stores for this follow-up code. The code itself is not stored.",
        "made": (now or datetime.now(UTC)).isoformat(timespec="seconds"),
        "follow_up": {
            "consent_version": link.consent_version,
            "created_hour": link.created_hour.isoformat(),
        },
        "responses": [lookup.response(response) for response in responses],
    }
