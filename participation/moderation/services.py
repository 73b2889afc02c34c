"""The moderation queue: every free text waits for a person to approve, hide or redact it."""

from __future__ import annotations

import enum
from dataclasses import dataclass

import sqlalchemy as sa
from flask_babel import gettext as _

from participation.audit.services import record
from participation.core.textflags import (
    FLAG_ABUSE,
    FLAG_EMAIL,
    FLAG_NAME,
    FLAG_PERSONAL_NUMBER,
    FLAG_PHONE,
)
from participation.extensions import db
from participation.surveys.models import (
    FREE_TEXT_MAX,
    PUBLISHABLE,
    Answer,
    ModerationStatus,
    Question,
    Response,
    Survey,
)

QUEUE_SIZE = 100


class Decision(enum.StrEnum):
    APPROVE = "approve"
    HIDE = "hide"
    REDACT = "redact"


class ModerationError(ValueError):
    """The decision could not be made as asked; the message says why."""


@dataclass(frozen=True)
class QueueItem:
    answer: Answer
    question: Question
    survey: Survey
    response: Response


def queue(limit: int = QUEUE_SIZE, *, partner_id: int | None = None) -> list[QueueItem]:
    """The oldest free texts waiting for a decision (of one partner's surveys); flagged ones first."""
    query = (
        sa.select(Answer, Question, Survey, Response)
        .join(Question, Answer.question_id == Question.id)
        .join(Survey, Question.survey_id == Survey.id)
        .join(Response, Answer.response_id == Response.id)
        .where(Answer.text_value.is_not(None), Answer.moderation_status == ModerationStatus.PENDING)
        .order_by(Answer.id)
        .limit(limit)
    )
    if partner_id is not None:
        query = query.where(Survey.partner_id == partner_id)
    rows = db.session.execute(query).all()
    items = [QueueItem(*row) for row in rows]
    return sorted(items, key=lambda item: (not item.answer.flags, item.answer.id))


def flag_label(flag: str) -> str:
    labels = {
        FLAG_EMAIL: _("e-mail address"),
        FLAG_PHONE: _("phone number"),
        FLAG_PERSONAL_NUMBER: _("personal identity number"),
        FLAG_NAME: _("a name"),
        FLAG_ABUSE: _("abusive words"),
    }
    return labels.get(flag, flag)


def pending_count(*, partner_id: int | None = None) -> int:
    query = sa.select(sa.func.count(Answer.id)).where(
        Answer.text_value.is_not(None), Answer.moderation_status == ModerationStatus.PENDING
    )
    if partner_id is not None:
        query = (
            query.join(Question, Answer.question_id == Question.id)
            .join(Survey, Question.survey_id == Survey.id)
            .where(Survey.partner_id == partner_id)
        )
    return db.session.scalar(query) or 0


def survey_of(answer_id: int) -> Survey | None:
    """The survey a free-text answer belongs to, or None when there is no such answer."""
    return db.session.scalar(
        sa.select(Survey)
        .join(Question, Question.survey_id == Survey.id)
        .join(Answer, Answer.question_id == Question.id)
        .where(Answer.id == answer_id)
    )


def decide(answer_id: int, decision: Decision, redacted_text: str | None = None) -> Answer:
    """Record a person's decision on one free text; redacting replaces the text for good."""
    answer = db.session.get(Answer, answer_id)
    if answer is None or answer.text_value is None:
        raise LookupError(answer_id)
    before = answer.moderation_status
    text = _redacted(answer, redacted_text) if decision is Decision.REDACT else None
    with db.transaction():
        if text is not None:
            answer.text_value = text
        answer.moderation_status = _OUTCOME[decision]
        record(
            f"text_{decision.value}",
            "answer",
            answer.id,
            before=before.value if before else None,
            flags=",".join(answer.flags or []),
        )
    return answer


_OUTCOME = {
    Decision.APPROVE: ModerationStatus.APPROVED,
    Decision.HIDE: ModerationStatus.HIDDEN,
    Decision.REDACT: ModerationStatus.REDACTED,
}


def _redacted(answer: Answer, redacted_text: str | None) -> str:
    """The text as it may be shown, refused when empty, too long or unchanged."""
    text = (redacted_text or "").strip()
    if not text or len(text) > FREE_TEXT_MAX:
        raise ModerationError(
            _("Write the text as it may be shown, at most %(max)d characters.", max=FREE_TEXT_MAX)
        )
    if text == answer.text_value:
        raise ModerationError(_("Nothing was removed. Approve the text instead, or change it."))
    return text


def publishable_texts(question_id: int) -> list[str]:
    """The free texts of a question that a person approved (or redacted); nothing else ever leaves."""
    return list(
        db.session.scalars(
            sa.select(Answer.text_value)
            .where(Answer.question_id == question_id, Answer.moderation_status.in_(PUBLISHABLE))
            .order_by(Answer.id)
        )
    )
