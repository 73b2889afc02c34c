"""The floor: hand-written SQL giving the numbers of the needs map's choices and of the indicator, run
with the driver (sqlite3 or psycopg) on a connection of its own, and checked equal to the app's numbers.
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from benchmarks.harness.database import driver_connection, run_query

# The app's term of a moment and top of the scale.
from participation.core.terms import term_of
from participation.measurement.services import TOP_OF_SCALE


@functools.cache  # compiled once: the timed floor statements are only formatted, as hand-written SQL is
def term_sql(dialect: str, column: str) -> str:
    """The app's term_of() compiled for one dialect: the floor's terms are the app's by construction."""
    expression = term_of(sa.literal_column(column, sa.DateTime()))
    compiled = expression.compile(
        dialect=sqlite.dialect() if dialect == "sqlite" else postgresql.dialect(),
        compile_kwargs={"literal_binds": True},
    )
    return f"({compiled})"


def placeholder(dialect: str, name: str) -> str:
    return f":{name}" if dialect == "sqlite" else f"%({name})s"


FLOOR_SHAPES = {
    "join": "one join of the answers to the themes, two COUNT(DISTINCT)",
    "two-stage": "distinct (response, question) and (response, theme) pairs first, then counted",
    "pivot": "one pass over the answers grouped by response, a flag per theme, then summed",
}


def floor_sql(dialect: str, filters: dict[str, str], shape: str = "two-stage") -> str:
    """Per theme: respondents choosing an option on it, and respondents answering a question that has one.

    The same numbers as needs._choices(filters, None), in one statement; floor_query() runs it. Shapes,
    each checked against the app: "join" is the straightforward one (an answer whose option carries
    the theme always belongs to a question in themed_question for that theme, so one pass gives both
    counts); "two-stage" first reduces the answers to distinct (response, question) and (response,
    theme) pairs, which is cheaper where a question carries several themes; "pivot" (pivot_sql) needs
    the themes' question and option ids first. Unfiltered they need no join to response
    (answer.response_id is a non-null foreign key).
    """
    join = "JOIN response r ON r.id = a.response_id" if filters else ""
    where = (
        "WHERE " + " AND ".join(f"r.{name} = {placeholder(dialect, name)}" for name in filters)
        if filters
        else ""
    )
    themed_question = """themed_question AS (
    SELECT DISTINCT o.question_id, ot.theme_id
    FROM "option" o JOIN option_theme ot ON ot.option_id = o.id
)"""
    if shape == "join":
        return f"""
WITH {themed_question}
SELECT tq.theme_id,
       COUNT(DISTINCT CASE WHEN ot.option_id IS NOT NULL THEN a.response_id END) AS chose,
       COUNT(DISTINCT a.response_id) AS base
FROM answer a
JOIN themed_question tq ON tq.question_id = a.question_id
LEFT JOIN option_theme ot ON ot.option_id = a.option_id AND ot.theme_id = tq.theme_id
{join}
{where}
GROUP BY tq.theme_id
ORDER BY tq.theme_id""".strip()
    return f"""
WITH {themed_question},
answered AS (
    SELECT DISTINCT a.response_id, a.question_id
    FROM answer a JOIN (SELECT DISTINCT question_id FROM themed_question) q ON q.question_id = a.question_id
    {join}
    {where}
),
based AS (
    SELECT DISTINCT answered.response_id, tq.theme_id
    FROM answered JOIN themed_question tq ON tq.question_id = answered.question_id
),
chosen AS (
    SELECT DISTINCT a.response_id, ot.theme_id
    FROM answer a JOIN option_theme ot ON ot.option_id = a.option_id
    {join}
    {where}
)
SELECT theme_id, SUM(chose) AS chose, SUM(base) AS base FROM (
    SELECT theme_id, COUNT(*) AS chose, 0 AS base FROM chosen GROUP BY theme_id
    UNION ALL
    SELECT theme_id, 0, COUNT(*) FROM based GROUP BY theme_id
) per_theme
GROUP BY theme_id
ORDER BY theme_id""".strip()


THEMED_OPTIONS_SQL = (
    'SELECT ot.theme_id, o.id, o.question_id FROM option_theme ot JOIN "option" o ON o.id = ot.option_id'
)


def pivot_sql(dialect: str, filters: dict[str, str], themed_options: list[tuple[int, int, int]]) -> str:
    """The pivot shape: each answer is read once, grouped by response, with a 0/1 flag per theme for
    "answered a question with an option on the theme" and for "chose such an option"; then summed.
    Built from the (theme, option, question) rows of THEMED_OPTIONS_SQL, read just before."""
    themes = sorted({theme for theme, _option, _question in themed_options})

    def ids(values: set[int]) -> str:
        return ", ".join(str(value) for value in sorted(values))

    flags, sums = [], []
    for theme in themes:
        questions = {q for t, _o, q in themed_options if t == theme}
        options = {o for t, o, _q in themed_options if t == theme}
        flags.append(f"MAX(CASE WHEN a.question_id IN ({ids(questions)}) THEN 1 ELSE 0 END) AS base_{theme}")
        flags.append(f"MAX(CASE WHEN a.option_id IN ({ids(options)}) THEN 1 ELSE 0 END) AS chose_{theme}")
        sums.append(f"SUM(chose_{theme}), SUM(base_{theme})")
    narrowed = (
        "AND a.response_id IN (SELECT r.id FROM response r WHERE "
        + " AND ".join(f"r.{name} = {placeholder(dialect, name)}" for name in filters)
        + ")"
        if filters
        else ""
    )
    all_questions = ids({q for _t, _o, q in themed_options})
    return f"""
SELECT {", ".join(sums)} FROM (
    SELECT a.response_id, {", ".join(flags)}
    FROM answer a
    WHERE a.question_id IN ({all_questions}) {narrowed}
    GROUP BY a.response_id
) per_response""".strip()


def floor_query(
    connection: Any, dialect: str, filters: dict[str, str], shape: str
) -> dict[int, tuple[int, int]]:
    """{theme: (chose, base)} by one hand-written statement of this shape (pivot: after a tiny lookup)."""
    if shape != "pivot":
        rows = run_query(connection, floor_sql(dialect, filters, shape), filters)
        return {theme: (int(chose), int(base)) for theme, chose, base in rows}
    themed_options = run_query(connection, THEMED_OPTIONS_SQL, {})
    themes = sorted({theme for theme, _option, _question in themed_options})
    (row,) = run_query(connection, pivot_sql(dialect, filters, themed_options), filters)
    result = {}
    for index, theme in enumerate(themes):
        chose, base = row[2 * index], row[2 * index + 1]
        if base:  # like the app, which has no row for a theme nobody in the view was asked about
            result[theme] = (int(chose), int(base))
    return result


def indicator_sql(dialect: str) -> str:
    """An indicator computed from a scale question, per term: respondents at the top of the scale and
    respondents answering. The same numbers as measurement.services.computed_points, in one statement."""
    term = term_sql(dialect, "r.submitted_hour")
    return f"""
SELECT {term} AS term,
       COUNT(DISTINCT CASE WHEN a.value_int >= {TOP_OF_SCALE} THEN a.response_id END) AS top,
       COUNT(DISTINCT a.response_id) AS base
FROM answer a JOIN response r ON r.id = a.response_id
WHERE a.question_id = {placeholder(dialect, "question_id")}
GROUP BY {term}
ORDER BY 1""".strip()


def time_repeated(action: Callable[[], Any], repeat: int) -> tuple[list[float], Any]:
    """One unmeasured warm-up, then `repeat` timed runs; returns the seconds and the last result."""
    result = action()
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        result = action()
        times.append(time.perf_counter() - started)
    return times, result


def check_floor(app: Any, url: str, dialect: str, filter_sets: list[dict[str, str]]) -> list[str]:
    """The floor must give the needs map's choices numbers exactly; the differences, if any."""
    from participation.insights import needs

    problems = []
    with app.app_context(), driver_connection(url) as connection:
        for filters in filter_sets:
            expected = {
                theme: pair for (theme, _grp), pair in needs._choices(needs.Filters(**filters), None).items()
            }
            for shape in FLOOR_SHAPES:
                got = floor_query(connection, dialect, filters, shape)
                if expected != got:
                    problems.append(
                        f"{shape}, filters {filters or 'none'}: needs map {expected}, floor {got}"
                    )
        from participation.extensions import db

        db.session.remove()
    return problems
