"""The moderation queue as a moderator reads it: filtered, a page at a time, flagged texts first."""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any, TypeVar

import sqlalchemy as sa

from participation.core.hygiene import parse_id
from participation.core.textflags import FLAG_ORDER, find_spans
from participation.database import utcnow
from participation.extensions import db
from participation.surveys.models import Answer, ModerationStatus, Question, Response, Survey

PAGE_SIZE = 20
Q = TypeVar("Q", bound=sa.Select[*tuple[Any, ...]])


class Age(enum.StrEnum):
    """How long ago the text came in (to the hour, as it is stored)."""

    ANY = ""
    DAY = "day"
    WEEK = "week"
    OLDER = "older"


@dataclass(frozen=True)
class Filters:
    """What the moderator chose to see; every field is a query parameter of the queue page."""

    survey: int | None = None
    language: str = ""
    flagged: bool = False
    needs_reader: bool = False
    age: Age = Age.ANY
    page: int = 1

    @classmethod
    def from_args(cls, args: Mapping[str, str]) -> Filters:
        """Filters read from a query string; anything malformed is read as "no filter"."""
        survey = args.get("survey", "")
        page = args.get("page", "")
        try:
            age = Age(args.get("age", ""))
        except ValueError:
            age = Age.ANY
        return cls(
            survey=parse_id(survey),
            language=args.get("language", "")[:10],
            flagged=args.get("flagged") == "1",
            needs_reader=args.get("needs_reader") == "1",
            age=age,
            page=max(1, min(int(page), 10_000))
            if page.isascii() and page.isdigit() and len(page) <= 5
            else 1,
        )

    def args(self, **changes: Any) -> dict[str, Any]:
        """The query parameters that give these filters back (with some changed), without empty ones."""
        chosen = replace(self, **changes)
        values: dict[str, str | int | None] = {
            "survey": chosen.survey,
            "language": chosen.language,
            "flagged": "1" if chosen.flagged else None,
            "needs_reader": "1" if chosen.needs_reader else None,
            "age": chosen.age.value,
            "page": chosen.page if chosen.page > 1 else None,
        }
        return {key: value for key, value in values.items() if value}


@dataclass(frozen=True)
class Segment:
    """A stretch of a text, with the reasons it looks like personal data or abuse (none for plain text)."""

    text: str
    flags: tuple[str, ...] = ()


@dataclass(frozen=True)
class QueueItem:
    answer: Answer
    question: Question
    survey: Survey
    response: Response
    segments: list[Segment] = field(default_factory=list)

    @property
    def reasons(self) -> list[str]:
        """The flags stored when the text came in, or those the text shows now (older texts have none)."""
        found = {flag for segment in self.segments for flag in segment.flags}
        return list(self.answer.flags or [flag for flag in FLAG_ORDER if flag in found])

    @property
    def flagged(self) -> bool:
        return bool(self.reasons)


@dataclass(frozen=True)
class Page:
    items: list[QueueItem]
    total: int
    filters: Filters

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // PAGE_SIZE))


def segments(text: str) -> list[Segment]:
    """The text cut where the automatic flags begin and end; overlapping flags are merged into one mark."""
    merged: list[tuple[int, int, set[str]]] = []
    for span in find_spans(text):
        if merged and span.start < merged[-1][1]:
            start, end, flags = merged[-1]
            merged[-1] = (start, max(end, span.end), flags | {span.flag})
        else:
            merged.append((span.start, span.end, {span.flag}))
    result: list[Segment] = []
    position = 0
    for start, end, flags in merged:
        if start > position:
            result.append(Segment(text[position:start]))
        result.append(Segment(text[start:end], tuple(sorted(flags))))
        position = end
    if position < len(text):
        result.append(Segment(text[position:]))
    return result


def _flagged() -> sa.ColumnElement[bool]:
    """True for an answer with automatic flags (the JSON list is neither missing, null nor empty)."""
    as_text = sa.cast(Answer.flags, sa.Text)
    return sa.and_(as_text.is_not(None), as_text.not_in(["[]", "null"]))


def _filtered(query: Q, filters: Filters, partner_id: int | None) -> Q:
    query = query.where(Answer.text_value.is_not(None), Answer.moderation_status == ModerationStatus.PENDING)
    if partner_id is not None:
        query = query.where(Survey.partner_id == partner_id)
    if filters.survey is not None:
        query = query.where(Survey.id == filters.survey)
    if filters.language:
        query = query.where(Response.language == filters.language)
    if filters.flagged:
        query = query.where(_flagged())
    if filters.needs_reader:
        query = query.where(Answer.needs_reader.is_(True))
    now = utcnow()
    if filters.age is Age.DAY:
        query = query.where(Response.submitted_hour >= now - timedelta(days=1))
    elif filters.age is Age.WEEK:
        query = query.where(Response.submitted_hour >= now - timedelta(days=7))
    elif filters.age is Age.OLDER:
        query = query.where(Response.submitted_hour < now - timedelta(days=7))
    return query


def _joined(query: Q) -> Q:
    return (
        query.join(Question, Answer.question_id == Question.id)
        .join(Survey, Question.survey_id == Survey.id)
        .join(Response, Answer.response_id == Response.id)
    )


def page(filters: Filters, *, partner_id: int | None = None) -> Page:
    """One page of the texts waiting for a decision: flagged ones first, then the oldest first."""
    total = (
        db.session.scalar(_filtered(_joined(sa.select(sa.func.count(Answer.id))), filters, partner_id)) or 0
    )
    pages = max(1, -(-total // PAGE_SIZE))
    filters = replace(filters, page=min(filters.page, pages))
    query = (
        _filtered(_joined(sa.select(Answer, Question, Survey, Response)), filters, partner_id)
        .order_by(sa.case((_flagged(), 0), else_=1), Answer.id)
        .offset((filters.page - 1) * PAGE_SIZE)
        .limit(PAGE_SIZE)
    )
    items = [
        QueueItem(answer, question, survey, response, segments(answer.text_value or ""))
        for answer, question, survey, response in db.session.execute(query).all()
    ]
    return Page(items, total, filters)


def pending_count(*, partner_id: int | None = None) -> int:
    """All texts waiting for a decision (of one partner's surveys), whatever the filters."""
    return (
        db.session.scalar(_filtered(_joined(sa.select(sa.func.count(Answer.id))), Filters(), partner_id)) or 0
    )


def oldest_pending_hour(*, partner_id: int | None = None) -> datetime | None:
    """When the text that has waited longest was sent (to the hour), or None when nothing waits."""
    oldest = sa.select(sa.func.min(Response.submitted_hour)).select_from(Answer)
    query = _filtered(_joined(oldest), Filters(), partner_id)
    return db.session.scalar(query)


def surveys_with_texts(*, partner_id: int | None = None) -> list[Survey]:
    """The surveys that have texts waiting, for the filter's list."""
    waiting = _filtered(_joined(sa.select(Survey.id).select_from(Answer)), Filters(), partner_id)
    return list(db.session.scalars(sa.select(Survey).where(Survey.id.in_(waiting)).order_by(Survey.id)))
