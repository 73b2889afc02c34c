"""The XLSForm import's result page, with its list of what was not carried over, is accessible on a laptop
and a phone, in Swedish and in Arabic (right to left), and never scrolls sideways."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from tests.browser.test_more_pages import _log_in
from tests.browser.test_narrow import DEFAULT_FONT_PX, NARROW, misfits
from tests.browser.test_survey_flow import assert_accessible, loaded, visit
from tests.factories import gen_user
from tests.surveys.test_xlsform import KOBO_CHOICES, KOBO_SETTINGS, KOBO_SURVEY, xlsx

if TYPE_CHECKING:
    from playwright.sync_api import Page

    from tests.browser.test_survey_flow import NewContext

SIZES = {"laptop": {"width": 1280, "height": 800}, "phone": {"width": 360, "height": 740}}


def _import_a_form_with_problems(page: Page, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """Sign in as staff and import a KoboToolbox form with a dozen rows that cannot come over."""
    form = tmp_path / "kobo.xlsx"
    form.write_bytes(xlsx(KOBO_SURVEY, KOBO_CHOICES, KOBO_SETTINGS))
    _log_in(page, gen_user("staff"))
    visit(page, "/staff/surveys/import")
    page.locator("input[type=file]").set_input_files(str(form))
    with page.expect_navigation() as navigation:
        page.locator("form.staff-form button[type=submit]").click()
    loaded(navigation.value, 201)


@pytest.mark.parametrize("lang", ["sv", "ar"])
@pytest.mark.parametrize("size", SIZES)
def test_the_import_result_with_rows_not_carried_over_has_no_axe_violations(
    new_context: NewContext, tmp_path, lang: str, size: str
) -> None:
    phone = size == "phone"
    page = new_context(locale=lang, is_mobile=phone, has_touch=phone, viewport=SIZES[size]).new_page()
    _import_a_form_with_problems(page, tmp_path)

    assert page.locator("html").get_attribute("lang") == lang
    assert page.locator("html").get_attribute("dir") == ("rtl" if lang == "ar" else "ltr")
    assert page.locator("h1").count() == 1
    assert page.locator(".problem li").count() >= 10  # the rows that were not carried over, each said
    widths = page.evaluate("[document.documentElement.scrollWidth, document.documentElement.clientWidth]")
    assert widths[0] <= widths[1], f"the result is {widths[0]} px wide on a {widths[1]} px screen"
    assert_accessible(page, f"the import result in {lang} on a {size}")


@pytest.mark.parametrize("lang", ["sv", "ar"])
def test_the_import_result_fits_320_px_with_the_text_at_200_percent(
    new_context: NewContext, tmp_path, lang: str
) -> None:
    page = new_context(locale=lang, **NARROW).new_page()
    cdp = page.context.new_cdp_session(page)
    cdp.send("Page.enable")
    cdp.send("Page.setFontSizes", {"fontSizes": {"standard": 2 * DEFAULT_FONT_PX, "fixed": 26}})
    _import_a_form_with_problems(page, tmp_path)
    assert page.locator(".problem li").count() >= 10
    assert misfits(page, f"the import result in {lang}") == []
