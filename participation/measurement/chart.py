"""The turn-the-curve chart, laid out here so the template only draws it.

The x-axis is time: each term is half a year, so a term with no value still takes its place and two values a
year apart stand twice as far apart as two a term apart. The y-axis starts at zero (or below, for negative
values), runs to a round number above every value drawn, and has a gridline and a label at each step, with
the indicator's unit. The history is a solid line with dots, the forecast from the baseline a dashed line,
the target a square, and the baseline a dotted vertical line, each labelled in words: told apart by shape and
dash as well as by colour (Okabe and Ito's colour-blind safe colours), and readable in black and white print.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from participation.core.terms import term_index
from participation.i18n.formatting import format_number, term_label
from participation.measurement.models import Indicator
from participation.measurement.services import Curve

WIDTH, HEIGHT = 640, 320
LEFT, RIGHT, TOP, BOTTOM = 64, 600, 24, 260  # the plot area inside the view box
MAX_TERM_LABELS = 10


@dataclass(frozen=True)
class Tick:
    at: float  # x or y in the view box
    label: str


@dataclass(frozen=True)
class Mark:
    x: float
    y: float
    label: str  # the value as shown, for example "42 %"


@dataclass(frozen=True)
class CurveChart:
    x_ticks: list[Tick]
    y_ticks: list[Tick]
    history: list[Mark]
    forecast: list[Mark]
    target: Mark | None
    baseline_x: float | None
    unit: str

    @staticmethod
    def points(marks: list[Mark]) -> str:
        """An SVG polyline's points."""
        return " ".join(f"{mark.x:.1f},{mark.y:.1f}" for mark in marks)


def nice_step(span: float, steps: int = 5) -> float:
    """A round step (1, 2, 2.5 or 5 times a power of ten) that divides `span` into about `steps` parts."""
    raw = span / steps if span > 0 else 1.0
    power = 10 ** math.floor(math.log10(raw))
    for factor in (1, 2, 2.5, 5, 10):
        if factor * power >= raw:
            return factor * power
    return 10 * power  # pragma: no cover - the loop always returns


def _value_label(value: float, unit: str) -> str:
    return f"{format_number(value)} {unit}".strip()


def curve_chart(indicator: Indicator, curve: Curve) -> CurveChart | None:
    """The chart of an indicator's curve; None when there is nothing to draw."""
    values = [v for _p, v in curve.history] + [v for _p, v in curve.forecast]
    if curve.target:
        values.append(curve.target[1])
    if not curve.periods or not values:
        return None
    first, last = term_index(curve.periods[0]), term_index(curve.periods[-1])
    low = min(0.0, min(values))
    step = nice_step(max(values) - low)
    top = step * math.ceil(max(values) / step) if max(values) > 0 else step
    if top <= max(values):  # room above the highest value for its label
        top += step
    bottom = step * math.floor(low / step)

    def x(term: int) -> float:
        return LEFT + (RIGHT - LEFT) * (term_index(term) - first) / max(last - first, 1)

    def y(value: float) -> float:
        return BOTTOM - (BOTTOM - TOP) * (value - bottom) / (top - bottom)

    unit = indicator.unit
    count = int(round((top - bottom) / step))
    terms = [t for t in _every_term(curve.periods[0], curve.periods[-1])]
    every = max(1, math.ceil(len(terms) / MAX_TERM_LABELS))
    return CurveChart(
        x_ticks=[Tick(x(term), term_label(term)) for term in terms[::every]],
        y_ticks=[Tick(y(bottom + i * step), _value_label(bottom + i * step, unit)) for i in range(count + 1)],
        history=[Mark(x(p), y(v), _value_label(v, unit)) for p, v in curve.history],
        forecast=[Mark(x(p), y(v), _value_label(v, unit)) for p, v in curve.forecast],
        target=Mark(x(curve.target[0]), y(curve.target[1]), _value_label(curve.target[1], unit))
        if curve.target
        else None,
        baseline_x=x(indicator.baseline_period) if indicator.baseline_period in curve.periods else None,
        unit=unit,
    )


def _every_term(first: int, last: int) -> list[int]:
    """Every term from first to last, spring and autumn."""
    terms = []
    term = first
    while term <= last:
        terms.append(term)
        term = term + 1 if term % 10 == 1 else (term // 10 + 1) * 10 + 1
    return terms
