"""Opinion groups in real Chromium: the facilitator's page and the revealed projector pass axe in every language.

Selectors use classes and data attributes, never UI text.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from participation.extensions import db
from participation.forum.models import ForumMode
from tests.browser.test_forum_evening import facilitator, session_id
from tests.browser.test_forum_live import LANGUAGES, PROJECTOR, make_forum
from tests.browser.test_survey_flow import assert_accessible, visit
from tests.forum.test_opinions import STATEMENTS, add_votes, camps

if TYPE_CHECKING:
    from tests.browser.test_survey_flow import NewContext


@pytest.mark.parametrize("lang", LANGUAGES)
def test_opinion_groups_have_no_axe_violations(new_context: NewContext, lang: str) -> None:
    forum = make_forum(ForumMode.STATEMENTS, STATEMENTS)
    add_votes(session_id(forum), list(forum.items), camps())
    db.session.rollback()

    tablet = facilitator(new_context, lang)
    visit(tablet, f"/staff/forum/{session_id(forum)}")
    assert tablet.locator("[data-swap=opinions] .opinion-table").count() >= 2
    assert_accessible(tablet, f"the facilitator's opinion groups in {lang}")
    visit(tablet, f"/staff/forum/{session_id(forum)}/results")
    assert tablet.locator(".opinion-groups").count() == 1
    assert_accessible(tablet, f"the printable results with opinion groups in {lang}")

    projector = new_context(**PROJECTOR).new_page()
    visit(projector, f"/{lang}/f/{forum.code}/screen")
    assert projector.locator(".screen-results .opinion-groups").count() == 1
    assert_accessible(projector, f"the projector's opinion groups in {lang}")
