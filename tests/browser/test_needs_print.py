"""The needs map printed for the board: A4, the title and what the view is on the first page, few pages."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pypdfium2

from tests.browser.test_more_pages import _log_in
from tests.browser.test_survey_flow import visit
from tests.factories import gen_user

if TYPE_CHECKING:
    from tests.browser.test_survey_flow import NewContext

MOST_PAGES = 3


def test_the_needs_map_prints_as_a_short_a4_report(new_context: NewContext, runner, tmp_path) -> None:  # type: ignore[no-untyped-def]
    runner.invoke(args=["demo"])
    page = new_context(is_mobile=False, has_touch=False, viewport={"width": 1280, "height": 900}).new_page()
    _log_in(page, gen_user("analyst"))
    visit(page, "/staff/needs")
    title, meta = page.locator("h1").inner_text(), page.locator(".report-meta").inner_text()
    priorities = page.locator("#priorities").inner_text()
    page.emulate_media(media="print")
    assert page.locator("form.filters").is_hidden() and page.locator("nav.staff-nav").is_hidden()
    pdf = tmp_path / "needs.pdf"
    page.pdf(path=str(pdf), format="A4", print_background=True)
    document = pypdfium2.PdfDocument(str(pdf))
    try:
        pages = len(document)
        first = document[0].get_textpage().get_text_range()
    finally:
        document.close()
    assert 1 <= pages <= MOST_PAGES, f"the report takes {pages} A4 pages"
    flat = " ".join(first.split())
    assert title in flat and " ".join(meta.split())[:40] in flat and "k = 5" in flat
    assert priorities in flat  # the chart and its table start on the first page
