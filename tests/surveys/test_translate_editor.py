"""The translation editor for real text (issue 13, point 2): two columns, boxes that fit their text, native
language names, a jump to the first missing text, and the saved choice to offer incomplete languages."""

from __future__ import annotations

import re

import sqlalchemy as sa

from participation.extensions import db
from participation.i18n.editor import rows_for
from participation.surveys.models import Survey, SurveyStatus
from tests.factories import csrf_token, gen_survey, gen_user, login


def post(client, url, data):
    return client.post(url, data={"csrf_token": csrf_token(client, url), **data})


def test_rows_fit_the_longest_text():
    assert rows_for("", "") == 1
    assert rows_for("Hej") == 1
    assert rows_for("x" * 120, "kort") == 3
    assert rows_for("rad ett\nrad två\nrad tre") == 3
    assert rows_for("x" * 5000) == 12  # never taller than a screen


def test_the_editor_names_languages_natively_and_jumps_to_the_first_missing_text(client):
    survey = gen_survey(status=SurveyStatus.DRAFT)
    survey.title = {"sv": "Testenkät", "ar": "استبيان"}
    survey.intro = {"sv": "Hej " * 40}
    db.session.commit()
    login(client, gen_user("staff"))
    page = client.get(f"/staff/surveys/{survey.id}/translate?lang=ar").get_data(as_text=True)
    assert '<html lang="en"' in page  # the page speaks the staff member's language, not the target's
    assert re.search(r'<bdi lang="ar">العربية</bdi>: 1 of \d+</a>', page)
    assert '<bdi lang="so">Soomaali</bdi>' in page
    assert '<a href="#t-intro" class="next-missing">' in page  # the title is translated, the intro is not
    assert re.search(r'<textarea id="t-intro" name="intro" lang="ar" dir="rtl" rows="4"', page)
    assert 'id="t-title" name="title" lang="ar" dir="rtl" rows="1"' in page
    english = client.get(f"/staff/surveys/{survey.id}/translate?lang=en").get_data(as_text=True)
    assert 'lang="en" dir="ltr" rows=' in english


def test_a_fully_translated_language_says_so(client):
    survey = gen_survey(status=SurveyStatus.DRAFT)
    login(client, gen_user("staff"))
    url = f"/staff/surveys/{survey.id}/translate?lang=fi"
    names = re.findall(r'<textarea id="t-([^"]+)"', client.get(url).get_data(as_text=True))
    assert post(client, url, {name: f"Teksti {name}" for name in names}).status_code == 302
    page = client.get(url).get_data(as_text=True)
    assert "next-missing" not in page and "Every text is translated into Suomi." in page


def test_too_long_text_is_refused_and_kept(client):
    survey = gen_survey(status=SurveyStatus.DRAFT)
    login(client, gen_user("staff"))
    url = f"/staff/surveys/{survey.id}/translate?lang=so"
    refused = post(client, url, {"title": "x" * 201, "intro": "Soo dhawoow"})
    page = refused.get_data(as_text=True)
    assert refused.status_code == 422 and "At most 200 characters." in page
    assert "Soo dhawoow</textarea>" in page and 'aria-invalid="true"' in page


def _settings(survey: Survey, **extra: object) -> dict[str, object]:
    return {
        "slug": survey.slug,
        "base_language": "sv",
        "title": "Testenkät",
        "intro": "Hej",
        "thanks": "Tack",
        "languages": ["sv", "so"],
        "opens_at": "",
        "closes_at": "",
        "retention_days": "",
        **extra,
    }


def test_offering_incomplete_languages_is_remembered_and_refusals_name_the_language(client):
    survey = gen_survey(status=SurveyStatus.DRAFT)
    login(client, gen_user("staff"))
    url = f"/staff/surveys/{survey.id}"
    refused = post(client, url, _settings(survey))
    page = refused.get_data(as_text=True)
    assert refused.status_code == 422 and "Not fully translated yet: Soomaali." in page
    assert 'value="Testenkät"' in page  # what was typed stays
    assert post(client, url, _settings(survey, offer_incomplete="y")).status_code == 302
    db.session.expire_all()
    assert db.session.scalar(sa.select(Survey.offer_incomplete).where(Survey.id == survey.id)) is True
    again = client.get(url).get_data(as_text=True)
    assert re.search(r'<input checked id="offer_incomplete"|id="offer_incomplete"[^>]* checked', again)
    # The next save keeps the choice without ticking it again, because the box comes ticked.
    assert post(client, url, _settings(survey, offer_incomplete="y", title="Ny titel")).status_code == 302
    assert post(client, url, _settings(survey)).status_code == 422  # unticking it is a choice too
