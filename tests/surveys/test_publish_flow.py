"""Publish → posters in one flow, and a status that reads what the survey is from its times (issue 13, 4)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from participation.surveys.models import DisplayStatus, Survey, SurveyStatus
from tests.factories import csrf_token, gen_survey, gen_user, login

NOW = datetime(2027, 3, 1, 12, tzinfo=UTC)


def test_the_status_is_read_from_the_times(app):
    survey = Survey(slug="x", status=SurveyStatus.DRAFT)
    assert survey.display_status(NOW) is DisplayStatus.DRAFT
    survey.status = SurveyStatus.PUBLISHED
    assert survey.display_status(NOW) is DisplayStatus.OPEN
    survey.opens_at = NOW + timedelta(days=1)
    assert survey.display_status(NOW) is DisplayStatus.SCHEDULED
    survey.opens_at, survey.closes_at = NOW - timedelta(days=9), NOW - timedelta(seconds=1)
    assert survey.display_status(NOW) is DisplayStatus.CLOSED
    assert survey.display_status(NOW - timedelta(days=1)) is DisplayStatus.OPEN
    survey.status = SurveyStatus.ARCHIVED
    assert survey.display_status(NOW) is DisplayStatus.ARCHIVED


def test_a_survey_past_its_closing_time_says_closed_in_the_list_and_on_its_page(client):
    past = datetime.now(UTC) - timedelta(days=1)
    survey = gen_survey("sommar", opens_at=past - timedelta(days=30), closes_at=past)
    later = gen_survey("host", opens_at=datetime.now(UTC) + timedelta(days=5))
    login(client, gen_user("staff"))
    listing = client.get("/staff/surveys/").get_data(as_text=True)
    assert "Closed" in listing and "Scheduled" in listing and "Published" not in listing
    page = client.get(f"/staff/surveys/{survey.id}").get_data(as_text=True)
    assert "<strong>Closed</strong>" in page
    assert "<strong>Scheduled</strong>" in client.get(f"/staff/surveys/{later.id}").get_data(as_text=True)


def test_the_status_is_in_the_staff_members_language(client):
    gen_survey("sommar", closes_at=datetime.now(UTC) - timedelta(days=1))
    login(client, gen_user("staff"))
    client.set_cookie("delaktig_lang", "sv")
    assert "Stängd" in client.get("/staff/surveys/").get_data(as_text=True)


def test_publishing_shows_the_link_a_qr_and_the_way_to_posters(client, app):
    survey = gen_survey("trygg", status=SurveyStatus.DRAFT)
    login(client, gen_user("staff"))
    url = f"/staff/surveys/{survey.id}"
    assert 'id="public"' not in client.get(url).get_data(as_text=True)  # a draft has no public link yet
    published = client.post(
        f"{url}/status", data={"csrf_token": csrf_token(client, url), "status": "published"}
    )
    assert published.status_code == 302 and published.headers["Location"].endswith(f"{url}#public")
    page = client.get(url).get_data(as_text=True)
    base = app.config["PUBLIC_BASE_URL"]
    assert f'href="{base}/sv/s/trygg"' in page
    assert base.split("://", 1)[1] + "/sv/s/trygg</strong>" in page
    assert 'class="public-link-qr"' in page and "<svg" in page.split('class="public-link-qr"', 1)[1][:400]
    assert f'href="/staff/placements/new?survey={survey.id}"' in page
    assert "<strong>Open</strong>" in page


def test_the_new_placements_page_has_the_survey_chosen(client):
    first = gen_survey("forsta")
    second = gen_survey("andra")
    login(client, gen_user("staff"))
    page = client.get(f"/staff/placements/new?survey={first.id}").get_data(as_text=True)
    assert f'<option selected value="{first.id}">' in page or f'value="{first.id}" selected' in page
    assert f'value="{second.id}" selected' not in page
    assert client.get("/staff/placements/new?survey=nonsense").status_code == 200
