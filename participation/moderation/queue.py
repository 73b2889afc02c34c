"""The moderation queue as a moderator reads it: filtered, a page at a time, flagged texts first.

Free-text answers are this capability's own. Higher capabilities hold texts that wait for a person too
(participant-proposed forum topics): the queue asks them through `signals.moderation_sources`, and each
answers with a `Source` that lists its waiting items as `OtherItem`s and takes the decisions on them with
its own services, audit and owner (so the routes check the same partner as the capability's own pages).
"""

from __future__ import annotations

import enum
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any, Protocol, TypeVar

import sqlalchemy as sa

from participation.core import signals
from participation.core.hygiene import parse_id
from participation.core.textflags import FLAG_ORDER, find_spans
from participation.database import utcnow
from participation.extensions import db
from participation.i18n.languages import Localised
from participation.staff.ownership import Owned
from participation.surveys.models import Answer, ModerationStatus, Question, Response, Survey

PAGE_SIZE = 20
Q = TypeVar("Q", bound=sa.Select[*tuple[Any, ...]])


class Age(enum.StrEnum):
    """How long ago the text came in (to the hour, as it is stored)."""

    ANY = ""
    DAY = "day"
    WEEK = "week"
    OLDER = "older"

    def of(self, column: Any, now: datetime) -> sa.ColumnElement[bool] | None:
        """The condition on `column` (when the item came in) for this age; None for any age."""
        if self is Age.DAY:
            return column >= now - timedelta(days=1)
        if self is Age.WEEK:
            return column >= now - timedelta(days=7)
        if self is Age.OLDER:
            return column < now - timedelta(days=7)
        return None


_WHERE = re.compile(r"([a-z_]{1,20})-([0-9]{1,9})")


@dataclass(frozen=True)
class Filters:
    """What the moderator chose to see; every field is a query parameter of the queue page.

    `where` is one survey ("survey-3") or one session of another source ("forum-5"), or empty for all.
    """

    where: str = ""
    language: str = ""
    flagged: bool = False
    needs_reader: bool = False
    age: Age = Age.ANY
    page: int = 1

    @classmethod
    def from_args(cls, args: Mapping[str, str]) -> Filters:
        """Filters read from a query string; anything malformed is read as "no filter".

        `?survey=3` (the older link) still means `?source=survey-3`.
        """
        where = args.get("source", "")[:40]
        if not _WHERE.fullmatch(where) or parse_id(where.rpartition("-")[2]) is None:
            survey = parse_id(args.get("survey", ""))
            where = f"survey-{survey}" if survey is not None else ""
        page = args.get("page", "")
        try:
            age = Age(args.get("age", ""))
        except ValueError:
            age = Age.ANY
        return cls(
            where=where,
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
            "source": chosen.where,
            "language": chosen.language,
            "flagged": "1" if chosen.flagged else None,
            "needs_reader": "1" if chosen.needs_reader else None,
            "age": chosen.age.value,
            "page": chosen.page if chosen.page > 1 else None,
        }
        return {key: value for key, value in values.items() if value}

    @property
    def survey(self) -> int | None:
        """The one survey chosen, if one is."""
        kind, _, number = self.where.partition("-")
        return int(number) if kind == "survey" and number else None

    @property
    def other(self) -> tuple[str, int] | None:
        """The other source and the id of its session chosen (("forum", 5)), if one is."""
        kind, _, number = self.where.partition("-")
        return (kind, int(number)) if kind and kind != "survey" and number else None


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

    @property
    def key(self) -> str:
        """The item's name in anchors and the bulk form: an answer is its id."""
        return str(self.answer.id)

    source = ""  # a free-text answer of a survey, this capability's own


@dataclass(frozen=True)
class OtherItem:
    """A text of another capability waiting for a decision (a proposed forum topic), as its source gives it.

    It is approved or hidden, and may be marked for a reader of its language; redacting is the answers' own.
    """

    source: str  # the source's key, as in `Source.key` ("forum")
    id: int
    text: str
    language: str
    kind: str  # what it is, translated ("Proposed topic")
    where: Localised  # the session it belongs to, by its title
    sent: datetime
    flags: tuple[str, ...] = ()
    segments: list[Segment] = field(default_factory=list)
    needs_reader: bool = False

    @property
    def reasons(self) -> list[str]:
        found = {flag for segment in self.segments for flag in segment.flags}
        return list(self.flags or [flag for flag in FLAG_ORDER if flag in found])

    @property
    def flagged(self) -> bool:
        return bool(self.reasons)

    @property
    def key(self) -> str:
        return f"{self.source}-{self.id}"


class Source(Protocol):
    """Texts of a higher capability that wait in this queue; it answers `signals.moderation_sources`.

    `partner_id` is the partner whose items to give (None: every partner's, for an admin). Decisions are
    made with the source's own services, which audit them; `owner` gives the object whose partner may
    decide (the routes check it with participation.staff.ownership, as the source's own pages do).
    """

    key: str  # in URLs, anchors and the filter: letters and underscores only
    label: str  # the group of its sessions in the filter ("Forum sessions")

    def sessions(self, partner_id: int | None) -> list[tuple[int, Localised]]:
        """The sessions with items waiting, for the filter: (id, title)."""

    def items(self, filters: Filters, partner_id: int | None) -> list[OtherItem]:
        """Every item waiting that the filters let through, oldest first."""

    def owner(self, item_id: int) -> Owned | None:
        """The object whose partner may decide on the item, or None when there is no such item."""

    def decide(self, item_id: int, decision: str) -> None:
        """Approve or hide one item; ValueError (services.ModerationError) for a decision it does not take."""

    def approve_many(self, item_ids: Sequence[int]) -> int:
        """Approve unflagged items together; a flagged one refuses all (services.ModerationError)."""

    def mark_reader(self, item_id: int, needed: bool) -> None:
        """Leave the item for a colleague who reads its language, or take the mark away (LookupError)."""


def sources() -> list[Source]:
    """The other sources of texts connected for this app, in connection order."""
    return signals.answers(signals.moderation_sources)


def source_named(key: str) -> Source | None:
    return next((source for source in sources() if source.key == key), None)


def _other_items(filters: Filters, partner_id: int | None) -> list[OtherItem]:
    return [item for source in sources() for item in source.items(filters, partner_id)]


@dataclass(frozen=True)
class Page:
    items: list[QueueItem | OtherItem]
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
    if filters.other is not None:
        query = query.where(sa.false())  # a forum session was chosen: no survey's answers
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
    age = filters.age.of(Response.submitted_hour, utcnow())
    return query if age is None else query.where(age)


def _joined(query: Q) -> Q:
    return (
        query.join(Question, Answer.question_id == Question.id)
        .join(Survey, Question.survey_id == Survey.id)
        .join(Response, Answer.response_id == Response.id)
    )


def _answers(
    filters: Filters, partner_id: int | None, flagged: bool
) -> tuple[int, Callable[[int, int], list[QueueItem | OtherItem]]]:
    """How many answers of one kind (flagged or not) match, and a way to fetch a stretch of them."""

    def narrowed(query: Q) -> Q:
        query = _filtered(_joined(query), filters, partner_id)
        return query.where(_flagged() if flagged else sa.not_(_flagged()))

    count = db.session.scalar(narrowed(sa.select(sa.func.count(Answer.id)))) or 0

    def fetch(offset: int, limit: int) -> list[QueueItem | OtherItem]:
        query = narrowed(sa.select(Answer, Question, Survey, Response)).order_by(Answer.id)
        rows = db.session.execute(query.offset(offset).limit(limit)).all()
        return [
            QueueItem(answer, question, survey, response, segments(answer.text_value or ""))
            for answer, question, survey, response in rows
        ]

    return count, fetch


def _listed(items: list[OtherItem]) -> tuple[int, Callable[[int, int], list[QueueItem | OtherItem]]]:
    return len(items), lambda offset, limit: list(items[offset : offset + limit])


def page(filters: Filters, *, partner_id: int | None = None) -> Page:
    """One page of the texts waiting for a decision: flagged ones first, then the oldest first.

    Within each, other sources' items (proposals a facilitator may be waiting for tonight) come before
    the survey answers. The answers are fetched a page at a time; other sources' waiting items are few.
    """
    others = _other_items(filters, partner_id)
    parts = [
        _listed([item for item in others if item.flagged]),
        _answers(filters, partner_id, flagged=True),
        _listed([item for item in others if not item.flagged]),
        _answers(filters, partner_id, flagged=False),
    ]
    total = sum(count for count, _fetch in parts)
    pages = max(1, -(-total // PAGE_SIZE))
    filters = replace(filters, page=min(filters.page, pages))
    start, end = (filters.page - 1) * PAGE_SIZE, filters.page * PAGE_SIZE
    items: list[QueueItem | OtherItem] = []
    position = 0
    for count, fetch in parts:
        low, high = max(start, position), min(end, position + count)
        if low < high:
            items += fetch(low - position, high - low)
        position += count
    return Page(items, total, filters)


def pending_count(*, partner_id: int | None = None) -> int:
    """All texts waiting for a decision (of one partner's surveys and sessions), whatever the filters."""
    answers = (
        db.session.scalar(_filtered(_joined(sa.select(sa.func.count(Answer.id))), Filters(), partner_id)) or 0
    )
    return answers + len(_other_items(Filters(), partner_id))


def oldest_pending_hour(*, partner_id: int | None = None) -> datetime | None:
    """When the text that has waited longest was sent (to the hour), or None when nothing waits."""
    oldest = sa.select(sa.func.min(Response.submitted_hour)).select_from(Answer)
    query = _filtered(_joined(oldest), Filters(), partner_id)
    hours = [db.session.scalar(query)]
    hours += [
        item.sent.replace(minute=0, second=0, microsecond=0) for item in _other_items(Filters(), partner_id)
    ]
    found = [hour for hour in hours if hour is not None]
    return min(found) if found else None


def surveys_with_texts(*, partner_id: int | None = None) -> list[Survey]:
    """The surveys that have texts waiting, for the filter's list."""
    waiting = _filtered(_joined(sa.select(Survey.id).select_from(Answer)), Filters(), partner_id)
    return list(db.session.scalars(sa.select(Survey).where(Survey.id.in_(waiting)).order_by(Survey.id)))
