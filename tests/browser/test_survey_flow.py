"""A participant on a small phone scans a poster, answers every question and sees the thank-you page.

Driven in real Chromium against the real app over HTTP: once with JavaScript (one question per screen,
Next/Back, progress), once without (every question on one page). axe-core checks the pages in several
languages, right to left included, and the Arabic layout is checked to mirror.

Selectors use the form's field names (q<id>, q<id>_<rank>, profile_<field>) and classes, never UI text,
so the tests do not depend on the translations.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime
from typing import TYPE_CHECKING, NamedTuple

import pytest
import sqlalchemy as sa
from axe_playwright_python.sync_playwright import Axe

from participation.config import DEFAULT_LANGUAGES
from participation.extensions import db
from participation.surveys.models import Answer, Response, Survey
from participation.surveys.releases import release_if_due
from tests.factories import opt, q

if TYPE_CHECKING:
    from playwright.sync_api import BrowserContext, FloatRect, Page
    from playwright.sync_api import Response as PageResponse

    NewContext = Callable[..., BrowserContext]

AXE = Axe()
STEPS = "form.survey > fieldset.question, form.survey > section.profile"
NEXT = ".stepper button:not(.secondary)"
BACK = ".stepper button.secondary"
SEND = ".submit button"
FREE_TEXT = "Mer läxhjälp på kvällen"


def assert_accessible(page: Page, what: str) -> None:
    results = AXE.run(page)
    assert results.violations_count == 0, f"axe on {what} ({page.url}):\n{results.generate_report()}"


def loaded(response: PageResponse | None, status: int = 200) -> PageResponse:
    """The response of a navigation, checked to be an HTML page the browser renders as such."""
    assert response is not None, "the navigation had no response"
    assert response.status == status, f"{response.url} answered {response.status}, expected {status}"
    content_type = response.headers.get("content-type", "")
    assert content_type.startswith("text/html"), (
        f"{response.url} is served as {content_type!r}: the browser shows the page's source, not the page"
    )
    return response


def visit(page: Page, path: str, status: int = 200) -> PageResponse:
    return loaded(page.goto(path), status)


def send(page: Page, status: int = 200) -> PageResponse:
    """Tap the send button and wait for the page it leads to."""
    with page.expect_navigation() as navigation:
        page.locator(SEND).click()
    return loaded(navigation.value, status)


def stored_responses() -> list[Response]:
    db.session.rollback()  # end this test's transaction, so what the server committed is seen
    return list(db.session.scalars(sa.select(Response)))


Row = tuple[str, int | None, int | None, int | None, str | None]


def answer_rows(survey: Survey, response: Response) -> set[Row]:
    """(question key, option id, rank, number, text) of every stored answer."""
    keys = {question.id: question.key for question in survey.questions}
    return {(keys[a.question_id], a.option_id, a.rank, a.value_int, a.text_value) for a in response.answers}


def expected_rows(survey: Survey) -> set[Row]:
    """What the flows below answer: the same as tests.factories.valid_answers."""

    def option(key: str, option_key: str) -> int:
        return int(opt(survey, key, option_key))

    return {
        ("pick", option("pick", "b"), None, None, None),
        ("many", option("many", "x"), None, None, None),
        ("many", option("many", "z"), None, None, None),
        ("scale", None, None, 2, None),
        ("yesno", None, None, 1, None),
        ("rank", option("rank", "r3"), 1, None, None),
        ("rank", option("rank", "r1"), 2, None, None),
        ("text", None, None, None, FREE_TEXT),
        ("count", None, None, 4, None),
        ("show", None, None, 0, None),
    }


def assert_stored_once(survey: Survey, placement_id: int, language: str) -> None:
    [response] = stored_responses()
    assert response.survey_id == survey.id
    assert response.placement_id == placement_id
    assert response.language == language
    assert (response.age_band, response.gender, response.lives_in_area) == ("13_15", "girl", "yes")
    assert answer_rows(survey, response) == expected_rows(survey)


def field(survey: Survey, key: str) -> str:
    return f"q{q(survey, key).id}"


def choose(page: Page, survey: Survey, key: str, value: str) -> None:
    page.locator(f"input[name={field(survey, key)}][value='{value}']").check()


def answer_question(page: Page, survey: Survey, key: str) -> None:
    """Answer one question the way tests.factories.valid_answers does."""
    name = field(survey, key)
    if key == "pick":
        choose(page, survey, key, opt(survey, "pick", "b"))
    elif key == "many":
        choose(page, survey, key, opt(survey, "many", "x"))
        choose(page, survey, key, opt(survey, "many", "z"))
    elif key == "scale":
        page.locator(f"label.scale-point:has(input[name={name}][value='2'])").click()  # tap the face
    elif key == "yesno":
        choose(page, survey, key, "yes")
    elif key == "rank":
        page.locator(f"select#{name}_1").select_option(opt(survey, "rank", "r3"))
        page.locator(f"select#{name}_2").select_option(opt(survey, "rank", "r1"))
    elif key == "text":
        page.locator(f"textarea#{name}-input").fill(FREE_TEXT)
    elif key == "count":
        page.locator(f"input#{name}-input").fill("4")
    elif key == "show":
        choose(page, survey, key, "no")
    else:  # pragma: no cover
        raise AssertionError(key)


def answer_profile(page: Page) -> None:
    for name, value in (("age_band", "13_15"), ("gender", "girl"), ("lives_in_area", "yes")):
        page.locator(f"input[name=profile_{name}][value='{value}']").check()


def visible_steps(page: Page) -> list[str]:
    return page.locator(STEPS).evaluate_all(
        "steps => steps.filter(s => s.checkVisibility()).map(s => s.id || s.className)"
    )


def progress(page: Page) -> tuple[int, int, str]:
    value, maximum = page.locator("progress.progress").evaluate("p => [p.value, p.max]")
    text = page.locator("form.survey > p.hint[aria-live]").inner_text()
    return int(value), int(maximum), text


def assert_on_step(page: Page, step: str, number: int, total: int) -> None:
    assert visible_steps(page) == [step], f"expected only {step} on screen"
    value, maximum, text = progress(page)
    assert (value, maximum) == (number, total)
    assert re.search(rf"\b{number}\b.*\b{total}\b", text), text
    assert page.locator(BACK).is_visible() is (number > 1)
    assert page.locator(NEXT).is_visible() is (number < total)
    assert page.locator(SEND).is_visible() is (number == total)


def assert_thank_you(page: Page, survey: Survey, lang: str) -> None:
    page.wait_for_url(f"**/{lang}/s/{survey.slug}/thanks")
    assert page.locator("[role=status] h1").is_visible()
    assert page.locator("form.survey").count() == 0


def test_answer_one_question_per_screen_with_javascript(
    new_context: NewContext, survey: Survey, placement_id: int
) -> None:
    page = new_context(javascript=True, locale="sv-SE").new_page()
    visit(page, "/q/FRITID")
    assert page.url.endswith(f"/sv/s/{survey.slug}?p=FRITID")
    assert page.locator("html").get_attribute("lang") == "sv"

    # Eight screens: seven questions and the profile; the show-if question waits for option 'b'.
    assert_on_step(page, field(survey, "pick"), 1, 8)
    assert_accessible(page, "the first screen of the survey")

    # A required question holds the participant on its screen with a message, focused on the answers.
    page.locator(NEXT).click()
    assert_on_step(page, field(survey, "pick"), 1, 8)
    assert page.locator(f"#{field(survey, 'pick')} .error.js").is_visible()
    assert page.evaluate("document.activeElement.name") == field(survey, "pick")

    # Choosing 'b' adds the show-if question to the count, but it keeps to its own screen.
    answer_question(page, survey, "pick")
    assert_on_step(page, field(survey, "pick"), 1, 9)
    page.locator(NEXT).click()
    assert page.locator(f"#{field(survey, 'pick')} .error.js").count() == 0

    keys = ["many", "scale", "yesno", "rank", "text", "count", "show"]
    for number, key in enumerate(keys, start=2):
        assert_on_step(page, field(survey, key), number, 9)
        answer_question(page, survey, key)
        if key == "count":
            # The phone keyboard's Go (Enter) moves on; it must not send a half-answered survey.
            page.locator(f"#{field(survey, key)}-input").press("Enter")
        else:
            page.locator(NEXT).click()

    assert_on_step(page, "profile", 9, 9)
    page.locator(BACK).click()  # back keeps the answer
    assert_on_step(page, field(survey, "show"), 8, 9)
    assert page.locator(f"input[name={field(survey, 'show')}][value=no]").is_checked()
    page.locator(NEXT).click()
    answer_profile(page)
    send(page)

    assert_thank_you(page, survey, "sv")
    assert_accessible(page, "the thank-you page")
    assert_stored_once(survey, placement_id, "sv")

    # The same phone scanning again is thanked, not counted twice.
    visit(page, "/q/FRITID")
    assert page.locator("form.survey").count() == 0
    assert len(stored_responses()) == 1


def test_answer_all_questions_on_one_page_without_javascript(
    new_context: NewContext, survey: Survey, placement_id: int
) -> None:
    page = new_context(javascript=False, locale="en-GB").new_page()
    visit(page, "/q/FRITID")
    assert page.url.endswith(f"/en/s/{survey.slug}?p=FRITID")

    # Everything on one page, the show-if question included (its hint says when to answer it).
    questions = [field(survey, question.key) for question in survey.questions]
    assert visible_steps(page) == [*questions, "profile"]
    assert page.locator(".stepper, progress").count() == 0

    # Sending without the required answers shows the problems and keeps what was answered.
    answer_question(page, survey, "many")
    send(page, status=422)
    assert page.locator("#problem").is_visible()
    assert page.locator(f"#{field(survey, 'pick')}.invalid").is_visible()
    assert page.locator(f"input[name={field(survey, 'many')}]:checked").count() == 2
    assert stored_responses() == []

    for key in ("pick", "scale", "yesno", "rank", "text", "count", "show"):
        answer_question(page, survey, key)
    answer_profile(page)
    send(page)

    assert_thank_you(page, survey, "en")
    assert_stored_once(survey, placement_id, "en")


def test_a_scale_answer_does_not_trigger_show_if(new_context: NewContext, survey: Survey) -> None:
    """Scale points are 1-5; an option with the same id (as on a fresh database) must not count as chosen.

    The first scale point is given option b's id, so the check does not depend on how ids are allocated.
    """
    page = new_context().new_page()
    visit(page, f"/en/s/{survey.slug}")
    page.locator(f"#{field(survey, 'scale')}").evaluate(
        "(scale, id) => scale.querySelector('input[type=radio]').value = id", opt(survey, "pick", "b")
    )
    choose(page, survey, "pick", opt(survey, "pick", "a"))
    page.locator(NEXT).click()
    page.locator(NEXT).click()
    page.locator(f"#{field(survey, 'scale')} input[type=radio]").first.check()
    page.locator(NEXT).click()
    assert_on_step(page, field(survey, "yesno"), 4, 8)
    assert page.locator(f"#{field(survey, 'show')}").is_hidden()


def add_responses(survey: Survey, count: int) -> None:
    """Responses inserted directly, enough for the thank-you page to show results with shares."""
    hour = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
    for i in range(count):
        pick = "b" if i % 3 else "a"
        answers = [
            Answer(question_id=q(survey, "pick").id, option_id=int(opt(survey, "pick", pick))),
            Answer(question_id=q(survey, "many").id, option_id=int(opt(survey, "many", "x"))),
            Answer(question_id=q(survey, "scale").id, value_int=2 if i % 2 else 4),
            Answer(question_id=q(survey, "yesno").id, value_int=1),
            Answer(question_id=q(survey, "rank").id, option_id=int(opt(survey, "rank", "r3")), rank=1),
        ]
        if pick == "b":
            answers.append(Answer(question_id=q(survey, "show").id, value_int=0))
        db.session.add(
            Response(
                survey_id=survey.id,
                idempotency_key=f"browser-test-{i}",
                submitted_hour=hour,
                language="sv",
                age_band="13_15",
                answers=answers,
            )
        )
    db.session.commit()
    release_if_due(1)  # results count released responses only


LANGUAGES = DEFAULT_LANGUAGES.split()


@pytest.mark.parametrize("lang", LANGUAGES)
def test_pages_have_no_axe_violations(new_context: NewContext, survey: Survey, lang: str) -> None:
    add_responses(survey, 30)  # enough that every perturbed base is shown (the noise is at most 25)
    context = new_context()

    # The whole form as it is without JavaScript (axe itself needs JavaScript, so the script is held back).
    page = context.new_page()
    page.route("**/static/js/survey.js", lambda route: route.abort())
    visit(page, f"/{lang}/s/{survey.slug}")
    assert page.locator("html").get_attribute("lang") == lang
    assert len(visible_steps(page)) == len(survey.questions) + 1
    assert_accessible(page, f"the whole survey form in {lang}")
    page.close()

    # The first screen with the stepper.
    page = context.new_page()
    visit(page, f"/{lang}/s/{survey.slug}")
    assert page.locator(".stepper").is_visible()
    assert_accessible(page, f"the survey's first screen in {lang}")

    visit(page, f"/{lang}/s/{survey.slug}/thanks")
    assert page.locator("section.result table").count() >= 4, "results should show with 30 responses"
    assert page.locator(".bar").count() > 0
    assert_accessible(page, f"the thank-you page with results in {lang}")


class Layout(NamedTuple):
    direction: str | None
    viewport_width: int
    legend: FloatRect  # the first question's legend
    low: FloatRect  # scale point 1
    high: FloatRect  # scale point 5


def layout(new_context: NewContext, survey: Survey, lang: str) -> Layout:
    page = new_context(javascript=False).new_page()
    visit(page, f"/{lang}/s/{survey.slug}")

    def box(selector: str) -> FloatRect:
        found = page.locator(selector).bounding_box()
        assert found is not None, f"{selector} is not on screen"
        return found

    scale = f"#{field(survey, 'scale')} label.scale-point"
    result = Layout(
        direction=page.locator("html").get_attribute("dir"),
        viewport_width=page.viewport_size["width"] if page.viewport_size else 0,
        legend=box(f"#{field(survey, 'pick')}-legend"),
        low=box(f"{scale}:has(input[value='1'])"),
        high=box(f"{scale}:has(input[value='5'])"),
    )
    page.close()
    return result


def test_arabic_mirrors_the_layout(new_context: NewContext, survey: Survey) -> None:
    rtl = layout(new_context, survey, "ar")
    ltr = layout(new_context, survey, "en")
    assert (rtl.direction, ltr.direction) == ("rtl", "ltr")

    # The question starts at the right edge (the viewport less main's padding) in Arabic, the left in English.
    rtl_right = rtl.legend["x"] + rtl.legend["width"]
    ltr_right = ltr.legend["x"] + ltr.legend["width"]
    assert rtl_right > 300 and rtl_right > ltr_right + 20, (rtl.legend, ltr.legend)
    assert rtl_right > rtl.viewport_width - 24, rtl.legend
    assert ltr.legend["x"] < 24 < rtl.legend["x"], (rtl.legend, ltr.legend)

    # The scale's low end (1) is at the start edge: the right in Arabic, the left in English.
    assert rtl.low["x"] > rtl.high["x"], (rtl.low, rtl.high)
    assert ltr.low["x"] < ltr.high["x"], (ltr.low, ltr.high)
