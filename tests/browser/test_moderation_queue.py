"""The moderation queue in a real browser: keys only, in place, without script; axe on the queue and needs map."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
import sqlalchemy as sa

from participation.config import DEFAULT_LANGUAGES
from participation.extensions import db
from participation.forum.models import ForumItem, ItemStatus
from participation.surveys.models import Answer, ModerationStatus
from tests.browser.test_more_pages import _log_in
from tests.browser.test_survey_flow import assert_accessible, visit
from tests.factories import PARTNER, gen_survey, gen_user
from tests.moderation.test_forum_proposals import forum, propose
from tests.moderation.test_queue import add_texts

if TYPE_CHECKING:
    from playwright.sync_api import Page

    from tests.browser.test_survey_flow import NewContext

LANGUAGES = DEFAULT_LANGUAGES.split()
QUEUE = "/staff/moderation/"
DESK = {"is_mobile": False, "has_touch": False, "viewport": {"width": 1100, "height": 900}}


def statuses() -> dict[int, ModerationStatus]:
    db.session.rollback()  # see what the server committed
    rows = db.session.execute(
        sa.select(Answer.id, Answer.moderation_status).where(Answer.text_value.is_not(None))
    )
    return {row.id: row.moderation_status for row in rows}


def focused_item(page: Page) -> str | None:
    """The id of the queue item holding the focus, when the focus is on its first (primary) button."""
    return page.evaluate(
        "() => { const el = document.activeElement;"
        " return el && el.hasAttribute('data-primary') ? el.closest('li').id : null; }"
    )


def test_a_moderator_goes_through_the_queue_with_keys_only(new_context: NewContext) -> None:
    survey = gen_survey()
    (flagged,) = add_texts(survey, ["Ring mig på 070-123 45 67"])
    calm = add_texts(survey, [f"Mer läxhjälp på kvällen {n}" for n in range(6)])
    page = new_context(**DESK).new_page()
    _log_in(page, gen_user("staff"))
    visit(page, QUEUE)
    page.evaluate("() => { window.__samePage = true; }")
    for _press in range(60):  # from the top of the page to the first item's first button
        if focused_item(page):
            break
        page.keyboard.press("Tab")
    assert focused_item(page) == f"item-{flagged.id}"
    assert page.evaluate("() => document.activeElement.value") == "hide"  # the flagged one: hide first

    for answer in [flagged, *calm]:
        assert focused_item(page) == f"item-{answer.id}"
        page.keyboard.press("Enter")
        page.locator(f"#item-{answer.id}").wait_for(state="detached")
    assert page.locator("#queue").inner_text().strip()  # the last decision, said in the status line
    assert page.evaluate("() => window.__samePage") is True  # no reload on the way
    assert page.evaluate("() => document.activeElement.id") == "queue"  # the list is empty: focus on status
    done = statuses()
    assert done[flagged.id] is ModerationStatus.HIDDEN
    assert {done[answer.id] for answer in calm} == {ModerationStatus.APPROVED}


def test_ticking_and_bulk_approving_with_keys(new_context: NewContext) -> None:
    survey = gen_survey()
    calm = add_texts(survey, ["Ett café", "Fler kvällar"])
    page = new_context(**DESK).new_page()
    _log_in(page, gen_user("staff"))
    visit(page, QUEUE)
    for answer in calm:
        page.locator(f"#select-{answer.id}").focus()
        page.keyboard.press("Space")
    page.locator("form#bulk button").focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert {statuses()[answer.id] for answer in calm} == {ModerationStatus.APPROVED}


def test_without_script_a_decision_comes_back_to_the_next_item(new_context: NewContext) -> None:
    survey = gen_survey()
    first, second = add_texts(survey, ["Mer läxhjälp", "Fler kvällar"])
    page = new_context(javascript=False, **DESK).new_page()
    _log_in(page, gen_user("staff"))
    visit(page, f"{QUEUE}?language=sv")
    with page.expect_navigation():
        page.locator(f"#item-{first.id} button[value=approve]").click()
    assert page.url.endswith(f"{QUEUE}?language=sv#item-{second.id}")
    assert page.locator(f"#item-{first.id}").count() == 0
    assert statuses()[first.id] is ModerationStatus.APPROVED


def proposal_statuses() -> dict[int, ItemStatus]:
    db.session.rollback()
    rows = db.session.execute(sa.select(ForumItem.id, ForumItem.status).where(ForumItem.proposed))
    return {row.id: row.status for row in rows}


def test_forum_proposals_are_decided_with_keys_in_place_beside_the_answers(new_context: NewContext) -> None:
    session = forum(partner=PARTNER)
    flagged = propose(session, "Ring mig 070-123 45 67")
    calm = propose(session, "Fler bänkar i parken")
    (answer,) = add_texts(gen_survey(), ["Mer läxhjälp"])
    page = new_context(**DESK).new_page()
    _log_in(page, gen_user("staff"))
    visit(page, QUEUE)
    page.evaluate("() => { window.__samePage = true; }")
    for _press in range(60):
        if focused_item(page):
            break
        page.keyboard.press("Tab")
    assert page.locator(f"#item-forum-{flagged.id} mark").inner_text() == "070-123 45 67"
    for key in (f"forum-{flagged.id}", f"forum-{calm.id}", str(answer.id)):
        assert focused_item(page) == f"item-{key}"
        page.keyboard.press("Enter")
        page.locator(f"#item-{key}").wait_for(state="detached")
    assert page.evaluate("() => window.__samePage") is True
    assert proposal_statuses() == {flagged.id: ItemStatus.HIDDEN, calm.id: ItemStatus.APPROVED}
    assert statuses()[answer.id] is ModerationStatus.APPROVED


def test_without_script_a_proposal_decision_comes_back_to_the_next_item(new_context: NewContext) -> None:
    session = forum(partner=PARTNER)
    first, second = propose(session, "Fler bänkar"), propose(session, "Längre öppettider")
    page = new_context(javascript=False, **DESK).new_page()
    _log_in(page, gen_user("staff"))
    visit(page, f"{QUEUE}?source=forum-{session.id}")
    with page.expect_navigation():
        page.locator(f"#item-forum-{first.id} button[value=approve]").click()
    assert page.url.endswith(f"{QUEUE}?source=forum-{session.id}#item-forum-{second.id}")
    assert page.locator(f"#item-forum-{first.id}").count() == 0
    assert proposal_statuses()[first.id] is ItemStatus.APPROVED


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_queue_has_no_axe_violations(new_context: NewContext, lang: str) -> None:
    survey = gen_survey()
    add_texts(survey, ["Ring 070-123 45 67, jag heter Ahmed"])
    add_texts(survey, [f"Mer läxhjälp {n}" for n in range(21)], language="ar")
    (marked,) = add_texts(survey, ["Fler kvällar"], language="so")
    marked.needs_reader = True
    db.session.commit()
    session = forum(partner=PARTNER)
    propose(session, "jag heter Ahmed")
    propose(session, "ملعب جديد", language="ar")
    page = new_context(locale=lang, **DESK).new_page()
    _log_in(page, gen_user("staff"))
    visit(page, QUEUE)
    assert page.locator("html").get_attribute("lang") == lang
    assert page.locator("nav.pagination a").count() == 1
    assert_accessible(page, f"the moderation queue in {lang}")
    visit(page, f"{QUEUE}?needs_reader=1&flagged=1")  # nothing matches
    assert_accessible(page, f"an empty filtered queue in {lang}")


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_needs_map_with_its_export_form_has_no_axe_violations(
    new_context: NewContext, runner, lang: str
) -> None:
    runner.invoke(args=["demo"])
    page = new_context(locale=lang, **DESK).new_page()
    _log_in(page, gen_user("analyst"))
    visit(page, "/staff/needs?by=gender")
    assert page.locator("select#x-delimiter").count() == 1
    assert_accessible(page, f"the needs map in {lang}")
