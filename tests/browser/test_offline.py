"""Offline tolerance in real Chromium: a survey opened once opens again without a connection, and a form
sent offline waits on the phone, says so, and is stored exactly once when the connection is back.

Playwright's offline mode cuts the page and its service worker off the network, as a phone losing its
signal does; the live server stays up, so anything that reached it would be stored.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import pytest
from playwright.sync_api import expect

from participation.config import DEFAULT_LANGUAGES
from tests.browser.test_survey_flow import (
    NEXT,
    SEND,
    answer_profile,
    answer_question,
    assert_accessible,
    assert_stored_once,
    assert_thank_you,
    field,
    loaded,
    stored_responses,
    visit,
)

if TYPE_CHECKING:
    from playwright.sync_api import BrowserContext, Page

    from participation.surveys.models import Survey
    from tests.browser.test_survey_flow import NewContext

LANGUAGES = DEFAULT_LANGUAGES.split()
STATUS = "#offline-status"

# True once the worker controls the page and keeps a copy of it and of every file it uses.
KEPT = """async () => {
  await navigator.serviceWorker.ready;
  if (!navigator.serviceWorker.controller) { return false; }
  const files = [location.href, ...Array.from(document.querySelectorAll("link[rel=stylesheet], script[src]"),
    el => el.href || el.src)];
  const kept = await Promise.all(files.map(url => caches.match(url, { ignoreVary: true })));
  return kept.every(Boolean);
}"""

KEPT_KEY = """async () => {
  const page = await (await caches.match(location.href, { ignoreVary: true })).text();
  return new DOMParser().parseFromString(page, "text/html").querySelector("[name=submission_key]").value;
}"""


def open_survey(context: BrowserContext, path: str) -> Page:
    """The survey opened online, once the service worker keeps it."""
    page = context.new_page()
    visit(page, path)
    for _ in range(100):  # wait_for_function does not wait for a promise
        if page.evaluate(KEPT):
            return page
        page.wait_for_timeout(100)
    raise AssertionError("the service worker did not keep the survey page")


def answer_everything(page: Page, survey: Survey) -> None:
    """Every question with the stepper, one screen each, then the profile screen (the send button's)."""
    for key in ("pick", "many", "scale", "yesno", "rank", "text", "count", "show"):
        answer_question(page, survey, key)
        page.locator(NEXT).click()
    answer_profile(page)


def form_text(page: Page, name: str) -> str:
    return page.locator("form.survey").get_attribute(f"data-offline-{name}") or ""


def send_offline(page: Page) -> None:
    page.locator(SEND).click()
    expect(page.locator(STATUS)).to_have_text(form_text(page, "queued"))
    assert page.locator("form.survey").is_hidden()
    assert stored_responses() == []


def reload_offline(page: Page) -> None:
    """Reload with no connection: the page can only come from the worker's copy."""
    response = loaded(page.reload())
    assert response.from_service_worker
    assert page.locator("form.survey").count() == 1
    assert page.evaluate("document.styleSheets[0].cssRules.length") > 0  # the stylesheet came too


@pytest.mark.parametrize("lang", LANGUAGES)
def test_a_survey_answered_offline_is_stored_once_when_back_online(
    new_context: NewContext, survey: Survey, placement_id: int, lang: str
) -> None:
    context = new_context()
    page = open_survey(context, f"/{lang}/s/{survey.slug}?p=FRITID")

    context.set_offline(True)
    reload_offline(page)
    assert page.locator(".stepper").is_visible()
    assert_accessible(page, f"the survey opened offline in {lang}")
    answer_everything(page, survey)
    send_offline(page)
    assert_accessible(page, f"the survey waiting for the connection in {lang}")

    context.set_offline(False)
    expect(page.locator(STATUS)).to_have_text(form_text(page, "arrived"))
    assert_thank_you(page, survey, lang)
    assert_stored_once(survey, placement_id, lang)


def test_the_kept_form_outlives_a_reload_and_a_replay_stores_nothing(
    new_context: NewContext, survey: Survey, placement_id: int
) -> None:
    context = new_context()
    page = open_survey(context, "/q/FRITID")
    kept_key = page.evaluate(KEPT_KEY)

    context.set_offline(True)
    reload_offline(page)
    assert page.locator("[name=submission_key]").input_value() == kept_key  # the copy, not a new page
    answer_everything(page, survey)
    send_offline(page)
    [unsent] = page.evaluate("Object.values(sessionStorage)")
    assert f"submission_key={kept_key}" in unsent

    # A reload, still offline, shows the waiting form's status, not an empty form to fill in again.
    reload_offline(page)
    expect(page.locator(STATUS)).to_have_text(form_text(page, "queued"))
    assert page.locator("form.survey").is_hidden()

    context.set_offline(False)
    assert_thank_you(page, survey, "sv")
    assert_stored_once(survey, placement_id, "sv")
    assert page.evaluate("sessionStorage.length") == 0  # nothing of it is left on a shared tablet

    # The same form sent again (a retry that crossed the first send) is a replay: the thanks, nothing new.
    replay = page.evaluate(
        "body => fetch(location.pathname.replace(/\\/thanks$/, ''), {method: 'POST', body: new URLSearchParams(body)})"
        ".then(r => [r.status, r.url])",
        unsent,
    )
    assert replay[0] == 200 and re.search(r"/sv/s/[^/]+/thanks$", replay[1])
    assert len(stored_responses()) == 1


def test_a_kept_form_the_server_refuses_comes_back_with_every_answer(
    new_context: NewContext, survey: Survey, placement_id: int
) -> None:
    """The check against forged forms fails when the phone lost its cookies while it waited (here: cleared)."""
    context = new_context()
    page = open_survey(context, "/q/FRITID")
    path = f"/sv/s/{survey.slug}"
    context.set_offline(True)
    answer_everything(page, survey)
    send_offline(page)
    assert page.evaluate("document.activeElement.id") == "offline-status"
    context.clear_cookies()

    context.set_offline(False)
    expect(page.locator("#problem")).to_be_visible()
    assert page.locator(f"input[name={field(survey, 'many')}]:checked").count() == 2
    assert page.locator("input[name=profile_gender][value=girl]").is_checked()
    assert stored_responses() == []
    assert page.evaluate("sessionStorage.length") == 0  # the answers are in the page now
    assert page.evaluate(f"caches.match('{path}', {{ignoreSearch: true}}).then(Boolean)")  # key unspent

    # The page is the server's form again, with the script: sending it now is the ordinary post.
    assert page.locator(SEND).is_visible()
    with page.expect_navigation():
        page.locator(SEND).click()
    assert_thank_you(page, survey, "sv")
    assert_stored_once(survey, placement_id, "sv")
    assert not page.evaluate(f"caches.match('{path}', {{ignoreSearch: true}}).then(Boolean)")


def test_online_the_form_posts_as_without_the_script(new_context: NewContext, survey: Survey) -> None:
    """With a connection nothing is held back: the ordinary post, straight to the thank-you page."""
    context = new_context()
    page = open_survey(context, f"/en/s/{survey.slug}")
    answer_everything(page, survey)
    with page.expect_navigation() as navigation:
        page.locator(SEND).click()
    assert loaded(navigation.value).request.method == "GET"  # the redirect after the form's POST
    assert_thank_you(page, survey, "en")
    assert len(stored_responses()) == 1
    assert page.evaluate("sessionStorage.length") == 0

    # The copy of the survey's page went with the send: its submission key is spent.
    assert page.evaluate(f"caches.match('/en/s/{survey.slug}', {{ignoreVary: true}}).then(Boolean)") is False
