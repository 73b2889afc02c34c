"""Issue 13's "done when", walked in a real browser: a youth worker who has never seen Delaktig logs in, makes a
five-question survey in Swedish, translates it into Arabic and Somali side by side, previews it as a phone,
publishes it, and prints five posters and a sticker sheet, each one page whose QR codes scan to their places.
The walk counts the clicks and page loads it takes and prints them."""

from __future__ import annotations

from typing import TYPE_CHECKING

import sqlalchemy as sa
import zxingcpp

from participation.extensions import db
from participation.placements.models import Placement
from participation.surveys.models import Survey, SurveyStatus
from tests.browser.test_posters import printed_pages, sticker_codes
from tests.browser.test_survey_builder import staff_page
from tests.browser.test_survey_flow import assert_accessible

if TYPE_CHECKING:
    from pathlib import Path

    from flask import Flask
    from playwright.sync_api import Locator

    from tests.browser.test_survey_flow import NewContext

FIVE = [
    ("single_choice", "Var brukar du vara efter skolan?", ["Hemma", "Fritidsgården", "Ute med vänner"]),
    ("scale", "Hur trygg känner du dig i Bäckby på kvällen?", []),
    ("multiple_choice", "Vad vill du göra mer av?", ["Sport", "Musik", "Läxhjälp"]),
    ("yes_no", "Har du ett fritidskort?", []),
    ("free_text", "Vad skulle göra Bäckby bättre?", []),
]
PLACES = ["Fritidsgården entré", "Tvättstuga Bäckbyvägen 12", "Skolan", "Biblioteket", "Busshållplats Bäckby"]


def test_a_new_youth_worker_builds_translates_publishes_and_prints(
    app: Flask, new_context: NewContext, tmp_path: Path
) -> None:
    from playwright.sync_api import expect

    page = staff_page(new_context, "laptop", "sv")
    loads, clicks = [0], [0]
    page.on("load", lambda _page: loads.__setitem__(0, loads[0] + 1))

    def click(locator: Locator, navigates: bool = True) -> None:
        clicks[0] += 1
        if navigates:
            with page.expect_navigation():
                locator.click()
        else:
            locator.click()

    # From the staff home to a new survey, title first.
    click(page.get_by_role("link", name="Enkäter", exact=True).first)
    click(page.get_by_role("link", name="Ny enkät"))
    page.locator("#title").fill("Trygghet och fritid i Bäckby")
    page.locator("#starter").select_option("blank")
    click(page.get_by_role("button", name="Skapa utkast"))
    survey_page = page.url

    # Five questions, options typed with Enter.
    for index, (kind, prompt, options) in enumerate(FIVE):
        if index == 0:
            click(page.get_by_role("link", name="Lägg till en fråga", exact=True))
        else:
            click(page.locator(".builder-next a.button"), navigates=False)
            expect(page.locator("#prompt")).to_be_focused()
        page.locator("#prompt").fill(prompt)
        page.locator("#kind").select_option(kind)
        if kind == "scale":
            page.locator("#scale_low").fill("Inte alls trygg")
            page.locator("#scale_high").fill("Helt trygg")
        click(page.locator("form.question-form button[type=submit]"), navigates=False)
        expect(page.locator("h1")).to_have_text(prompt)
        for number, label in enumerate(options, start=1):
            page.locator("#new-label").fill(label)
            clicks[0] += 1
            page.locator("#new-label").press("Enter")
            expect(page.locator("#options .option-item")).to_have_count(number)

    click(page.locator(".builder-next a:not(.button)"))  # back to all questions, the survey's page
    assert page.url.split("#")[0] == survey_page
    # Translate side by side: every box of the target column, then the language reads as complete.
    for code, name, word in (("ar", "العربية", "ترجمة"), ("so", "Soomaali", "Tarjumaad")):
        click(page.locator(f"a[href$='translate?lang={code}']").first)  # from the list of languages
        boxes = page.locator(f"textarea[lang={code}]")
        assert boxes.count() >= 1 + 5 + 6 + 2  # title, five prompts, six options, the scale's two ends
        assert boxes.first.get_attribute("dir") == ("rtl" if code == "ar" else "ltr")
        for number in range(boxes.count()):
            boxes.nth(number).fill(f"{word} {number + 1}")
        click(page.get_by_role("button", name="Spara översättningar"))
        click(page.get_by_role("link", name="Trygghet och fritid i Bäckby").first)
        assert page.locator(f"bdi[lang={code}]", has_text=name).count() == 1
        done, total = _completeness(page, code)
        assert done == total, f"{name}: {done} of {total} translated"

    # Then offer Arabic and Somali: both are complete.
    for code in ("ar", "so"):
        page.locator(f"input[name=languages][value={code}]").check()
        clicks[0] += 1
    click(page.get_by_role("button", name="Spara inställningar"))
    expect(page.locator(".flash.info")).to_be_visible()
    assert page.locator("[role=alert]").count() == 0

    # The preview is a phone, here in Somali.
    click(page.get_by_role("link", name="Förhandsgranska som i en mobil"))
    click(page.locator("a[hreflang=so]"))
    box = page.locator("iframe.phone-screen").bounding_box()
    assert box and box["width"] == 360
    expect(page.frame_locator("iframe.phone-screen").locator("h1")).to_contain_text("Tarjumaad")
    click(page.get_by_role("link", name="Trygghet och fritid i Bäckby").first)

    # Publish: the public link, its QR, and the way to posters.
    click(page.get_by_role("button", name="Publicera"))
    expect(page.locator("a.public-url")).to_be_visible()
    assert page.locator("img[src*='qr'], svg").count() >= 1
    click(page.get_by_role("link", name="Skapa platser och skriv ut affischer"))
    page.locator("#places").fill("\n".join(PLACES))
    click(page.get_by_role("button", name="Skapa placeringar"))
    db.session.rollback()
    survey = db.session.scalar(sa.select(Survey).where(Survey.slug == "trygghet-och-fritid-i-backby"))
    assert survey is not None and survey.status is SurveyStatus.PUBLISHED
    assert set(survey.languages) == {"sv", "ar", "so"}
    assert len(survey.questions) == 5
    placements = list(
        db.session.scalars(
            sa.select(Placement).where(Placement.survey_id == survey.id).order_by(Placement.id)
        )
    )
    assert [p.place for p in placements] == PLACES

    # Five A4 posters in Swedish, Arabic and Somali, then a sheet of stickers: one page each, every QR scans.
    base = app.config["PUBLIC_BASE_URL"]
    for number, placement in enumerate(placements):
        if number:  # back to the list of placements, where creating them led
            click(page.get_by_role("link", name="Tillbaka till platser och affischer"))
        click(page.locator(f"a[href*='/placements/{placement.id}/poster']").first)
        for code in ("ar", "so"):
            page.locator(f"input[name=lang][value={code}]").check()
            clicks[0] += 1
        page.locator("#poster-line").fill("Sista dag 20 december")
        _print(page, placement, "a4", tmp_path, base, click)
    # And a sheet of stickers for the last place, from the same form.
    page.locator("input[name=format][value=stickers]").check()
    clicks[0] += 1
    _print(page, placements[-1], "stickers", tmp_path, base, click)
    print(
        f"\nfrom the staff home to five posters and a sticker sheet: {clicks[0]} clicks, {loads[0]} page loads"
    )


def _print(page, placement: Placement, layout: str, tmp_path: Path, base: str, click) -> None:  # type: ignore[no-untyped-def]
    """Send the poster form, print the page to PDF: one page, every chosen language, every QR scans."""
    click(page.locator(".poster-form button[type=submit]"))
    assert page.locator(f"body.{layout}").count() == 1
    assert page.locator("[lang=ar][dir=rtl]").count() >= 1 and page.locator("[lang=so]").count() >= 1
    if layout == "a4":
        blocks = page.locator("section.block").evaluate_all("els => els.map(e => e.lang)")
        assert blocks == ["sv", "ar", "so"]
    assert_accessible(page, f"the {layout} of {placement.place}")
    pages = printed_pages(page, tmp_path / f"{placement.code}-{layout}.pdf")
    assert len(pages) == 1, f"{placement.place}: {len(pages)} pages"
    address = f"{base}/q/{placement.code}"
    if layout == "stickers":
        assert sticker_codes(pages[0]) == [address] * 18
    else:
        assert [code.text for code in zxingcpp.read_barcodes(pages[0])] == [address]


def _completeness(page, code: str) -> tuple[int, int]:  # type: ignore[no-untyped-def]
    """The survey page's "n of m" for one language."""
    import re

    row = page.locator("li", has=page.locator(f"bdi[lang={code}]")).first.inner_text()
    match = re.search(r"(\d+) av (\d+)", row)
    assert match, row
    return int(match.group(1)), int(match.group(2))
