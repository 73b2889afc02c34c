"""Every kind of bad input gets a clear 4xx in the page's language, keeps the answers and stores nothing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from participation.extensions import db
from participation.surveys.models import Answer, Response, SurveyStatus
from tests.factories import gen_survey, open_form, opt, q, valid_answers


def stored() -> tuple[int, int]:
    return (
        db.session.scalar(sa.select(sa.func.count(Response.id))),
        db.session.scalar(sa.select(sa.func.count(Answer.id))),
    )


def post(client, survey, data, lang="en"):
    return client.post(f"/{lang}/s/{survey.slug}", data=data)


def assert_kept(html: str, survey) -> None:
    """The typed free text and the checked choice are still in the re-rendered form."""
    assert "Mer läxhjälp på kvällen" in html or "x" * 501 in html
    assert f'value="{opt(survey, "pick", "b")}" checked' in html


@pytest.fixture()
def survey(db):
    return gen_survey()


def test_missing_csrf_token_keeps_answers_and_stores_nothing(client, survey):
    fields = open_form(client, survey, "en")
    del fields["csrf_token"]
    result = post(client, survey, {**fields, **valid_answers(survey)})
    html = result.get_data(as_text=True)
    assert result.status_code == 400
    assert "Your answers are still here" in html
    assert 'name="csrf_token"' in html  # a fresh token to send again with
    assert_kept(html, survey)
    assert stored() == (0, 0)


def test_forged_csrf_token(client, survey):
    fields = open_form(client, survey, "en")
    fields["csrf_token"] = "forged"
    assert post(client, survey, {**fields, **valid_answers(survey)}).status_code == 400
    assert stored() == (0, 0)


def test_tampered_option_id_from_another_question(client, survey):
    answers = valid_answers(survey)
    answers[f"q{q(survey, 'pick').id}"] = opt(survey, "many", "y")
    result = post(client, survey, {**open_form(client, survey, "en"), **answers})
    assert result.status_code == 400
    assert "Something in the form was not right" in result.get_data(as_text=True)
    assert stored() == (0, 0)


@pytest.mark.parametrize(
    "key, value",
    [("pick", "not-a-number"), ("pick", "999999"), ("scale", "6"), ("scale", "0"), ("yesno", "maybe")],
)
def test_wrong_values_are_refused(client, survey, key, value):
    answers = valid_answers(survey)
    answers[f"q{q(survey, key).id}"] = value
    assert post(client, survey, {**open_form(client, survey, "en"), **answers}).status_code == 400
    assert stored() == (0, 0)


def test_answers_to_a_question_of_another_survey(client, survey):
    other = gen_survey("other")
    answers = valid_answers(survey)
    answers[f"q{q(other, 'pick').id}"] = opt(other, "pick", "a")
    result = post(client, survey, {**open_form(client, survey, "en"), **answers})
    assert result.status_code == 400
    assert_kept(result.get_data(as_text=True), survey)
    assert stored() == (0, 0)


def test_tampered_profile_value(client, survey):
    answers = {**valid_answers(survey), "profile_age_band": "42"}
    assert post(client, survey, {**open_form(client, survey, "en"), **answers}).status_code == 400
    assert stored() == (0, 0)


def test_too_long_free_text_is_explained_next_to_the_question(client, survey):
    answers = valid_answers(survey)
    answers[f"q{q(survey, 'text').id}"] = "x" * 501
    result = post(client, survey, {**open_form(client, survey, "en"), **answers})
    html = result.get_data(as_text=True)
    assert result.status_code == 422
    assert "Please write at most 500 characters. You wrote 501." in html
    assert f'id="q{q(survey, "text").id}-error"' in html
    assert_kept(html, survey)
    assert stored() == (0, 0)


def test_number_that_is_not_a_number(client, survey):
    answers = valid_answers(survey)
    answers[f"q{q(survey, 'count').id}"] = "fyra"
    result = post(client, survey, {**open_form(client, survey, "en"), **answers})
    assert result.status_code == 422
    assert "Please write a whole number" in result.get_data(as_text=True)
    assert 'value="fyra"' in result.get_data(as_text=True)
    assert stored() == (0, 0)


def test_number_out_of_range(client, survey):
    answers = valid_answers(survey)
    answers[f"q{q(survey, 'count').id}"] = "81"
    result = post(client, survey, {**open_form(client, survey, "en"), **answers})
    assert result.status_code == 422
    assert "from 0 to 80" in result.get_data(as_text=True)


def test_too_many_choices(client, survey):
    answers = valid_answers(survey)
    answers[f"q{q(survey, 'many').id}"] = [opt(survey, "many", k) for k in "xyz"]
    result = post(client, survey, {**open_form(client, survey, "en"), **answers})
    assert result.status_code == 422
    assert "Choose at most 2 answers." in result.get_data(as_text=True)
    assert stored() == (0, 0)


def test_same_thing_ranked_twice(client, survey):
    answers = valid_answers(survey)
    answers[f"q{q(survey, 'rank').id}_2"] = opt(survey, "rank", "r3")
    result = post(client, survey, {**open_form(client, survey, "en"), **answers})
    assert result.status_code == 422
    assert "Choose each thing only once." in result.get_data(as_text=True)


def test_missing_required_answer_is_marked_and_message_is_in_page_language(client, survey):
    answers = valid_answers(survey)
    del answers[f"q{q(survey, 'scale').id}"]
    result = post(client, survey, {**open_form(client, survey, "en"), **answers})
    html = result.get_data(as_text=True)
    assert result.status_code == 422
    assert "Please answer this question." in html
    assert 'role="alert"' in html
    assert f'aria-describedby="q{q(survey, "scale").id}-error"' in html
    assert_kept(html, survey)
    assert stored() == (0, 0)


def test_closed_survey_says_so_kindly_and_links_to_open_ones(client, survey):
    fields = open_form(client, survey, "en")
    open_one = gen_survey("still-open")
    survey.closes_at = datetime.now(UTC) - timedelta(minutes=1)
    db.session.commit()
    page = client.get(f"/en/s/{survey.slug}")
    assert page.status_code == 410
    assert "This survey is closed" in page.get_data(as_text=True)
    assert f"/en/s/{open_one.slug}" in page.get_data(as_text=True)
    assert post(client, survey, {**fields, **valid_answers(survey)}).status_code == 410
    assert stored() == (0, 0)


def test_not_yet_open_survey(client, survey):
    survey.opens_at = datetime.now(UTC) + timedelta(days=2)
    db.session.commit()
    page = client.get(f"/en/s/{survey.slug}")
    assert page.status_code == 403
    assert "has not opened yet" in page.get_data(as_text=True)


def test_draft_and_unknown_surveys_are_not_found(client, survey):
    gen_survey("draft", status=SurveyStatus.DRAFT)
    assert client.get("/en/s/draft").status_code == 404
    assert client.get("/en/s/no-such-survey").status_code == 404
    assert client.post("/en/s/no-such-survey", data={}).status_code == 404


def test_double_tap_and_replay_store_exactly_one_response(client, survey):
    data = {**open_form(client, survey, "en"), **valid_answers(survey)}
    first = post(client, survey, data)
    second = post(client, survey, data)
    assert first.status_code == second.status_code == 303
    assert first.headers["Location"] == second.headers["Location"]
    responses, _answers = stored()
    assert responses == 1


def test_replay_from_another_device_stores_nothing_new(app, client, survey):
    data = {**open_form(client, survey, "en"), **valid_answers(survey)}
    post(client, survey, data)
    other_device = app.test_client()
    fields = open_form(other_device, survey, "en")
    replay = other_device.post(f"/en/s/{survey.slug}", data={**data, "csrf_token": fields["csrf_token"]})
    assert replay.status_code == 303
    assert stored()[0] == 1


def test_malformed_submission_key(client, survey):
    data = {**open_form(client, survey, "en"), **valid_answers(survey), "submission_key": "<script>"}
    result = post(client, survey, data)
    assert result.status_code == 400
    assert_kept(result.get_data(as_text=True), survey)
    assert stored() == (0, 0)


def test_oversized_body_is_refused(client, survey):
    data = {**open_form(client, survey, "en"), "padding": "x" * 300_000}
    result = post(client, survey, data)
    assert result.status_code == 413
    assert stored() == (0, 0)


def test_unknown_language_prefix_is_not_found(client, survey):
    assert client.get(f"/xx/s/{survey.slug}").status_code == 404


def test_error_page_is_in_the_participants_language(client):
    page = client.get("/q/NOPE", headers={"Accept-Language": "en"})
    assert page.status_code == 404
    assert '<html lang="en" dir="ltr">' in page.get_data(as_text=True)
    assert "We could not find that page" in page.get_data(as_text=True)
