"""A forum session in real Chromium: phones vote, the projector follows live, and all of it works for everyone.

Two phones (two browser contexts, so two devices with their own cookies) and a projector (a third context on
a large screen) are open on the same session. A vote on one phone shows on the projector, and on the other
phone, within two seconds and without a reload, because static/js/live.js polls results.json. The poll is
cheap: while nothing changes the server answers 304 to the ETag, and no worker is held between polls.

Without JavaScript a participant still joins by typing the code, votes, takes votes back, spends dots and
agrees or disagrees, through plain forms. axe-core checks the join page, the session page and the projector
in every shipped language.

Selectors use ids, classes, data attributes and form values, never UI text, so the tests do not depend on
the translations.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING

import pytest
import sqlalchemy as sa

from participation.config import DEFAULT_LANGUAGES
from participation.extensions import db
from participation.forum import sessions, voting
from participation.forum.models import AGREE, DISAGREE, PASS, ForumMode, ForumVote
from participation.suppression import Count, protect
from tests.browser.test_survey_flow import assert_accessible, loaded, visit

if TYPE_CHECKING:
    from playwright.sync_api import Page
    from playwright.sync_api import Request as PageRequest
    from playwright.sync_api import Response as PageResponse

    from tests.browser.test_survey_flow import NewContext

LANGUAGES = DEFAULT_LANGUAGES.split()
PROJECTOR = {"viewport": {"width": 1920, "height": 1080}, "is_mobile": False, "has_touch": False}
LIVE_WITHIN = 2.0  # seconds from the tap on a phone to the projector showing it


@dataclass(frozen=True)
class Forum:
    """What the browser tests need of a session, read while it was created (no ORM objects across threads)."""

    code: str
    items: tuple[int, ...]


def make_forum(
    mode: ForumMode,
    items: tuple[str, ...] = ("Mer sommarjobb", "Öppet på helger"),
    *,
    open_voting: bool = True,
    **options: object,
) -> Forum:
    settings: dict[str, object] = {
        "dots_per_person": 3,
        "several_dots_per_item": False,
        "requires_approval": True,
        **options,
    }
    session = sessions.create_session(
        title="Tjejforum",
        base_language="sv",
        languages=list(LANGUAGES),
        mode=mode,
        items=list(items),
        **settings,  # type: ignore[arg-type]
    )
    if open_voting and not session.voting_open:
        sessions.control(session, sessions.Control.OPEN_VOTING, datetime.now(UTC))
    forum = Forum(code=session.code, items=tuple(item.id for item in session.items))
    db.session.rollback()  # hold no transaction open while the live server writes
    return forum


def vote_elsewhere(forum: Forum, item_id: int, device: str, value: int = AGREE) -> None:
    """A vote from a phone that is not part of the test (someone who voted before the screens went up)."""
    session = sessions.session_by_code(forum.code)
    assert session is not None
    participant = voting.participant_for(session, device, datetime.now(UTC))
    voting.vote(session, participant, item_id, value)
    db.session.rollback()


def earlier_votes(forum: Forum, item_id: int, count: int = 5, value: int = AGREE) -> None:
    """Votes cast before the test, so that what it shows is at least k (smaller counts are hidden)."""
    for n in range(count):
        vote_elsewhere(forum, item_id, f"earlier-{item_id}-{value}-{n}", value)


# --- Page helpers -------------------------------------------------------------------------------------


def item(item_id: int) -> str:
    return f"#item-{item_id}"


def tap(page: Page, selector: str, status: int = 200) -> PageResponse:
    """Tap a form button and wait for the page the form's post-redirect-get leads to."""
    with page.expect_navigation() as navigation:
        page.locator(selector).click()
    return loaded(navigation.value, status)


def vote_button(item_id: int, action: str = "vote") -> str:
    return f"{item(item_id)} form.vote-form button[name=action][value={action}]"


def tap_in_place(page: Page, selector: str, then: str) -> None:
    """Tap a vote button with JavaScript on: the vote posts with fetch and the page stays; wait for `then`."""
    page.locator(selector).click()
    page.locator(then).first.wait_for(state="visible", timeout=LIVE_WITHIN * 1000)


def figure(page: Page, selector: str) -> int | None:
    """The figure behind a count in words ("6 röster"), None when it is hidden ("färre än 5 röster")."""
    count = page.locator(selector).first.get_attribute("data-count")
    return int(count) if count else None


def shown_votes(page: Page, item_id: int) -> int | None:
    """The count shown for an item, None when it is hidden as "fewer than 5"."""
    return figure(page, f"[data-item='{item_id}'] [data-field=votes]")


def phone_order(page: Page) -> list[int]:
    """The items of a phone's list, in the order shown: the order they were added, whatever the votes."""
    return [
        int(i)
        for i in page.locator("[data-list=items] > li").evaluate_all("rows => rows.map(r => r.dataset.item)")
    ]


def ranking(page: Page) -> list[int]:
    return [
        int(i) for i in page.locator(".ranking > li").evaluate_all("rows => rows.map(r => r.dataset.item)")
    ]


def mark_loaded(page: Page) -> None:
    """A flag on the window object: it is gone if the page is reloaded or navigated."""
    page.evaluate("window.__sameDocument = true")


def assert_not_reloaded(page: Page, what: str) -> None:
    assert page.evaluate("window.__sameDocument === true"), f"{what} was reloaded"


VOTES_ARE = """([id, votes]) => {
  const el = document.querySelector(`[data-item="${id}"] [data-field=votes]`);
  return el !== null && el.dataset.count === String(votes);
}"""

RANKED_AS = """(ids) => {
  const rows = Array.from(document.querySelectorAll(".ranking > li")).map(r => Number(r.dataset.item));
  return rows.length === ids.length && rows.every((id, i) => id === ids[i]);
}"""


def live_wait(page: Page, expression: str, arg: object, since: float, what: str) -> float:
    """Wait (at most two seconds) for the page to show something, and return the seconds since `since`."""
    page.wait_for_function(expression, arg=arg, timeout=LIVE_WITHIN * 1000)
    elapsed = time.monotonic() - since
    assert elapsed < LIVE_WITHIN, f"{what} took {elapsed:.2f} s"
    return elapsed


# --- 1. Live: two phones and a projector ---------------------------------------------------------------


def test_votes_show_live_on_the_projector_and_the_other_phone(new_context: NewContext) -> None:
    forum = make_forum(ForumMode.TOPICS)
    summer, weekends = forum.items
    earlier_votes(forum, summer, 5)
    earlier_votes(forum, weekends, 6)  # weekends 6, summer 5: small counts would be hidden

    projector = new_context(**PROJECTOR).new_page()
    visit(projector, f"/sv/f/{forum.code}/screen")
    phone_1 = new_context().new_page()
    phone_2 = new_context().new_page()
    for phone in (phone_1, phone_2):
        visit(phone, f"/sv/f/{forum.code}")
        mark_loaded(phone)
    mark_loaded(projector)
    assert ranking(projector) == [weekends, summer]
    assert (shown_votes(projector, weekends), shown_votes(projector, summer)) == (6, 5)

    # Phone 1 votes for summer jobs: the projector shows the vote within two seconds; with six votes each,
    # the server's tie-break (the facilitator's order) puts summer jobs first again. The phone's own list
    # stays where it was: the vote posts without a reload and the item shows its voted state and undo.
    order = phone_order(phone_1)
    started = time.monotonic()
    tap_in_place(phone_1, vote_button(summer), vote_button(summer, "withdraw"))
    live_wait(projector, VOTES_ARE, [summer, 6], started, "the projector showing phone 1's vote")
    live_wait(projector, RANKED_AS, [summer, weekends], started, "the projector re-ranking a tie")
    assert phone_1.locator(f"{item(summer)}.voted .voted-mark").is_visible()
    assert phone_order(phone_1) == order and phone_1.evaluate("window.scrollY") == 0
    assert_not_reloaded(phone_1, "phone 1 after its vote")

    # Phone 2 never reloaded, and its live.js shows phone 1's vote too.
    phone_2.wait_for_function(VOTES_ARE, arg=[summer, 6], timeout=LIVE_WITHIN * 1000)
    assert_not_reloaded(phone_2, "phone 2")

    # Phone 2 votes for weekends, which now has more votes: the projector reorders within two seconds.
    started = time.monotonic()
    tap_in_place(phone_2, vote_button(weekends), vote_button(weekends, "withdraw"))
    live_wait(projector, RANKED_AS, [weekends, summer], started, "the projector reordering")
    assert (shown_votes(projector, weekends), shown_votes(projector, summer)) == (7, 6)
    assert phone_order(phone_2) == order  # the list stays; only the separate live ranking moves
    projector.wait_for_function(
        "n => document.querySelector('[data-field=participants]').dataset.count === String(n)",
        arg=13,
        timeout=LIVE_WITHIN * 1000,
    )
    assert_not_reloaded(projector, "the projector")

    # Phone 1 follows phone 2's vote live as well, and takes its own vote back in the same view.
    phone_1.wait_for_function(VOTES_ARE, arg=[weekends, 7], timeout=LIVE_WITHIN * 1000)
    tap_in_place(phone_1, vote_button(summer, "withdraw"), vote_button(summer))
    assert phone_1.locator(f"{item(summer)}.voted").count() == 0
    assert_not_reloaded(phone_1, "phone 1")


# --- 2. Without JavaScript ----------------------------------------------------------------------------


def dots_left(page: Page) -> int:
    """The number in the sentence under the title that says how many dots are left."""
    sentence = page.locator("main [data-swap=intro] > p").first.inner_text()
    numbers = re.findall(r"\d+", sentence)
    assert len(numbers) == 1, sentence
    return int(numbers[0])


def test_join_vote_and_take_back_without_javascript(new_context: NewContext) -> None:
    forum = make_forum(ForumMode.TOPICS)
    summer, weekends = forum.items
    earlier_votes(forum, summer, 5)
    page = new_context(javascript=False, locale="en-GB").new_page()

    # A wrong code keeps the participant on the form with the problem tied to the field.
    visit(page, "/en/f")
    page.locator("#code").fill("NOPE12")
    tap(page, "form.join button[type=submit]", status=404)
    assert page.locator("#code").get_attribute("aria-invalid") == "true"
    assert page.locator("#code-error").is_visible()

    page.locator("#code").fill(forum.code.lower())
    tap(page, "form.join button[type=submit]")
    assert page.url.endswith(f"/en/f/{forum.code}")
    assert shown_votes(page, summer) == 5
    assert page.locator(f"{item(weekends)} [data-field=votes]").inner_text() == "fewer than 5 votes"
    assert page.locator(f"{item(summer)} [data-field=votes]").inner_text() == "5 votes"

    tap(page, vote_button(summer))
    assert page.url.endswith(f"#item-{summer}")  # back to the same item, which has not moved
    assert page.locator("div[role=status] .flash").is_visible()
    assert shown_votes(page, summer) == 6
    assert page.locator(vote_button(summer)).count() == 0
    assert page.locator(vote_button(summer, "withdraw")).is_visible()
    assert page.locator(f"{item(summer)}.voted .voted-mark").is_visible()  # "You voted for this."
    assert page.locator(vote_button(weekends)).is_visible()  # one vote per topic, as many topics as you like

    tap(page, vote_button(summer, "withdraw"))
    assert shown_votes(page, summer) == 5
    assert page.locator(vote_button(summer)).is_visible()
    assert page.locator(f"{item(summer)} .voted-mark").count() == 0

    # A proposal waits for the facilitator; the page says so.
    page.locator("#proposal").fill("Fler fotbollsplaner")
    tap(page, "form.propose button[type=submit]")
    assert page.url.endswith("done=waiting")
    assert page.locator("div[role=status] .flash").is_visible()
    assert page.locator(".forum-item").count() == 2


def test_dots_without_javascript(new_context: NewContext) -> None:
    forum = make_forum(ForumMode.DOTS, ("A", "B", "C"), dots_per_person=3, several_dots_per_item=True)
    a, b, c = forum.items
    for each in forum.items:
        earlier_votes(forum, each, 5)
    page = new_context(javascript=False, locale="en-GB").new_page()
    visit(page, f"/en/f/{forum.code}")
    assert dots_left(page) == 3

    tap(page, vote_button(a))
    assert dots_left(page) == 2
    tap(page, vote_button(a))  # several dots on one item are allowed here
    assert dots_left(page) == 1
    assert shown_votes(page, a) == 7
    assert re.search(r"\b2\b", page.locator(f"{item(a)} .voted-mark").inner_text())
    stale = page.context.new_page()  # a second tab, opened while one dot was still left
    visit(stale, page.url.split("?")[0])
    tap(page, vote_button(b))
    assert dots_left(page) == 0
    assert page.locator("form.vote-form button[value=vote]").count() == 0  # no dot left: no button offered

    # The stale tab still offers a dot: the database refuses it, the participant is told why.
    tap(stale, vote_button(c), status=409)
    assert stale.locator("p.problem[role=alert]").is_visible()
    assert dots_left(stale) == 0 and shown_votes(stale, c) == 5
    stale.close()

    tap(page, vote_button(a, "withdraw"))
    assert dots_left(page) == 1 and shown_votes(page, a) == 6
    tap(page, vote_button(c))
    assert dots_left(page) == 0 and shown_votes(page, c) == 6


def pressed(page: Page, item_id: int) -> dict[int, str | None]:
    buttons = page.locator(f"{item(item_id)} form.vote-form button[name=value]")
    return {
        int(buttons.nth(i).get_attribute("value") or ""): buttons.nth(i).get_attribute("aria-pressed")
        for i in range(buttons.count())
    }


def tally(page: Page, item_id: int) -> tuple[int | None, int | None, int | None]:
    def count(name: str) -> int | None:
        return figure(page, f"{item(item_id)} [data-field={name}]")

    return count("agree"), count("disagree"), count("pass")


def protected(item_id: int, value: int = AGREE) -> int | None:
    """What a poll's or statement's count must show: its votes' count, perturbed, hidden below k."""
    ids = db.session.scalars(
        sa.select(ForumVote.id).where(ForumVote.item_id == item_id, ForumVote.value == value)
    ).all()
    db.session.rollback()
    return protect(Count.of(ids), 5)


def protected_tally(item_id: int) -> tuple[int | None, int | None, int | None]:
    return protected(item_id, AGREE), protected(item_id, DISAGREE), protected(item_id, PASS)


def test_statements_without_javascript(new_context: NewContext) -> None:
    forum = make_forum(ForumMode.STATEMENTS, ("Bäckby är tryggt", "Bussarna går för sällan"))
    statement, other = forum.items
    for value in (AGREE, DISAGREE, PASS):
        earlier_votes(forum, statement, 5, value)
    page = new_context(javascript=False, locale="en-GB").new_page()
    visit(page, f"/en/f/{forum.code}")
    nothing = {AGREE: "false", DISAGREE: "false", PASS: "false"}
    assert pressed(page, statement) == nothing and tally(page, statement) == protected_tally(statement)

    button = f"{item(statement)} form.vote-form button[name=value]"
    tap(page, f"{button}[value='{AGREE}']")
    assert pressed(page, statement) == {**nothing, AGREE: "true"}
    assert tally(page, statement) == protected_tally(statement)
    assert pressed(page, other) == nothing

    tap(page, f"{button}[value='{DISAGREE}']")  # changing one's mind
    assert pressed(page, statement) == {**nothing, DISAGREE: "true"}
    assert tally(page, statement) == protected_tally(statement)

    tap(page, f"{button}[value='{PASS}']")
    assert pressed(page, statement) == {**nothing, PASS: "true"}
    assert tally(page, statement) == protected_tally(statement)


# --- 3. axe in every shipped language -----------------------------------------------------------------


@pytest.mark.parametrize("lang", LANGUAGES)
def test_forum_pages_have_no_axe_violations(new_context: NewContext, lang: str) -> None:
    forum = make_forum(ForumMode.TOPICS)  # voting and proposals open
    summer, _weekends = forum.items

    page = new_context().new_page()
    visit(page, f"/{lang}/f")
    assert page.locator("html").get_attribute("lang") == lang
    assert_accessible(page, f"the join page in {lang}")

    # One topic voted for (take-back button and hint), one not (vote button), and the proposal form.
    visit(page, f"/{lang}/f/{forum.code}")
    tap_in_place(page, vote_button(summer), vote_button(summer, "withdraw"))
    assert page.locator("form.vote-form button[value=vote]").count() == 1
    assert page.locator("form.vote-form button[value=withdraw]").count() == 1
    assert page.locator("form.propose textarea#proposal").is_visible()
    assert_accessible(page, f"the session page in {lang}")

    projector = new_context(**PROJECTOR).new_page()
    visit(projector, f"/{lang}/f/{forum.code}/screen")
    assert projector.locator("html").get_attribute("lang") == lang
    assert projector.locator(".ranking > li").count() == 2
    if lang != "sv":  # the Swedish title and topics are marked as Swedish, for screen readers and fonts
        assert projector.locator("main h1 [lang=sv]").count() == 1
        assert projector.locator(".ranking .rank-text [lang=sv]").count() == 2
    assert_accessible(projector, f"the projector screen in {lang}")


@pytest.mark.parametrize("lang", ["ar"])  # right to left; these states differ in markup, not in language
def test_other_forum_states_have_no_axe_violations(new_context: NewContext, lang: str) -> None:
    statements = make_forum(ForumMode.STATEMENTS, ("Bäckby är tryggt",))
    dots = make_forum(ForumMode.DOTS, ("A", "B"), dots_per_person=1)
    waiting = make_forum(ForumMode.TOPICS, open_voting=False)
    page = new_context().new_page()

    visit(page, f"/{lang}/f")
    page.locator("#code").fill("NOPE12")
    tap(page, "form.join button[type=submit]", status=404)
    assert_accessible(page, f"the join page with a wrong code in {lang}")

    # Statements: agree, disagree and pass as toggle buttons.
    visit(page, f"/{lang}/f/{statements.code}")
    tap_in_place(
        page,
        f"form.vote-form button[name=value][value='{AGREE}']",
        "form.vote-form button[aria-pressed=true]",
    )
    assert page.locator("form.vote-form button[aria-pressed=true]").count() == 1
    assert_accessible(page, f"the statements page in {lang}")

    # Dots: the only dot spent, and a refused second one with its message.
    visit(page, f"/{lang}/f/{dots.code}")
    stale = page.context.new_page()
    visit(stale, f"/{lang}/f/{dots.code}")
    tap_in_place(page, vote_button(dots.items[0]), vote_button(dots.items[0], "withdraw"))
    tap_in_place(stale, vote_button(dots.items[1]), "p.problem[role=alert]")
    page = stale
    assert page.locator("p.problem[role=alert]").is_visible()
    assert_accessible(page, f"the dots page with a refused dot in {lang}")

    # Topics before voting opens: no vote buttons yet, the proposal form, and a proposal with a problem.
    visit(page, f"/{lang}/f/{waiting.code}")
    assert page.locator("form.vote-form").count() == 0
    tap(page, "form.propose button[type=submit]", status=422)
    assert page.locator("p.problem[role=alert]").is_visible()
    assert_accessible(page, f"the topics page before voting, with a problem, in {lang}")


# --- 4. The projector's poll is cheap -------------------------------------------------------------------


def test_the_projector_polls_with_the_etag_and_gets_304_while_nothing_changes(
    new_context: NewContext,
) -> None:
    forum = make_forum(ForumMode.POLL, ("Ja", "Nej"))
    earlier_votes(forum, forum.items[1], 30)  # a poll's count is perturbed (at most 25 off): shown
    polls: list[PageResponse] = []
    sent: dict[int, float] = {}
    waited: list[float] = []  # seconds from each poll's request to its response

    def is_poll(url: str) -> bool:
        return url.split("?")[0].endswith(f"/f/{forum.code}/results.json")

    def on_request(request: PageRequest) -> None:
        if is_poll(request.url):
            sent[id(request)] = time.monotonic()

    def on_response(response: PageResponse) -> None:
        if is_poll(response.url):
            polls.append(response)
            started = sent.get(id(response.request))
            if started is not None:
                waited.append(time.monotonic() - started)

    def statuses(responses: list[PageResponse]) -> list[int]:
        return [response.status for response in responses]

    projector = new_context(**PROJECTOR).new_page()
    projector.on("request", on_request)
    projector.on("response", on_response)
    visit(projector, f"/en/f/{forum.code}/screen")
    mark_loaded(projector)
    projector.wait_for_timeout(3_000)  # nothing changes meanwhile

    assert len(polls) >= 2, f"the projector should poll about once a second: {statuses(polls)}"
    first, *later = polls
    assert first.status == 200 and first.request.headers.get("if-none-match") is None
    etag = first.headers["etag"]
    assert 304 in statuses(later) and set(statuses(later)) == {304}, statuses(polls)
    assert all(poll.request.headers.get("if-none-match") == etag for poll in later)
    # Short polls, each answered at once: no request is held open waiting for news.
    assert len(waited) == len(polls) and max(waited) < 1.0, waited
    assert_not_reloaded(projector, "the projector")

    # A vote changes the version: one poll gets the new results (200), and the next polls 304 again.
    before = len(polls)
    version = projector.locator("[data-live]").get_attribute("data-version")
    vote_elsewhere(forum, forum.items[1], "a-phone")
    projector.wait_for_function(
        "v => document.querySelector('[data-live]').dataset.version !== v",
        arg=version,
        timeout=LIVE_WITHIN * 1000,
    )
    projector.wait_for_function(VOTES_ARE, arg=[forum.items[1], protected(forum.items[1])], timeout=1000)
    with projector.expect_response(lambda response: is_poll(response.url) and response.status == 304):
        pass
    assert statuses(polls[before:]).count(200) == 1, statuses(polls[before:])
    assert_not_reloaded(projector, "the projector")
