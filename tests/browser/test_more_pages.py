"""More pages in a real browser: read-aloud, public pages and staff pages under axe."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
import sqlalchemy as sa

from participation.actions.models import Action
from participation.config import DEFAULT_LANGUAGES
from participation.extensions import db
from participation.forum.models import ForumSession
from participation.measurement.models import Indicator, Program
from participation.surveys.models import SurveyStatus
from tests.browser.test_survey_flow import assert_accessible, visit
from tests.factories import PASSWORD, gen_placement, gen_survey, gen_user

if TYPE_CHECKING:
    from tests.browser.test_survey_flow import NewContext

LANGUAGES = DEFAULT_LANGUAGES.split()

# A phone with one Swedish voice; speaking records the text instead of playing it.
FAKE_VOICE = """
window.__spoken = [];
window.SpeechSynthesisUtterance = function (text) { this.text = text; };
Object.defineProperty(window, "speechSynthesis", { value: {
  getVoices: function () { return [{ lang: "sv-SE", name: "Alva" }]; },
  speak: function (utterance) { window.__spoken.push(utterance.text); },
  cancel: function () {},
  addEventListener: function () {}
}});
"""


def test_read_aloud_appears_only_with_a_voice_for_the_language(new_context: NewContext) -> None:
    survey = gen_survey()
    context = new_context()
    context.add_init_script(FAKE_VOICE)
    page = context.new_page()
    visit(page, f"/sv/s/{survey.slug}")
    buttons = page.locator("button.read-aloud")
    assert buttons.count() == len(survey.questions)
    buttons.first.click()
    spoken = page.evaluate("window.__spoken")
    assert spoken and "Fråga pick" in spoken[0] and "Val a" in spoken[0]
    assert_accessible(page, "the survey with read-aloud buttons")
    visit(page, f"/ti/s/{survey.slug}")  # no Tigrinya voice on this phone
    assert page.locator("button.read-aloud").count() == 0


def test_switching_language_keeps_typed_answers_in_the_browser(new_context: NewContext) -> None:
    survey = gen_survey()
    page = new_context(javascript=False).new_page()
    visit(page, f"/sv/s/{survey.slug}")
    text_field = page.locator(f"textarea[name=q{survey.questions[5].id}]")
    text_field.fill("Skriv något")
    with page.expect_navigation():
        page.locator("nav.languages button[lang=ar]").click()
    assert page.locator("html").get_attribute("dir") == "rtl"
    assert page.locator(f"textarea[name=q{survey.questions[5].id}]").input_value() == "Skriv något"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_public_pages_have_no_axe_violations(new_context: NewContext, runner, lang: str) -> None:
    runner.invoke(args=["demo"])  # published actions and a closed forum evening
    survey = gen_survey()
    closed = gen_survey("closed", status=SurveyStatus.ARCHIVED)
    db.session.commit()
    page = new_context().new_page()
    for path, status in [
        (f"/{lang}/", 200),
        (f"/{lang}/accessibility", 200),
        (f"/{lang}/privacy", 200),
        (f"/{lang}/s/{closed.slug}", 410),
        (f"/{lang}/s/no-such-survey", 404),
        (f"/{lang}/s/{survey.slug}/thanks", 200),
        (f"/{lang}/actions", 200),
        (f"/{lang}/follow-up/withdraw", 200),
        (f"/{lang}/f/TJEJ24", 200),
    ]:
        visit(page, path, status)
        assert_accessible(page, f"{path} in {lang}")


def _log_in(page, user) -> None:  # type: ignore[no-untyped-def]
    visit(page, "/staff/login")
    page.locator("input[name=email]").fill(user.email)
    page.locator("input[name=password]").fill(PASSWORD)
    with page.expect_navigation():
        page.locator("form.staff-form button[type=submit]").click()


def first_id(model) -> int:  # type: ignore[no-untyped-def]
    """Ids keep counting across tests on PostgreSQL, so pages are found by the demo's real ids."""
    return int(db.session.scalar(sa.select(sa.func.min(model.id))))


def test_staff_pages_have_no_axe_violations(new_context: NewContext, runner) -> None:
    runner.invoke(args=["demo"])
    survey = gen_survey()
    gen_placement(survey)
    admin = gen_user("admin")
    page = new_context().new_page()
    visit(page, "/staff/login")
    assert_accessible(page, "the login page")
    _log_in(page, admin)
    for path in [
        "/staff/",
        "/staff/surveys/",
        f"/staff/surveys/{survey.id}",
        f"/staff/surveys/{survey.id}/questions/{survey.questions[0].id}",
        f"/staff/surveys/{survey.id}/translate?lang=ar",
        "/staff/placements/",
        "/staff/placements/new",
        "/staff/moderation/",
        "/staff/users",
        "/staff/audit",
        "/staff/needs",
        "/staff/needs?age_band=16_19&gender=girl",
        "/staff/coding",
        "/staff/population",
        "/staff/activity",
        "/staff/data-requests/",
        "/staff/actions/",
        "/staff/actions/new",
        f"/staff/actions/{first_id(Action)}/translate?lang=ar",
        "/staff/measurement/",
        f"/staff/measurement/indicators/{first_id(Indicator)}",
        f"/staff/measurement/programs/{first_id(Program)}",
        "/staff/themes/",
        "/staff/themes/new",
        "/staff/forum/",
        "/staff/forum/new",
        f"/staff/forum/{first_id(ForumSession)}/translate?lang=ar",
        "/staff/api-tokens/",
    ]:
        visit(page, path)
        assert_accessible(page, path)
