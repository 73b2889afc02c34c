"""The needs map's work inside this process: the view's calls with every SQL statement timed, the tally
brought up to date after each kind of change, and the indicator's stored values checked."""

from __future__ import annotations

import functools
import random
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from benchmarks.harness.database import driver_connection, run_query

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
        "full": lambda: tally.forget(app),
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


def explain(url: str, dialect: str, statement: str, parameters: Any) -> str:
    """The plan of one statement as the app sent it (EXPLAIN QUERY PLAN, or EXPLAIN ANALYZE)."""
    sql = statement.split("] ", 1)[1]
    prefix = "EXPLAIN QUERY PLAN " if dialect == "sqlite" else "EXPLAIN (ANALYZE, BUFFERS) "
    with driver_connection(url) as connection:
        rows = run_query(connection, prefix + sql, parameters)
    if dialect == "sqlite":
        return "\n".join(f"{row[0]:>3} {row[1]:>3} {row[3]}" for row in rows)
    return "\n".join(str(row[0]) for row in rows)


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
