"""A tablet in kiosk mode in a real browser: staff start it, people answer in turn, staff leave it.

The tablet is one browser context (one device, one cookie jar); two people answer on it in turn without
JavaScript, since the return to a fresh form after each thank-you must work on the page alone. axe
(which needs JavaScript to run) checks every page kiosk mode adds or changes, in every shipped language.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from participation.config import DEFAULT_LANGUAGES
from participation.surveys import routes as survey_routes
from tests.browser.test_survey_flow import (
    answer_profile,
    answer_question,
    assert_accessible,
    send,
    stored_responses,
    visit,
)
from tests.factories import PASSWORD, gen_user

if TYPE_CHECKING:
    from playwright.sync_api import BrowserContext, Page

    from participation.surveys.models import Survey
    from tests.browser.test_survey_flow import NewContext

LANGUAGES = DEFAULT_LANGUAGES.split()
TABLET = {"viewport": {"width": 800, "height": 1200}, "is_mobile": True, "has_touch": True}


def tablet(
    new_context: NewContext, live_server: str, lang: str = "sv", *, javascript: bool = True
) -> BrowserContext:
    context = new_context(javascript=javascript, **TABLET)
    # The staff pages speak the staff member's chosen language (the same cookie the switcher sets).
    context.add_cookies([{"name": "delaktig_lang", "value": lang, "url": live_server}])
    return context


def log_in(page: Page, email: str) -> None:
    page.locator("input[name=email]").fill(email)
    page.locator("input[name=password]").fill(PASSWORD)
    with page.expect_navigation():
        page.locator("form.staff-form button[type=submit]").click()


def start_kiosk(page: Page, placement_id: int, lang: str | None = None) -> None:
    """Signed in as staff: open the placement's page (checked by axe in `lang`) and start kiosk mode."""
    visit(page, f"/staff/placements/{placement_id}")
    if lang is not None:
        assert_accessible(page, f"the placement's page with kiosk mode in {lang}")
    page.locator("select[name=hours]").select_option("2")
    with page.expect_navigation():
        page.locator("form.staff-form button[type=submit]").click()
    page.wait_for_url("**/s/**")  # the placement's survey, now as a kiosk


def answer_all(page: Page, survey: Survey) -> None:
    for question in survey.questions:
        answer_question(page, survey, question.key)
    answer_profile(page)
    send(page)


def test_two_people_answer_in_turn_on_one_tablet(
    new_context: NewContext, live_server: str, survey: Survey, placement_id: int, monkeypatch
) -> None:
    monkeypatch.setattr(survey_routes, "KIOSK_RETURN_SECONDS", 3)  # the page's own 20 s, shortened
    staff = gen_user("staff")
    # Without JavaScript: the return to a fresh form must work on the page alone.
    page = tablet(new_context, live_server, javascript=False).new_page()
    visit(page, "/staff/login")
    log_in(page, staff.email)
    start_kiosk(page, placement_id)
    assert page.url.endswith(f"/sv/s/{survey.slug}?p=FRITID")
    for person in (1, 2):
        answer_all(page, survey)
        assert page.url.endswith(f"/sv/s/{survey.slug}/thanks")
        assert page.locator("section.follow-up").count() == 0
        # Nobody taps anything: the thank-you page gives way to an empty form for the next person.
        page.wait_for_url(f"**/sv/s/{survey.slug}", timeout=5_000)
        assert page.locator("form.survey").count() == 1, person
        assert page.locator("input[type=radio]:checked").count() == 0
    stored = stored_responses()
    assert len(stored) == 2
    assert {(response.respondent_hash, response.placement_id) for response in stored} == {
        (None, placement_id)
    }
    # Staff leave through the footer's link and a login; the tablet is an ordinary device again.
    page.locator("footer a.kiosk-leave").click()
    log_in(page, staff.email)
    assert page.url.endswith("/staff/placements/")
    assert page.locator("footer a.kiosk-leave").count() == 0
    assert page.locator("nav.staff-nav").count() == 1


@pytest.mark.parametrize("lang", LANGUAGES)
def test_kiosk_pages_have_no_axe_violations(
    new_context: NewContext, live_server: str, survey: Survey, placement_id: int, lang: str
) -> None:
    admin = gen_user("admin", partner="Backbone Bäckby")
    page = tablet(new_context, live_server, lang).new_page()
    visit(page, "/staff/login")
    log_in(page, admin.email)
    visit(page, "/staff/placements/")
    assert_accessible(page, f"the placements with links to their pages in {lang}")
    start_kiosk(page, placement_id, lang)
    assert_accessible(page, f"the survey on a kiosk tablet in {lang}")
    # The default 20 seconds leave axe time to look before the page moves on.
    visit(page, f"/{lang}/s/{survey.slug}/thanks")
    assert page.locator(".kiosk-next a.button").count() == 1
    assert_accessible(page, f"the kiosk thank-you page in {lang}")
    page.locator("a.kiosk-stay").click()  # "wait, I am still reading"
    page.wait_for_url(f"**/{lang}/s/{survey.slug}/thanks?stay=1")
    assert_accessible(page, f"the kiosk thank-you page that stays, in {lang}")
    page.locator("footer a.kiosk-leave").click()
    page.wait_for_url("**/staff/placements/kiosk")
    assert_accessible(page, f"the page to leave kiosk mode in {lang}")
