"""The administrator's activity page: answers, scans and forum joins per day, protected like every count."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from participation.core.floods import BurstKind, BurstStatus, FloodBurst
from participation.extensions import db
from participation.forum.models import ForumParticipant
from participation.insights.activity import DAYS, activity
from participation.placements.models import PlacementScan
from participation.suppression import Count, protect
from participation.surveys.models import Response
from participation.surveys.releases import release_if_due
from tests.factories import gen_forum_session, gen_placement, gen_survey, gen_user, login

NOW = datetime(2026, 11, 30, 21, 30, tzinfo=UTC)  # 22:30 in Stockholm, a Monday evening
K = 5


def add_responses(survey, hour: datetime, count: int, *, quarantined: bool = False) -> list[int]:  # type: ignore[no-untyped-def]
    responses = [
        Response(
            survey_id=survey.id,
            idempotency_key=f"activity-{hour:%m%d%H}-{quarantined}-{index}",
            submitted_hour=hour,
            language="sv",
            quarantined=quarantined,
        )
        for index in range(count)
    ]
    db.session.add_all(responses)
    db.session.commit()
    return [response.id for response in responses]


def add_joins(session, hour: datetime, count: int) -> list[int]:  # type: ignore[no-untyped-def]
    joins = [
        ForumParticipant(session_id=session.id, participant_hash=f"{hour:%d%H}-{index}", joined_hour=hour)
        for index in range(count)
    ]
    db.session.add_all(joins)
    db.session.commit()
    return [join.id for join in joins]


@pytest.fixture()
def world(app, db):  # type: ignore[no-untyped-def]
    survey = gen_survey()
    placement = gen_placement(survey, code="FRITID")
    session = gen_forum_session()
    local = ZoneInfo(app.config["TIMEZONE"])
    today_evening = datetime(2026, 11, 30, 19, tzinfo=local).astimezone(UTC)
    today = add_responses(survey, today_evening, 32)
    # 23:00 UTC on the 29th is already the 30th in Stockholm: the same local day.
    today += add_responses(survey, datetime(2026, 11, 29, 23, tzinfo=UTC), 3)
    add_responses(survey, datetime(2026, 11, 27, 15, tzinfo=UTC), 2)  # a quiet Friday: fewer than k
    add_responses(survey, datetime(2026, 11, 10, 15, tzinfo=UTC), 30)  # before the fortnight shown
    db.session.add_all(
        [
            PlacementScan(placement_id=placement.id, day=NOW.date(), count=40),
            PlacementScan(placement_id=placement.id, day=(NOW - timedelta(days=3)).date(), count=2),
        ]
    )
    joins = add_joins(session, today_evening, 40)
    with app.app_context():
        release_if_due(1)  # counts of answers are of released answers
    held = add_responses(survey, today_evening, 36, quarantined=True)  # held: not in the days, counted apart
    db.session.add(
        FloodBurst(
            kind=BurstKind.SURVEY,
            scope_id=survey.id,
            started_hour=today_evening,
            last_hour=today_evening,
            status=BurstStatus.OPEN,
        )
    )
    db.session.commit()
    return {"survey": survey, "today": today, "joins": joins, "held": held}


def test_counts_per_local_day_are_protected(app, world) -> None:  # type: ignore[no-untyped-def]
    with app.test_request_context():
        result = activity(NOW, K)
        # The same protection as every count of people, of exactly that local day's records: the 32 of
        # the evening and the 3 from 23:00 UTC the day before, which is already today in Stockholm.
        expected = {name: protect(Count.of(world[name]), K) for name in ("today", "joins", "held")}
    assert None not in expected.values()
    assert len(result.days) == DAYS
    today, yesterday, _, friday = result.days[:4]
    assert today.day == NOW.date() and friday.day == (NOW - timedelta(days=3)).date()
    assert (today.responses, today.joins, result.held_responses) == (
        expected["today"],
        expected["joins"],
        expected["held"],
    )
    assert friday.responses is None, "2 answers on a day are fewer than k"
    assert yesterday.responses is None and yesterday.joins is None  # nothing: shown as fewer than k
    assert (today.scans, friday.scans, yesterday.scans) == (40, 2, 0)
    assert result.open_bursts == 1


def test_an_unreleased_answer_moves_no_figure(app, world) -> None:  # type: ignore[no-untyped-def]
    """Before and after one young person answers, the page is the same: answers count once released."""
    with app.test_request_context():
        before = activity(NOW, K)
    add_responses(world["survey"], NOW.replace(minute=0), 1)
    with app.test_request_context():
        assert activity(NOW, K) == before


def test_only_admins_see_the_page_in_their_language(app, world) -> None:  # type: ignore[no-untyped-def]
    for role in ("analyst", "staff"):
        client = app.test_client()
        login(client, gen_user(role, email=f"{role}@activity.example"))
        assert client.get("/staff/activity").status_code == 403
    client = app.test_client()
    login(client, gen_user("admin", email="admin@activity.example"))
    page = client.get("/staff/activity").get_data(as_text=True)
    assert "<h1>Activity</h1>" in page and "fewer than 5" in page
    assert "1 burst of answers waits for a decision." in page
