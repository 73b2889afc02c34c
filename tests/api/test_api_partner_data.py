"""Indicators, placements and forum results in the API: suppressed as on the pages, scoped per partner."""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa

from participation.api.models import ApiToken
from participation.api.services import revoke
from participation.extensions import db
from participation.forum.models import ForumSession
from participation.measurement.models import DataPoint, PointStatus
from participation.placements.models import Placement, PlacementScan
from tests.api.test_api import bearer, new_token
from tests.factories import PARTNER, gen_forum_session, gen_placement, gen_survey

OTHER = "Bostadsbolaget Västerås"


def test_indicators_show_approved_values_only(runner, client):
    runner.invoke(args=["demo"])
    pending = db.session.scalars(sa.select(DataPoint).where(DataPoint.status == PointStatus.PENDING)).all()
    assert pending  # the demo has a value waiting for the backbone
    indicators = bearer(client, new_token(), "/api/v1/indicators?lang=en").get_json()["indicators"]
    assert indicators and all(item["name"] and item["unit"] for item in indicators)
    shown = {(item["id"], value["period"]) for item in indicators for value in item["values"]}
    assert not {(point.indicator_id, point.period) for point in pending} & shown
    approved = db.session.scalars(sa.select(DataPoint).where(DataPoint.status == PointStatus.APPROVED)).all()
    assert {(point.indicator_id, point.period) for point in approved} == shown
    # Indicators are shared measurement: another partner's token reads the same.
    assert (
        bearer(client, new_token(OTHER), "/api/v1/indicators?lang=en").get_json()["indicators"] == indicators
    )


def test_a_computed_value_keeps_its_protected_base(runner, client):
    runner.invoke(args=["demo"])
    indicators = bearer(client, new_token(), "/api/v1/indicators").get_json()["indicators"]
    computed = [value for item in indicators for value in item["values"] if value["computed"]]
    assert all(value["n"] is None or value["n"] >= 10 for value in computed)


def _scans(placement: Placement, *counts: int) -> None:
    for day, count in enumerate(counts, start=1):
        db.session.add(PlacementScan(placement_id=placement.id, day=date(2025, 9, day), count=count))
    db.session.commit()


def test_placements_scans_per_day_are_hidden_below_k_and_responses_are_protected(client):
    placement = gen_placement(gen_survey())
    _scans(placement, 3, 12, 4)
    token = new_token()
    listed = bearer(client, token, "/api/v1/placements").get_json()
    assert listed["k"] == 5
    (row,) = listed["placements"]
    assert row["code"] == "TEST1" and row["survey"] == "test-survey"
    assert row["scans"] == {"count": 19, "share": None, "suppressed": False}
    assert row["responses"] == {"count": None, "share": None, "suppressed": True}  # no response yet
    days = bearer(client, token, f"/api/v1/placements/{placement.id}").get_json()["placement"]["days"]
    assert days == [
        {"day": "2025-09-01", "count": None, "share": None, "suppressed": True},
        {"day": "2025-09-02", "count": 12, "share": None, "suppressed": False},
        {"day": "2025-09-03", "count": None, "share": None, "suppressed": True},
    ]


def test_placements_with_the_demos_responses(runner, client):
    runner.invoke(args=["demo"])
    rows = bearer(client, new_token(), "/api/v1/placements").get_json()["placements"]
    counted = [row["responses"] for row in rows if not row["responses"]["suppressed"]]
    assert counted and all(cell["count"] >= 5 for cell in counted)


def test_forum_results_are_the_public_counts(runner, client):
    runner.invoke(args=["demo"])
    token = new_token()
    sessions = bearer(client, token, "/api/v1/forum/sessions?lang=en").get_json()["sessions"]
    demo = next(s for s in sessions if s["code"] == "TJEJ24")
    assert demo["participants"]["count"] == 18 and demo["title"].startswith("Girls")
    results = bearer(client, token, f"/api/v1/forum/sessions/{demo['id']}/results").get_json()["session"]
    votes = [item["counts"]["votes"] for item in results["items"]]
    # Topic votes are shown as they are from k up (as on the projector), hidden below.
    assert [v["count"] for v in votes] == [14, 11, 9, 6]
    small = gen_forum_session()  # a poll with no votes yet: answers about oneself, all hidden
    poll = bearer(client, token, f"/api/v1/forum/sessions/{small.id}/results").get_json()["session"]
    assert poll["participants"]["suppressed"]
    assert all(item["counts"]["votes"]["suppressed"] for item in poll["items"])


def _another_partners_data() -> dict[str, str]:
    survey = gen_survey("other-survey", partner=OTHER)
    placement = gen_placement(survey, code="OTHER2")
    _scans(placement, 40)
    session = gen_forum_session(partner=OTHER)
    return {
        "/api/v1/placements/{}": str(placement.id),
        "/api/v1/forum/sessions/{}/results": str(session.id),
        "/api/v1/surveys/{}/results": survey.slug,
    }


@pytest.mark.parametrize("kind", ["none", "made-up", "revoked", "own", "other"])
def test_route_by_token_kind_by_partner(client, kind):
    """Each route × each kind of token × whose data: another partner's never shows, not even as 403."""
    mine = gen_placement(gen_survey(), code="MINE2")
    own_session = gen_forum_session()
    theirs = _another_partners_data()
    if kind in ("none", "made-up"):
        token = "" if kind == "none" else "not-a-token"
    else:
        token = new_token(OTHER if kind == "other" else PARTNER)
    if kind == "revoked":
        revoke(db.session.scalar(sa.select(ApiToken)))
    mine_urls = {
        "/api/v1/placements/{}": str(mine.id),
        "/api/v1/forum/sessions/{}/results": str(own_session.id),
        "/api/v1/surveys/{}/results": "test-survey",
    }
    for route, own_id in mine_urls.items():
        for url, owner in ((route.format(own_id), "own"), (route.format(theirs[route]), "other")):
            response = bearer(client, token, url)
            if kind in ("none", "made-up", "revoked"):
                assert response.status_code == 401, (kind, url)
            else:
                assert response.status_code == (200 if owner == kind else 404), (kind, url)
            assert response.is_json
    for url, key in (("/api/v1/placements", "placements"), ("/api/v1/forum/sessions", "sessions")):
        response = bearer(client, token, url)
        if kind in ("none", "made-up", "revoked"):
            assert response.status_code == 401
            continue
        codes = {row["code"] for row in response.get_json()[key]}
        own_codes = {mine.code} if key == "placements" else {own_session.code}
        other_codes = (
            {"OTHER2"}
            if key == "placements"
            else {db.session.get(ForumSession, int(theirs["/api/v1/forum/sessions/{}/results"])).code}
        )
        expected, hidden = (own_codes, other_codes) if kind == "own" else (other_codes, own_codes)
        assert expected <= codes and not hidden & codes, (kind, url)
