"""A forum evening in real Chromium (issue 15): the projector at 1280×720 and 1920×1080, the facilitator's
tablet and two phones in different languages, each change appearing everywhere within two seconds without
a reload; axe on every new or changed page in every shipped language.

Selectors use ids, classes, data attributes and form values, never UI text.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

import pytest

from participation.extensions import db
from participation.forum import sessions
from participation.forum.models import ForumMode
from tests.browser.test_forum_live import (
    LANGUAGES,
    LIVE_WITHIN,
    PROJECTOR,
    Forum,
    assert_not_reloaded,
    earlier_votes,
    item,
    make_forum,
    mark_loaded,
    tap_in_place,
    vote_button,
)
from tests.browser.test_more_pages import _log_in
from tests.browser.test_survey_flow import assert_accessible, loaded, visit
from tests.factories import gen_user

if TYPE_CHECKING:
    from playwright.sync_api import Page

    from tests.browser.test_survey_flow import NewContext

TABLET = {"viewport": {"width": 1024, "height": 768}, "is_mobile": False, "has_touch": True}
# Twelve topics as a room writes them: a few words each, the longest about 30 characters.
TWELVE = (
    "Fler sommarjobb",
    "Öppet på helger",
    "Läxhjälp på fritidsgården",
    "Tryggare väg hem från bussen",
    "Tjejkväll varje vecka",
    "Fotbollsplan med belysning",
    "Billigare gymkort för unga",
    "Musikstudio i källaren",
    "Mer hjälp att söka jobb",
    "Utflykter på loven",
    "En lugn plats för läxor",
    "Fler vuxna ute på kvällen",
)


def session_id(forum: Forum) -> int:
    session = sessions.session_by_code(forum.code)
    assert session is not None
    found = session.id
    db.session.rollback()
    return found


def within(page: Page, expression: str, arg: object = None, *, since: float, what: str) -> None:
    page.wait_for_function(expression, arg=arg, timeout=LIVE_WITHIN * 1000)
    elapsed = time.monotonic() - since
    assert elapsed < LIVE_WITHIN, f"{what} took {elapsed:.2f} s"


def press(page: Page, selector: str) -> None:
    """Tap a plain form button (the facilitator's controls) and wait for the page it leads to."""
    with page.expect_navigation() as navigation:
        page.locator(selector).click()
    loaded(navigation.value)


def facilitator(new_context: NewContext, locale: str = "sv-SE") -> Page:
    admin = gen_user("admin", email=f"facilitator-{locale}@example.se")
    db.session.rollback()
    page = new_context(locale=locale, **TABLET).new_page()
    _log_in(page, admin)
    return page


# --- The projector -------------------------------------------------------------------------------------


@pytest.mark.parametrize(("width", "height", "smallest"), [(1280, 720, 24), (1920, 1080, 28)])
def test_twelve_items_fit_the_projector_in_large_type(
    new_context: NewContext, width: int, height: int, smallest: float
) -> None:
    forum = make_forum(ForumMode.TOPICS, TWELVE)
    for n, each in enumerate(forum.items[:6]):
        earlier_votes(forum, each, 5 + n)
    page = new_context(**{**PROJECTOR, "viewport": {"width": width, "height": height}}).new_page()
    visit(page, f"/sv/f/{forum.code}/screen")
    assert page.locator(".ranking > li").count() == 12
    measured = page.evaluate(
        """() => ({
          scrollHeight: document.documentElement.scrollHeight, scrollWidth: document.documentElement.scrollWidth,
          sizes: [...document.querySelectorAll('.ranking .rank-text, .ranking .rank-count, .screen-code')]
            .map(e => parseFloat(getComputedStyle(e).fontSize)),
          bottom: Math.max(...[...document.querySelectorAll('.ranking > li')].map(e => e.getBoundingClientRect().bottom)),
          qr: document.querySelector('.screen-qr').getBoundingClientRect().height,
        })"""
    )
    assert measured["scrollHeight"] <= height and measured["scrollWidth"] <= width, measured
    assert measured["bottom"] <= height, measured
    assert min(measured["sizes"]) >= smallest, measured
    assert measured["qr"] >= height / 4, measured  # a QR code a room can scan
    assert page.locator(f"[data-item='{forum.items[5]}'] [data-bar=votes]").get_attribute("class") == (
        "bar-fill w100"
    )


def test_bars_animate_unless_less_motion_is_asked_for(new_context: NewContext) -> None:
    forum = make_forum(ForumMode.POLL, ("Ja", "Nej"))
    duration = "getComputedStyle(document.querySelector('.bar-fill')).transitionDuration"
    moving = new_context(**PROJECTOR).new_page()
    visit(moving, f"/en/f/{forum.code}/screen")
    assert moving.evaluate(duration) == "0.8s"
    still = new_context(**PROJECTOR, reduced_motion="reduce").new_page()
    visit(still, f"/en/f/{forum.code}/screen")
    assert still.evaluate(duration) == "0s"


# --- The evening: facilitator, projector and two phones in two languages ---------------------------------


def test_a_forum_evening_runs_live_in_two_languages(new_context: NewContext) -> None:
    forum = make_forum(ForumMode.TOPICS, open_voting=False)
    summer, _weekends = forum.items
    manage = f"/staff/forum/{session_id(forum)}"
    tablet = facilitator(new_context)
    visit(tablet, manage)
    projector = new_context(**PROJECTOR).new_page()
    visit(projector, f"/sv/f/{forum.code}/screen?lang2=ar")
    swedish = new_context().new_page()
    visit(swedish, f"/sv/f/{forum.code}")
    arabic = new_context(locale="ar").new_page()
    visit(arabic, f"/ar/f/{forum.code}")
    for page in (tablet, projector, swedish):
        mark_loaded(page)

    # A proposal from the Arabic phone appears on the facilitator's tablet for approval.
    arabic.locator("#proposal").fill("ملعب كرة قدم جديد")
    started = time.monotonic()
    press(arabic, "form.propose button[type=submit]")
    within(
        tablet,
        "() => document.querySelector('[data-swap=pending] [lang=ar]') !== null",
        since=started,
        what="the proposal reaching the facilitator",
    )
    assert_not_reloaded(tablet, "the facilitator's page")

    # Approved: it appears on the Swedish phone (in Arabic, marked so) and on the projector.
    started = time.monotonic()
    press(tablet, "[data-swap=pending] button[name=status][value=approved]")
    new_item = "document.querySelector('[data-list=items] > li:nth-child(3) .item-text[lang=ar][dir=rtl]')"
    within(swedish, f"() => {new_item} !== null", since=started, what="the approved proposal on a phone")
    within(
        projector,
        "() => document.querySelectorAll('.ranking > li').length === 3",
        since=started,
        what="the approved proposal on the projector",
    )
    assert_not_reloaded(swedish, "the Swedish phone")

    # Voting opens: the phones get their buttons without a reload; a vote moves the bars and the counts.
    press(tablet, "button[name=action][value=open_voting]")
    within(
        swedish,
        "() => document.querySelector('form.vote-form') !== null",
        since=time.monotonic(),
        what="the vote buttons",
    )
    earlier_votes(forum, summer, 5)
    mark_loaded(tablet)
    started = time.monotonic()
    tap_in_place(swedish, vote_button(summer), vote_button(summer, "withdraw"))
    six = (
        f"() => document.querySelector(\"[data-item='{summer}'] [data-field=votes]\")?.dataset.count === '6'"
    )
    within(projector, six, since=started, what="the vote on the projector")
    within(tablet, six, since=started, what="the vote on the facilitator's page")
    bar = projector.locator(f"[data-item='{summer}'] [data-bar=votes]").get_attribute("class")
    assert bar == "bar-fill w100"
    assert_not_reloaded(projector, "the projector")
    assert_not_reloaded(tablet, "the facilitator's page")

    # Hidden until revealed, then revealed.
    started = time.monotonic()
    press(tablet, "button[name=action][value=hide_results]")
    within(
        projector,
        "() => document.querySelector('.screen-hidden') !== null",
        since=started,
        what="hiding the results on the projector",
    )
    within(
        arabic,
        "() => document.querySelector('.live-ranking .ranking') === null",
        since=started,
        what="hiding the results on a phone",
    )
    started = time.monotonic()
    press(tablet, "button[name=action][value=reveal_results]")
    within(
        projector,
        "() => document.querySelector('.ranking [data-bar]') !== null",
        since=started,
        what="the reveal on the projector",
    )

    # A countdown on the projector.
    tablet.locator("#minutes").select_option("1")
    started = time.monotonic()
    press(tablet, "#control-timer")
    within(
        projector,
        "() => /^0:5\\d|^1:00/.test(document.querySelector('.countdown-time')?.textContent || '')",
        since=started,
        what="the countdown",
    )

    # Closing asks first; then the projector shows the final results without the join banner.
    press(tablet, "a.button[href$='/close']")
    started = time.monotonic()
    press(tablet, "button[name=action][value=close_session]")
    within(
        projector,
        "() => document.querySelector('.screen-join') === null",
        since=started,
        what="the final view",
    )
    assert projector.locator(".screen-layout.final .ranking > li").count() == 3
    within(
        swedish,
        "() => document.querySelector('form.vote-form') === null",
        since=started,
        what="the phone's final view",
    )
    assert_not_reloaded(projector, "the projector")


# --- axe on every new or changed page, in every shipped language ---------------------------------------


@pytest.mark.parametrize("lang", LANGUAGES)
def test_evening_pages_have_no_axe_violations(new_context: NewContext, lang: str) -> None:
    forum = make_forum(ForumMode.STATEMENTS, ("Bäckby är tryggt", "Bussarna går för sällan"))
    topics = make_forum(ForumMode.TOPICS, open_voting=False)
    for session_forum in (forum, topics):
        session = sessions.session_by_code(session_forum.code)
        assert session is not None
        sessions.start_timer(session, 5, session.created_at)
    db.session.rollback()

    phone = new_context(locale=lang).new_page()
    visit(phone, f"/{lang}/f/{topics.code}")
    phone.locator("#proposal").fill("Fler fotbollsplaner")
    press(phone, "form.propose button[type=submit]")
    visit(phone, f"/{lang}/f/{forum.code}")
    tap_in_place(phone, f"{item(forum.items[0])} button[name=value][value='1']", "button[aria-pressed=true]")
    assert_accessible(phone, f"a statements phone with a countdown and the live ranking in {lang}")

    tablet = facilitator(new_context, lang)
    topics_page = f"/staff/forum/{session_id(topics)}"
    visit(tablet, topics_page)
    assert tablet.locator("[data-swap=pending] .forum-item").count() == 1
    tablet.locator(".theme-chooser summary").first.click()
    assert_accessible(tablet, f"the facilitator's page with a proposal waiting in {lang}")
    press(tablet, "button[name=action][value=hide_results]")
    visit(tablet, f"{topics_page}/close")
    assert_accessible(tablet, f"the close confirmation in {lang}")
    visit(tablet, f"{topics_page}/translate?lang=ar")
    assert_accessible(tablet, f"the translation page in {lang}")

    visit(phone, f"/{lang}/f/{topics.code}")
    assert phone.locator(".live-ranking .ranking").count() == 0  # hidden until revealed
    assert_accessible(phone, f"a phone with the results hidden in {lang}")

    projector = new_context(**PROJECTOR).new_page()
    other = "ar" if lang != "ar" else "sv"
    visit(projector, f"/{lang}/f/{forum.code}/screen?lang2={other}")
    assert projector.locator(".two-languages").count() >= 3
    assert projector.locator(".diverging").count() == 2
    assert_accessible(projector, f"the statements projector in {lang} and {other}")
    visit(projector, f"/{lang}/f/{topics.code}/screen")
    assert_accessible(projector, f"the projector with the results hidden in {lang}")
    session = sessions.session_by_code(forum.code)
    assert session is not None
    sessions.control(session, sessions.Control.CLOSE_SESSION, session.created_at)
    db.session.rollback()
    visit(projector, f"/{lang}/f/{forum.code}/screen")
    assert projector.locator(".screen-join").count() == 0
    assert_accessible(projector, f"the final results in {lang}")
