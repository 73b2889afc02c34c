"""Shared measurement rules: values per term computed from answers or entered and approved, forecasts."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _

from participation.audit.services import record
from participation.core.terms import is_term, term_index, term_of
from participation.extensions import db
from participation.measurement.models import (
    DataPoint,
    Indicator,
    PointStatus,
    Polarity,
    Program,
    ProgramMeasure,
    ProgramQuestion,
)
from participation.staff.models import Role, User
from participation.suppression import SHARE_MIN_BASE, Count, protect, record_key_sql
from participation.surveys.models import Answer, Question, QuestionKind, Response
from participation.surveys.releases import released

TOP_OF_SCALE = 4  # faces 4 and 5 of 5


class MeasurementError(ValueError):
    """A value or an indicator that was refused; the message says why."""


def check_term(term: int) -> int:
    """A term number: the year and 1 (spring) or 2 (autumn)."""
    if not is_term(term):
        raise MeasurementError(_("A term is written like 20252 (autumn 2025) or 20261 (spring 2026)."))
    return term


def indicators() -> list[Indicator]:
    return list(db.session.scalars(sa.select(Indicator).order_by(Indicator.goal_id, Indicator.id)))


def save_indicator(indicator: Indicator | None, values: dict[str, Any]) -> Indicator:
    name = (values.get("name") or "").strip()
    if not name or len(name) > 200:
        raise MeasurementError(_("Write the indicator's name, at most 200 characters."))
    for key in ("baseline_period", "target_period"):
        if values.get(key):
            check_term(values[key])
    question_id = values.get("question_id")
    if question_id:
        question = db.session.get(Question, question_id)
        if question is None or question.kind not in (QuestionKind.SCALE, QuestionKind.YES_NO):
            raise MeasurementError(_("Only scale and yes/no questions can feed an indicator."))
    polarity = Polarity(values["polarity"])
    with db.transaction():
        if indicator is None:
            indicator = Indicator(name={}, definition={})
            db.session.add(indicator)
        lang = values["language"]
        indicator.name[lang] = name
        indicator.definition[lang] = (values.get("definition") or "").strip()[:1000]
        indicator.goal_id = values["goal_id"]
        indicator.unit = (values.get("unit") or "%").strip()[:40]
        indicator.polarity = polarity
        indicator.source = (values.get("source") or "").strip()[:200]
        # None leaves a new indicator to get its owner at the flush (staff.ownership); routes always pass one.
        indicator.owner_partner_id = values.get("owner_partner_id")  # type: ignore[assignment]
        indicator.baseline_period, indicator.baseline_value = (
            values.get("baseline_period"),
            values.get("baseline_value"),
        )
        indicator.target_period = values.get("target_period")
        indicator.target_value = values.get("target_value")
        indicator.question_id = question_id or None
        db.session.flush()
        record("indicator_saved", "indicator", indicator.id)
    return indicator


def compute_points(indicator: Indicator, k: int) -> int:
    """Compute the indicator's values per term from its question, and save them (see computed_points)."""
    with db.transaction():
        stored = computed_points(indicator, k)
        record("indicator_computed", "indicator", indicator.id, terms=stored)
    return stored


def computed_points(indicator: Indicator, k: int) -> int:
    """Values per term from the linked question: the share at the top (scale) or saying yes (yes/no).

    A term's value is stored only when both its 'yes' and 'no' groups reach k and the base reaches 10;
    otherwise a share and its n would give a small group away.
    """
    question = indicator.question
    if question is None:
        raise MeasurementError(_("This indicator is not linked to a survey question."))
    good = Answer.value_int >= TOP_OF_SCALE if question.kind is QuestionKind.SCALE else Answer.value_int == 1
    term = term_of(Response.submitted_hour)
    # One row per released response that answered the question, with whether it answered at the top.
    answered = (
        sa.select(
            term.label("term"),
            Answer.response_id,
            sa.func.max(sa.case((good, 1), else_=0)).label("good"),
        )
        .join(Response, Response.id == Answer.response_id)
        .where(Answer.question_id == question.id, released())
        .group_by(sa.literal_column("term"), Answer.response_id)
        .subquery()
    )
    key = record_key_sql(answered.c.response_id)
    rows = db.session.execute(
        sa.select(
            answered.c.term,
            sa.func.sum(answered.c.good),
            sa.func.sum(answered.c.good * key),
            sa.func.count(),
            sa.func.sum(key),
        ).group_by(answered.c.term)
    ).all()
    stored = 0
    existing = {point.period: point for point in indicator.points}
    for period, count, count_keys, base, base_keys in rows:
        yes = Count(int(count or 0), int(count_keys or 0))
        total = Count(int(base), int(base_keys or 0))
        no = Count(total.n - yes.n, total.key - yes.key)
        shown_yes, shown_no, shown_base = protect(yes, k), protect(no, k), protect(total, k)
        if shown_yes is None or shown_no is None or shown_base is None or shown_base < SHARE_MIN_BASE:
            continue
        point = existing.get(int(period)) or DataPoint(indicator=indicator, period=int(period), story={})
        point.value, point.n, point.computed, point.status = (
            round(100 * min(shown_yes / shown_base, 1.0), 1),
            shown_base,
            True,
            PointStatus.APPROVED,
        )
        db.session.add(point)
        stored += 1
    return stored


def enter_point(
    indicator: Indicator, period: int, value: float, story: str, user: User, lang: str
) -> DataPoint:
    """A partner's value for a term; it counts once the backbone (an admin) has approved it."""
    check_term(period)
    point = db.session.scalar(
        sa.select(DataPoint).where(DataPoint.indicator_id == indicator.id, DataPoint.period == period)
    )
    if point is not None and point.computed:
        raise MeasurementError(_("This term's value is computed from the answers and cannot be typed over."))
    with db.transaction():
        if point is None:
            point = DataPoint(indicator=indicator, period=period, story={})
            db.session.add(point)
        point.value, point.computed, point.entered_by_id = value, False, user.id
        if story.strip():
            point.story[lang] = story.strip()[:2000]
        point.status = PointStatus.APPROVED if user.role is Role.ADMIN else PointStatus.PENDING
        point.approved_by_id = user.id if user.role is Role.ADMIN else None
        db.session.flush()
        record("data_point_entered", "data_point", point.id, indicator=indicator.id, period=period)
    return point


def approve(point: DataPoint, admin: User) -> None:
    with db.transaction():
        point.status, point.approved_by_id = PointStatus.APPROVED, admin.id
        record("data_point_approved", "data_point", point.id)


def save_story(point: DataPoint, story: str, lang: str) -> None:
    with db.transaction():
        point.story[lang] = story.strip()[:2000]
        record("story_saved", "data_point", point.id)


@dataclass
class Curve:
    """What a turn-the-curve chart draws: approved history, the baseline forecast, the target."""

    history: list[tuple[int, float]]
    forecast: list[tuple[int, float]]
    target: tuple[int, float] | None
    periods: list[int]
    turning: bool | None  # True when the latest value beats the forecast in the good direction


def curve(indicator: Indicator) -> Curve:
    history = [(p.period, p.value) for p in indicator.points if p.status is PointStatus.APPROVED]
    periods = sorted(
        {p for p, _v in history} | {t for t in (indicator.baseline_period, indicator.target_period) if t}
    )
    forecast = _forecast(indicator, history, periods)
    return Curve(history, forecast, _target(indicator), periods, _turning(indicator, history, forecast))


def _forecast(
    indicator: Indicator, history: list[tuple[int, float]], periods: list[int]
) -> list[tuple[int, float]]:
    """The line through the history up to the baseline, drawn from the baseline to the last period shown."""
    if indicator.baseline_period is None:
        return []
    base = [(term_index(p), v) for p, v in history if p <= indicator.baseline_period]
    if not base and indicator.baseline_value is None:
        return []
    slope, intercept = _line(base, indicator)
    start = term_index(indicator.baseline_period)
    end = term_index(periods[-1]) if periods else start
    return [
        (p, round(slope * term_index(p) + intercept, 1)) for p in periods if start <= term_index(p) <= end
    ]


def _turning(
    indicator: Indicator, history: list[tuple[int, float]], forecast: list[tuple[int, float]]
) -> bool | None:
    """Whether the latest value beats the forecast in the good direction; None with nothing to compare."""
    if not forecast or not history:
        return None
    latest_period, latest = history[-1]
    expected = dict(forecast).get(latest_period)
    if expected is None or latest_period == indicator.baseline_period:
        return None
    return latest > expected if indicator.polarity is Polarity.HIGHER_IS_BETTER else latest < expected


def _target(indicator: Indicator) -> tuple[int, float] | None:
    if indicator.target_period and indicator.target_value is not None:
        return indicator.target_period, indicator.target_value
    return None


def _line(points: list[tuple[int, float]], indicator: Indicator) -> tuple[float, float]:
    """Least squares through the history up to the baseline; flat at the baseline with fewer than two points."""
    if len(points) < 2:
        value = indicator.baseline_value if indicator.baseline_value is not None else points[0][1]
        return 0.0, float(value)
    n = len(points)
    mean_x = sum(x for x, _y in points) / n
    mean_y = sum(y for _x, y in points) / n
    denominator = sum((x - mean_x) ** 2 for x, _y in points) or 1.0
    slope = sum((x - mean_x) * (y - mean_y) for x, y in points) / denominator
    return slope, mean_y - slope * mean_x


def programs() -> list[Program]:
    return list(db.session.scalars(sa.select(Program).order_by(Program.id)))


def save_program(
    program: Program | None, name: str, goal_id: int, partner_id: int | None, lang: str
) -> Program:
    if not name.strip() or len(name.strip()) > 200:
        raise MeasurementError(_("Write the program's name, at most 200 characters."))
    with db.transaction():
        if program is None:
            program = Program(name={})
            db.session.add(program)
        program.name[lang] = name.strip()
        # None leaves a new program to get its owner at the flush (staff.ownership); routes always pass one.
        program.goal_id, program.partner_id = goal_id, partner_id  # type: ignore[assignment]
        db.session.flush()
        record("program_saved", "program", program.id)
    return program


def add_measure(
    program: Program, period: int, question: ProgramQuestion, label: str, value: float, unit: str
) -> None:
    check_term(period)
    label = label.strip()
    if not label or len(label) > 200:
        raise MeasurementError(_("Say what was measured, at most 200 characters."))
    measure = db.session.scalar(
        sa.select(ProgramMeasure).where(
            ProgramMeasure.program_id == program.id,
            ProgramMeasure.period == period,
            ProgramMeasure.question == question,
            ProgramMeasure.label == label,
        )
    )
    with db.transaction():
        if measure is None:
            measure = ProgramMeasure(program=program, period=period, question=question, label=label)
            db.session.add(measure)
        measure.value, measure.unit = value, unit.strip()[:40]
        record("program_measure_saved", "program", program.id, period=period, question=question.value)
