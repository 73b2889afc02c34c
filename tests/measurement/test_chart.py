"""The turn-the-curve chart: time on the x-axis, a y-axis with unit and gridlines, every line named."""

from __future__ import annotations

import re

import pytest
from flask import g

from participation.measurement.chart import curve_chart, nice_step
from participation.measurement.models import DataPoint, Indicator, PointStatus
from participation.measurement.services import curve
from participation.themes.models import VisionGoal
from tests.factories import gen_partner, gen_user, login


@pytest.mark.parametrize(
    ("span", "step"), [(100, 20), (60, 20), (7, 2), (0.9, 0.2), (45, 10), (1200, 250), (0, 1)]
)
def test_steps_are_round(span: float, step: float) -> None:
    assert nice_step(span) == pytest.approx(step)


@pytest.fixture()
def indicator(db) -> Indicator:  # type: ignore[no-untyped-def]
    goal = VisionGoal(slug="democracy", name={"sv": "Inflytande", "en": "Influence"})
    item = Indicator(
        goal=goal,
        name={"sv": "Känner inflytande", "en": "Feel they have a say"},
        unit="%",
        baseline_period=20252,
        baseline_value=30.0,
        target_period=20272,
        target_value=60.0,
        owner=gen_partner("Bäckby Ungdomsförening"),
    )
    db.session.add(item)
    for period, value in ((20251, 28.0), (20252, 30.0), (20261, 37.5), (20271, 44.0)):  # 20262 missing
        db.session.add(
            DataPoint(indicator=item, period=period, value=value, n=40, status=PointStatus.APPROVED, story={})
        )
    db.session.commit()
    return item


def test_time_is_proportional_and_the_axis_round(app, indicator: Indicator) -> None:
    with app.test_request_context("/en/"):
        g.lang = "en"  # as the language routing sets it for a page under /en/
        chart = curve_chart(indicator, curve(indicator))
    assert chart is not None
    x = [mark.x for mark in chart.history]  # spring 2025, autumn 2025, spring 2026, spring 2027
    # Spring 2026 to spring 2027 is two terms, autumn 2025 to spring 2026 one: twice the distance.
    assert x[3] - x[2] == pytest.approx(2 * (x[2] - x[1]))
    assert [tick.label for tick in chart.x_ticks][:3] == ["Spring 2025", "Autumn 2025", "Spring 2026"]
    assert "Autumn 2026" in [tick.label for tick in chart.x_ticks]  # a term without a value keeps its place
    labels = [tick.label for tick in chart.y_ticks]
    assert labels[0] == "0 %" and labels[-1] in {"70 %", "80 %"}  # above the target of 60
    ys = [tick.at for tick in chart.y_ticks]
    assert (
        ys == sorted(ys, reverse=True)
        and len(set(round(b - a, 6) for a, b in zip(ys, ys[1:], strict=False))) == 1
    )
    assert chart.target is not None and chart.target.label == "60 %"
    assert chart.baseline_x == pytest.approx(x[1])
    assert chart.forecast and chart.forecast[0].x == pytest.approx(chart.baseline_x)


def test_the_page_names_every_line_and_picks_terms_from_a_list(app, client, indicator: Indicator) -> None:
    login(client, gen_user("admin"))
    page = client.get(f"/staff/measurement/indicators/{indicator.id}").get_data(as_text=True)
    svg = re.search(r"<svg class=\"chart curve\".*?</svg>", page, re.S).group(0)
    for words in ("Value (%)", "Baseline", "Forecast", "Target: 60 %", "Spring 2027", "0 %"):
        assert words in svg, words
    assert svg.count('stroke="#d8d4cb"') >= 4  # gridlines
    assert "Terms are written like" not in page
    assert re.search(r'<select id="p-period" name="period">\s*<option value="\d{5}">', page)
    assert '<option value="20252">Autumn 2025</option>' in page
    form = client.get(f"/staff/measurement/indicators/{indicator.id}/edit").get_data(as_text=True)
    assert '<option value="20252" selected>Autumn 2025</option>' in form
    assert '<option value="20272" selected>Autumn 2027</option>' in form
