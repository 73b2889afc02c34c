"""The moderation queue: every free text waits for a person to approve, hide or redact it."""

from __future__ import annotations

import enum

import sqlalchemy as sa
from flask_babel import gettext as _

from participation.audit.services import record
from participation.core.textflags import (
    FLAG_ABUSE,
    FLAG_EMAIL,
    FLAG_NAME,
    FLAG_PERSONAL_NUMBER,
    FLAG_PHONE,
    detect_flags,
)
from participation.extensions import db
from participation.surveys.models import (
    FREE_TEXT_MAX,
    PUBLISHABLE,
    Answer,
    ModerationStatus,
    Question,
    Survey,
)


class Decision(enum.StrEnum):
    APPROVE = "approve"
    HIDE = "hide"
    REDACT = "redact"


class ModerationError(ValueError):
    """The decision could not be made as asked; the message says why."""


def flag_label(flag: str) -> str:
    labels = {
        FLAG_EMAIL: _("e-mail address"),
        FLAG_PHONE: _("phone number"),
        FLAG_PERSONAL_NUMBER: _("personal identity number"),
        FLAG_NAME: _("a name"),
        FLAG_ABUSE: _("abusive words"),
    }
    return labels.get(flag, flag)


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


def approve_many(answer_ids: list[int]) -> int:
    """Approve several unflagged texts at once; a flagged one refuses the whole batch, as a person must read it.

    Texts already decided are left as they are. Returns how many were approved now.
    """
    answers = list(db.session.scalars(sa.select(Answer).where(Answer.id.in_(answer_ids)).order_by(Answer.id)))
    if len(answers) != len(set(answer_ids)) or any(answer.text_value is None for answer in answers):
        raise LookupError(answer_ids)
    if any(answer.flags or detect_flags(answer.text_value or "") for answer in answers):
        raise ModerationError(
            _("A text you chose may hold personal data or abusive words. Read it and decide on it alone.")
        )
    waiting = [answer for answer in answers if answer.moderation_status is ModerationStatus.PENDING]
    with db.transaction():
        for answer in waiting:
            answer.moderation_status = ModerationStatus.APPROVED
            record("text_approve", "answer", answer.id, before=ModerationStatus.PENDING.value, bulk=True)
    return len(waiting)


def mark_needs_reader(answer_id: int, needed: bool) -> Answer:
    """Mark (or unmark) a text as waiting for a colleague who reads its language."""
    answer = db.session.get(Answer, answer_id)
    if answer is None or answer.text_value is None:
        raise LookupError(answer_id)
    with db.transaction():
        answer.needs_reader = needed
        record("text_needs_reader" if needed else "text_reader_found", "answer", answer.id)
    return answer


def surveys_of(answer_ids: list[int]) -> list[Survey]:
    """The surveys the given free-text answers belong to (each once)."""
    return list(
        db.session.scalars(
            sa.select(Survey)
            .where(Survey.id.in_(sa.select(Question.survey_id).join(Answer).where(Answer.id.in_(answer_ids))))
            .order_by(Survey.id)
        )
    )


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
