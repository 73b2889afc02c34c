"""The survey builder in a real browser (issue 13): publish → posters, preview as a phone, translation editor,
builder; axe on every page at laptop and phone width, in Swedish and English."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest

from participation.extensions import db
from participation.surveys.models import SurveyStatus
from tests.browser.test_survey_flow import assert_accessible, visit
from tests.factories import PASSWORD, gen_survey, gen_user

if TYPE_CHECKING:
    from playwright.sync_api import Page

    from tests.browser.test_survey_flow import NewContext

LAPTOP: dict[str, Any] = {"is_mobile": False, "has_touch": False, "viewport": {"width": 1280, "height": 900}}
SIZES = {"laptop": LAPTOP, "phone": {}}
LOCALES = {"sv": "sv-SE", "en": "en-GB"}


def log_in(page: Page, email: str) -> None:
    visit(page, "/staff/login")
    page.locator("input[name=email]").fill(email)
    page.locator("input[name=password]").fill(PASSWORD)
    with page.expect_navigation():
        page.locator("form.staff-form button[type=submit]").click()


def staff_page(new_context: NewContext, size: str, lang: str, email: str = "") -> Page:
    """A staff member's page at laptop or phone width in their language (a new account unless email is given)."""
    page = new_context(locale=LOCALES[lang], **SIZES[size]).new_page()
    log_in(page, email or gen_user("staff", email=f"{size}-{lang}@example.se").email)
    page.context.add_cookies([{"name": "delaktig_lang", "value": lang, "url": page.url}])
    return page


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("lang", LOCALES)
def test_builder_pages_have_no_axe_violations(new_context: NewContext, size: str, lang: str) -> None:
    survey = gen_survey()
    draft = gen_survey("utkast", status=SurveyStatus.DRAFT)
    db.session.commit()
    page = staff_page(new_context, size, lang)
    for path in [
        "/staff/surveys/",
        "/staff/surveys/new",
        f"/staff/surveys/{survey.id}",
        f"/staff/surveys/{draft.id}",
        f"/staff/surveys/{survey.id}/preview",
        f"/staff/surveys/{survey.id}/preview?lang=ar&width=320",
        f"/staff/surveys/{survey.id}/translate?lang=ar",
        f"/staff/surveys/{survey.id}/translate?lang=en",
        f"/staff/surveys/{survey.id}/questions/{survey.questions[0].id}",
        f"/staff/surveys/{survey.id}/questions/new",
        f"/staff/placements/new?survey={survey.id}",
    ]:
        visit(page, path)
        assert page.locator("html").get_attribute("lang") == lang, path
        assert_accessible(page, f"{path} at {size} width in {lang}")


def test_the_preview_shows_the_survey_in_a_phone_sized_frame(new_context: NewContext) -> None:
    survey = gen_survey()
    db.session.commit()
    page = staff_page(new_context, "laptop", "sv")
    visit(page, f"/staff/surveys/{survey.id}/preview?lang=ar")
    frame_box = page.locator("iframe.phone-screen").bounding_box()
    assert frame_box and frame_box["width"] == 360
    inner = page.frame_locator("iframe.phone-screen")
    assert inner.locator("html").get_attribute("dir") == "rtl"  # the frame was allowed to load
    assert inner.locator("button[type=submit]:not([disabled])").count() == 0
    with page.expect_navigation():
        page.get_by_role("link", name="320").click()
    frame_box = page.locator("iframe.phone-screen").bounding_box()
    assert frame_box and frame_box["width"] == 320
    assert page.frame_locator("iframe.phone-screen").locator("html").get_attribute("lang") == "ar"


def _boxes(page: Page, selector: str) -> list[dict[str, float]]:
    return page.eval_on_selector_all(
        selector,
        "els => els.map(e => { const r = e.getBoundingClientRect(); return {x: r.x, y: r.y, w: r.width}; })",
    )


def test_the_translation_editor_has_two_equal_columns_on_a_laptop_and_one_on_a_phone(
    new_context: NewContext,
) -> None:
    survey = gen_survey()
    db.session.commit()
    page = staff_page(new_context, "laptop", "sv")
    visit(page, f"/staff/surveys/{survey.id}/translate?lang=ar")
    main = page.locator("main").bounding_box()
    assert main
    source, target = _boxes(page, ".translate-row:not(.translate-head) > div")[:2]
    print(f"\nlaptop: main {main['width']:.0f} px, base {source['w']:.0f} px, target {target['w']:.0f} px")
    assert source["w"] >= 0.4 * main["width"] and target["w"] >= 0.4 * main["width"]
    assert abs(source["w"] - target["w"]) <= 1 and source["y"] == target["y"]
    textarea = page.locator("textarea[name=intro]")
    assert textarea.get_attribute("dir") == "rtl" and textarea.get_attribute("lang") == "ar"
    # "Next missing" lands on the first empty box.
    page.locator("a.next-missing").click()
    assert page.url.endswith("#t-title")

    phone = staff_page(new_context, "phone", "sv", email="laptop-sv@example.se")
    visit(phone, f"/staff/surveys/{survey.id}/translate?lang=ar")
    source, target = _boxes(phone, ".translate-row:not(.translate-head) > div")[:2]
    assert target["y"] > source["y"] and abs(source["x"] - target["x"]) <= 1  # stacked
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
