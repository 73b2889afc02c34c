"""Narrow and large (issue 12, point 4): every public page at 320 CSS px with the text set to 200 %.

The text size is the browser's own setting (Chromium's default font size, as a phone's "text size" is),
set through the DevTools protocol, so whatever the stylesheet sizes in rem and em grows as it would for a
participant who needs large text. On each page, in every shipped language:
- nothing scrolls sideways: the document is no wider than the viewport;
- every button, field and link is inside the viewport;
- no word is broken across lines unless it is longer than its line. Automatic hyphenation is switched off
  for this check (whether it happens depends on the dictionaries a phone has), so a word broken here was
  broken letter by letter, which is what the check is for.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest
import sqlalchemy as sa

from participation.config import DEFAULT_LANGUAGES
from participation.demo import content
from participation.extensions import db
from participation.surveys.models import Survey, SurveyStatus
from tests.browser.test_dead_ends import answer_whole_survey, ask_for_code
from tests.browser.test_survey_flow import NEXT, STEPS, field, send, visit
from tests.factories import gen_survey

if TYPE_CHECKING:
    from playwright.sync_api import Page

    from tests.browser.test_survey_flow import NewContext

LANGUAGES = DEFAULT_LANGUAGES.split()
NARROW = {"viewport": {"width": 320, "height": 640}}
DEFAULT_FONT_PX = 16

# What the page looks like to the check: how wide it is, what sticks out, and the words broken inside.
MEASURE = """
() => {
  const doc = document.documentElement;
  const width = doc.clientWidth;
  const outside = [];
  for (const el of document.querySelectorAll("button, input, select, textarea, a, summary, label, img, svg")) {
    const box = el.getBoundingClientRect();
    const style = getComputedStyle(el);
    if (box.width === 0 || style.visibility === "hidden" || el.closest(".visually-hidden, .skip")) continue;
    if (box.left < -0.5 || box.right > width + 0.5) {
      outside.push(`${el.tagName.toLowerCase()}.${el.className} [${Math.round(box.left)}, ${Math.round(box.right)}]`);
    }
  }
  // The innermost elements that stick out, to name what makes a page scroll sideways.
  const wide = [];
  for (const el of document.body.querySelectorAll("*")) {
    const box = el.getBoundingClientRect();
    if (box.width === 0 || (box.left >= -0.5 && box.right <= width + 0.5)) continue;
    if (el.closest(".visually-hidden, .skip")) continue;
    const inner = [...el.children].some((child) => {
      const b = child.getBoundingClientRect();
      return b.width > 0 && (b.left < -0.5 || b.right > width + 0.5);
    });
    const name = `${el.tagName.toLowerCase()}.${el.className} "${el.textContent.trim().slice(0, 40)}"`;
    if (!inner) wide.push(`${name} [${Math.round(box.left)}, ${Math.round(box.right)}]`);
  }
  const broken = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const parent = node.parentElement;
    if (!parent || parent.closest(".visually-hidden, .skip, script, style, [hidden]")) continue;
    if (getComputedStyle(parent).overflowWrap === "anywhere") continue;  // an address or a token, not words
    let block = parent;
    while (block && ["inline", "contents"].includes(getComputedStyle(block).display)) block = block.parentElement;
    const blockStyle = getComputedStyle(block);
    const line = block.clientWidth - parseFloat(blockStyle.paddingLeft) - parseFloat(blockStyle.paddingRight);
    const text = node.textContent;
    // A word ends at a space or after a hyphen or slash, where a line may break anyway.
    for (const match of text.matchAll(/[^\\s\\-\u2010\u2013\u2014\\/]+[\\-\u2010\u2013\u2014\\/]*/g)) {
      const range = document.createRange();
      range.setStart(node, match.index);
      range.setEnd(node, match.index + match[0].length);
      const rects = [...range.getClientRects()].filter((r) => r.width > 0);
      const tops = new Set(rects.map((r) => Math.round(r.top)));
      if (tops.size < 2) continue;
      const natural = rects.reduce((sum, r) => sum + r.width, 0);
      if (natural <= line - 1) {
        const where = `${block.tagName.toLowerCase()}.${block.className}`;
        broken.push(`"${match[0]}" in ${where} (${Math.round(natural)} px, line ${Math.round(line)} px)`);
      }
    }
  }
  return { scrollWidth: doc.scrollWidth, clientWidth: width, outside, wide: wide.slice(0, 5), broken };
}
"""

# Through the CSS object model, which the page's content security policy allows (a <style> tag it does not).
NO_HYPHENATION = """
() => document.styleSheets[0].insertRule(
  "*, *::before, *::after { hyphens: manual !important; -webkit-hyphens: manual !important; }",
  document.styleSheets[0].cssRules.length)
"""


def large_text_page(new_context: NewContext, *, javascript: bool = True) -> Page:
    """A 320 px wide page whose browser text size is 200 %."""
    page = new_context(javascript=javascript, **NARROW).new_page()
    cdp = page.context.new_cdp_session(page)
    cdp.send("Page.enable")
    cdp.send("Page.setFontSizes", {"fontSizes": {"standard": 2 * DEFAULT_FONT_PX, "fixed": 26}})
    return page


def misfits(page: Page, what: str) -> list[str]:
    """What does not fit on the page now, each said with the page and the element or word."""
    page.evaluate(NO_HYPHENATION)
    found: dict[str, Any] = page.evaluate(MEASURE)
    where = f"{what} ({page.url})"
    problems = []
    if found["scrollWidth"] > found["clientWidth"]:
        wide = ", ".join(found["wide"])
        problems.append(
            f"{where} scrolls sideways: {found['scrollWidth']} > {found['clientWidth']} px ({wide})"
        )
    problems += [f"{where}: off screen: {element}" for element in found["outside"]]
    problems += [f"{where}: broken inside, though it fits its line: {word}" for word in found["broken"]]
    return problems


class Fits:
    """Gathers what does not fit on every page of a test, to fail once with all of it."""

    def __init__(self) -> None:
        self.problems: list[str] = []

    def check(self, page: Page, what: str) -> None:
        self.problems += misfits(page, what)

    def assert_none(self) -> None:
        assert not self.problems, "\n".join(self.problems)


def demo_survey() -> Survey:
    survey = db.session.scalar(sa.select(Survey).where(Survey.slug == content.SURVEY["slug"]))
    assert survey is not None
    return survey


def test_large_text_really_is_twice_as_large_and_words_hyphenate(new_context: NewContext) -> None:
    """The checks below would prove nothing if the setting did not reach the page."""
    page = large_text_page(new_context)
    visit(page, "/sv/")
    assert page.evaluate("parseFloat(getComputedStyle(document.body).fontSize)") == 2 * DEFAULT_FONT_PX
    # Long words hyphenate by the page's language, where the phone has the dictionary for it.
    assert page.evaluate("getComputedStyle(document.querySelector('main p')).hyphens") == "auto"
    assert page.locator("html").get_attribute("lang") == "sv"


def scale_rows(page: Page, survey: Survey) -> int:
    """On how many lines the points of the survey's scale question sit."""
    tops = page.locator(f"#{field(survey, 'scale')} label.scale-point").evaluate_all(
        "points => points.map((point) => Math.round(point.getBoundingClientRect().top))"
    )
    return len(set(tops))


def test_scale_points_stack_when_narrow_and_large(new_context: NewContext, survey: Survey) -> None:
    normal = new_context(javascript=False).new_page()  # 360 px, normal text: the five faces in a row
    visit(normal, f"/sv/s/{survey.slug}")
    assert scale_rows(normal, survey) == 1
    large = large_text_page(new_context, javascript=False)
    visit(large, f"/sv/s/{survey.slug}")
    assert scale_rows(large, survey) == 5


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_public_page_fits_320_px_at_200_percent(new_context: NewContext, runner, lang: str) -> None:
    runner.invoke(args=["demo"])  # real texts in every language, results, actions, a forum evening
    survey = demo_survey()
    closed = gen_survey("closed", status=SurveyStatus.ARCHIVED)
    db.session.commit()

    fits = Fits()
    page = large_text_page(new_context, javascript=False)
    for path, status in [
        (f"/{lang}/", 200),
        (f"/{lang}/accessibility", 200),
        (f"/{lang}/privacy", 200),
        (f"/{lang}/s/{survey.slug}", 200),  # every question on one page, as without JavaScript
        (f"/{lang}/s/{survey.slug}/thanks", 200),
        (f"/{lang}/s/{closed.slug}", 410),
        (f"/{lang}/code?code=NOPE42", 404),
        (f"/{lang}/actions", 200),
        (f"/{lang}/follow-up/withdraw", 200),
        (f"/{lang}/f", 200),
        (f"/{lang}/f/TJEJ24", 200),
        (f"/{lang}/f/TJEJ24/screen", 200),
    ]:
        visit(page, path, status)
        fits.check(page, f"{path} in {lang}")

    visit(page, f"/{lang}/s/{survey.slug}")  # sent empty: every problem marked on the page
    send(page, 422)
    fits.check(page, f"the survey sent back with problems in {lang}")

    # The stepper, screen by screen, with its Back and Next buttons.
    page = large_text_page(new_context)
    visit(page, f"/{lang}/s/{survey.slug}")
    screens = page.locator(STEPS).count()
    for screen in range(screens):
        fits.check(page, f"screen {screen + 1} of the stepper in {lang}")
        if screen + 1 < screens:
            page.locator(NEXT).click()
    fits.assert_none()


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_follow_up_pages_fit_320_px_at_200_percent(new_context: NewContext, lang: str) -> None:
    survey = gen_survey()
    fits = Fits()
    page = large_text_page(new_context)
    answer_whole_survey(page, survey, lang)
    fits.check(page, f"the thank-you page with the follow-up offer in {lang}")
    ask_for_code(page, status=422)
    fits.check(page, f"the follow-up offer without the tick in {lang}")
    page.locator("#consent").check()
    ask_for_code(page)
    fits.check(page, f"the follow-up code page in {lang}")
    fits.assert_none()
