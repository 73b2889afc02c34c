"""The stepper never fights the participant: a language switch on any screen, the server's rules on each screen.

Real Chromium on a small phone with JavaScript on. A language tapped on the first, a middle or the last screen
brings the survey back in that language at the same screen with every answer kept, and what is sent then is
stored as answered. Each screen checks what the server checks and says it in the page's language, in the
server's own words; after a refused send the stepper opens at the first screen with a problem; the one
progress counter counts the screens actually shown. axe checks those states in every shipped language.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import pytest
from flask import Flask, g
from werkzeug.datastructures import MultiDict

from participation.config import DEFAULT_LANGUAGES
from participation.surveys import answering
from participation.surveys.models import Survey
from tests.browser.test_survey_flow import (
    BACK,
    NEXT,
    SEND,
    answer_profile,
    answer_question,
    assert_accessible,
    assert_on_step,
    assert_stored_once,
    assert_thank_you,
    field,
    loaded,
    send,
    stored_responses,
    visible_steps,
    visit,
)
from tests.factories import opt, q, valid_answers

if TYPE_CHECKING:
    from playwright.sync_api import BrowserContext, Page

    NewContext = Callable[..., BrowserContext]

LANGUAGES = DEFAULT_LANGUAGES.split()
# The screens of the factory survey once 'pick' = 'b' shows the show-if question: nine in all.
KEYS = ["pick", "many", "scale", "yesno", "rank", "text", "count", "show"]


def step_name(survey: Survey, index: int) -> str:
    return field(survey, KEYS[index]) if index < len(KEYS) else "profile"


def answer_screens(page: Page, survey: Survey, start: int, stop: int) -> None:
    """Answer screens start..stop-1 (0-based) as tests.factories.valid_answers does, moving on after each."""
    for index in range(start, stop):
        assert_on_step(page, step_name(survey, index), index + 1, 9)
        if index < len(KEYS):
            answer_question(page, survey, KEYS[index])
            page.locator(NEXT).click()
        else:
            answer_profile(page)


def switch_language(page: Page, lang: str) -> None:
    with page.expect_navigation() as navigation:
        page.locator(f"nav.languages button[lang={lang}]").click()
    loaded(navigation.value)
    assert page.locator("html").get_attribute("lang") == lang


def server_message(app: Flask, survey: Survey, lang: str, name: str, **changes: object) -> str:
    """What the server says about `name` when valid answers are changed so, in `lang`."""
    form: MultiDict[str, str] = MultiDict()
    for key, value in {**valid_answers(survey), **changes}.items():
        for item in value if isinstance(value, list) else [value]:
            form.add(key, str(item))
    with app.test_request_context(f"/{lang}/s/{survey.slug}"):
        g.lang = lang  # as the URL's language sets it when a request is dispatched
        return answering.parse_submission(survey, form).errors[name]


# --- 1. the language switch on every screen -------------------------------------------------------------


@pytest.mark.parametrize(
    ("screen", "lang"),
    [(0, "ti"), (4, "ar"), (5, "fa-AF"), (8, "fi")],
    ids=["first", "middle", "middle-typing", "last"],
)
def test_a_language_switch_keeps_the_screen_and_every_answer(
    new_context: NewContext, survey: Survey, placement_id: int, screen: int, lang: str
) -> None:
    page = new_context(locale="sv-SE").new_page()
    visit(page, "/q/FRITID")
    answer_question(page, survey, "pick")  # 'b': the show-if question counts, nine screens
    if screen > 0:
        page.locator(NEXT).click()
        answer_screens(page, survey, 1, screen)
    if screen == len(KEYS):
        answer_profile(page)
    elif screen > 0:
        answer_question(page, survey, KEYS[screen])  # typed on this screen, not yet moved on

    switch_language(page, lang)
    assert_on_step(page, step_name(survey, screen), screen + 1, 9)
    assert page.url.endswith(f"/{lang}/s/{survey.slug}/language")
    assert page.locator(
        f"input[name={field(survey, 'pick')}][value='{opt(survey, 'pick', 'b')}']"
    ).is_checked()

    if screen < len(KEYS):
        page.locator(NEXT).click()  # this screen's answer was kept, so it counts as answered
        answer_screens(page, survey, screen + 1, 9)
    send(page)
    # What was answered before the switch is stored as answered after it, once, in the new language.
    assert_thank_you(page, survey, lang)
    assert_stored_once(survey, placement_id, lang)


def test_a_skipped_questions_answer_survives_a_switch(new_context: NewContext, survey: Survey) -> None:
    """An answer to a show-if question, hidden again by a later choice, is still there after a switch."""
    page = new_context().new_page()
    visit(page, f"/sv/s/{survey.slug}")
    show = field(survey, "show")
    page.evaluate(f"document.querySelector('input[name={show}][value=no]').checked = true")
    answer_question(page, survey, "pick")
    choose_a = f"input[name={field(survey, 'pick')}][value='{opt(survey, 'pick', 'a')}']"
    page.locator(choose_a).check()  # 'show' is skipped again
    switch_language(page, "en")
    assert page.locator(f"input[name={show}][value=no]").is_checked()
    assert_on_step(page, field(survey, "pick"), 1, 8)


def test_enter_in_a_number_field_moves_on_and_does_not_switch_language(
    new_context: NewContext, survey: Survey
) -> None:
    """Left to the browser, Enter presses the form's first submit button: the header's first language."""
    page = new_context().new_page()
    visit(page, f"/sv/s/{survey.slug}")
    answer_question(page, survey, "pick")
    page.locator(NEXT).click()
    answer_screens(page, survey, 1, 6)
    page.locator(f"#{field(survey, 'count')}-input").fill("12")
    page.locator(f"#{field(survey, 'count')}-input").press("Enter")
    assert_on_step(page, field(survey, "show"), 8, 9)
    assert page.locator("html").get_attribute("lang") == "sv"


def test_without_javascript_enter_in_a_number_field_sends_the_answers(
    new_context: NewContext, survey: Survey, placement_id: int
) -> None:
    """Without the stepper, Enter sends the whole form (the form's own first button), in the same language."""
    page = new_context(javascript=False).new_page()
    visit(page, f"/sv/s/{survey.slug}?p=FRITID")
    for key in KEYS:
        answer_question(page, survey, key)
    answer_profile(page)
    with page.expect_navigation() as navigation:
        page.locator(f"#{field(survey, 'count')}-input").press("Enter")
    loaded(navigation.value)
    assert_thank_you(page, survey, "sv")
    assert_stored_once(survey, placement_id, "sv")


# --- 2. each screen checks what the server checks --------------------------------------------------------


def assert_held_with(page: Page, survey: Survey, key: str, number: int, total: int, message: str) -> None:
    """Next keeps the participant on this screen with the server's message, announced and linked."""
    page.locator(NEXT).click()
    name = field(survey, key)
    assert_on_step(page, name, number, total)
    note = page.locator(f"#{name} .error.js")
    assert note.is_visible()
    assert note.inner_text() == message
    assert note.get_attribute("role") == "alert"
    assert page.locator(f"#{name}").get_attribute("aria-describedby") == note.get_attribute("id")
    invalid = page.locator(f"#{name} [aria-invalid=true]")
    assert invalid.count() >= 1
    assert page.evaluate("document.activeElement.closest('fieldset').id") == name


@pytest.mark.parametrize("lang", ["ar", "sv"])
def test_each_screen_checks_the_servers_rules_in_the_pages_language(
    app: Flask, new_context: NewContext, survey: Survey, lang: str
) -> None:
    page = new_context().new_page()
    visit(page, f"/{lang}/s/{survey.slug}")

    # Required.
    required = server_message(app, survey, lang, field(survey, "pick"), **{field(survey, "pick"): ""})
    assert_held_with(page, survey, "pick", 1, 8, required)
    answer_question(page, survey, "pick")
    page.locator(NEXT).click()

    # At most two choices.
    many = field(survey, "many")
    too_many = server_message(app, survey, lang, many, **{many: [opt(survey, "many", k) for k in "xyz"]})
    for key in "xyz":
        page.locator(f"input[name={many}][value='{opt(survey, 'many', key)}']").check()
    assert_held_with(page, survey, "many", 2, 9, too_many)
    page.locator(f"input[name={many}][value='{opt(survey, 'many', 'y')}']").uncheck()
    page.locator(NEXT).click()
    assert page.locator(f"#{many} .error").count() == 0
    assert page.locator(f"#{many} [aria-invalid]").count() == 0
    assert page.locator(f"#{many}").get_attribute("aria-describedby") is None
    answer_screens(page, survey, 2, 4)

    # Each thing ranked only once.
    rank = field(survey, "rank")
    twice = server_message(
        app,
        survey,
        lang,
        rank,
        **{f"{rank}_1": opt(survey, "rank", "r1"), f"{rank}_2": opt(survey, "rank", "r1")},
    )
    page.locator(f"select#{rank}_1").select_option(opt(survey, "rank", "r1"))
    page.locator(f"select#{rank}_2").select_option(opt(survey, "rank", "r1"))
    assert_held_with(page, survey, "rank", 5, 9, twice)
    answer_question(page, survey, "rank")
    page.locator(NEXT).click()

    # The free-text limit, counted as the server counts: a line break is sent as two characters, so 500
    # typed characters the textarea's maxlength lets through are 501 on arrival.
    text = field(survey, "text")
    typed = "a" * 250 + "\n" + "b" * 249
    too_long = server_message(app, survey, lang, text, **{text: typed.replace("\n", "\r\n")})
    page.locator(f"#{text}-input").fill(typed)
    assert_held_with(page, survey, "text", 6, 9, too_long)
    assert "501" in too_long
    answer_question(page, survey, "text")
    page.locator(NEXT).click()

    # A number: not a number, out of range, and Arabic-Indic / Persian digits accepted.
    count = field(survey, "count")
    not_a_number = server_message(app, survey, lang, count, **{count: "fyra"})
    out_of_range = server_message(app, survey, lang, count, **{count: "۹۰"})
    page.locator(f"#{count}-input").fill("fyra")
    assert_held_with(page, survey, "count", 7, 9, not_a_number)
    page.locator(f"#{count}-input").fill("۹۰")
    assert_held_with(page, survey, "count", 7, 9, out_of_range)
    page.locator(f"#{count}-input").fill("٤")
    page.locator(NEXT).click()
    assert_on_step(page, field(survey, "show"), 8, 9)

    answer_screens(page, survey, 7, 9)
    send(page)
    assert_thank_you(page, survey, lang)
    [response] = stored_responses()
    assert {a.value_int for a in response.answers if a.question_id == q(survey, "count").id} == {4}


def test_after_a_refused_send_the_stepper_opens_at_the_first_screen_with_a_problem(
    new_context: NewContext, survey: Survey, placement_id: int
) -> None:
    page = new_context().new_page()
    visit(page, "/q/FRITID")
    answer_question(page, survey, "pick")
    page.locator(NEXT).click()
    answer_question(page, survey, "many")
    page.locator(NEXT).click()
    # Past the script's checks (as an old page or a bypass would): 'scale' (required) unanswered, 'count' out
    # of range on a later screen.
    count = field(survey, "count")
    page.evaluate(f"document.getElementById('{count}-input').value = '۹۰'")
    with page.expect_navigation() as navigation:
        page.evaluate("document.getElementById('survey-form').submit()")
    loaded(navigation.value, 422)

    assert page.locator("#problem").is_visible()
    assert_on_step(page, field(survey, "scale"), 3, 9)  # one screen, not every question on one long page
    assert page.locator(f"#{field(survey, 'scale')} .error").is_visible()
    assert page.locator(f"#{field(survey, 'scale')} input[aria-invalid=true]").count() == 5
    assert page.locator(f"#{count}-input").input_value() == "۹۰"  # kept

    # The problem list leads to each screen with a problem.
    page.locator(f"#problem a[href='#{count}-legend']").click()
    assert_on_step(page, count, 7, 9)
    assert page.locator(f"#{count} .error").is_visible()
    page.locator(BACK).click()
    page.locator(BACK).click()
    page.locator(BACK).click()
    page.locator(BACK).click()
    assert_on_step(page, field(survey, "scale"), 3, 9)

    # Sending again checks every shown screen first, so the stepper goes where the server would point.
    answer_question(page, survey, "scale")
    page.locator(NEXT).click()
    answer_screens(page, survey, 3, 6)
    answer_question(page, survey, "count")
    page.locator(NEXT).click()
    answer_screens(page, survey, 7, 9)
    send(page)
    assert_thank_you(page, survey, "sv")
    assert_stored_once(survey, placement_id, "sv")


def test_send_goes_back_to_a_screen_the_server_would_refuse(new_context: NewContext, survey: Survey) -> None:
    """A problem made on an earlier screen after a language switch jumped past it is caught on send."""
    page = new_context().new_page()
    visit(page, f"/sv/s/{survey.slug}")
    answer_question(page, survey, "pick")
    page.locator(NEXT).click()
    answer_screens(page, survey, 1, 9)
    # Change 'rank' behind the stepper's back, as a stale screen could.
    rank = field(survey, "rank")
    page.evaluate(f"document.getElementById('{rank}_2').value = document.getElementById('{rank}_1').value")
    page.locator(SEND).click()
    assert_on_step(page, rank, 5, 9)
    assert page.locator(f"#{rank} .error.js").is_visible()
    assert stored_responses() == []


def test_the_one_counter_counts_only_the_screens_shown(new_context: NewContext, survey: Survey) -> None:
    page = new_context().new_page()
    visit(page, f"/sv/s/{survey.slug}")
    # The legends' own "1/8" numbers (for the long page without the script) are not a second counter.
    assert page.locator("legend .number").first.is_hidden()
    page.locator(f"input[name={field(survey, 'pick')}][value='{opt(survey, 'pick', 'a')}']").check()
    page.locator(NEXT).click()
    shown = [key for key in KEYS[1:] if key != "show"]
    for number, key in enumerate(shown, start=2):
        assert_on_step(page, field(survey, key), number, 8)
        answer_question(page, survey, key)
        page.locator(NEXT).click()
    assert_on_step(page, "profile", 8, 8)
    assert field(survey, "show") not in visible_steps(page)
    assert page.locator("progress").count() == 1


# --- 10. axe on the changed states, every shipped language -----------------------------------------------


@pytest.mark.parametrize("lang", LANGUAGES)
def test_stepper_messages_have_no_axe_violations(new_context: NewContext, survey: Survey, lang: str) -> None:
    page = new_context().new_page()
    visit(page, f"/{lang}/s/{survey.slug}")
    page.locator(NEXT).click()
    assert page.locator(f"#{field(survey, 'pick')} .error.js").is_visible()
    assert_accessible(page, f"a required question's message in {lang}")

    answer_question(page, survey, "pick")
    page.locator(NEXT).click()
    many = field(survey, "many")
    for key in "xyz":
        page.locator(f"input[name={many}][value='{opt(survey, 'many', key)}']").check()
    page.locator(NEXT).click()
    assert page.locator(f"#{many} .error.js").is_visible()
    assert_accessible(page, f"the at-most-two message in {lang}")

    with page.expect_navigation() as navigation:
        page.evaluate("document.getElementById('survey-form').submit()")
    loaded(navigation.value, 422)
    assert page.locator("#problem").is_visible()
    assert_accessible(page, f"the stepper after a refused send in {lang}")
    assert "None" not in page.locator("[aria-describedby]").evaluate_all(
        "els => els.map(e => e.getAttribute('aria-describedby'))"
    )
