"""Analysts find their partner's forum result exports on the needs map, and only their partner's
(issue 14, point 3): the link is there, both downloads work and stay suppressed; another partner's
analyst sees no link and gets 404 for the file."""

from __future__ import annotations

import re

import sqlalchemy as sa

from participation.extensions import db
from participation.forum.models import ForumMode, ForumVote
from participation.suppression import Count, protect
from tests.factories import gen_forum_session, gen_user, login
from tests.forum.test_forum import vote
from tests.reports import read_csv, read_xlsx

A, B = "Bäckby Ungdomsförening", "Bostadsbolaget Västerås"


def voted_session(app):  # type: ignore[no-untyped-def]
    session = gen_forum_session(ForumMode.POLL, items=("Ja", "Nej"), partner=A)
    session.title = {"sv": "Kvällsforum i Bäckby"}
    db.session.commit()
    for _ in range(30):
        vote(app.test_client(), session, session.items[0])
    vote(app.test_client(), session, session.items[1])
    return session


def export_links(html: str) -> list[str]:
    return re.findall(r'href="(/staff/forum/\d+/results\.(?:csv|xlsx))"', html)


def test_an_analyst_finds_the_forum_exports_on_the_needs_map_and_both_download(app, client):
    session = voted_session(app)
    login(client, gen_user("analyst", email="analyst-a@example.se", partner=A))
    page = client.get("/staff/needs")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    csv_url, xlsx_url = f"/staff/forum/{session.id}/results.csv", f"/staff/forum/{session.id}/results.xlsx"
    assert export_links(html) == [csv_url, xlsx_url]
    assert "Forum results to download (1 session)" in html and "Kvällsforum i Bäckby" in html
    assert client.get("/staff/forum/").status_code == 403  # the forum's own pages stay staff's

    votes = db.session.scalars(sa.select(ForumVote.id).where(ForumVote.item_id == session.items[0].id))
    shown = protect(Count.of(votes), 5)
    response = client.get(csv_url)
    assert response.status_code == 200 and "attachment" in response.headers["Content-Disposition"]
    report = read_csv(response.data, ",")
    rows = report.tables["Results"]
    assert rows[1][0] == "Ja" and rows[1][2:] == [str(shown), "0"]
    assert rows[2][0] == "Nej" and rows[2][2:] == ["", "1"]  # one vote: hidden, empty and flagged
    sheets = read_xlsx(client.get(xlsx_url).data)
    assert sheets["Results"][1][2] == shown and isinstance(sheets["Results"][1][2], int)
    assert sheets["Results"][2][2:] == (None, 1)


def test_another_partner_s_analyst_sees_no_link_and_gets_no_file(app, client):
    session = voted_session(app)
    own = gen_forum_session(ForumMode.POLL, partner=B)
    login(client, gen_user("analyst", email="analyst-b@example.se", partner=B))
    html = client.get("/staff/needs").get_data(as_text=True)
    assert export_links(html) == [f"/staff/forum/{own.id}/results.csv", f"/staff/forum/{own.id}/results.xlsx"]
    assert "Kvällsforum i Bäckby" not in html
    for kind in ("csv", "xlsx"):
        assert client.get(f"/staff/forum/{session.id}/results.{kind}").status_code == 404


def test_without_any_session_of_its_own_the_needs_map_offers_none(app, client):
    voted_session(app)
    login(client, gen_user("analyst", email="analyst-b@example.se", partner=B))
    html = client.get("/staff/needs").get_data(as_text=True)
    assert export_links(html) == [] and "Forum results to download" not in html
