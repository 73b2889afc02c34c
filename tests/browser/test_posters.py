"""Printed posters in a real browser: each format is one page, and every QR on it scans to its placement."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pypdfium2
import pytest
import zxingcpp

from participation.extensions import db
from tests.browser.test_more_pages import _log_in
from tests.browser.test_survey_flow import assert_accessible, visit
from tests.factories import gen_placement, gen_survey, gen_theme, gen_user

if TYPE_CHECKING:
    from pathlib import Path

    from flask import Flask
    from PIL.Image import Image

    from participation.placements.models import Placement
    from tests.browser.test_survey_flow import NewContext

# Print resolution: scale 1 is 72 dpi, so scale 4 renders at 288 dpi.
PRINT_SCALE = 4
STICKER_COLUMNS, STICKER_ROWS = 3, 6


def poster_placement(code: str) -> Placement:
    """A placement of a survey offered in Swedish, English, Arabic and Somali, its first question themed."""
    survey = gen_survey()
    survey.languages = ["sv", "en", "ar", "so"]
    survey.title = {
        "sv": "Hur trygg känner du dig i Bäckby?",
        "en": "How safe do you feel in Bäckby?",
        "ar": "ما مدى شعورك بالأمان في بيكبي؟",
        "so": "Sidee ammaan ugu dareentaa Bäckby?",
    }
    theme = gen_theme("safety")
    theme.colour = "#b5179e"
    survey.questions[0].themes = [theme]
    db.session.commit()
    return gen_placement(survey, code=code)


def printed_pages(page, pdf_path: Path) -> list[Image]:  # type: ignore[no-untyped-def]
    """Print the page to PDF as the browser's print dialog would and render every page as an image."""
    page.emulate_media(media="print")
    page.pdf(path=str(pdf_path), prefer_css_page_size=True, print_background=True)
    page.emulate_media(media="screen")
    document = pypdfium2.PdfDocument(str(pdf_path))
    try:
        return [document[i].render(scale=PRINT_SCALE).to_pil() for i in range(len(document))]
    finally:
        document.close()


def sticker_codes(image: Image) -> list[str]:
    """Cut the sheet into its 3 × 6 stickers and read the one QR on each."""
    width, height = image.size
    found = []
    for row in range(STICKER_ROWS):
        for column in range(STICKER_COLUMNS):
            box = (
                column * width // STICKER_COLUMNS,
                row * height // STICKER_ROWS,
                (column + 1) * width // STICKER_COLUMNS,
                (row + 1) * height // STICKER_ROWS,
            )
            found.extend(code.text for code in zxingcpp.read_barcodes(image.crop(box)))
    return found


@pytest.mark.parametrize("layout", ["a4", "a5", "stickers"])
def test_every_format_prints_on_one_page_and_every_qr_scans(
    app: Flask, new_context: NewContext, tmp_path: Path, layout: str
) -> None:
    placement = poster_placement("FRITID83")
    address = f"{app.config['PUBLIC_BASE_URL']}/q/FRITID83"
    page = new_context(is_mobile=False, has_touch=False, viewport={"width": 1000, "height": 1400}).new_page()
    _log_in(page, gen_user("staff"))
    visit(
        page,
        f"/staff/placements/{placement.id}/poster?format={layout}&lang=sv&lang=ar&lang=so"
        "&line=Vinn+biobiljetter&partners=Fritidsg%C3%A5rden+B%C3%A4ckby",
    )
    assert_accessible(page, f"the {layout} poster")
    pages = printed_pages(page, tmp_path / f"{layout}.pdf")
    assert len(pages) == 1, f"the {layout} prints on {len(pages)} pages"
    assert page.locator("[lang=ar][dir=rtl]").count() >= 1  # every chosen language is on it
    assert page.locator("rect[fill='#b5179e']").count() >= 1  # the theme's colour band
    if layout == "stickers":
        codes = sticker_codes(pages[0])
        assert codes == [address] * 18
    else:
        codes = [code.text for code in zxingcpp.read_barcodes(pages[0])]
        assert codes == [address]


def test_the_poster_form_chooses_languages_and_the_print_button_needs_javascript(
    new_context: NewContext,
) -> None:
    placement = poster_placement("TVATT12")
    user = gen_user("staff")
    page = new_context(is_mobile=False, has_touch=False, viewport={"width": 1280, "height": 900}).new_page()
    _log_in(page, user)
    visit(page, f"/staff/placements/{placement.id}/poster")
    page.locator("input[name=format][value=a5]").check()
    page.locator("input[name=lang][value=ar]").check()
    page.locator("input[name=lang][value=so]").check()
    page.locator("#poster-line").fill("Sista dag 30 maj")
    with page.expect_navigation():
        page.locator(".poster-form button[type=submit]").click()
    assert page.locator("body.a5").count() == 1
    assert page.locator("section.block").evaluate_all("els => els.map(e => e.lang)") == ["sv", "ar", "so"]
    assert page.locator("section.block[lang=ar]").evaluate("e => getComputedStyle(e).textAlign") == "right"
    assert page.locator(".line").inner_text() == "Sista dag 30 maj"
    page.evaluate("window.print = () => { window.__printed = true; }")
    page.locator("button.print-button").click()
    assert page.evaluate("window.__printed") is True
    assert_accessible(page, "the A5 flyer with its form")
    for width in (360, 1280):
        phone = new_context(viewport={"width": width, "height": 800}).new_page()
        _log_in(phone, user)
        visit(phone, f"/staff/placements/{placement.id}/poster?format=stickers&lang=ar")
        assert_accessible(phone, f"the sticker sheet at {width} px")
    no_js = new_context(javascript=False).new_page()
    _log_in(no_js, user)
    visit(no_js, f"/staff/placements/{placement.id}/poster")
    assert not no_js.locator("button.print-button").is_visible()
