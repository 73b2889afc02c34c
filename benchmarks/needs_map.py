"""Benchmark of the needs map at scale: the /staff/needs page against the SQL floor. Run by hand.

    .venv/bin/python benchmarks/needs_map.py [--answers 1000000] [--responses 100000] [--repeat 5]
                                             [--database-url postgresql+psycopg://postgres@127.0.0.1:5432/needsbench]
                                             [--filter 'age_band=16_19&gender=girl'] [--workers 2] [--threads 2]
                                             [--timeout 600] [--explain] [--keep] [--seed N]

What it does:

1. Makes a fresh temporary instance folder and SQLite database (or, with --database-url, empties that
   PostgreSQL database's `public` schema first), runs `flask --app participation db upgrade` and
   `flask demo` (themes, the demo survey with themed options and scale questions, placements, a closed
   forum evening).
2. Adds a second, longer survey built from the demo's spec with a few more themed questions (so that
   about ten answers per response is possible), a bigger closed forum session with votes on themed
   items, and then bulk-generates --responses responses with --answers answers in all (default 100,000
   and 1,000,000: ten per response on average, exactly that many in total when the surveys can hold
   them) spread over six school terms, five age bands, four genders and the demo's placements (some
   fields left empty, as respondents may skip them). About a quarter of the responses have a free text;
   most of those are approved and coded with one or two themes (text_code rows). Rows are written with
   SQLAlchemy Core executemany in batches of --batch responses on SQLite and with COPY on PostgreSQL;
   PostgreSQL then gets VACUUM ANALYZE, as autovacuum would do after a bulk load (SQLite gets no
   ANALYZE: the app never runs one).
3. Checks that every shape of the floor query below gives exactly the numbers of the needs map's choices
   component (participation.insights.needs._choices), unfiltered and filtered. Exits 1 if not.
4. Creates a staff member of the youth organisation (`flask users create … --role staff --partner …`, password on standard input), starts
   gunicorn (gthread) on a free port of 127.0.0.1 serving benchmarks._bench_app:app as
   benchmarks/submit.py does, logs in through the form with its CSRF token, and measures, after one
   unmeasured warm-up each, --repeat sequential runs of:
   (a) GET /staff/needs, unfiltered and with two filters (--filter, default age_band=16_19&gender=girl);
   (b) the demo's indicator computed from a scale question (`influence_feel`): POST its "compute"
       button (values per term from the answers, stored) and GET its page (the turn-the-curve chart),
       next to its floor: one hand-written statement giving the same numbers per term, checked equal
       to the stored values afterwards;
   (c) the floor: one hand-written SQL statement giving, for every theme, the respondents who chose an
       option on the theme and the respondents who answered a question with such an option (the bases),
       unfiltered and with the same two filters. It is written in three shapes (see FLOOR_SHAPES), each
       checked to give exactly the app's numbers; the floor is the fastest of them.
   (b) and (c) run directly with the driver (sqlite3 or psycopg) on a connection of their own.
   (d) GET /staff/needs right after a release of k new responses each time (added in this process as the
       survey form stores them, outside the timing): the page while a survey is being answered.
5. Runs the page's work once more in-process (needs_map, trend, reach, terms, as the view calls them),
   timing every SQL statement, and prints where the time goes; with --explain, also the query plans of
   the slowest statements (stderr). Then times bringing the needs map's tally
   (participation.insights.tally) up to date in-process after each kind of change: counted in full (the
   first view after a start), after a release of k new responses, after one moderation decision.
6. Prints a Markdown table for the README with machine info, stops gunicorn and removes the temporary
   files (with --keep the temporary folder and its SQLite file are left for a look afterwards). A
   PostgreSQL database keeps its data until the next run resets it.

Everything runs on the same machine: the client, gunicorn and the database. Numbers are for comparing,
not for promising. The target: the page within 2× of the floor and under one second.
"""

from __future__ import annotations

import argparse
import contextlib
import copy
import functools
import http.client
import os
import random
import secrets
import sqlite3
import statistics
import subprocess
import sys
import time
import urllib.parse
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks.submit import (  # noqa: E402  (needs ROOT on sys.path when run as a script)
    ClientError,
    app_environment,
    app_settings,
    cookies_from,
    database_description,
    flask,
    free_port,
    gunicorn,
    normalised,
    parse_form,
    percentile,
    prepare_database,
    run_benchmark,
    server_errors,
    setup_lines,
    stop_on_sigterm,
)

STAFF_EMAIL = "staff@needs-bench.example"
LOGIN_PATH = "/staff/login"
NEEDS_PATH = "/staff/needs"
NEEDS_MARKER = b'<table class="needs">'
INDICATOR_PATH = "/staff/measurement/indicators/{id}"
INDICATOR_MARKER = b'<svg class="chart"'
DEFAULT_FILTER = "age_band=16_19&gender=girl"
FOLLOW_UP_SLUG = "backby-uppfoljning"
DEMO_SLUG = "backby-din-rost"
INDICATOR_QUESTION = "influence_feel"  # the demo indicator "young people who feel they have a say" uses it
TOP_OF_SCALE = 4  # measurement.services.TOP_OF_SCALE
FOLLOW_UP_SHARE = 0.5  # of the generated responses; the rest go to the demo survey

# Six school terms, later ones with more responses: (year, half, weight). Half 1 is spring, 2 autumn.
TERMS = [(2024, 1, 10), (2024, 2, 12), (2025, 1, 14), (2025, 2, 16), (2026, 1, 18), (2026, 2, 20)]
AGE_BANDS = (["under_13", "13_15", "16_19", "20_25", "over_25", None], [2, 5, 6, 3, 1, 1])
GENDERS = (["girl", "boy", "other", "rather_not_say", None], [10, 10, 2, 2, 2])
LIVES = (["yes", "nearby", "no", None], [14, 4, 2, 1])
LANGUAGES = (["sv", "en", "ar", "fa-AF", "so", "ti", "fi"], [10, 2, 4, 3, 3, 2, 1])
FREE_TEXT_SHARE = 0.25
# Free texts and the themes a youth worker would code them with.
TEXTS = [
    ("Fler kvällsaktiviteter på fritidsgården", ["leisure"]),
    ("Bättre belysning vid gångtunneln", ["safety"]),
    ("More summer jobs for people under 16", ["jobs"]),
    ("Läxhjälp på helgerna också", ["school"]),
    ("A place for girls only, one evening a week", ["leisure", "safety"]),
    ("Att någon lyssnar på oss när vi säger något", ["influence"]),
    ("Någon vuxen att prata med när man mår dåligt", ["health"]),
    ("Praktikplatser i centrum och hjälp med CV", ["jobs", "school"]),
]
# Moderation of the free texts: (status, weight); approved and redacted texts are published and coded.
MODERATION = (["approved", "redacted", "hidden", "pending"], [60, 5, 5, 30])
TEXT_THEMES = dict(TEXTS)

# The follow-up survey: the demo survey's questions plus these, all themed.
EXTRA_QUESTIONS: list[dict[str, Any]] = [
    {
        "key": "free_time",
        "kind": "multiple_choice",
        "required": False,
        "max_choices": 3,
        "prompt": {"sv": "Vad gör du på fritiden?", "en": "What do you do in your free time?"},
        "options": [
            {"key": "sport", "themes": ["health"], "label": {"sv": "Idrott", "en": "Sport"}},
            {"key": "centre", "themes": ["leisure"], "label": {"sv": "Fritidsgården", "en": "Youth centre"}},
            {"key": "homework", "themes": ["school"], "label": {"sv": "Läxhjälp", "en": "Homework club"}},
            {"key": "work", "themes": ["jobs"], "label": {"sv": "Extrajobb", "en": "Part-time job"}},
            {
                "key": "council",
                "themes": ["influence"],
                "label": {"sv": "Ungdomsrådet", "en": "Youth council"},
            },
            {"key": "nothing", "label": {"sv": "Inget särskilt", "en": "Nothing in particular"}},
        ],
    },
    {
        "key": "health_feel",
        "kind": "scale",
        "required": True,
        "themes": ["health"],
        "prompt": {"sv": "Hur mår du för det mesta?", "en": "How are you feeling most of the time?"},
    },
    {
        "key": "school_feel",
        "kind": "scale",
        "required": False,
        "themes": ["school"],
        "prompt": {"sv": "Hur går det i skolan?", "en": "How is school going?"},
    },
    {
        "key": "leisure_feel",
        "kind": "scale",
        "required": False,
        "themes": ["leisure"],
        "prompt": {
            "sv": "Finns det något att göra på kvällarna?",
            "en": "Is there anything to do in the evenings?",
        },
    },
]

# --------------------------------------------------------------------------- the floor and the indicator


def term_sql(dialect: str, column: str) -> str:
    """The app's term_of() (participation.insights.needs) written by hand for one dialect."""
    if dialect == "sqlite":
        year = f"CAST(strftime('%Y', {column}) AS INTEGER)"
        month = f"CAST(strftime('%m', {column}) AS INTEGER)"
    else:
        year = f"CAST(EXTRACT(year FROM {column}) AS INTEGER)"
        month = f"CAST(EXTRACT(month FROM {column}) AS INTEGER)"
    return f"({year} * 10 + CASE WHEN {month} >= 8 THEN 2 ELSE 1 END)"


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
    """An indicator computed from a scale question, per term: respondents at the top (4 or 5 of 5) and
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


# --------------------------------------------------------------------------- the data


@dataclass
class QuestionMeta:
    id: int
    key: str
    kind: str
    required: bool
    max_choices: int | None
    show_if_option_id: int | None
    option_ids: list[int]
    theme_slugs: list[str]


@dataclass
class SurveyMeta:
    id: int
    slug: str
    questions: list[QuestionMeta]
    better_weights_base: list[int] = field(default_factory=lambda: [3, 3, 2, 2, 2])


@dataclass
class Generated:
    responses: int = 0
    answers: int = 0
    free_texts: int = 0
    text_codes: int = 0
    forum_votes: int = 0
    clamped: int = 0  # responses whose answer quota the survey could not hold
    seconds: float = 0.0
    target_responses: int = 1
    per_term: Counter[int] = field(default_factory=Counter)


def _scale_value(rng: random.Random, key: str, gender: str | None) -> int:
    weights = [2, 3, 4, 3, 2]
    if key == "safety_evening" and gender == "girl":
        weights = [4, 4, 3, 2, 1]
    elif key == "leisure_feel":
        weights = [3, 4, 3, 2, 2]
    return rng.choices((1, 2, 3, 4, 5), weights)[0]


def plan_answers(
    survey: SurveyMeta,
    quota: int,
    rng: random.Random,
    term_index: int,
    gender: str | None,
) -> list[tuple[int, int | None, int | None, int | None, str | None, str | None]]:
    """About `quota` answers to one survey: (question_id, option_id, rank, value_int, text, moderation).

    Required questions always get their one answer and conditional questions only appear when their
    option was chosen; the rest of the quota is spread at random over optional questions, further
    choices of multiple-choice questions and further ranks, as far as the survey can hold it.
    """
    chosen: set[int] = set()
    single: dict[int, int] = {}
    for q in survey.questions:
        if q.kind == "single_choice":
            # Later terms lean more towards jobs (the first option), so the trend has something to show.
            weights = [3 + term_index, 3, 2, 2, 2, 2, 2][: len(q.option_ids)]
            single[q.id] = rng.choices(q.option_ids, weights)[0]
            chosen.add(single[q.id])
    wants_text = rng.random() < FREE_TEXT_SHARE
    counts: dict[int, int] = {}
    capacity: dict[int, int] = {}
    shown: list[QuestionMeta] = []
    for q in survey.questions:
        if q.show_if_option_id is not None and q.show_if_option_id not in chosen:
            continue
        shown.append(q)
        if q.kind == "multiple_choice":
            top = min(q.max_choices or len(q.option_ids), len(q.option_ids))
        elif q.kind == "ranking":
            top = min(3, len(q.option_ids))
        else:
            top = 1
        if q.kind == "free_text":
            counts[q.id] = 1 if wants_text else 0
            top = counts[q.id]
        else:
            counts[q.id] = 1 if q.required else 0
        capacity[q.id] = top - counts[q.id]
    extra = quota - sum(counts.values())
    pool = [q.id for q in shown if capacity[q.id] > 0]
    while extra > 0 and pool:
        pick = pool[rng.randrange(len(pool))]
        counts[pick] += 1
        capacity[pick] -= 1
        extra -= 1
        if capacity[pick] == 0:
            pool.remove(pick)
    rows: list[tuple[int, int | None, int | None, int | None, str | None, str | None]] = []
    for q in shown:
        n = counts[q.id]
        if n == 0:
            continue
        if q.kind == "single_choice":
            rows.append((q.id, single[q.id], None, None, None, None))
        elif q.kind == "multiple_choice":
            rows += [(q.id, option, None, None, None, None) for option in rng.sample(q.option_ids, n)]
        elif q.kind == "ranking":
            picks = rng.sample(q.option_ids, n)
            rows += [(q.id, option, rank, None, None, None) for rank, option in enumerate(picks, start=1)]
        elif q.kind == "scale":
            rows.append((q.id, None, None, _scale_value(rng, q.key, gender), None, None))
        elif q.kind == "yes_no":
            rows.append((q.id, None, None, int(rng.random() < 0.35 + 0.05 * term_index), None, None))
        elif q.kind == "number":
            rows.append((q.id, None, None, rng.randint(0, 12), None, None))
        elif q.kind == "free_text":
            text = rng.choice(TEXTS)[0]
            rows.append((q.id, None, None, None, text, rng.choices(*MODERATION)[0]))
    return rows


def term_moment(rng: random.Random, year: int, half: int) -> datetime:
    start = datetime(year, 1, 15, tzinfo=UTC) if half == 1 else datetime(year, 8, 20, tzinfo=UTC)
    days = 140 if half == 1 else 115
    moment = start + timedelta(days=rng.randrange(days), hours=rng.randint(14, 21))
    return moment.replace(minute=0, second=0, microsecond=0)


@dataclass
class Chunk:
    responses: list[dict[str, Any]] = field(default_factory=list)
    answers: list[dict[str, Any]] = field(default_factory=list)
    text_codes: list[dict[str, Any]] = field(default_factory=list)


def generate(
    surveys: list[SurveyMeta],
    placements: list[int],
    theme_ids: dict[str, int],
    codebook_version_id: int,
    *,
    responses: int,
    answers: int,
    first_response_id: int,
    first_answer_id: int,
    first_text_code_id: int,
    batch: int,
    seed: int,
    stats: Generated,
) -> Iterator[Chunk]:
    """Chunks of `batch` responses with their answers and text codes, ids assigned here."""
    rng = random.Random(seed)
    mean = answers / responses
    term_weights = [weight for _y, _h, weight in TERMS]
    coded_at = datetime(2026, 12, 1, tzinfo=UTC)
    response_id, answer_id, code_id = first_response_id, first_answer_id, first_text_code_id
    total = 0
    chunk = Chunk()
    for index in range(responses):
        term_index = rng.choices(range(len(TERMS)), term_weights)[0]
        year, half, _weight = TERMS[term_index]
        survey = surveys[1] if rng.random() < FOLLOW_UP_SHARE else surveys[0]
        gender = rng.choices(*GENDERS)[0]
        # Aim at the running total, so the sum comes out exact; ±3 of noise per response.
        target = round(mean * (index + 1)) - total
        # No noise for the last few, so they can bring the total to exactly `answers`.
        quota = target if index >= responses - 20 else target + rng.randint(-3, 3)
        rows = plan_answers(survey, max(quota, 0), rng, term_index, gender)
        if len(rows) != quota:
            stats.clamped += 1
        chunk.responses.append(
            {
                "id": response_id,
                "survey_id": survey.id,
                "placement_id": rng.choice(placements) if rng.random() < 0.9 else None,
                "respondent_hash": None,
                "idempotency_key": f"needs-bench-{response_id:052d}",
                "submitted_hour": term_moment(rng, year, half),
                "language": rng.choices(*LANGUAGES)[0],
                "age_band": rng.choices(*AGE_BANDS)[0],
                "gender": gender,
                "lives_in_area": rng.choices(*LIVES)[0],
            }
        )
        stats.per_term[year * 10 + half] += 1
        for question_id, option_id, rank, value_int, text, status in rows:
            if text is not None:
                stats.free_texts += 1
                if status in ("approved", "redacted"):
                    for slug in TEXT_THEMES[text]:
                        chunk.text_codes.append(
                            {
                                "id": code_id,
                                "answer_id": answer_id,
                                "theme_id": theme_ids[slug],
                                "codebook_version_id": codebook_version_id,
                                "coder_id": None,
                                "coded_at": coded_at,
                            }
                        )
                        code_id += 1
            chunk.answers.append(
                {
                    "id": answer_id,
                    "response_id": response_id,
                    "question_id": question_id,
                    "option_id": option_id,
                    "rank": rank,
                    "value_int": value_int,
                    "text_value": text,
                    "moderation_status": status,
                }
            )
            answer_id += 1
        total += len(rows)
        response_id += 1
        if len(chunk.responses) >= batch:
            yield chunk
            chunk = Chunk()
    if chunk.responses:
        yield chunk


RESPONSE_COLUMNS = [
    "id",
    "survey_id",
    "placement_id",
    "respondent_hash",
    "idempotency_key",
    "submitted_hour",
    "language",
    "age_band",
    "gender",
    "lives_in_area",
]
ANSWER_COLUMNS = [
    "id",
    "response_id",
    "question_id",
    "option_id",
    "rank",
    "value_int",
    "text_value",
    "moderation_status",
]
TEXT_CODE_COLUMNS = ["id", "answer_id", "theme_id", "codebook_version_id", "coder_id", "coded_at"]


def write_chunks(engine: Any, chunks: Iterator[Chunk], stats: Generated) -> None:
    """SQLite: Core INSERT executemany per chunk, one transaction each. PostgreSQL: COPY per chunk."""
    import sqlalchemy as sa

    from participation.insights.models import TextCode
    from participation.surveys.models import Answer, Response

    tables = [
        (Response.__table__, RESPONSE_COLUMNS, "responses"),
        (Answer.__table__, ANSWER_COLUMNS, "answers"),
        (TextCode.__table__, TEXT_CODE_COLUMNS, "text_codes"),
    ]
    postgres = engine.dialect.name == "postgresql"
    report_every = max(1, stats.target_responses // 5)
    next_report = report_every
    for chunk in chunks:
        if postgres:
            raw = engine.raw_connection()
            try:
                with raw.cursor() as cursor:
                    for table, columns, attr in tables:
                        rows = getattr(chunk, attr)
                        if not rows:
                            continue
                        with cursor.copy(f"COPY {table.name} ({', '.join(columns)}) FROM STDIN") as copy_:
                            for row in rows:
                                copy_.write_row([row[c] for c in columns])
                raw.commit()
            finally:
                raw.close()
        else:
            with engine.begin() as connection:
                for table, _columns, attr in tables:
                    rows = getattr(chunk, attr)
                    if rows:
                        connection.execute(sa.insert(table), rows)
        stats.responses += len(chunk.responses)
        stats.answers += len(chunk.answers)
        stats.text_codes += len(chunk.text_codes)
        if stats.responses >= next_report:
            print(f"  … {stats.responses} responses, {stats.answers} answers", file=sys.stderr)
            next_report += report_every


def _spec_with_extra_questions() -> dict[str, Any]:
    from participation.demo import content

    spec = copy.deepcopy(content.SURVEY)
    spec["title"] = {"sv": "Bäckby – uppföljning", "en": "Bäckby – follow-up"}
    spec["intro"], spec["thanks"] = {}, {}
    spec["questions"] = spec["questions"][:-2] + EXTRA_QUESTIONS + spec["questions"][-2:]
    return spec


def _survey_meta(survey: Any) -> SurveyMeta:
    return SurveyMeta(
        id=survey.id,
        slug=survey.slug,
        questions=[
            QuestionMeta(
                id=q.id,
                key=q.key,
                kind=q.kind.value,
                required=q.required,
                max_choices=q.max_choices,
                show_if_option_id=q.show_if_option_id,
                option_ids=[o.id for o in q.options],
                theme_slugs=[t.slug for t in q.themes],
            )
            for q in survey.questions
        ],
    )


def _forum_session(themes: dict[str, Any], rng: random.Random) -> int:
    """A bigger closed forum session: 240 participants voting on six themed topics."""
    from participation.extensions import db
    from participation.forum.models import (
        ForumItem,
        ForumMode,
        ForumParticipant,
        ForumSession,
        ForumVote,
        SessionStatus,
    )
    from participation.privacy import keyed_hash

    session = ForumSession(
        code="NEEDSB",
        mode=ForumMode.TOPICS,
        status=SessionStatus.CLOSED,
        title={"sv": "Stormöte: vad ska vi jobba med?", "en": "Big meeting: what should we work on?"},
        base_language="sv",
        languages=["sv", "en"],
        proposals_open=False,
        voting_open=False,
        closed_at=datetime(2026, 11, 12, 19, tzinfo=UTC),
    )
    topics = [
        ("jobs", 0.6),
        ("leisure", 0.5),
        ("safety", 0.4),
        ("school", 0.3),
        ("influence", 0.3),
        ("health", 0.2),
    ]
    for position, (slug, _p) in enumerate(topics):
        session.items.append(ForumItem(position=position, text={"sv": slug}, themes=[themes[slug]]))
    db.session.add(session)
    db.session.flush()
    participants = [
        ForumParticipant(
            session_id=session.id,
            participant_hash=keyed_hash("needs-bench-forum", session.id, str(number)),
            joined_hour=datetime(2026, 11, 12, 18, tzinfo=UTC),
        )
        for number in range(240)
    ]
    db.session.add_all(participants)
    db.session.flush()
    votes = [
        ForumVote(session_id=session.id, item_id=item.id, participant_id=participant.id)
        for participant in participants
        for item, (_slug, p) in zip(session.items, topics, strict=True)
        if rng.random() < p
    ]
    db.session.add_all(votes)
    return len(votes)


def load_data(app: Any, args: argparse.Namespace) -> tuple[Generated, dict[str, Any]]:
    """Add the follow-up survey and the forum session, then bulk-generate the responses."""
    import sqlalchemy as sa

    from participation.extensions import db
    from participation.insights.models import CodebookVersion, TextCode
    from participation.measurement.models import Indicator
    from participation.placements.models import Placement
    from participation.surveys.editing import survey_from_spec
    from participation.surveys.models import Answer, Response, Survey, SurveyStatus
    from participation.themes.models import Theme

    stats = Generated(target_responses=args.responses)
    rng = random.Random(args.seed)
    with app.app_context():
        themes = {t.slug: t for t in db.session.scalars(sa.select(Theme))}
        demo = db.session.scalar(sa.select(Survey).where(Survey.slug == DEMO_SLUG))
        follow_up = survey_from_spec(
            _spec_with_extra_questions(), themes, slug=FOLLOW_UP_SLUG, languages=["sv", "en"]
        )
        follow_up.status = SurveyStatus.PUBLISHED
        stats.forum_votes = _forum_session(themes, rng)
        db.session.commit()
        surveys = [_survey_meta(demo), _survey_meta(follow_up)]
        placements = list(
            db.session.scalars(
                sa.select(Placement.id).where(Placement.survey_id == demo.id).order_by(Placement.id)
            )
        )
        version = db.session.scalar(sa.select(sa.func.max(CodebookVersion.id)))
        first_response = (db.session.scalar(sa.select(sa.func.max(Response.id))) or 0) + 1
        first_answer = (db.session.scalar(sa.select(sa.func.max(Answer.id))) or 0) + 1
        first_code = (db.session.scalar(sa.select(sa.func.max(TextCode.id))) or 0) + 1
        indicator_question = next(q.id for q in surveys[0].questions if q.key == INDICATOR_QUESTION)
        info = {
            "indicator_question_id": indicator_question,
            "indicator_id": db.session.scalar(
                sa.select(Indicator.id).where(Indicator.question_id == indicator_question)
            ),
            "demo_responses": db.session.scalar(sa.select(sa.func.count(Response.id))),
        }
        db.session.remove()
        engine = db.engine
        started = time.perf_counter()
        chunks = generate(
            surveys,
            placements,
            {slug: theme.id for slug, theme in themes.items()},
            version,
            responses=args.responses,
            answers=args.answers,
            first_response_id=first_response,
            first_answer_id=first_answer,
            first_text_code_id=first_code,
            batch=args.batch,
            seed=args.seed,
            stats=stats,
        )
        write_chunks(engine, chunks, stats)
        # Results count released responses only: the generated ones are released at once, as one release.
        from participation.surveys.releases import release_if_due

        release_if_due(1)
        db.session.remove()
        if engine.dialect.name == "postgresql":
            with engine.connect() as connection:
                for table in ("response", "answer", "text_code"):
                    connection.execute(
                        sa.text(
                            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                            f"(SELECT max(id) FROM {table}))"
                        )
                    )
                connection.commit()
            with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
                connection.execute(sa.text("VACUUM ANALYZE"))
        else:
            with engine.connect() as connection:
                connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        stats.seconds = time.perf_counter() - started
        engine.dispose()
    return stats, info


# --------------------------------------------------------------------------- direct queries


@contextlib.contextmanager
def driver_connection(url: str) -> Iterator[Any]:
    """A plain DBAPI connection (sqlite3 or psycopg), outside SQLAlchemy."""
    import sqlalchemy as sa

    parsed = sa.engine.make_url(url)
    if parsed.get_backend_name() == "sqlite":
        connection = sqlite3.connect(parsed.database or "")
    else:
        import psycopg

        connection = psycopg.connect(
            parsed.set(drivername="postgresql").render_as_string(hide_password=False), autocommit=True
        )
    try:
        yield connection
    finally:
        connection.close()


def run_query(connection: Any, sql: str, params: dict[str, Any]) -> list[tuple[Any, ...]]:
    cursor = connection.cursor()
    try:
        cursor.execute(sql, params)
        return [tuple(row) for row in cursor.fetchall()]
    finally:
        cursor.close()


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


# --------------------------------------------------------------------------- the page over HTTP


class Browser:
    """One logged-in staff member: a keep-alive connection and a cookie jar.

    Not submit.Client: the needs map can take longer than that client's fixed 30 s on big data, and a
    slow page should be measured, not dropped.
    """

    def __init__(self, port: int, timeout: float) -> None:
        self.port = port
        self.timeout = timeout
        self.connection: http.client.HTTPConnection | None = None
        self.jar: dict[str, str] = {}

    def request(
        self, method: str, path: str, body: bytes | None = None, headers: dict[str, str] | None = None
    ) -> tuple[http.client.HTTPResponse, bytes]:
        all_headers = {"User-Agent": "needs-map-bench"}
        if self.jar:
            all_headers["Cookie"] = "; ".join(f"{name}={value}" for name, value in self.jar.items())
        all_headers.update(headers or {})
        if self.connection is None:
            self.connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=self.timeout)
        try:
            self.connection.request(method, path, body=body, headers=all_headers)
            response = self.connection.getresponse()
            data = response.read()
        except TimeoutError:
            self.close()
            raise ClientError(f"{method} {path}: no answer within {self.timeout:g} s") from None
        except (OSError, http.client.HTTPException) as exc:
            self.close()
            raise ClientError(f"{method} {path}: {type(exc).__name__}") from None
        self.jar.update(cookies_from(response))
        if response.will_close:
            self.close()
        return response, data

    def login(self, email: str, password: str) -> None:
        response, body = self.request("GET", LOGIN_PATH)
        if response.status != 200:
            raise ClientError(f"login form GET status {response.status}")
        form = parse_form(body.decode("utf-8"))
        if "csrf_token" not in form.hidden:
            raise ClientError("login form without csrf_token")
        response, _body = self.post_form(LOGIN_PATH, {**form.hidden, "email": email, "password": password})
        if response.status not in (302, 303):
            raise ClientError(f"login POST status {response.status}")

    def post_form(
        self, path: str, fields: dict[str, str], referer: str | None = None
    ) -> tuple[http.client.HTTPResponse, bytes]:
        """POST a form as a browser does: urlencoded, with this origin (CSRF checks look at it)."""
        origin = f"http://127.0.0.1:{self.port}"
        return self.request(
            "POST",
            path,
            body=urllib.parse.urlencode(fields).encode("ascii"),
            headers={
                "Content-Type": "application/x-www-form-urlencoded",
                "Origin": origin,
                "Referer": origin + (referer or path),
            },
        )

    def close(self) -> None:
        if self.connection is not None:
            self.connection.close()
            self.connection = None


def measure_page(browser: Browser, path: str, repeat: int, marker: bytes = NEEDS_MARKER) -> list[float]:
    def fetch() -> None:
        response, body = browser.request("GET", path)
        if response.status != 200 or marker not in body:
            raise ClientError(f"GET {path}: status {response.status}, {len(body)} bytes, {marker!r} missing")

    # Server-side time as the client sees it: request sent to last byte read (keep-alive connection).
    fetch()
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        fetch()
        times.append(time.perf_counter() - started)
    return times


def measure_compute(browser: Browser, indicator_id: int, repeat: int) -> list[float]:
    """POST the indicator's "compute the values from the survey answers" button (after a warm-up)."""
    page = INDICATOR_PATH.format(id=indicator_id)
    times = []
    for run in range(repeat + 1):
        response, body = browser.request("GET", page)
        token = parse_form(body.decode("utf-8")).hidden.get("csrf_token")
        if response.status != 200 or not token:
            raise ClientError(f"GET {page}: status {response.status}, no CSRF token")
        started = time.perf_counter()
        response, _body = browser.post_form(f"{page}/compute", {"csrf_token": token}, referer=page)
        elapsed = time.perf_counter() - started
        if response.status != 302:
            raise ClientError(f"POST {page}/compute: status {response.status}")
        if run:
            times.append(elapsed)
    return times


def check_indicator(app: Any, indicator_id: int, floor_rows: list[tuple[Any, ...]]) -> list[str]:
    """The computed values must be the floor's numbers (value = top / base in %, n = base) where stored,
    each count within the noise that disclosure control adds."""
    import sqlalchemy as sa

    from participation.extensions import db
    from participation.measurement.models import DataPoint
    from participation.suppression import NOISE_BOUND

    # The app shows perturbed figures (participation.suppression): each count within NOISE_BOUND.
    expected = {int(term): (top, base) for term, top, base in floor_rows if base}
    problems = []
    with app.app_context():
        points = db.session.scalars(
            sa.select(DataPoint).where(DataPoint.indicator_id == indicator_id, DataPoint.computed.is_(True))
        ).all()
        if not points:
            problems.append("no computed values stored")
        for point in points:
            top, base = expected.get(point.period, (None, None))
            shown_top = point.value * point.n / 100 if point.n else None
            if (
                base is None
                or point.n is None
                or abs(point.n - base) > NOISE_BOUND
                or abs(shown_top - top) > NOISE_BOUND + 0.05 * point.n / 100 + 1
            ):
                problems.append(
                    f"term {point.period}: app {point.value} % of {point.n}, floor {top} of {base}"
                )
        db.session.remove()
    return problems


# --------------------------------------------------------------------------- in-process breakdown


@dataclass
class Breakdown:
    label: str
    parts: dict[str, float] = field(default_factory=dict)
    queries: dict[str, int] = field(default_factory=dict)
    sql_seconds: float = 0.0
    statements: list[tuple[float, str, Any]] = field(default_factory=list)


def breakdown(app: Any, filter_sets: list[tuple[str, dict[str, str]]]) -> list[Breakdown]:
    """The view's calls once each (after a warm-up), with every SQL statement timed."""
    import sqlalchemy as sa

    from participation.extensions import db
    from participation.insights import needs
    from participation.suppression import threshold

    results = []
    with app.app_context():
        engine = db.engine
        log: list[tuple[float, str, Any]] = []

        def before(conn: Any, cursor: Any, statement: str, parameters: Any, context: Any, many: bool) -> None:
            conn.info["bench_started"] = time.perf_counter()

        def after(conn: Any, cursor: Any, statement: str, parameters: Any, context: Any, many: bool) -> None:
            log.append((time.perf_counter() - conn.info.pop("bench_started"), statement, parameters))

        sa.event.listen(engine, "before_cursor_execute", before)
        sa.event.listen(engine, "after_cursor_execute", after)
        try:
            for label, raw in filter_sets:
                filters = needs.Filters(**raw)
                k = threshold()
                calls: list[tuple[str, Callable[[], Any]]] = [
                    ("needs_map", functools.partial(needs.needs_map, filters, k)),
                    ("trend", functools.partial(needs.trend, filters, k)),
                    ("reach", functools.partial(needs.reach, filters, k)),
                    ("terms", needs.terms),
                ]
                for _name, call in calls:  # warm-up
                    call()
                db.session.remove()
                item = Breakdown(label)
                for name, call in calls:
                    log.clear()
                    started = time.perf_counter()
                    call()
                    item.parts[name] = time.perf_counter() - started
                    item.queries[name] = len(log)
                    item.sql_seconds += sum(seconds for seconds, _s, _p in log)
                    item.statements += [(s, f"[{name}] {stmt}", p) for s, stmt, p in log]
                db.session.remove()
                results.append(item)
        finally:
            sa.event.remove(engine, "before_cursor_execute", before)
            sa.event.remove(engine, "after_cursor_execute", after)
    return results


def add_response(app: Any, rng: random.Random) -> None:
    """k more responses as the survey form stores them (copies of random generated ones, with their answers),
    and the release they make: results move a release at a time (participation.surveys.releases)."""
    from participation.suppression import threshold

    with app.app_context():
        k = threshold()
    for _ in range(k):
        _add_one_response(app, rng)


def _add_one_response(app: Any, rng: random.Random) -> None:
    """One more response as the survey form stores it: a copy of a random generated one, with its answers."""
    import sqlalchemy as sa

    from participation.extensions import db
    from participation.surveys.models import Answer, Response
    from participation.surveys.releases import release_if_due

    with app.app_context():
        last = db.session.scalar(sa.select(sa.func.max(Response.id))) or 1
        source = db.session.get(Response, rng.randint(max(1, last - 50_000), last))
        while source is None:
            source = db.session.get(Response, rng.randint(1, last))
        answers = [
            Answer(
                question_id=a.question_id,
                option_id=a.option_id,
                rank=a.rank,
                value_int=a.value_int,
                text_value=a.text_value,
                moderation_status=a.moderation_status,
            )
            for a in source.answers
        ]
        db.session.add(
            Response(
                survey_id=source.survey_id,
                placement_id=source.placement_id,
                idempotency_key=secrets.token_hex(32),
                submitted_hour=source.submitted_hour,
                language=source.language,
                age_band=source.age_band,
                gender=source.gender,
                answers=answers,
            )
        )
        db.session.commit()
        release_if_due()  # the k-th of them makes a release, as the survey form does
        db.session.remove()


def moderate_one(app: Any, rng: random.Random) -> None:
    """A moderation decision: one free text approved, or back to pending (as a moderator would change it)."""
    import sqlalchemy as sa

    from participation.extensions import db
    from participation.surveys.models import Answer, ModerationStatus

    with app.app_context():
        texts = sa.select(Answer).where(Answer.text_value.is_not(None))
        total = db.session.scalar(sa.select(sa.func.count()).select_from(texts.subquery()))
        answer = db.session.scalars(
            texts.order_by(Answer.id.desc()).limit(1).offset(rng.randrange(min(total, 1000)))
        ).one()
        approved = answer.moderation_status == ModerationStatus.APPROVED
        answer.moderation_status = ModerationStatus.PENDING if approved else ModerationStatus.APPROVED
        db.session.commit()
        db.session.remove()


TALLY_CASES = {
    "full": "counted in full: the first view after a start, or after a change that can move any count "
    "(a theme tag, a deleted response)",
    "response": "after a release of k new responses: only those responses are read and added",
    "moderation": "after one moderation decision: the coded free text is counted again",
}


def measure_tally(app: Any, repeat: int, rng: random.Random) -> dict[str, list[float]]:
    """In-process: how long bringing the needs map's tally up to date takes after each kind of change."""
    from participation.insights import tally

    prepare: dict[str, Callable[[], None]] = {
        "full": lambda: app.extensions.pop("needs_tally", None),
        "response": lambda: add_response(app, rng),
        "moderation": lambda: moderate_one(app, rng),
    }
    with app.app_context():
        tally.current()
    results: dict[str, list[float]] = {}
    for case, change in prepare.items():
        times = []
        for _ in range(repeat):
            change()
            with app.app_context():
                started = time.perf_counter()
                tally.current()
                times.append(time.perf_counter() - started)
        results[case] = times
    return results


def measure_page_after_responses(
    browser: Browser, app: Any, path: str, repeat: int, rng: random.Random
) -> list[float]:
    """The page right after a release of k new responses each time, as while a survey is being answered."""
    times = []
    for _ in range(repeat):
        add_response(app, rng)
        started = time.perf_counter()
        response, body = browser.request("GET", path)
        times.append(time.perf_counter() - started)
        if response.status != 200 or NEEDS_MARKER not in body:
            raise ClientError(f"GET {path}: status {response.status}, needs table missing")
    return times


def explain(url: str, dialect: str, statement: str, parameters: Any) -> str:
    """The plan of one statement as the app sent it (EXPLAIN QUERY PLAN, or EXPLAIN ANALYZE)."""
    sql = statement.split("] ", 1)[1]
    prefix = "EXPLAIN QUERY PLAN " if dialect == "sqlite" else "EXPLAIN (ANALYZE, BUFFERS) "
    with driver_connection(url) as connection:
        rows = run_query(connection, prefix + sql, parameters)
    if dialect == "sqlite":
        return "\n".join(f"{row[0]:>3} {row[1]:>3} {row[3]}" for row in rows)
    return "\n".join(str(row[0]) for row in rows)


# --------------------------------------------------------------------------- report


def ms(seconds: float) -> str:
    return f"{seconds * 1000:,.1f}".replace(",", " ")


def num(n: int) -> str:
    return f"{n:,}".replace(",", " ")


def summary(times: list[float]) -> tuple[float, float]:
    return statistics.median(times), percentile(sorted(times), 95)


def machine_lines(database: str, args: argparse.Namespace) -> list[str]:
    return [
        *setup_lines(database, args.workers, args.threads),
        "- Client: one logged-in staff member, one request at a time on a keep-alive connection",
        f"- Load average (1 min) when the measurements started and ended: {args.load_before:.1f} and "
        f"{os.getloadavg()[0]:.1f} (other processes on the machine compete for the same CPUs)",
    ]


def print_report(
    args: argparse.Namespace,
    database: str,
    stats: Generated,
    info: dict[str, Any],
    rows: list[tuple[str, list[float], float | None]],
    verdicts: list[str],
    parts: list[Breakdown],
) -> None:
    out = [
        f"### Needs map: {num(stats.responses)} responses, {num(stats.answers)} answers on {database.split()[0]}",
        "",
        *machine_lines(database, args),
        f"- Data: {info['demo_responses']} demo responses plus {num(stats.responses)} generated ones with "
        f"{num(stats.answers)} answers over {len(stats.per_term)} terms "
        f"({', '.join(f'{term}: {num(n)}' for term, n in sorted(stats.per_term.items()))}), two surveys; "
        f"{num(stats.free_texts)} free texts, {num(stats.text_codes)} text codes, {stats.forum_votes} forum votes "
        f"in a closed session; generated and written in {stats.seconds:.1f} s",
        f"- Each row: one unmeasured warm-up, then {args.repeat} runs one after the other; p95 is the "
        f"nearest rank{' (with so few runs, the slowest)' if args.repeat < 20 else ''}",
        "- Floor: one hand-written SQL statement giving the needs map's choices component for every theme "
        "(respondents choosing an option on the theme, and the bases), run with the driver; every shape "
        "is checked equal to `needs._choices`. × floor: median over the fastest shape's median for the "
        "same view",
        "",
        "| Measurement | median ms | p95 ms | × floor |",
        "|---|---:|---:|---:|",
    ]
    for label, times, floor in rows:
        median, p95 = summary(times)
        ratio = f"{median / floor:.1f}×" if floor else "–"
        out.append(f"| {label} | {ms(median)} | {ms(p95)} | {ratio} |")
    out += ["", *verdicts, ""]
    if parts:
        out += [
            "Where the page's time goes (in-process, one run after a warm-up, no HTTP and no template; SQL "
            "statements counted and their `cursor.execute` timed with SQLAlchemy events, so fetching the "
            "rows afterwards is not in the last column):",
            "",
            "| View | needs_map() | trend() | reach() | terms() | SQL statements | time in execute |",
            "|---|---:|---:|---:|---:|---:|---:|",
        ]
        for item in parts:
            total_queries = sum(item.queries.values())
            cells = " | ".join(
                f"{ms(item.parts[name])} ms ({item.queries[name]} q)"
                for name in ("needs_map", "trend", "reach", "terms")
            )
            out.append(f"| {item.label} | {cells} | {total_queries} | {ms(item.sql_seconds)} ms |")
        out.append("")
    print(*out, sep="\n")


# --------------------------------------------------------------------------- main


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--answers", type=int, default=1_000_000, help="answers to generate (default 1,000,000)"
    )
    parser.add_argument(
        "--responses", type=int, help="responses to generate (default: answers / 10, so 100,000)"
    )
    parser.add_argument("--repeat", type=int, default=5, help="measured runs per measurement (default 5)")
    parser.add_argument(
        "--filter",
        default=DEFAULT_FILTER,
        help=f"the filtered view's query string (default {DEFAULT_FILTER})",
    )
    parser.add_argument(
        "--batch", type=int, default=1_000, help="responses per insert batch (default 1000: ~10,000 answers)"
    )
    parser.add_argument("--workers", type=int, default=2, help="gunicorn worker processes (default 2)")
    parser.add_argument("--threads", type=int, default=2, help="threads per gthread worker (default 2)")
    parser.add_argument(
        "--database-url",
        help="use this PostgreSQL database instead of a temporary SQLite file; its public schema is DROPPED first",
    )
    parser.add_argument(
        "--timeout", type=float, default=600, help="seconds to wait for one page (default 600)"
    )
    parser.add_argument(
        "--explain", action="store_true", help="print plans of the slowest statements (stderr)"
    )
    parser.add_argument(
        "--keep", action="store_true", help="keep the temporary folder (SQLite file) afterwards"
    )
    parser.add_argument("--seed", type=int, default=20261201, help="random seed for the generated data")
    args = parser.parse_args(argv)
    if args.responses is None:
        args.responses = max(1, args.answers // 10)
    if min(args.answers, args.responses, args.repeat, args.batch, args.workers, args.threads) < 1:
        parser.error("answers, responses, repeat, batch, workers and threads must be positive")
    filters = dict(urllib.parse.parse_qsl(args.filter))
    unknown = set(filters) - {"age_band", "gender"}
    if unknown or not filters:
        parser.error("--filter takes age_band and/or gender, e.g. age_band=16_19&gender=girl")
    args.filters = filters
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    stop_on_sigterm()
    if args.database_url and not normalised(args.database_url).startswith("postgresql"):
        print("--database-url must be a PostgreSQL URL", file=sys.stderr)
        return 2
    return run_benchmark(lambda temp: _run(args, temp), "delaktig-needs-", keep=args.keep)


def _run(args: argparse.Namespace, temp: Path) -> int:
    instance = temp / "instance"
    url = prepare_database(args.database_url, temp, "bench.sqlite3")
    dialect = "sqlite" if url.startswith("sqlite") else "postgresql"
    port = free_port()
    env = app_environment(app_settings(url, instance, port))
    print("Migrating and loading the demo …", file=sys.stderr)
    flask(env, "db", "upgrade")
    flask(env, "demo")
    password = secrets.token_urlsafe(18)
    subprocess.run(
        [
            sys.executable,
            "-m",
            "flask",
            "--app",
            "participation",
            "users",
            "create",
            STAFF_EMAIL,
            "--role",
            "staff",
            # The demo's indicator belongs to the youth organisation: its staff may compute it.
            "--partner",
            "Bäckby Ungdomsförening",
        ],
        cwd=ROOT,
        env=env,
        input=password + "\n",
        text=True,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    # The same configuration in this process, for loading, checking and the breakdown.
    for key in [key for key in os.environ if key.startswith("PARTICIPATION_")]:
        del os.environ[key]
    os.environ.update(env)
    from participation import create_app

    app = create_app()
    print(f"Generating {args.responses} responses with {args.answers} answers …", file=sys.stderr)
    stats, info = load_data(app, args)
    print(
        f"Generated in {stats.seconds:.1f} s ({stats.clamped} responses off their answer quota).",
        file=sys.stderr,
    )
    if stats.answers != args.answers:
        print(
            f"Note: {stats.answers} answers written, not {args.answers}: the two surveys cannot hold "
            f"{args.answers / args.responses:.1f} answers per response on average (about 4 to 14).",
            file=sys.stderr,
        )
    database = database_description(url)

    problems = check_floor(app, url, dialect, [{}, args.filters])
    if problems:
        print("The floor query does not match the needs map's choices component:", file=sys.stderr)
        print(*problems, sep="\n", file=sys.stderr)
        return 1
    print("Floor shapes checked: same numbers as needs._choices, unfiltered and filtered.", file=sys.stderr)

    args.load_before = os.getloadavg()[0]
    print(
        f"Direct queries, {args.repeat} runs each (load average {args.load_before:.1f}) …",
        file=sys.stderr,
    )
    floors: dict[tuple[str, bool], list[float]] = {}
    with driver_connection(url) as connection:
        for shape in FLOOR_SHAPES:
            for filtered, params in ((False, {}), (True, args.filters)):
                floors[shape, filtered], _ = time_repeated(
                    functools.partial(floor_query, connection, dialect, params, shape), args.repeat
                )
        indicator, indicator_rows = time_repeated(
            lambda: run_query(
                connection, indicator_sql(dialect), {"question_id": info["indicator_question_id"]}
            ),
            args.repeat,
        )
    print(f"Indicator floor: {len(indicator_rows)} terms.", file=sys.stderr)

    log = temp / "gunicorn.log"
    filtered_path = f"{NEEDS_PATH}?{urllib.parse.urlencode(args.filters)}"
    with gunicorn(env, port=port, workers=args.workers, threads=args.threads, log=log):
        browser = Browser(port, args.timeout)
        try:
            browser.login(STAFF_EMAIL, password)
            print(f"GET {NEEDS_PATH}, {args.repeat} runs …", file=sys.stderr)
            page_all = measure_page(browser, NEEDS_PATH, args.repeat)
            print(f"GET {filtered_path}, {args.repeat} runs …", file=sys.stderr)
            page_filtered = measure_page(browser, filtered_path, args.repeat)
            print(
                f"GET {NEEDS_PATH} after a release of k new responses, {args.repeat} runs …", file=sys.stderr
            )
            page_after = measure_page_after_responses(
                browser, app, NEEDS_PATH, args.repeat, random.Random(args.seed + 1)
            )
            print(f"POST the indicator's compute, then GET its page, {args.repeat} runs …", file=sys.stderr)
            compute_times = measure_compute(browser, info["indicator_id"], args.repeat)
            indicator_page = measure_page(
                browser, INDICATOR_PATH.format(id=info["indicator_id"]), args.repeat, INDICATOR_MARKER
            )
        finally:
            browser.close()
    errors = server_errors(log)
    with driver_connection(url) as connection:  # again: responses were added since the timing
        floor_now = run_query(
            connection, indicator_sql(dialect), {"question_id": info["indicator_question_id"]}
        )
    problems = check_indicator(app, info["indicator_id"], floor_now)
    if problems:
        print("The indicator's computed values differ from its floor:", *problems, sep="\n", file=sys.stderr)
        return 1

    print("In-process breakdown …", file=sys.stderr)
    parts = breakdown(app, [("unfiltered", {}), (args.filter, args.filters)])
    print("Bringing the tally up to date after changes …", file=sys.stderr)
    tally_times = measure_tally(app, args.repeat, random.Random(args.seed + 2))

    # The floor is the fastest of the hand-written shapes (by median), per view.
    floor_all_median = min(statistics.median(floors[shape, False]) for shape in FLOOR_SHAPES)
    floor_filtered_median = min(statistics.median(floors[shape, True]) for shape in FLOOR_SHAPES)
    filter_label = " & ".join(f"{k}={v}" for k, v in args.filters.items())
    rows = [
        (f"`GET {NEEDS_PATH}`: needs map page, unfiltered", page_all, floor_all_median),
        (f"`GET {NEEDS_PATH}?{args.filter}`", page_filtered, floor_filtered_median),
        (
            f"`GET {NEEDS_PATH}` right after a release of k new responses, each time",
            page_after,
            floor_all_median,
        ),
    ]
    for shape, description in FLOOR_SHAPES.items():
        rows += [
            (f"Floor SQL, {shape} ({description}), unfiltered", floors[shape, False], floor_all_median),
            (f"Floor SQL, {shape}, {filter_label}", floors[shape, True], floor_filtered_median),
        ]
    indicator_floor = statistics.median(indicator)
    rows += [
        (
            "`POST …/compute`: the indicator's values per term computed from the answers and stored",
            compute_times,
            indicator_floor,
        ),
        ("`GET /staff/measurement/indicators/<id>`: the indicator page", indicator_page, indicator_floor),
        (
            f"Floor SQL for the indicator (`{INDICATOR_QUESTION}`, top of the scale and base per term, "
            "one statement; checked equal to the stored values)",
            indicator,
            indicator_floor,
        ),
    ]
    rows += [
        (f"In-process: the tally {TALLY_CASES[case]}", times, None) for case, times in tally_times.items()
    ]
    verdicts = []
    for label, page, floor in (
        ("the unfiltered page", page_all, floor_all_median),
        ("the filtered page", page_filtered, floor_filtered_median),
        ("the unfiltered page right after a release of k new responses", page_after, floor_all_median),
        ("the indicator page", indicator_page, indicator_floor),
        ("the indicator's computation (POST)", compute_times, indicator_floor),
    ):
        median = statistics.median(page)
        met = median <= 2 * floor and median < 1.0
        verdicts.append(
            f"Target for {label} (within 2× of the floor and under 1 s): "
            f"**{'met' if met else 'not met'}** ({ms(median)} ms = {median / floor:.1f}× the floor's "
            f"{ms(floor)} ms)."
        )
    print_report(args, database, stats, info, rows, verdicts, parts)

    slowest = sorted((s for item in parts for s in item.statements), key=lambda s: -s[0])
    print("Slowest statements of the page's work (in-process):", file=sys.stderr)
    for seconds, statement, _params in slowest[:8]:
        print(f"  {ms(seconds):>9} ms  {' '.join(statement.split())[:160]}", file=sys.stderr)
    if args.explain:
        seen: set[str] = set()
        for seconds, statement, params in slowest:
            key = " ".join(statement.split())
            if key in seen:
                continue
            seen.add(key)
            print(f"\n--- {ms(seconds)} ms: {statement}\n    params: {params}", file=sys.stderr)
            print(explain(url, dialect, statement, params), file=sys.stderr)
            if len(seen) >= 3:
                break
    if args.keep:
        print(f"Kept {temp} (gunicorn log, instance, SQLite file if any).", file=sys.stderr)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
