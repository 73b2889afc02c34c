"""School terms: the one definition of the periods that results, trends and indicators are counted in.

A term is a number: the year times ten plus 1 for spring (January–July) or 2 for autumn
(August–December), so 20252 is autumn 2025 and 20261 spring 2026. Years run from 2000 to 2100: earlier or
later dates are typing mistakes, not data a neighbourhood survey holds.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa

FIRST_YEAR, LAST_YEAR = 2000, 2100
AUTUMN_STARTS = 8  # August
FIRST_TERM, LAST_TERM = FIRST_YEAR * 10 + 1, LAST_YEAR * 10 + 2


def is_term(term: int) -> bool:
    return FIRST_YEAR <= term // 10 <= LAST_YEAR and term % 10 in (1, 2)


def term_of(column: Any) -> Any:
    """The term of a UTC time column, as SQL (the same on SQLite and PostgreSQL)."""
    year = sa.cast(sa.extract("year", column), sa.Integer)
    half = sa.case((sa.cast(sa.extract("month", column), sa.Integer) >= AUTUMN_STARTS, 2), else_=1)
    return year * 10 + half


def term_of_moment(moment: datetime) -> int:
    """The term of one moment, as term_of() computes it in SQL."""
    moment = moment.astimezone(UTC)
    return moment.year * 10 + (2 if moment.month >= AUTUMN_STARTS else 1)


def term_bounds(term: int) -> tuple[datetime, datetime] | None:
    """The moments a term runs from (inclusive) and to (exclusive), in UTC; None if no such term."""
    if not is_term(term):
        return None
    year, half = divmod(term, 10)
    autumn = datetime(year, AUTUMN_STARTS, 1, tzinfo=UTC)
    if half == 1:
        return datetime(year, 1, 1, tzinfo=UTC), autumn
    return autumn, datetime(year + 1, 1, 1, tzinfo=UTC)


def in_term(column: Any, term: int) -> Any:
    """`column` (a UTC time) falls in the term, as a range an index can use; false for no such term."""
    bounds = term_bounds(term)
    return sa.and_(column >= bounds[0], column < bounds[1]) if bounds else sa.false()


def term_index(term: int) -> int:
    """Terms as consecutive numbers, so spring follows autumn: 20252 → 4051, 20261 → 4052."""
    return (term // 10) * 2 + (term % 10) - 1


def is_autumn(term: int) -> bool:
    return term % 10 == 2
