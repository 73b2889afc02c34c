"""The demo survey's thank-you page on a 360×740 phone: the summary within two screens, no axe violations."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
import sqlalchemy as sa

from participation.config import DEFAULT_LANGUAGES
from participation.demo import content
from participation.extensions import db
from participation.surveys.models import QuestionKind, Survey
from tests.browser.conftest import MOBILE
from tests.browser.test_survey_flow import assert_accessible, visit
from tests.factories import hidden_fields

if TYPE_CHECKING:
    from playwright.sync_api import Page

    from tests.browser.test_survey_flow import NewContext

LANGUAGES = DEFAULT_LANGUAGES.split()
SCREEN = MOBILE["viewport"]["height"]


def _answered_demo(page: Page, runner, lang: str) -> str:  # type: ignore[no-untyped-def]
    """Load the demo, answer its survey from this phone as a 14-year-old; the thank-you page's path.

    Answering first matters: only then does the page carry the follow-up offer, its tallest part.
    """
    runner.invoke(args=["demo"])
    survey = db.session.scalar(sa.select(Survey).where(Survey.slug == content.SURVEY["slug"]))
    assert survey is not None
    form = page.request.get(f"/{lang}/s/{survey.slug}")
    assert form.ok
    values = {**hidden_fields(form.text()), "profile_age_band": "13_15", "profile_gender": "girl"}
    values["profile_lives_in_area"] = "yes"
    for question in survey.questions:
        if not question.required:
            continue
        if question.kind is QuestionKind.SINGLE_CHOICE:
            values[f"q{question.id}"] = str(question.options[0].id)
        elif question.kind is QuestionKind.SCALE:
            values[f"q{question.id}"] = "4"
        elif question.kind is QuestionKind.YES_NO:
            values[f"q{question.id}"] = "yes"
    sent = page.request.post(f"/{lang}/s/{survey.slug}", form=values, max_redirects=0)
    assert sent.status == 303, sent.text()[:2000]
    return f"/{lang}/s/{survey.slug}/thanks"


def test_the_summary_starts_within_two_phone_screens(new_context: NewContext, runner) -> None:
    page = new_context().new_page()
    visit(page, _answered_demo(page, runner, "sv"))
    for part in (".follow-up", ".summary-lines", "details.all-results"):
        assert page.locator(part).count() == 1, part
    assert page.get_by_role("heading", name="Ni sa – vi gjorde").count() == 1
    top = page.evaluate("document.querySelector('details.all-results').getBoundingClientRect().top + scrollY")
    assert top <= 2 * SCREEN, f"the full tables start {top}px down, more than two screens of {SCREEN}px"
    offer = page.evaluate("document.querySelector('.follow-up').getBoundingClientRect().top + scrollY")
    assert top < offer <= 2 * SCREEN, (
        f"the follow-up offer starts {offer}px down: after the summary, on screen 2"
    )
    assert page.locator("details.all-results table").first.is_visible() is False  # closed until asked
    page.locator("details.all-results > summary").click()
    assert page.locator("details.all-results table").first.is_visible()


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_thank_you_page_has_no_axe_violations(new_context: NewContext, runner, lang: str) -> None:
    page = new_context().new_page()
    visit(page, _answered_demo(page, runner, lang))
    assert page.locator(".follow-up").count() == 1 and page.locator(".summary-lines li").count() >= 3
    assert_accessible(page, f"the thank-you page in {lang}")
    page.locator("details.all-results > summary").click()
    assert_accessible(page, f"the thank-you page in {lang} with the full tables open")
