"""The needs map reads like a report: what the view is, a line per theme beside the trend, a short print."""

from __future__ import annotations

import re

import pytest

from participation.insights.sparks import spark
from participation.suppression import Cell
from tests.factories import gen_user, login


def test_a_line_joins_only_the_shares_shown_at_their_time() -> None:
    shown = {20252: Cell(40, 0.4), 20261: Cell(None, None), 20262: Cell(50, 0.5), 20271: Cell(60, 0.6)}
    line = spark([20252, 20261, 20262, 20271], shown)
    assert line is not None
    # The hidden spring 2026 leaves a gap: two runs, the first of one point drawn only as a dot.
    assert len(line.lines) == 1 and len(line.dots) == 3
    xs = [x for x, _y in line.dots]
    assert xs[2] - xs[1] == pytest.approx((xs[1] - xs[0]) / 2, abs=0.1)  # one term against two
    ys = [y for _x, y in line.dots]
    assert ys[0] > ys[1] > ys[2]  # higher share, higher on the picture
    assert spark([20252, 20261], {20252: Cell(40, 0.4)}) is None  # one share is no line
    assert spark([20252], {20252: Cell(40, 0.4)}) is None


def test_the_page_says_what_the_view_is_and_draws_the_trend(app, client, runner) -> None:  # type: ignore[no-untyped-def]
    runner.invoke(args=["demo"])
    login(client, gen_user("analyst"))
    page = client.get("/staff/needs?age_band=16_19").get_data(as_text=True)
    meta = re.search(r'<p class="report-meta">(.*?)</p>', page, re.S).group(1)
    assert "This view" in meta and "Age band: 16–19" in meta and "k = 5" in meta
    assert page.count('<svg class="spark"') >= 3
    assert 'aria-hidden="true"' in re.search(r'<svg class="spark".*?>', page).group(0)
