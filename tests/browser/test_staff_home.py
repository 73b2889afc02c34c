"""The staff home and the confirmation steps in a real browser: axe at laptop and phone width, in Swedish
and English; the staff menu folds away on a phone; retiring a placement asks first, also without JavaScript."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
import sqlalchemy as sa

from participation.api.services import create_token
from participation.extensions import db
from participation.placements.models import Placement
from participation.staff.services import get_or_create_partner
from tests.browser.test_more_pages import _log_in
from tests.browser.test_survey_flow import assert_accessible, visit
from tests.factories import gen_placement, gen_survey, gen_user

if TYPE_CHECKING:
    from tests.browser.test_survey_flow import NewContext

WIDTHS = {"laptop": {"width": 1280, "height": 900}, "phone": {"width": 360, "height": 740}}


@pytest.mark.parametrize("locale", ["sv-SE", "en-GB"])
@pytest.mark.parametrize("width", list(WIDTHS))
def test_the_staff_home_is_accessible_and_the_menu_folds_on_a_phone(
    new_context: NewContext, runner, locale: str, width: str
) -> None:
    runner.invoke(args=["demo"])  # open surveys, texts to moderate, a forum evening, actions
    page = new_context(locale=locale, viewport=WIDTHS[width]).new_page()
    _log_in(page, gen_user("admin"))
    visit(page, "/staff/")
    for section in ("home-surveys", "home-moderation", "home-forum", "home-actions", "home-lockouts"):
        assert page.locator(f"#{section}").is_visible(), section
    menu_link = page.locator(".staff-menu a").first
    if width == "phone":
        assert not menu_link.is_visible()  # the first screen is the home, not 16 links
        page.locator(".staff-menu > summary").click()
        assert menu_link.is_visible()
    else:
        assert menu_link.is_visible() and not page.locator(".staff-menu > summary").is_visible()
    assert_accessible(page, f"the staff home ({locale}, {width})")


@pytest.mark.parametrize("javascript", [True, False])
def test_retiring_a_placement_asks_first(new_context: NewContext, javascript: bool) -> None:
    placement = gen_placement(gen_survey(), code="TRAPPA")
    page = new_context(javascript=javascript, locale="en-GB", viewport=WIDTHS["laptop"]).new_page()
    _log_in(page, gen_user("staff"))
    visit(page, "/staff/placements/")
    with page.expect_navigation():
        page.locator(f"form[action$='/{placement.id}/retire'] button").click()
    assert page.locator("h1").inner_text() == "Retire this placement?"
    assert "TRAPPA" in page.locator(".confirm-thing").inner_text()
    if javascript:  # axe runs in the page's JavaScript
        assert_accessible(page, "the confirmation to retire a placement")
    with page.expect_navigation():
        page.get_by_role("link", name="Cancel").click()
    assert page.url.endswith("/staff/placements/")
    db.session.expire_all()
    assert db.session.get(Placement, placement.id).retired_at is None
    with page.expect_navigation():
        page.locator(f"form[action$='/{placement.id}/retire'] button").click()
    with page.expect_navigation():
        page.locator(".confirm-actions button").click()
    db.session.expire_all()
    assert db.session.get(Placement, placement.id).retired_at is not None


@pytest.mark.parametrize("locale", ["sv-SE", "en-GB"])
def test_every_confirmation_page_is_accessible_on_a_phone(new_context: NewContext, locale: str) -> None:
    survey = gen_survey()
    create_token(get_or_create_partner("Västerås stad"), "Stadens BI")
    db.session.commit()
    option = survey.questions[0].options[-1]
    page = new_context(locale=locale).new_page()
    _log_in(page, gen_user("admin"))
    token_id = db.session.scalar(sa.select(sa.func.max(sa.text("id"))).select_from(sa.table("api_token")))
    # The tokens table is wider than a phone: submit without aiming. The option's form is sent as it is
    # without JavaScript (the builder's script asks in the page instead), to reach the server's own step.
    press = "button => button.form.requestSubmit(button)"
    for path, button, how in [
        (f"/staff/surveys/{survey.id}", "button[name=status][value=archived]", press),
        (
            f"/staff/surveys/{survey.id}/questions/{option.question_id}",
            f"form[action$='/options/{option.id}/delete'] button",
            "button => button.form.submit()",
        ),
        ("/staff/api-tokens/", f"form[action$='/{token_id}/revoke'] button", press),
    ]:
        visit(page, path)
        with page.expect_navigation():
            page.locator(button).evaluate(how)
        assert page.locator(".confirm-step").is_visible(), path
        assert_accessible(page, f"the confirmation from {path} ({locale})")
