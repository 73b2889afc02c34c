"""The survey builder: from a template to a published, translated survey, without harming given answers."""

from __future__ import annotations

import re

import sqlalchemy as sa

from participation.extensions import db
from participation.surveys.models import Option, Question, QuestionKind, Survey, SurveyStatus
from tests.factories import csrf_token, gen_survey, gen_user, login, open_form, opt, q, valid_answers


def post(client, url, data=None, page=None):
    return client.post(url, data={"csrf_token": csrf_token(client, page or url), **(data or {})})


def survey_by_slug(slug: str) -> Survey:
    db.session.expire_all()
    return db.session.scalar(sa.select(Survey).where(Survey.slug == slug))


def test_youth_worker_builds_a_three_language_survey_from_a_lupp_template(client, runner):
    runner.invoke(args=["demo"])  # themes
    login(client, gen_user("staff"))
    created = post(
        client, "/staff/surveys/new", {"title": "Trygghet", "starter": "lupp_safety", "slug": "trygghet-2027"}
    )
    assert created.status_code == 302
    survey = survey_by_slug("trygghet-2027")
    assert survey.status is SurveyStatus.DRAFT and len(survey.questions) == 3
    assert {t.slug for t in survey.questions[0].themes} == {"safety"}
    assert client.get("/sv/s/trygghet-2027").status_code == 404  # a draft is invisible

    # Translate into Arabic side by side, then offer Swedish, English and Arabic.
    edit_url = f"/staff/surveys/{survey.id}"
    settings = {
        "slug": "trygghet-2027",
        "base_language": "sv",
        "title": "Trygghet i Bäckby",
        "intro": "Hej",
        "thanks": "Tack",
        "profile_fields": ["age_band"],
        "opens_at": "",
        "closes_at": "",
        "retention_days": "365",
    }
    refused = post(client, edit_url, {**settings, "languages": ["sv", "en", "ar"]})
    refusal = re.search(r"Not fully translated yet: ([^.]+)\.", refused.get_data(as_text=True))
    assert refused.status_code == 422 and refusal and "العربية" in refusal.group(1)
    translate_url = f"/staff/surveys/{survey.id}/translate?lang=ar"
    page = client.get(translate_url).get_data(as_text=True)
    assert 'lang="ar" dir="rtl"' in page
    names = re.findall(r'<textarea id="t-([^"]+)"', page)
    arabic = {name: f"نص {name}" for name in names}
    assert post(client, translate_url, arabic).status_code == 302
    # The typed title replaced the template's, so its English needs writing too.
    english_url = f"/staff/surveys/{survey.id}/translate?lang=en"
    assert post(client, english_url, {"title": "Safety"}).status_code == 302
    assert post(client, edit_url, {**settings, "languages": ["sv", "en", "ar"]}).status_code == 302
    survey = survey_by_slug("trygghet-2027")
    assert survey.languages == ["sv", "en", "ar"] and survey.title["sv"] == "Trygghet i Bäckby"
    assert survey.title["ar"] == "نص title" and survey.questions[0].prompt["ar"].startswith("نص")
    edit_page = client.get(edit_url).get_data(as_text=True)
    assert re.search(r'العربية</bdi></a>: (\d+) of \1 <span aria-hidden="true">✓', edit_page)
    # Staff may still offer an untranslated language on purpose.
    forced = post(
        client, edit_url, {**settings, "languages": ["sv", "en", "ar", "fi"], "offer_incomplete": "y"}
    )
    assert forced.status_code == 302

    published = post(client, f"/staff/surveys/{survey.id}/status", {"status": "published"}, page=edit_url)
    assert published.status_code == 302
    public = client.get("/ar/s/trygghet-2027").get_data(as_text=True)
    assert "نص title" in public and 'dir="rtl"' in public


def test_questions_and_options_can_be_added_edited_reordered_and_deleted(client):
    survey = gen_survey(status=SurveyStatus.DRAFT)
    login(client, gen_user("staff"))
    base = f"/staff/surveys/{survey.id}"
    added = post(
        client,
        f"{base}/questions/new",
        {
            "kind": "single_choice",
            "prompt": "Vilken färg?",
            "key": "colour",
            "show_if_option_id": "",
            "required": "y",
        },
    )
    assert added.status_code == 302
    question = db.session.scalar(sa.select(Question).where(Question.key == "colour"))
    assert question.position == 8  # after gen_survey's eight questions
    assert question.required and question.prompt == {"sv": "Vilken färg?"}
    for label in ("Röd", "Blå", "Grön"):
        assert (
            post(
                client,
                f"{base}/questions/{question.id}/options",
                {"label": label},
                page=f"{base}/questions/{question.id}",
            ).status_code
            == 302
        )
    db.session.expire_all()
    question = db.session.get(Question, question.id)
    assert [o.label["sv"] for o in question.options] == ["Röd", "Blå", "Grön"]
    green = question.options[2]
    post(
        client, f"{base}/options/{green.id}/move", {"direction": "up"}, page=f"{base}/questions/{question.id}"
    )
    db.session.expire_all()
    assert [o.label["sv"] for o in db.session.get(Question, question.id).options] == ["Röd", "Grön", "Blå"]
    post(
        client,
        f"{base}/options/{green.id}/delete",
        {"confirm": "yes"},
        page=f"{base}/questions/{question.id}",
    )
    db.session.expire_all()
    assert [o.label["sv"] for o in db.session.get(Question, question.id).options] == ["Röd", "Blå"]
    post(client, f"{base}/questions/{question.id}/move", {"direction": "up"}, page=base)
    db.session.expire_all()
    assert db.session.get(Question, question.id).position == 7
    assert [x.position for x in db.session.get(Survey, survey.id).questions] == list(range(9))


def test_edits_that_would_corrupt_answers_are_refused_with_a_reason(client):
    survey = gen_survey()
    client.post(f"/sv/s/{survey.slug}", data={**open_form(client, survey), **valid_answers(survey)})
    login(client, gen_user("staff"))
    base = f"/staff/surveys/{survey.id}"
    chosen = db.session.get(Option, int(opt(survey, "pick", "b")))
    refused = post(
        client,
        f"{base}/options/{chosen.id}/delete",
        {"confirm": "yes"},
        page=f"{base}/questions/{chosen.question_id}",
    )
    assert refused.status_code == 422 and "cannot be deleted" in refused.get_data(as_text=True)
    assert db.session.get(Option, chosen.id) is not None
    pick = q(survey, "pick")
    change_kind = post(
        client,
        f"{base}/questions/{pick.id}",
        {"kind": "free_text", "prompt": "x", "key": "pick", "show_if_option_id": ""},
        page=f"{base}/questions/{pick.id}",
    )
    assert change_kind.status_code == 422
    assert "kind cannot change" in change_kind.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Question, pick.id).kind is QuestionKind.SINGLE_CHOICE
    post(client, f"{base}/questions/{pick.id}/delete", page=base)
    db.session.expire_all()
    assert db.session.get(Question, pick.id) is not None
    # Changing the words is fine.
    reworded = post(
        client,
        f"{base}/options/{chosen.id}",
        {"label": "Ny text", "key": "b"},
        page=f"{base}/questions/{pick.id}",
    )
    assert reworded.status_code == 302
    db.session.expire_all()
    assert db.session.get(Option, chosen.id).label["sv"] == "Ny text"


def test_duplicate_and_archive(client):
    survey = gen_survey()
    login(client, gen_user("staff"))
    base = f"/staff/surveys/{survey.id}"
    copy = post(client, f"{base}/duplicate", page=base)
    copy_survey = survey_by_slug("test-survey-copy")
    assert copy.headers["Location"].endswith(f"/staff/surveys/{copy_survey.id}")
    assert copy_survey.status is SurveyStatus.DRAFT and len(copy_survey.questions) == len(survey.questions)
    assert q(copy_survey, "show").show_if_option.key == "b"
    asked = post(client, f"{base}/status", {"status": "archived"}, page=base)
    assert asked.status_code == 200 and "Archive this survey?" in asked.get_data(as_text=True)
    assert client.get(f"/en/s/{survey.slug}").status_code == 200  # not yet: it asks first
    post(client, f"{base}/status", {"status": "archived", "confirm": "yes"}, page=base)
    assert client.get(f"/en/s/{survey.slug}").status_code == 410


def test_publishing_an_incomplete_survey_explains_why(client):
    login(client, gen_user("staff"))
    post(client, "/staff/surveys/new", {"title": "Tom enkät", "starter": "blank", "slug": "tom-enkat"})
    survey = survey_by_slug("tom-enkat")
    refused = post(
        client,
        f"/staff/surveys/{survey.id}/status",
        {"status": "published"},
        page=f"/staff/surveys/{survey.id}",
    )
    assert refused.status_code == 422
    assert "no questions" in refused.get_data(as_text=True)
    assert survey_by_slug("tom-enkat").status is SurveyStatus.DRAFT


def test_bad_settings_keep_input(client):
    survey = gen_survey()
    other = gen_survey("taken")
    login(client, gen_user("staff"))
    response = post(
        client,
        f"/staff/surveys/{survey.id}",
        {
            "slug": other.slug,
            "base_language": "sv",
            "languages": ["sv"],
            "title": "Ny titel",
            "opens_at": "",
            "closes_at": "",
        },
    )
    assert response.status_code == 422
    assert 'value="Ny titel"' in response.get_data(as_text=True)
    assert survey_by_slug("test-survey").title["sv"] == "Testenkät"


def test_opening_times_are_entered_in_local_time_and_stored_in_utc(client):
    survey = gen_survey()
    login(client, gen_user("staff"))
    post(
        client,
        f"/staff/surveys/{survey.id}",
        {
            "slug": survey.slug,
            "base_language": "sv",
            "languages": ["sv", "en"],
            "title": "Testenkät",
            "opens_at": "2027-01-10T09:00",
            "closes_at": "2027-02-01T17:30",
        },
    )
    stored = survey_by_slug(survey.slug)
    assert stored.opens_at.isoformat() == "2027-01-10T08:00:00+00:00"
    assert stored.closes_at.isoformat() == "2027-02-01T16:30:00+00:00"


def test_preview_shows_the_phone_page_in_any_language_with_sending_off(client):
    survey = gen_survey(status=SurveyStatus.DRAFT)
    login(client, gen_user("staff"))
    page = client.get(f"/staff/surveys/{survey.id}/preview/frame?lang=ar").get_data(as_text=True)
    assert '<html lang="ar" dir="rtl">' in page and 'class="preview-banner"' in page
    assert re.search(r'<button type="submit" disabled>', page)


def test_xlsform_export_and_import_through_the_workspace(client):
    survey = gen_survey()
    login(client, gen_user("staff"))
    exported = client.get(f"/staff/surveys/{survey.id}/xlsform.xlsx")
    assert exported.status_code == 200
    assert exported.headers["Content-Disposition"] == 'attachment; filename="test-survey.xlsx"'
    from io import BytesIO

    imported = client.post(
        "/staff/surveys/import",
        data={
            "csrf_token": csrf_token(client, "/staff/surveys/import"),
            "file": (BytesIO(exported.data), "form.xlsx"),
        },
        content_type="multipart/form-data",
    )
    assert imported.status_code == 201
    copies = db.session.scalars(sa.select(Survey).where(Survey.id != survey.id)).all()
    assert len(copies) == 1 and copies[0].status is SurveyStatus.DRAFT
    assert [qq.key for qq in copies[0].questions] == [qq.key for qq in survey.questions]
    garbage = client.post(
        "/staff/surveys/import",
        data={
            "csrf_token": csrf_token(client, "/staff/surveys/import"),
            "file": (BytesIO(b"not a workbook"), "x.xlsx"),
        },
        content_type="multipart/form-data",
    )
    assert garbage.status_code == 422
    assert db.session.scalar(sa.select(sa.func.count(Survey.id))) == 2
