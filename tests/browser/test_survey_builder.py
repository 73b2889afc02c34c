"""The survey builder in a real browser (issue 13): publish → posters, preview as a phone, translation editor,
builder; axe on every page at laptop and phone width, in Swedish and English."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

import pytest
import sqlalchemy as sa

from participation.extensions import db
from participation.surveys.models import SurveyStatus
from tests.browser.test_survey_flow import assert_accessible, visit
from tests.factories import PASSWORD, gen_survey, gen_theme, gen_user

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
    for slug in ("jobs", "safety", "leisure"):
        gen_theme(slug)
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
        if page.locator("iframe.phone-screen").count():  # axe goes into the frame: wait until it is there
            page.frame_locator("iframe.phone-screen").locator("h1").wait_for()
        page.evaluate("document.querySelectorAll('details').forEach(d => { d.open = true; })")
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


def _editor_path(kind: str) -> str:
    """A survey's, a forum session's or an action's translation editor into Arabic: the same editor."""
    from participation.actions.models import Action

    if kind == "survey":
        return f"/staff/surveys/{gen_survey().id}/translate?lang=ar"
    if kind == "forum":
        from tests.factories import gen_forum_session

        forum = gen_forum_session(items=("Fler sommarjobb i Bäckby", "En ny fotbollsplan vid skolan"))
        forum.prompt = {"sv": "Vad ska vi be kommunen om i sommar?"}
        db.session.commit()
        return f"/staff/forum/{forum.id}/translate?lang=ar"
    from datetime import date

    from tests.factories import gen_partner

    action = Action(
        title={"sv": "Längre öppettider på fritidsgården"},
        text={"sv": "Öppet till 22 på fredagar."},
        base_language="sv",
        partner_id=gen_partner().id,
        decided_on=date.today(),
    )
    db.session.add(action)
    db.session.commit()
    return f"/staff/actions/{action.id}/translate?lang=ar"


@pytest.mark.parametrize("kind", ["survey", "forum", "action"])
def test_the_translation_editor_has_two_equal_columns_on_a_laptop_and_one_on_a_phone(
    new_context: NewContext, kind: str
) -> None:
    path = _editor_path(kind)
    db.session.commit()
    page = staff_page(new_context, "laptop", "sv")
    visit(page, path)
    main = page.locator("main").bounding_box()
    assert main
    source, target = _boxes(page, ".translate-row:not(.translate-head) > div")[:2]
    print(f"\nlaptop: main {main['width']:.0f} px, base {source['w']:.0f} px, target {target['w']:.0f} px")
    assert source["w"] >= 0.4 * main["width"] and target["w"] >= 0.4 * main["width"]
    assert abs(source["w"] - target["w"]) <= 1 and source["y"] == target["y"]
    textarea = page.locator("textarea[name=title]")
    assert textarea.get_attribute("dir") == "rtl" and textarea.get_attribute("lang") == "ar"
    # "Next missing" lands on the first empty box.
    page.locator("a.next-missing").click()
    assert page.url.endswith("#t-title")
    assert_accessible(page, f"the {kind}'s translation editor")

    phone = staff_page(new_context, "phone", "sv", email="laptop-sv@example.se")
    visit(phone, path)
    source, target = _boxes(phone, ".translate-row:not(.translate-head) > div")[:2]
    assert target["y"] > source["y"] and abs(source["x"] - target["x"]) <= 1  # stacked
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360


QUESTIONS: list[tuple[str, str, list[str]]] = [
    ("single_choice", "Var brukar du vara efter skolan?", ["Hemma", "Fritidsgården", "Ute med vänner"]),
    ("multiple_choice", "Vad vill du göra mer av?", ["Sport", "Musik", "Gaming"]),
    ("scale", "Hur trygg känner du dig i Bäckby på kvällen?", []),
    ("yes_no", "Har du ett fritidskort?", []),
    ("ranking", "Vad är viktigast för dig?", ["Trygghet", "Jobb", "Platser att vara på", "Buss"]),
    ("free_text", "Vad skulle göra Bäckby bättre?", []),
    ("number", "Hur många kvällar i veckan är du ute?", []),
    ("single_choice", "Vet du vart du kan vända dig om något händer?", ["Ja", "Nej"]),
]


def test_a_youth_worker_builds_a_survey_of_every_kind_without_a_page_load_per_option(
    new_context: NewContext,
) -> None:
    from playwright.sync_api import expect

    from participation.surveys.models import Question, QuestionKind, Survey

    page = staff_page(new_context, "laptop", "sv")
    loads = {"count": 0}
    clicks = {"count": 0}
    page.on("load", lambda _page: loads.__setitem__("count", loads["count"] + 1))
    dialogs: list[str] = []  # deleting asks first: the youth worker says yes

    def answer(dialog) -> None:  # type: ignore[no-untyped-def]
        dialogs.append(dialog.message)
        dialog.accept()

    page.on("dialog", answer)

    def click(locator: Any, navigates: bool = True) -> None:
        clicks["count"] += 1
        if navigates:
            with page.expect_navigation():
                locator.click()
        else:
            locator.click()

    visit(page, "/staff/surveys/new")
    loads["count"] = 1  # the new-survey page is where the count starts
    page.locator("#title").fill("Fritid i Bäckby")
    assert page.locator("#slug").input_value() == "fritid-i-backby"  # made from the title as it is typed
    page.locator("#starter").select_option("blank")
    clicks["count"] += 1
    click(page.get_by_role("button", name="Skapa utkast"))
    option_loads = 0
    for index, (kind, prompt, options) in enumerate(QUESTIONS):
        add = (
            page.get_by_role("link", name="Lägg till en fråga", exact=True)
            if index == 0
            else page.locator(".builder-next a.button")  # "add another question" on the question's page
        )
        click(add, navigates=index == 0)  # the first from the survey's page; then in place
        expect(page.locator("h1")).to_have_text("Lägg till en fråga")
        if index:
            expect(page.locator("#prompt")).to_be_focused()  # the empty editor, ready to type in
        page.locator("#prompt").fill(prompt)
        page.locator("#kind").select_option(kind)
        clicks["count"] += 1
        if kind == "scale":
            page.locator("#scale_low").fill("Inte alls trygg")
            page.locator("#scale_high").fill("Helt trygg")
        if kind == "number":
            page.locator("#min_value").fill("0")
            page.locator("#max_value").fill("7")
        assert page.locator("#scale_low").is_visible() == (kind == "scale")
        click(page.locator("form.question-form button[type=submit]"), navigates=False)
        expect(page.locator("h1")).to_have_text(prompt)
        assert page.title().startswith(prompt[:30]) and page.title().endswith("– Delaktig")
        assert re.search(r"/questions/\d+$", page.url)  # its own address, in the history
        if options:
            expect(page.locator("#new-label")).to_be_focused()
        if index == 0:
            question_loads = loads["count"]
        before = loads["count"]
        for number, label in enumerate(options, start=1):
            page.locator("#new-label").fill(label)
            clicks["count"] += 1
            page.locator("#new-label").press("Enter")
            expect(page.locator("#options .option-item")).to_have_count(number)
            assert page.evaluate("document.activeElement.id") == "new-label"
        option_loads += loads["count"] - before
    question_loads = loads["count"] - question_loads  # after the first question: none
    # The address in the history is the question's: reloading it shows the same question.
    url = page.url
    page.reload()
    expect(page.locator("h1")).to_have_text(QUESTIONS[-1][1])
    assert page.url == url
    loads["count"] -= 1  # the reload was the test's, not the youth worker's
    # Reorder and remove in place: the last question's "Nej" goes up, then away.
    before = loads["count"]
    click(page.get_by_role("button", name="Flytta upp Nej"), navigates=False)
    expect(page.locator("#options .option-item input[name=label]").first).to_have_value("Nej")
    click(page.get_by_role("button", name="Ta bort Nej"), navigates=False)
    expect(page.locator("#options .option-item")).to_have_count(1)
    assert dialogs and "Nej" in dialogs[-1]  # it asked before deleting
    option_loads += loads["count"] - before
    # On the survey's page the questions move and go in place too.
    click(page.locator(".builder-next a:not(.button)"))  # back to all questions
    before = loads["count"]
    last = QUESTIONS[-1][1]
    click(page.get_by_role("button", name=f"Flytta upp {last[:20]}"), navigates=False)
    expect(page.locator("#questions li").nth(6)).to_contain_text(last)
    click(page.get_by_role("button", name=f"Ta bort {last[:20]}"), navigates=False)
    expect(page.locator("#questions li")).to_have_count(len(QUESTIONS) - 1)
    option_loads += loads["count"] - before
    options_total = sum(len(options) for _kind, _prompt, options in QUESTIONS)
    print(
        f"\nbuilt {len(QUESTIONS)} questions of every kind with {options_total} options: "
        f"{clicks['count']} clicks or Enter presses, {loads['count']} full page loads, "
        f"{option_loads} of them for options or moving and deleting questions, "
        f"{question_loads} for the questions after the first"
    )
    assert option_loads == 0
    assert question_loads == 0
    db.session.rollback()
    survey = db.session.scalar(sa.select(Survey).where(Survey.slug == "fritid-i-backby"))
    assert survey is not None and survey.title == {"sv": "Fritid i Bäckby"}
    kinds = [question.kind for question in survey.questions]
    assert kinds == [QuestionKind(kind) for kind, _prompt, _options in QUESTIONS[:-1]]
    assert {kind for kind in kinds} == set(QuestionKind)
    assert [o.label["sv"] for o in survey.questions[4].options] == [
        "Trygghet",
        "Jobb",
        "Platser att vara på",
        "Buss",
    ]
    scale: Question = survey.questions[2]
    assert scale.scale_low == {"sv": "Inte alls trygg"} and scale.scale_high == {"sv": "Helt trygg"}
    assert survey.questions[6].min_value == 0 and survey.questions[6].max_value == 7
