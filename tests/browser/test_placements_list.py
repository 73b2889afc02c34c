"""The placements list fits a laptop and reads on a phone (issue 13, point 6), and stays accessible."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from tests.browser.test_more_pages import _log_in
from tests.browser.test_survey_flow import assert_accessible, visit
from tests.factories import gen_user

if TYPE_CHECKING:
    from tests.browser.test_survey_flow import NewContext

SIZES = {"laptop": {"width": 1280, "height": 800}, "phone": {"width": 360, "height": 740}}


@pytest.mark.parametrize("size", SIZES)
def test_the_placements_list_fits_without_scrolling_sideways(
    new_context: NewContext, runner, size: str
) -> None:
    runner.invoke(args=["demo"])
    page = new_context(is_mobile=size == "phone", has_touch=size == "phone", viewport=SIZES[size]).new_page()
    _log_in(page, gen_user("staff"))
    visit(page, "/staff/placements/")
    assert page.locator("section.placement-group").count() >= 2  # the demo survey and the forum evening
    widths = page.evaluate("[document.documentElement.scrollWidth, document.documentElement.clientWidth]")
    assert widths[0] <= widths[1], f"the list is {widths[0]} px wide on a {widths[1]} px screen"
    assert_accessible(page, f"the placements list on a {size}")
