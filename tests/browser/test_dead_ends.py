"""No dead ends in a real browser: the follow-up code page's copy button, and axe on the changed pages."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import pytest

from participation.config import DEFAULT_LANGUAGES
from tests.browser.test_survey_flow import (
    answer_profile,
    answer_question,
    assert_accessible,
    loaded,
    send,
    visit,
)
from tests.factories import gen_placement, gen_survey

if TYPE_CHECKING:
    from playwright.sync_api import Page

    from participation.surveys.models import Survey
    from tests.browser.test_survey_flow import NewContext

LANGUAGES = DEFAULT_LANGUAGES.split()
SURVEY_JS = "**/static/js/survey.js"

# A clipboard that records what is written to it; headless Chromium's own one asks for a permission.
FAKE_CLIPBOARD = """
window.__copied = [];
Object.defineProperty(navigator, "clipboard", { value: {
  writeText: function (text) { window.__copied.push(text); return Promise.resolve(); }
}});
"""


def answer_whole_survey(page: Page, survey: Survey, lang: str) -> None:
    """Answer everything on one page (the stepper held back), as someone old enough for a code."""
    page.route(SURVEY_JS, lambda route: route.abort())
    visit(page, f"/{lang}/s/{survey.slug}")
    for question in survey.questions:
        answer_question(page, survey, question.key)
    answer_profile(page)
    send(page)
    page.unroute(SURVEY_JS)


def ask_for_code(page: Page, status: int = 200) -> None:
    with page.expect_navigation() as navigation:
        page.locator("section.follow-up button[type=submit]").click()
    loaded(navigation.value, status)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_follow_up_pages_work_and_have_no_axe_violations(new_context: NewContext, lang: str) -> None:
    survey = gen_survey()
    context = new_context()
    context.add_init_script(FAKE_CLIPBOARD)
    page = context.new_page()
    answer_whole_survey(page, survey, lang)

    ask_for_code(page, status=422)  # without the tick: back at the box, with the reason beside it
    assert page.locator("#consent").evaluate("box => box === document.activeElement")
    assert page.locator("#consent-error").is_visible()
    assert_accessible(page, f"the follow-up offer sent back without the tick in {lang}")

    page.locator("#consent").check()
    ask_for_code(page)
    code = page.locator("#followup-code").inner_text()
    assert re.fullmatch(r"[A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4}", code)
    copy = page.locator("button[data-copy]")
    assert copy.is_visible()
    copy.click()
    page.wait_for_function("window.__copied.length === 1")
    assert page.evaluate("window.__copied") == [code]
    assert page.locator("#copy-status").inner_text() != ""
    picture = page.locator("a[download]")
    assert picture.is_visible() and picture.get_attribute("href").startswith("data:image/png;base64,")
    assert_accessible(page, f"the follow-up code page in {lang}")


def test_without_a_clipboard_there_is_no_copy_button(new_context: NewContext) -> None:
    survey = gen_survey()
    page = new_context().new_page()
    page.add_init_script('Object.defineProperty(navigator, "clipboard", { value: undefined });')
    answer_whole_survey(page, survey, "sv")
    page.locator("#consent").check()
    ask_for_code(page)
    assert page.locator("#followup-code").is_visible()
    assert page.locator("button[data-copy]").is_hidden()
    assert page.locator("a[download]").is_visible()


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_code_box_pages_lead_on_and_have_no_axe_violations(new_context: NewContext, lang: str) -> None:
    survey = gen_survey()
    gen_placement(survey, code="FRITID24")
    page = new_context().new_page()
    visit(page, f"/{lang}/")
    assert_accessible(page, f"the start page with the code box in {lang}")
    page.locator("form.code-box input[name=code]").fill("nope 42")
    with page.expect_navigation() as navigation:
        page.locator("form.code-box button[type=submit]").click()
    loaded(navigation.value, 404)
    assert page.locator("form.code-box input[name=code]").input_value() == "nope 42"
    assert page.locator("#code-error").is_visible()
    assert_accessible(page, f"an unknown typed code in {lang}")
    page.locator("form.code-box input[name=code]").fill("fritid24")
    with page.expect_navigation():
        page.locator("form.code-box button[type=submit]").click()
    assert page.url.endswith(f"/{lang}/s/{survey.slug}?p=FRITID24")
    visit(page, "/q/OLDCODE", 404)
    assert page.locator("form.code-box input[name=code]").input_value() == "OLDCODE"
    assert_accessible(page, f"an unknown poster link in {lang}")
