"""A big room in real Chromium (issue 15, point 6): a phone waits as long as results.json's poll_after
says, the projector keeps polling once a second, and the phone sees its own vote at once in its vote's
answer, long before its next poll.

The room is made "big" by asking the server for a low poll rate (PARTICIPATION_FORUM_PHONE_POLLS = 1):
eleven participants then wait ten seconds between polls, as a hall of several thousand would.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from participation.forum.models import ForumMode
from tests.browser.test_forum_live import (
    LIVE_WITHIN,
    PROJECTOR,
    VOTES_ARE,
    assert_not_reloaded,
    earlier_votes,
    make_forum,
    mark_loaded,
    shown_votes,
    tap_in_place,
    vote_button,
)
from tests.browser.test_survey_flow import visit

if TYPE_CHECKING:
    from flask import Flask
    from playwright.sync_api import Page
    from playwright.sync_api import Response as PageResponse

    from tests.browser.test_survey_flow import NewContext


def polls_of(page: Page, code: str) -> list[PageResponse]:
    """Every results.json answer this page receives from now on."""
    answers: list[PageResponse] = []

    def on_response(response: PageResponse) -> None:
        if response.url.split("?")[0].endswith(f"/f/{code}/results.json"):
            answers.append(response)

    page.on("response", on_response)
    return answers


def test_a_phone_in_a_big_room_polls_as_told_and_sees_its_own_vote_at_once(
    app: Flask, new_context: NewContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(app.config, "FORUM_PHONE_POLLS", 1)
    forum = make_forum(ForumMode.TOPICS)
    summer, weekends = forum.items
    earlier_votes(forum, summer, 5)
    earlier_votes(forum, weekends, 6)  # eleven participants at one poll a second together: ten seconds each

    projector = new_context(**PROJECTOR).new_page()
    screen_polls = polls_of(projector, forum.code)
    visit(projector, f"/sv/f/{forum.code}/screen")
    phone = new_context().new_page()
    phone_polls = polls_of(phone, forum.code)
    visit(phone, f"/sv/f/{forum.code}")
    mark_loaded(phone)

    # The phone's first poll (a second after the page) tells it how long to wait.
    for _ in range(100):
        if phone_polls:
            break
        phone.wait_for_timeout(100)
    assert phone_polls and phone_polls[0].status == 200
    assert phone_polls[0].json()["poll_after"] == 10_000

    # Its own vote shows at once, from the vote's answer: the count and the voted state, no poll needed.
    polls_before = len(phone_polls)
    tap_in_place(phone, vote_button(summer), vote_button(summer, "withdraw"))
    phone.wait_for_function(VOTES_ARE, arg=[summer, 6], timeout=LIVE_WITHIN * 1000)
    assert len(phone_polls) == polls_before, "the phone polled to see its own vote"
    assert_not_reloaded(phone, "the phone after its vote")

    # The projector keeps one second and shows the vote; meanwhile the phone has not polled again.
    projector.wait_for_function(VOTES_ARE, arg=[summer, 6], timeout=LIVE_WITHIN * 1000)
    seen = len(screen_polls)
    for _ in range(150):
        if len(screen_polls) >= seen + 3:
            break
        projector.wait_for_timeout(100)
    assert len(screen_polls) >= seen + 3, "the projector should go on polling about once a second"
    assert all("poll_after" in answer.json() for answer in screen_polls if answer.status == 200)
    assert len(phone_polls) == polls_before, (
        f"the phone polled {len(phone_polls)} times, not every ten seconds"
    )
    assert shown_votes(phone, weekends) == 6
