"""A participant scans, answers and submits; the response is stored once, anonymously."""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa

from participation.extensions import db
from participation.placements.models import PlacementScan
from participation.privacy import DEVICE_COOKIE
from participation.surveys.models import Answer, ModerationStatus, Response
from tests.factories import gen_placement, gen_survey, open_form, opt, q, valid_answers


def responses() -> list[Response]:
    return list(db.session.scalars(sa.select(Response)))


def test_scan_answer_and_thank_you(client):
    survey = gen_survey()
    placement = gen_placement(survey, code="FRITID")

    scan = client.get("/q/fritid", headers={"Accept-Language": "en-GB,en;q=0.9"})
    assert scan.status_code == 302
    assert scan.headers["Location"] == f"/en/s/{survey.slug}?p=FRITID"

    page = client.get(scan.headers["Location"])
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Test survey" in html and "Question pick" in html
    assert 'name="placement" value="FRITID"' in html

    fields = open_form(client, survey, "en", "?p=FRITID")
    submitted = client.post(f"/en/s/{survey.slug}", data={**fields, **valid_answers(survey)})
    assert submitted.status_code == 303
    assert submitted.headers["Location"] == f"/en/s/{survey.slug}/thanks"

    thanks = client.get(submitted.headers["Location"])
    assert thanks.status_code == 200
    assert "Thanks" in thanks.get_data(as_text=True)

    [stored] = responses()
    assert stored.placement_id == placement.id
    assert stored.language == "en"
    assert (stored.age_band, stored.gender, stored.lives_in_area) == ("13_15", "girl", "yes")
    assert stored.submitted_hour.minute == 0 and stored.submitted_hour.second == 0
    assert stored.submitted_hour <= datetime.now(UTC)
    kinds = {(a.question_id, a.option_id, a.rank, a.value_int, a.text_value) for a in stored.answers}
    assert (q(survey, "rank").id, int(opt(survey, "rank", "r3")), 1, None, None) in kinds
    assert (q(survey, "scale").id, None, None, 2, None) in kinds
    assert (q(survey, "count").id, None, None, 4, None) in kinds
    text = db.session.scalar(sa.select(Answer).where(Answer.text_value.is_not(None)))
    assert text.moderation_status is ModerationStatus.PENDING
    assert db.session.scalar(sa.select(PlacementScan.count)) == 1


def test_respondent_is_an_hmac_not_the_cookie(client):
    survey = gen_survey()
    fields = open_form(client, survey)
    token = client.get_cookie(DEVICE_COOKIE).value
    client.post(f"/sv/s/{survey.slug}", data={**fields, **valid_answers(survey)})
    [stored] = responses()
    assert stored.respondent_hash and len(stored.respondent_hash) == 64
    assert token not in stored.respondent_hash
    assert fields["submission_key"] not in stored.idempotency_key


def test_returning_device_sees_already_answered(client):
    survey = gen_survey()
    client.post(f"/sv/s/{survey.slug}", data={**open_form(client, survey), **valid_answers(survey)})
    again = client.get(f"/en/s/{survey.slug}")
    assert again.status_code == 200
    html = again.get_data(as_text=True)
    assert "You have already answered" in html
    assert "<form" not in html.split("<main", 1)[1]


def test_second_form_from_same_device_is_refused(client):
    survey = gen_survey()
    first = open_form(client, survey)
    second = open_form(client, survey)  # opened in a second tab before sending the first
    client.post(f"/sv/s/{survey.slug}", data={**first, **valid_answers(survey)})
    refused = client.post(f"/sv/s/{survey.slug}", data={**second, **valid_answers(survey)})
    assert refused.status_code == 409
    assert len(responses()) == 1


def test_hashes_differ_between_surveys_for_the_same_device(client):
    one, two = gen_survey("one"), gen_survey("two")
    for survey in (one, two):
        client.post(f"/sv/s/{survey.slug}", data={**open_form(client, survey), **valid_answers(survey)})
    hashes = {r.respondent_hash for r in responses()}
    assert len(hashes) == 2


def test_show_if_question_is_skipped_when_its_choice_is_not_made(client):
    survey = gen_survey()
    answers = valid_answers(survey)
    answers[f"q{q(survey, 'pick').id}"] = opt(survey, "pick", "a")
    del answers[f"q{q(survey, 'show').id}"]  # required, but only shown after choosing 'b'
    result = client.post(f"/sv/s/{survey.slug}", data={**open_form(client, survey), **answers})
    assert result.status_code == 303
    [stored] = responses()
    assert q(survey, "show").id not in {a.question_id for a in stored.answers}
