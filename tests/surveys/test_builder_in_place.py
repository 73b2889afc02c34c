"""The builder at the speed of thought (issue 13, point 1): title first, headings with the question's text,
theme tags in a compact chooser, options changed in place (fragments for builder.js) or by plain forms."""

from __future__ import annotations

import re

import sqlalchemy as sa

from participation.extensions import db
from participation.surveys.models import Question, Survey, SurveyStatus
from tests.factories import csrf_token, gen_survey, gen_theme, gen_user, login

FRAGMENT = {"X-Builder-Fragment": "1"}


def post(client, url, data, page, headers=None):
    return client.post(url, data={"csrf_token": csrf_token(client, page), **data}, headers=headers or {})


def test_a_new_survey_starts_with_its_title_and_gets_its_address_from_it(client):
    login(client, gen_user("staff"))
    page = client.get("/staff/surveys/new").get_data(as_text=True)
    assert page.index('name="title"') < page.index('name="slug"') < page.index('name="starter"')
    created = post(
        client,
        "/staff/surveys/new",
        {"title": "Trygghet i Bäckby 2027", "starter": "blank"},
        "/staff/surveys/new",
    )
    assert created.status_code == 302
    survey = db.session.scalar(sa.select(Survey).where(Survey.slug == "trygghet-i-backby-2027"))
    assert survey is not None and survey.title == {"sv": "Trygghet i Bäckby 2027"}
    again = post(
        client,
        "/staff/surveys/new",
        {"title": "Trygghet i Bäckby 2027", "starter": "blank"},
        "/staff/surveys/new",
    )
    assert again.status_code == 302  # the same title gets the next free address
    assert db.session.scalar(sa.select(Survey.id).where(Survey.slug == "trygghet-i-backby-2027-2"))
    own = post(
        client,
        "/staff/surveys/new",
        {"title": "Fritid", "slug": "fritid-vt27", "starter": "blank"},
        "/staff/surveys/new",
    )
    assert own.status_code == 302 and db.session.scalar(
        sa.select(Survey.id).where(Survey.slug == "fritid-vt27")
    )


def test_a_new_survey_without_a_title_is_refused_and_keeps_the_address(client):
    login(client, gen_user("staff"))
    refused = post(
        client,
        "/staff/surveys/new",
        {"title": "", "slug": "min-enkat", "starter": "blank"},
        "/staff/surveys/new",
    )
    page = refused.get_data(as_text=True)
    assert refused.status_code == 422 and 'value="min-enkat"' in page and 'aria-invalid="true"' in page
    taken = gen_survey("upptagen")
    refused = post(
        client,
        "/staff/surveys/new",
        {"title": "Ny", "slug": taken.slug, "starter": "blank"},
        "/staff/surveys/new",
    )
    assert refused.status_code == 422 and "already has the address" in refused.get_data(as_text=True)
    assert 'value="Ny"' in refused.get_data(as_text=True)


def test_the_question_page_is_headed_by_its_text_and_themes_are_a_compact_chooser(client):
    survey = gen_survey(status=SurveyStatus.DRAFT)
    gen_theme("jobs")
    login(client, gen_user("staff"))
    question = survey.questions[0]
    question.prompt = {"sv": "Var känner du dig trygg?"}
    db.session.commit()
    page = client.get(f"/staff/surveys/{survey.id}/questions/{question.id}").get_data(as_text=True)
    heading = re.search(r'<h1 class="question-heading">([^<]+)</h1>', page)
    assert heading and heading.group(1) == "Var känner du dig trygg?"
    assert "<title>Var känner du dig trygg?" in page
    assert page.count('<details class="theme-chooser"') == 1 + len(question.options) + 1
    assert 'Themes: <span class="theme-chosen">none</span>' in page


def _options(question_id: int) -> list[str]:
    db.session.expire_all()
    return [o.label["sv"] for o in db.session.get(Question, question_id).options]


def test_options_change_in_place_as_fragments(client):
    survey = gen_survey(status=SurveyStatus.DRAFT)
    theme = gen_theme("jobs")
    login(client, gen_user("staff"))
    question = survey.questions[0]
    page = f"/staff/surveys/{survey.id}/questions/{question.id}"
    before = _options(question.id)
    added = post(
        client,
        f"/staff/surveys/{survey.id}/questions/{question.id}/options",
        {"label": "Ny väg", "theme_ids": [str(theme.id)]},
        page,
        FRAGMENT,
    )
    fragment = added.get_data(as_text=True)
    assert added.status_code == 200 and fragment.lstrip().startswith('<section id="options"')
    assert "<html" not in fragment and "“Ny väg” is added." in fragment
    assert _options(question.id) == [*before, "Ny väg"]
    new_id = db.session.get(Question, question.id).options[-1].id
    moved = post(
        client, f"/staff/surveys/{survey.id}/options/{new_id}/move", {"direction": "up"}, page, FRAGMENT
    )
    moved_text = moved.get_data(as_text=True)
    assert moved.status_code == 200 and "is moved" in moved_text
    assert moved_text.index('value="Ny väg"') < moved_text.index(f'value="{before[-1]}"')  # the new order
    assert _options(question.id)[-2] == "Ny väg"
    edited = post(
        client, f"/staff/surveys/{survey.id}/options/{new_id}", {"label": "Nyare väg"}, page, FRAGMENT
    )
    assert edited.status_code == 200 and "Nyare väg" in _options(question.id)
    refused = post(
        client, f"/staff/surveys/{survey.id}/options/{new_id}", {"label": "x" * 201}, page, FRAGMENT
    )
    text = refused.get_data(as_text=True)
    assert refused.status_code == 422 and "at most 200 characters" in text and "x" * 201 in text
    asked = post(client, f"/staff/surveys/{survey.id}/options/{new_id}/delete", {}, page, FRAGMENT)
    assert asked.status_code == 200 and 'name="confirm"' in asked.get_data(as_text=True)  # it asks first
    assert _options(question.id) != before  # and nothing is gone yet
    deleted = post(
        client, f"/staff/surveys/{survey.id}/options/{new_id}/delete", {"confirm": "yes"}, page, FRAGMENT
    )
    assert deleted.status_code == 200 and _options(question.id) == before


def test_without_javascript_a_refused_option_keeps_what_was_typed(client):
    survey = gen_survey(status=SurveyStatus.DRAFT)
    login(client, gen_user("staff"))
    question = survey.questions[0]
    page = f"/staff/surveys/{survey.id}/questions/{question.id}"
    refused = post(
        client,
        f"/staff/surveys/{survey.id}/questions/{question.id}/options",
        {"label": "", "key": "ny-nyckel"},
        page,
    )
    text = refused.get_data(as_text=True)
    assert refused.status_code == 422 and "<html" in text and "Write the option" in text
    assert 'id="new-key" name="key" value="ny-nyckel"' in text
    assert (
        client.post(
            f"/staff/surveys/{survey.id}/questions/{question.id}/options", data={"label": "x"}
        ).status_code
        == 400
    )


def test_questions_move_and_go_in_place_as_fragments(client):
    survey = gen_survey(status=SurveyStatus.DRAFT)
    login(client, gen_user("staff"))
    page = f"/staff/surveys/{survey.id}"
    first, second = survey.questions[0], survey.questions[1]
    moved = post(client, f"{page}/questions/{second.id}/move", {"direction": "up"}, page, FRAGMENT)
    text = moved.get_data(as_text=True)
    assert moved.status_code == 200 and text.lstrip().startswith('<section id="questions"')
    assert "<html" not in text and "is moved." in text
    assert text.index(f'id="question-{second.id}"') < text.index(f'id="question-{first.id}"')
    deleted = post(client, f"{page}/questions/{second.id}/delete", {}, page, FRAGMENT)
    assert deleted.status_code == 200 and f'id="question-{second.id}"' not in deleted.get_data(as_text=True)
    db.session.expire_all()
    assert [q.position for q in db.session.get(Survey, survey.id).questions] == list(range(7))
    plain = post(client, f"{page}/questions/{first.id}/move", {"direction": "down"}, page)
    assert plain.status_code == 302 and plain.headers["Location"].endswith("#questions")


def test_questions_are_added_and_saved_in_place_as_fragments(client):
    survey = gen_survey(status=SurveyStatus.DRAFT)
    login(client, gen_user("staff"))
    new = f"/staff/surveys/{survey.id}/questions/new"
    empty = client.get(new, headers=FRAGMENT)
    text = empty.get_data(as_text=True)
    assert empty.status_code == 200 and text.lstrip().startswith('<div id="question-editor"')
    assert "<html" not in text and f'data-location="{new}"' in text and 'name="csrf_token"' in text
    count = len(survey.questions)
    refused = post(client, new, {"prompt": "", "kind": "single_choice", "key": "mitt-val"}, new, FRAGMENT)
    text = refused.get_data(as_text=True)
    assert refused.status_code == 422 and "<html" not in text and 'aria-invalid="true"' in text
    assert 'value="mitt-val"' in text  # what was typed stays
    db.session.expire_all()
    assert len(db.session.get(Survey, survey.id).questions) == count  # nothing stored
    saved = post(client, new, {"prompt": "Vad gör du på helgen?", "kind": "single_choice"}, new, FRAGMENT)
    text = saved.get_data(as_text=True)
    db.session.expire_all()
    question = db.session.get(Survey, survey.id).questions[-1]
    assert saved.status_code == 200 and "<html" not in text and "Saved." in text
    assert f'data-location="/staff/surveys/{survey.id}/questions/{question.id}"' in text
    assert '<h1 class="question-heading">Vad gör du på helgen?</h1>' in text
    assert 'id="new-label"' in text  # the options come next, in the same part
    with client.session_transaction() as flashed:
        assert not flashed.get("_flashes")  # said in the part, not left for the next page
    edited = post(
        client,
        f"/staff/surveys/{survey.id}/questions/{question.id}",
        {"prompt": "Vad gör du oftast på helgen?", "kind": "single_choice", "key": question.key},
        new,
        FRAGMENT,
    )
    assert edited.status_code == 200 and "Vad gör du oftast på helgen?</h1>" in edited.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Question, question.id).prompt["sv"] == "Vad gör du oftast på helgen?"
