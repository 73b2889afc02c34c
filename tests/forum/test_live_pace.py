"""results.json in a big room (issue 15, point 6): phones are told to wait longer as the room grows, a
conditional poll reads the session's version and nothing else, and a big room's phones share a body
counted a moment ago instead of each counting the votes again."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from flask import template_rendered

from participation.extensions import db
from participation.forum import live, results
from participation.forum import routes as forum_routes
from participation.forum.models import ForumMode
from tests.forum.test_evening import many_votes
from tests.forum.test_floods import Phone
from tests.forum.test_forum import make_session


@pytest.fixture(autouse=True)
def _database(db):  # type: ignore[no-untyped-def]
    return db


def results_json(client, code: str, etag: str | None = None, lang: str = "en"):  # type: ignore[no-untyped-def]
    headers = {"If-None-Match": etag} if etag else {}
    return client.get(f"/{lang}/f/{code}/results.json", headers=headers)


# --- How long a phone waits ------------------------------------------------------------------------------


def test_the_interval_is_a_second_for_a_small_room_and_grows_with_a_big_one():
    assert live.poll_after_ms(0, 400) == 1000
    assert live.poll_after_ms(30, 400) == 1000  # a class: once a second, as before
    assert live.poll_after_ms(400, 400) == 1000
    assert live.poll_after_ms(401, 400) == 1500  # half-second steps
    assert live.poll_after_ms(1000, 400) == 2500  # a hall of 1 000: still 400 polls a second together
    assert live.poll_after_ms(10**6, 400) == 10_000  # never longer than ten seconds
    intervals = [live.poll_after_ms(n, 400) for n in range(0, 6000, 7)]
    assert intervals == sorted(intervals)
    # The phones of a room together poll at most the configured rate, and (up to the ten seconds) never
    # below two thirds of it, the first half-second step's worst.
    for n in range(401, 4000, 13):
        polls_per_second = n * 1000 / live.poll_after_ms(n, 400)
        assert 400 * 2 / 3 <= polls_per_second <= 400


def test_results_json_tells_phones_to_wait_longer_as_people_join(app, monkeypatch):
    monkeypatch.setitem(app.config, "FORUM_PHONE_POLLS", 2)  # a room of two polls once a second
    session = make_session(ForumMode.POLL, items=("Ja", "Nej"))
    viewer = Phone(app, session, "203.0.113.50").client
    assert results_json(viewer, session.code).get_json()["poll_after"] == 1000
    many_votes(app, session, session.items[0].id, 2)
    assert results_json(viewer, session.code).get_json()["poll_after"] == 1000
    many_votes(app, session, session.items[0].id, 4, first=2)  # six: each waits three seconds
    assert results_json(viewer, session.code).get_json()["poll_after"] == 3000


def test_only_the_phone_page_follows_the_interval(app):
    """The phone's page asks live.js to follow poll_after; the projector and the facilitator keep 1 s."""
    session = make_session(ForumMode.POLL, items=("Ja", "Nej"))
    client = Phone(app, session).client
    phone = client.get(f"/en/f/{session.code}").get_data(as_text=True)
    screen = client.get(f"/en/f/{session.code}/screen").get_data(as_text=True)
    assert "data-paced" in phone.split("data-live=", 1)[1].split(">", 1)[0]
    assert "data-paced" not in screen
    script = (app.static_folder + "/js/live.js") if app.static_folder else ""
    with open(script, encoding="utf-8") as source:
        text = source.read()
    assert 'hasAttribute("data-paced")' in text and "data.poll_after" in text


# --- The conditional poll is cheap ------------------------------------------------------------------------


def test_a_conditional_poll_reads_the_version_and_nothing_else(app, monkeypatch):
    session = make_session(ForumMode.POLL, items=("Ja", "Nej"))
    many_votes(app, session, session.items[0].id, 6)
    client = Phone(app, session).client
    first = results_json(client, session.code)
    etag = first.headers["ETag"]
    statements: list[str] = []
    rendered: list[str] = []

    def seen(_conn, _cursor, statement, _params, _context, _many):  # type: ignore[no-untyped-def]
        statements.append(statement)

    def counted(*_args, **_kwargs):  # type: ignore[no-untyped-def]
        raise AssertionError("a conditional poll counted the votes")

    def translated(*_args, **_kwargs):  # type: ignore[no-untyped-def]
        raise AssertionError("a conditional poll looked up a message")

    def rendering(_app, template, **_extra):  # type: ignore[no-untyped-def]
        rendered.append(template.name)

    monkeypatch.setattr(results, "session_results", counted)
    monkeypatch.setattr(forum_routes, "_", translated)
    sa.event.listen(db.engine, "before_cursor_execute", seen)
    template_rendered.connect(rendering, app)
    try:
        unchanged = results_json(client, session.code, etag)
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", seen)
        template_rendered.disconnect(rendering, app)
    assert unchanged.status_code == 304 and unchanged.data == b"" and unchanged.headers["ETag"] == etag
    assert rendered == []
    reads = [s for s in statements if s.lstrip().upper().startswith("SELECT")]
    assert len(reads) == 1, statements
    assert "forum_session.version" in reads[0] and "forum_vote" not in reads[0]
    assert "title" not in reads[0]  # not the session row with its texts: only what the ETag needs

    # A poll that has not seen the version still counts, and an unknown code is still a 404.
    monkeypatch.undo()
    assert results_json(client, session.code, '"0-0-en"').status_code == 200
    assert results_json(client, "NOSUCH99", etag).status_code == 404


# --- A big room shares a body counted a moment ago -------------------------------------------------------


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_a_big_room_shares_a_body_for_a_moment_and_a_small_one_never(app, monkeypatch):
    clock = Clock()
    monkeypatch.setattr(live, "now", clock)
    session = make_session(ForumMode.POLL, items=("Ja", "Nej"))
    summer = session.items[0].id
    many_votes(app, session, summer, 5)
    client = Phone(app, session, "203.0.113.60").client

    # Five people: a small room. Every poll after a change counts the votes of that moment.
    before = results_json(client, session.code)
    many_votes(app, session, summer, 1, first=5)
    after = results_json(client, session.code)
    assert after.get_json()["version"] > before.get_json()["version"]

    # The same five people as a big room: a body counted a moment ago is shared with its own ETag.
    monkeypatch.setattr(live, "SHARED_FROM", 5)
    counted = results_json(client, session.code)
    version = counted.get_json()["version"]
    assert counted.headers["ETag"] == f'"{session.id}-{version}-en"'
    many_votes(app, session, summer, 1, first=6)
    clock.now += live.SHARE_SECONDS / 2
    shared = results_json(client, session.code)
    assert shared.status_code == 200 and shared.get_json() == counted.get_json()
    assert shared.headers["ETag"] == counted.headers["ETag"]
    # A phone that has that body gets a 304: it learns of the new vote with the next body.
    assert results_json(client, session.code, counted.headers["ETag"]).status_code == 304
    # Another language is counted for itself, in its own words.
    swedish = results_json(client, session.code, lang="sv")
    assert swedish.get_json()["version"] == version + 2 and swedish.headers["ETag"].endswith('-sv"')

    # A moment later the room gets the counts again, with the vote that came meanwhile.
    clock.now += live.SHARE_SECONDS
    fresh = results_json(client, session.code, counted.headers["ETag"])
    assert fresh.status_code == 200 and fresh.get_json()["version"] == version + 2  # a join and a vote
    assert fresh.get_json()["participants"] == 7

    # Bodies are never shared across sessions, nor offered to a session as it was before.
    other = make_session(ForumMode.POLL, items=("Ja", "Nej"))
    assert results_json(client, other.code).get_json()["items"][0]["id"] == other.items[0].id
