"""/q/<code>: a daily scan counter with nothing about the device, and friendly dead ends."""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa

from participation.database import Base
from participation.extensions import db
from participation.placements.models import PlacementScan
from tests.factories import gen_placement, gen_survey


def test_each_scan_adds_one_to_the_days_counter(client):
    placement = gen_placement(gen_survey(), code="TVATT12")
    for _ in range(3):
        assert client.get("/q/TVATT12").status_code == 302
    row = db.session.scalar(sa.select(PlacementScan))
    assert (row.placement_id, row.day, row.count) == (placement.id, datetime.now(UTC).date(), 3)


def test_scan_redirect_is_not_cached(client):
    gen_placement(gen_survey(), code="SKOLAN")
    response = client.get("/q/SKOLAN")
    assert "no-store" in response.headers["Cache-Control"]


def test_pinned_language_is_used_unless_the_participant_chose_one(client):
    survey = gen_survey()
    gen_placement(survey, code="ARAB", language="ar")
    assert client.get("/q/ARAB", headers={"Accept-Language": "sv"}).headers["Location"].startswith("/ar/")
    client.get("/en/language?next=/")  # the participant picks English in the switcher
    assert client.get("/q/ARAB").headers["Location"].startswith("/en/")


def test_unknown_code_gives_a_friendly_404(client):
    page = client.get("/q/DOESNOTEXIST", headers={"Accept-Language": "en"})
    assert page.status_code == 404
    assert "The poster may be old" in page.get_data(as_text=True)


def test_retired_placement_gives_404_and_counts_nothing(client):
    placement = gen_placement(gen_survey(), code="OLD")
    placement.retired_at = datetime.now(UTC)
    db.session.commit()
    assert client.get("/q/OLD").status_code == 404
    assert db.session.scalar(sa.select(sa.func.count()).select_from(PlacementScan)) == 0


def test_overlong_code_is_a_404_not_an_error(client):
    assert client.get("/q/" + "A" * 500).status_code == 404


def test_no_table_can_hold_an_ip_address_or_user_agent():
    forbidden = {"ip", "addr", "address", "agent", "ua", "device", "fingerprint", "name", "email"}
    columns = [(t.name, c.name) for t in Base.metadata.tables.values() for c in t.columns]
    participant_tables = {"response", "answer", "placement_scan", "forum_participant", "forum_vote"}
    assert not [
        (table, column)
        for table, column in columns
        if table in participant_tables and forbidden & set(column.split("_"))
    ]
