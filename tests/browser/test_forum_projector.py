"""The projector and the countdown in real Chromium (issue 15): the projector fits 1920×1080 and 1280×720
without scrolling, with five statements and two opinion groups or with twelve topics, in large type, in one
language or two (`?lang2=`); the opinion groups follow `?lang2=`, and each of their lines carries the number
of its statement's bar; the facilitator's countdown closes voting at zero on the phones, the
projector and the facilitator's page without a reload, and a vote after it is refused.

Selectors use ids, classes, data attributes and form values, never UI text.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

import pytest
import sqlalchemy as sa
from flask_babel import force_locale
from flask_babel import gettext as _

from participation.extensions import db
from participation.forum import sessions
from participation.forum.models import ForumMode, ForumSession, ForumVote
from tests.browser.test_forum_evening import TWELVE, facilitator, press, session_id
from tests.browser.test_forum_live import (
    LIVE_WITHIN,
    PROJECTOR,
    Forum,
    assert_not_reloaded,
    earlier_votes,
    make_forum,
    mark_loaded,
    tap,
    vote_button,
)
from tests.browser.test_survey_flow import assert_accessible, visit
from tests.forum.test_opinions import add_votes, camps

if TYPE_CHECKING:
    from flask import Flask
    from playwright.sync_api import Page

    from tests.browser.test_survey_flow import NewContext

# Five statements as a facilitator writes them for a girls' forum, the longest 45 characters, and their
# Arabic translations for the projector in two languages.
FIVE = (
    "Det finns för lite att göra på kvällarna",
    "Skolan lyssnar på vad elever tycker",
    "Bussen hem på kvällen känns otrygg",
    "Fritidsgården borde ha öppet på helgerna",
    "Alla ska få vara med och bestämma i kommunen",
)
FIVE_AR = (
    "هناك القليل مما يمكن فعله في المساء",
    "المدرسة تستمع إلى رأي الطلاب",
    "الحافلة إلى البيت في المساء غير آمنة",
    "يجب أن يفتح مركز الشباب في عطلة نهاية الأسبوع",
    "يجب أن يشارك الجميع في القرار في البلدية",
)
TWELVE_AR = (
    "المزيد من الوظائف الصيفية",
    "مفتوح في عطلة نهاية الأسبوع",
    "مساعدة في الواجبات في مركز الشباب",
    "طريق أكثر أمانًا من الحافلة إلى البيت",
    "أمسية للفتيات كل أسبوع",
    "ملعب كرة قدم مضاء",
    "اشتراك أرخص في النادي الرياضي للشباب",
    "استوديو موسيقى في القبو",
    "مساعدة أكثر في البحث عن عمل",
    "رحلات في العطل",
    "مكان هادئ للواجبات",
    "المزيد من الكبار في الخارج مساءً",
)
SIZES = [(1280, 720), (1920, 1080)]

# The page's scroll size against the window, and the smallest type of each kind of text on the screen.
MEASURE = """() => {
  const doc = document.scrollingElement;
  const least = (q) => Math.min(...[...document.querySelectorAll(q)].map(e => parseFloat(getComputedStyle(e).fontSize)));
  return {
    scrollHeight: doc.scrollHeight, scrollWidth: doc.scrollWidth, height: innerHeight, width: innerWidth,
    bottom: Math.max(...[...document.querySelectorAll('body *')].map(e => e.getBoundingClientRect().bottom)),
    right: Math.max(...[...document.querySelectorAll('body *')].map(e => e.getBoundingClientRect().right)),
    items: least('.ranking .rank-text'), counts: least('.ranking .rank-count'), code: least('.screen-code'),
    groups: least('.opinion-table caption, .opinion-table th, .opinion-table td, .opinion-groups h2, .opinion-groups h3'),
    second: Math.min(...[...document.querySelectorAll('.screen-results .second')].filter(e => {
      const box = e.getBoundingClientRect();
      return box.width > 1 && box.height > 1;
    }).map(e => parseFloat(getComputedStyle(e).fontSize))),
    qr: document.querySelector('.screen-qr').getBoundingClientRect().height,
  };
}"""


def statements_with_groups() -> Forum:
    """Five statements, sixty people in two camps: two opinion groups and their common ground, revealed."""
    forum = make_forum(ForumMode.STATEMENTS, FIVE)
    add_votes(session_id(forum), list(forum.items), camps())
    db.session.rollback()
    return forum


def twelve_topics() -> Forum:
    forum = make_forum(ForumMode.TOPICS, TWELVE)
    for n, each in enumerate(forum.items[:6]):
        earlier_votes(forum, each, 5 + n)
    return forum


def projector(new_context: NewContext, width: int, height: int) -> Page:
    return new_context(**{**PROJECTOR, "viewport": {"width": width, "height": height}}).new_page()


# --- The projector fits ------------------------------------------------------------------------------


@pytest.mark.parametrize(("width", "height"), SIZES)
@pytest.mark.parametrize("kind", ["statements", "topics"])
def test_the_projector_fits_without_scrolling_in_large_type(
    new_context: NewContext, width: int, height: int, kind: str
) -> None:
    forum = statements_with_groups() if kind == "statements" else twelve_topics()
    page = projector(new_context, width, height)
    visit(page, f"/sv/f/{forum.code}/screen")
    if kind == "statements":
        assert page.locator(".ranking > li").count() == 5
        assert (
            page.locator(".screen-results .opinion-groups .opinion-table").count() == 3
        )  # two groups, common
    else:
        assert page.locator(".ranking > li").count() == 12
    measured = page.evaluate(MEASURE)
    assert measured["scrollHeight"] <= measured["height"] == height, measured
    assert measured["scrollWidth"] <= measured["width"] == width, measured
    assert measured["bottom"] <= height and measured["right"] <= width, measured
    # Large type: at 720 lines a statement is at least 20 px (a topic 24 px) and a figure or a line of the
    # groups 16 px; at 1080 lines 24 (28) and 19 px. The QR code stays large enough for a room to scan.
    big = {("statements", 720): 20, ("statements", 1080): 24, ("topics", 720): 24, ("topics", 1080): 28}
    small = 16 if height == 720 else 19
    assert measured["items"] >= big[kind, height] and measured["code"] >= big[kind, height], measured
    assert measured["counts"] >= small, measured
    if kind == "statements":
        assert measured["groups"] >= small, measured
    assert measured["qr"] >= height / 4, measured


@pytest.mark.parametrize(
    ("kind", "width", "height", "smallest"),
    [
        ("topics", 1280, 720, 22),
        ("topics", 1920, 1080, 26),
        ("statements", 1280, 720, 18),
        ("statements", 1920, 1080, 24),
    ],
)
def test_the_projector_in_two_languages_fits_too(
    new_context: NewContext, kind: str, width: int, height: int, smallest: float
) -> None:
    """Swedish and Arabic: topics side by side; five statements with two opinion groups revealed each as one
    block, the Arabic a lighter line under the Swedish. Nothing scrolls, either way, at either size."""
    if kind == "statements":
        forum = statements_with_groups()
        translate_to_arabic(forum)
    else:
        forum = twelve_topics()
        translate_to_arabic(forum, TWELVE_AR)
    page = projector(new_context, width, height)
    visit(page, f"/sv/f/{forum.code}/screen?lang2=ar")
    assert page.locator(".ranking .second[lang=ar]").count() == (5 if kind == "statements" else 12)
    measured = page.evaluate(MEASURE)
    assert measured["scrollHeight"] <= height and measured["scrollWidth"] <= width, measured
    assert measured["items"] >= smallest and measured["counts"] >= (16 if height == 720 else 19), measured
    if kind == "statements":
        assert page.locator(".screen-results .opinion-groups .opinion-table").count() == 3
        assert measured["bottom"] <= height and measured["right"] <= width, measured
        # The second language may be a little smaller than the first, never under 16 px; the groups' lines
        # and figures 16 px at 720 lines, 19 at 1080; the QR code a quarter of the height.
        small = 16 if height == 720 else 19
        assert 16 <= measured["second"] <= measured["items"], measured
        assert measured["groups"] >= small and measured["qr"] >= height / 4, measured
        assert measured["code"] >= smallest, measured


# --- The opinion groups in two languages --------------------------------------------------------------


def translate_to_arabic(forum: Forum, arabic_texts: tuple[str, ...] = FIVE_AR) -> None:
    session = db.session.get(ForumSession, session_id(forum))
    assert session is not None
    for each, arabic in zip(session.items, arabic_texts, strict=True):
        each.text = {**each.text, "ar": arabic}
    db.session.commit()


def in_arabic(app: Flask, message: str) -> str:
    with app.test_request_context("/ar/f"), force_locale("ar"):
        return _(message)


def test_opinion_groups_follow_the_second_language(new_context: NewContext, app: Flask) -> None:
    forum = statements_with_groups()
    translate_to_arabic(forum)
    page = projector(new_context, 1920, 1080)
    visit(page, f"/sv/f/{forum.code}/screen?lang2=ar")
    groups = page.locator(".screen-results .opinion-groups")
    # Every statement in the groups' tables: Swedish, and Arabic beside it with its own lang and dir.
    rows = groups.locator("tbody th[scope=row]")
    assert rows.count() >= 3
    for n in range(rows.count()):
        row = rows.nth(n)
        first, second = row.locator("[lang=sv]").first, row.locator(".second[lang=ar][dir=rtl]")
        swedish = first.inner_text()
        assert swedish in FIVE, swedish
        assert second.inner_text() == FIVE_AR[FIVE.index(swedish)]
    # The headings in both: the section's, each group's and the common ground's.
    heading = groups.locator("h2 .second[lang=ar][dir=rtl]")
    assert heading.inner_text() == in_arabic(app, "Opinion groups") != "Opinion groups"
    assert groups.locator("caption .second[lang=ar]").count() == 3
    assert groups.locator("h3 .second[lang=ar]").inner_text() == in_arabic(app, "Common ground")
    assert_accessible(page, "the projector's opinion groups in Swedish and Arabic")
    # The whole projector shows the same second language, and without ?lang2= there is none.
    assert page.locator(".screen-results .ranking .second[lang=ar]").count() == 5
    visit(page, f"/sv/f/{forum.code}/screen")
    assert page.locator(".opinion-groups .second").count() == 0
    assert page.locator(".opinion-groups tbody th[scope=row][lang=sv]").count() == rows.count()


# Per statement on the bars and per line of the groups: its number, its texts and what of it is on the screen.
NUMBERED = """(where) => [...document.querySelectorAll(where)].map(e => {
  const shown = (x) => x !== null && x.getBoundingClientRect().width > 1 && x.getBoundingClientRect().height > 1;
  const number = e.querySelector('.statement-number'), first = e.querySelector('[lang=sv]');
  const second = e.querySelector('.second[lang=ar]');
  return {
    number: number && Number(number.textContent.match(/\\d+/)[0]), numberShown: shown(number),
    numberSize: number && parseFloat(getComputedStyle(number).fontSize),
    first: first && first.textContent, firstShown: shown(first),
    second: second && second.textContent, secondShown: shown(second),
  };
})"""


@pytest.mark.parametrize(("width", "height"), SIZES)
def test_each_line_of_the_groups_leads_to_its_bar_in_both_languages(
    new_context: NewContext, width: int, height: int
) -> None:
    """With opinion groups every statement has a number, on its bar and on its lines in the groups, so a
    reader can tell which statement a line means and read it in the second language on its bar: at
    1280×720 a group's line shows the first language (the second stays for a screen reader), at 1920×1080
    both."""
    forum = statements_with_groups()
    translate_to_arabic(forum)
    page = projector(new_context, width, height)
    visit(page, f"/sv/f/{forum.code}/screen?lang2=ar")
    bars = page.evaluate(NUMBERED, ".screen-results .ranking > li")
    lines = page.evaluate(NUMBERED, ".screen-results .opinion-groups tbody th[scope=row]")
    # The bars are numbered 1–5 in the order the facilitator wrote the statements, whatever their rank.
    assert sorted(bar["number"] for bar in bars) == [1, 2, 3, 4, 5], bars
    by_number = {bar["number"]: bar for bar in bars}
    for bar in bars:
        assert bar["first"] == FIVE[bar["number"] - 1] and bar["second"] == FIVE_AR[bar["number"] - 1], bar
        assert bar["numberShown"] and bar["firstShown"] and bar["secondShown"], bar
    assert len(lines) >= 3
    for line in lines:
        assert line["numberShown"] and line["firstShown"], line
        assert line["numberSize"] >= 16, line
        bar = by_number[line["number"]]
        assert line["first"] == bar["first"] and line["second"] == bar["second"], (line, bar)
        assert line["secondShown"] == (height == 1080), line
    assert_accessible(page, f"the projector's statements and groups in two languages at {width}×{height}")


# --- The countdown closes voting at zero ---------------------------------------------------------------


def votes_stored(forum: Forum) -> int:
    count = db.session.scalar(
        sa.select(sa.func.count(ForumVote.id)).where(ForumVote.session_id == session_id(forum))
    )
    db.session.rollback()
    return int(count or 0)


def countdown_ending_in(forum: Forum, seconds: float) -> float:
    """Start a one-minute countdown that began almost a minute ago; the monotonic time of its end."""
    session = sessions.session_by_code(forum.code)
    assert session is not None
    sessions.start_timer(session, 1, datetime.now(UTC) - timedelta(seconds=60 - seconds))
    db.session.rollback()
    return time.monotonic() + seconds


CLOSED_ON_PHONE = (
    "() => document.querySelector('.time-up') !== null && document.querySelector('.vote-form') === null"
)
CLOSED_ON_SCREEN = "() => document.querySelector('.screen-status .time-up') !== null"
OPEN_ON_PHONE = "() => document.querySelector('.vote-form button[value=vote]') !== null"


def test_the_countdown_closes_voting_at_zero_everywhere(new_context: NewContext) -> None:
    forum = make_forum(ForumMode.POLL, ("Ja", "Nej"))
    yes = forum.items[0]
    tablet = facilitator(new_context)
    visit(tablet, f"/staff/forum/{session_id(forum)}")
    phone = new_context(locale="ar").new_page()
    visit(phone, f"/ar/f/{forum.code}")
    screen = projector(new_context, 1280, 720)
    visit(screen, f"/sv/f/{forum.code}/screen")
    for page in (tablet, phone, screen):
        mark_loaded(page)

    end = countdown_ending_in(forum, 4)
    # A phone without JavaScript, its page loaded while voting was open: its vote comes after the end.
    plain = new_context(javascript=False).new_page()
    visit(plain, f"/sv/f/{forum.code}")
    assert plain.locator(vote_button(yes)).count() == 1
    phone.wait_for_function("() => document.querySelector('[data-countdown]') !== null", timeout=3000)
    assert phone.locator(vote_button(yes)).count() == 1  # still open while the countdown runs

    time.sleep(max(0.0, end - time.monotonic()))
    for page, closed, what in (
        (phone, CLOSED_ON_PHONE, "the phone"),
        (screen, CLOSED_ON_SCREEN, "the projector"),
    ):
        page.wait_for_function(closed, timeout=LIVE_WITHIN * 1000)
        late = time.monotonic() - end
        assert late < LIVE_WITHIN, f"{what} showed voting closed {late:.2f} s after zero"
        assert_not_reloaded(page, what)
    tablet.wait_for_function(
        "() => document.querySelector('#control-voting[value=open_voting]') !== null",
        timeout=LIVE_WITHIN * 1000,
    )
    assert_not_reloaded(tablet, "the facilitator's page")
    assert_accessible(phone, "a phone after the countdown closed voting")

    # The vote after zero is refused with the reason, and nothing is stored.
    tap(plain, vote_button(yes), status=409)
    assert plain.locator(".problem[role=alert]").count() == 1
    assert plain.locator(".vote-form").count() == 0
    assert votes_stored(forum) == 0

    # The facilitator opens voting again: the countdown is gone and the phone can vote.
    press(tablet, "#control-voting[value=open_voting]")
    assert tablet.locator("[data-countdown]").count() == 0
    phone.wait_for_function(OPEN_ON_PHONE, timeout=LIVE_WITHIN * 1000)
    assert phone.locator("[data-countdown]").count() == 0
    visit(plain, f"/sv/f/{forum.code}")
    tap(plain, vote_button(yes))
    assert votes_stored(forum) == 1
