"""Irreversible things ask first: the first POST shows a page naming the thing; only confirm=yes acts."""

from __future__ import annotations

import re

import sqlalchemy as sa

from participation.api.models import ApiToken
from participation.api.services import create_token
from participation.extensions import db
from participation.placements.models import Placement
from participation.staff.services import get_or_create_partner
from participation.surveys.models import Option, Survey, SurveyStatus
from tests.factories import csrf_token, gen_placement, gen_survey, gen_user, login


def ask_then_confirm(client, url: str, page: str, data: dict[str, str] | None = None) -> str:  # type: ignore[no-untyped-def]
    """POST once (the confirmation page must come back), then press its Confirm button; return the page."""
    asked = client.post(url, data={"csrf_token": csrf_token(client, page), **(data or {})})
    assert asked.status_code == 200
    html = asked.get_data(as_text=True)
    form = html.split('<form method="post" action="', 2)[2]  # the confirmation form, after the log-out one
    assert form.startswith(url)
    hidden = dict(
        re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', form.split("</form>")[0])
    )
    assert hidden.pop("confirm") == "yes" and hidden.pop("csrf_token")
    assert hidden == (data or {})
    assert (
        client.post(
            url, data={**(data or {}), "confirm": "yes", "csrf_token": csrf_token(client, page)}
        ).status_code
        == 302
    )
    return html


def test_retiring_a_placement_asks_first_and_cancel_leads_back(client) -> None:
    placement = gen_placement(gen_survey(), code="TRAPPA7")
    placement.place = "Trapphus 7"
    db.session.commit()
    login(client, gen_user("staff"))
    html = ask_then_confirm(client, f"/staff/placements/{placement.id}/retire", "/staff/placements/")
    assert "Trapphus 7" in html and "TRAPPA7" in html and "cannot be undone" in html
    assert '<a href="/staff/placements/">Cancel</a>' in html
    db.session.expire_all()
    assert db.session.get(Placement, placement.id).retired_at is not None


def test_archiving_asks_first_but_publishing_does_not(client) -> None:
    survey = gen_survey(status=SurveyStatus.DRAFT)
    login(client, gen_user("staff"))
    base = f"/staff/surveys/{survey.id}"
    published = client.post(
        f"{base}/status", data={"status": "published", "csrf_token": csrf_token(client, base)}
    )
    assert published.status_code == 302
    html = ask_then_confirm(client, f"{base}/status", base, {"status": "archived"})
    assert "Archive this survey?" in html and "Test survey" in html and f'<a href="{base}">Cancel</a>' in html
    db.session.expire_all()
    assert db.session.get(Survey, survey.id).status is SurveyStatus.ARCHIVED


def test_deleting_an_option_asks_first_naming_it(client) -> None:
    survey = gen_survey()
    login(client, gen_user("staff"))
    option = survey.questions[0].options[-1]
    option_id = option.id
    page = f"/staff/surveys/{survey.id}/questions/{option.question_id}"
    url = f"/staff/surveys/{survey.id}/options/{option.id}/delete"
    first = client.post(url, data={"csrf_token": csrf_token(client, page)})
    assert "Delete this option?" in first.get_data(as_text=True)
    assert f"{page}#options" in first.get_data(as_text=True)
    assert db.session.get(Option, option.id) is not None  # nothing deleted yet
    ask_then_confirm(client, url, page)
    db.session.expire_all()
    assert db.session.get(Option, option_id) is None


def test_revoking_a_token_asks_first(client) -> None:
    login(client, gen_user("admin"))
    create_token(get_or_create_partner("Västerås stad"), "Stadens BI")
    db.session.commit()
    token = db.session.scalar(sa.select(ApiToken))
    html = ask_then_confirm(client, f"/staff/api-tokens/{token.id}/revoke", "/staff/api-tokens/")
    assert "Revoke this API token?" in html and "Stadens BI" in html
    db.session.expire_all()
    assert db.session.get(ApiToken, token.id).revoked_at is not None


def test_the_confirmation_step_still_needs_its_csrf_token(client) -> None:
    placement = gen_placement(gen_survey())
    login(client, gen_user("staff"))
    assert client.post(f"/staff/placements/{placement.id}/retire", data={"confirm": "yes"}).status_code == 400
