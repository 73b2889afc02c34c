"""Scales say what the question means: their own end words, edited, translated, shown, imported and exported."""

from __future__ import annotations

import re
from html import unescape

import pytest
import sqlalchemy as sa

from participation.extensions import db
from participation.i18n.languages import shipped_languages
from participation.surveys.labels import answer_label
from participation.surveys.models import Question, QuestionKind, Survey, SurveyStatus
from participation.surveys.starters import STARTERS
from participation.surveys.xlsform import export_xlsform, import_xlsform
from tests.factories import csrf_token, gen_survey, gen_user, login, q
from tests.surveys.test_xlsform import sheets, xlsx


def post(client, url, data=None, page=None):
    return client.post(url, data={"csrf_token": csrf_token(client, page or url), **(data or {})})


def fresh(question_id: int) -> Question:
    db.session.expire_all()
    return db.session.get(Question, question_id)


def scale_block(page: str, question: Question) -> str:
    """The participant page's fieldset of one question."""
    match = re.search(rf'<fieldset[^>]* id="q{question.id}".*?</fieldset>', page, re.S)
    assert match, "the scale question is on the page"
    return match.group(0)


def point_labels(block: str) -> list[str]:
    """The visible face and words of the five points, such as '😞 Inte alls trygg'."""
    return [
        " ".join(unescape(re.sub(r"<[^>]+>", "", label)).split())
        for label in re.findall(r'<label class="scale-point">(.*?)</label>', block, re.S)
    ]


def test_staff_give_a_scale_its_end_words_in_the_builder_and_translate_them(client):
    survey = gen_survey(status=SurveyStatus.DRAFT)
    scale = q(survey, "scale")
    login(client, gen_user("staff"))
    url = f"/staff/surveys/{survey.id}/questions/{scale.id}"
    form = {"kind": "scale", "prompt": "Hur tryggt känns det?", "key": "scale", "show_if_option_id": ""}

    one_sided = post(client, url, {**form, "scale_low": "Inte alls trygg", "scale_high": ""})
    assert one_sided.status_code == 422
    assert "both ends" in one_sided.get_data(as_text=True)
    assert fresh(scale.id).scale_low is None  # a refused edit changes nothing

    saved = post(client, url, {**form, "scale_low": " Inte alls trygg ", "scale_high": "Mycket trygg"})
    assert saved.status_code == 302
    assert fresh(scale.id).scale_low == {"sv": "Inte alls trygg"}
    assert fresh(scale.id).scale_high == {"sv": "Mycket trygg"}
    page = client.get(url).get_data(as_text=True)
    assert 'value="Inte alls trygg"' in page and 'value="Mycket trygg"' in page

    # The translation editor has a box for each end, next to the question's prompt.
    translate_url = f"/staff/surveys/{survey.id}/translate?lang=en"
    editor = client.get(translate_url).get_data(as_text=True)
    names = re.findall(r'<textarea id="t-([^"]+)"', editor)
    assert names.index(f"low{scale.id}") == names.index(f"q{scale.id}") + 1
    assert names.index(f"high{scale.id}") == names.index(f"q{scale.id}") + 2
    assert post(client, translate_url, {f"low{scale.id}": "Not safe at all"}).status_code == 302
    question = fresh(scale.id)
    assert question.scale_low == {"sv": "Inte alls trygg", "en": "Not safe at all"}
    assert question.scale_high == {"sv": "Mycket trygg"}  # untranslated: the base language shows

    # Changing the Swedish words keeps the English; clearing them goes back to the general words.
    assert post(client, url, {**form, "scale_low": "Otrygg", "scale_high": "Trygg"}).status_code == 302
    assert fresh(scale.id).scale_low == {"sv": "Otrygg", "en": "Not safe at all"}
    assert post(client, url, {**form, "scale_low": "", "scale_high": ""}).status_code == 302
    assert fresh(scale.id).scale_low is None and fresh(scale.id).scale_high is None
    assert f"t-low{scale.id}" not in client.get(translate_url).get_data(as_text=True)


def test_the_participant_page_shows_the_end_words_in_its_language_with_the_faces(client):
    survey = gen_survey()
    scale = q(survey, "scale")
    scale.scale_low = {"sv": "Inte alls trygg", "en": "Not safe at all"}
    scale.scale_high = {"sv": "Mycket trygg"}
    db.session.commit()

    english = scale_block(client.get(f"/en/s/{survey.slug}").get_data(as_text=True), scale)
    assert point_labels(english) == ["😞 Not safe at all", "🙁 2", "😐 3", "🙂 4", "😄 Mycket trygg"]
    # The Swedish fallback is marked so a screen reader reads it as Swedish.
    assert '<span lang="sv" dir="ltr" class="scale-label">Mycket trygg</span>' in english
    assert '<span class="scale-label">Not safe at all</span>' in english
    assert english.count('type="radio"') == 5 and english.count('aria-hidden="true"') == 5

    swedish = scale_block(client.get(f"/sv/s/{survey.slug}").get_data(as_text=True), scale)
    assert point_labels(swedish)[0] == "😞 Inte alls trygg" and 'lang="sv"' not in swedish

    # Without own words the general words stay.
    other = q(survey, "scale")
    other.scale_low = other.scale_high = None
    db.session.commit()
    plain = scale_block(client.get(f"/en/s/{survey.slug}").get_data(as_text=True), other)
    assert point_labels(plain) == [
        "😞 Very bad",
        "🙁 Bad",
        "😐 Neither good nor bad",
        "🙂 Good",
        "😄 Very good",
    ]


def test_results_label_a_scale_answer_with_the_questions_own_words(app, db):
    survey = gen_survey()
    scale = q(survey, "scale")
    with app.test_request_context("/sv/"):
        assert answer_label(scale, "1") == "😞 Mycket dåligt"  # stored answers keep their 1–5 meaning
        scale.scale_low = {"sv": "Inte alls trygg", "en": "Not safe at all"}
        scale.scale_high = {"sv": "Mycket trygg"}
        assert [answer_label(scale, str(point)) for point in range(1, 6)] == [
            "😞 1 – Inte alls trygg",
            "🙁 2",
            "😐 3",
            "🙂 4",
            "😄 5 – Mycket trygg",
        ]


def _scale_with_ends(survey: Survey) -> Question:
    scale = q(survey, "scale")
    scale.scale_low = {"sv": "Inte alls trygg", "en": "Not safe at all"}
    scale.scale_high = {"sv": "Mycket trygg", "en": "Very safe"}
    db.session.commit()
    return scale


def test_xlsform_carries_the_end_words_in_the_scales_own_choice_list_and_back(app, db):
    survey = gen_survey()
    _scale_with_ends(survey)
    data = export_xlsform(survey)
    book = sheets(data)
    survey_rows = {row["name"]: row for row in book["survey"]}
    assert survey_rows["scale"]["type"] == "select_one scale"
    choices = [row for row in book["choices"] if row["list_name"] == "scale"]
    assert [row["name"] for row in choices] == ["1", "2", "3", "4", "5"]
    assert choices[0]["label::Svenska (sv)"] == "😞 1 – Inte alls trygg"
    assert choices[4]["label::English (en)"] == "😄 5 – Very safe"
    assert choices[2]["label::English (en)"] == "😐 3"
    assert not [row for row in book["choices"] if row["list_name"] == "scale5"]  # no scale without words

    with app.test_request_context():
        result = import_xlsform(data, slug="scale-copy")
    assert result.errors == [] and result.problems == []
    copy = q(result.survey, "scale")
    assert copy.kind is QuestionKind.SCALE and copy.options == []
    assert copy.scale_low == {"sv": "Inte alls trygg", "en": "Not safe at all"}
    assert copy.scale_high == {"sv": "Mycket trygg", "en": "Very safe"}


def test_a_half_translated_scale_comes_back_as_it_went_out(app, db):
    survey = gen_survey()
    scale = q(survey, "scale")
    scale.scale_low = {"sv": "Inte alls trygg", "en": "Not safe at all"}
    scale.scale_high = {"sv": "Mycket trygg"}  # English shows the Swedish high end
    db.session.commit()
    data = export_xlsform(survey)
    english = [row["label::English (en)"] for row in sheets(data)["choices"] if row["list_name"] == "scale"]
    assert english == ["😞 1 – Not safe at all", "🙁 2", "😐 3", "🙂 4", "😄 5"]
    with app.test_request_context():
        copy = q(import_xlsform(data, slug="half-copy").survey, "scale")
    assert copy.scale_low == {"sv": "Inte alls trygg", "en": "Not safe at all"}
    assert copy.scale_high == {"sv": "Mycket trygg"}


def test_a_scale_without_own_words_round_trips_with_the_general_list(app, db):
    survey = gen_survey()
    data = export_xlsform(survey)
    assert [row["name"] for row in sheets(data)["choices"] if row["list_name"] == "scale5"] == list("12345")
    with app.test_request_context():
        result = import_xlsform(data, slug="plain-copy")
    copy = q(result.survey, "scale")
    assert copy.kind is QuestionKind.SCALE and copy.scale_low is None and copy.scale_high is None


KOBO_SCALE_SURVEY = [
    ["type", "name", "label::English (en)", "label::Svenska (sv)", "required"],
    ["select_one safe", "safe_park", "How safe is the park?", "Hur trygg är parken?", "yes"],
    ["select_one agree", "fun", "There is a lot to do", "Det finns mycket att göra", "no"],
]
KOBO_SCALE_SETTINGS = [["form_title", "form_id", "default_language"], ["Parks", "parks", "English (en)"]]
KOBO_SCALE_CHOICES = [
    ["list_name", "name", "label::English (en)", "label::Svenska (sv)"],
    ["safe", 1, "1 - Not safe at all", "1 - Inte alls trygg"],
    ["safe", 2, "2", "2"],
    ["safe", 3, "3", "3"],
    ["safe", 4, "4", "4"],
    ["safe", 5, "5 - Very safe", "5 - Mycket trygg"],
    ["agree", 1, "Strongly disagree", "Instämmer inte alls"],
    ["agree", 2, "Disagree", "Instämmer inte"],
    ["agree", 3, "Neither", "Varken eller"],
    ["agree", 4, "Agree", "Instämmer"],
    ["agree", 5, "Strongly agree", "Instämmer helt"],
]


def test_a_kobo_form_with_labelled_one_to_five_lists_keeps_them_as_choices_with_their_own_labels(app, db):
    # Without Delaktig's faces nothing says which end is the good one, and the middle words have no place
    # on a face scale: each list stays a choice question with its own labels, in its own order.
    reversed_safe = [["safe_rev", point, label, label] for point, label in
                     ((1, "Very safe"), (2, "Safe"), (3, "So so"), (4, "Unsafe"), (5, "Very unsafe"))]  # fmt: skip
    survey_rows = [*KOBO_SCALE_SURVEY, ["select_one safe_rev", "night", "At night?", "På natten?"]]
    with app.test_request_context():
        result = import_xlsform(xlsx(survey_rows, [*KOBO_SCALE_CHOICES, *reversed_safe], KOBO_SCALE_SETTINGS))
    assert result.errors == [] and result.problems == []
    safe, fun, night = result.survey.questions
    assert safe.kind is fun.kind is night.kind is QuestionKind.SINGLE_CHOICE
    assert [(o.key, o.label["en"]) for o in safe.options] == [
        ("1", "1 - Not safe at all"), ("2", "2"), ("3", "3"), ("4", "4"), ("5", "5 - Very safe"),
    ]  # fmt: skip
    assert [o.label["sv"] for o in fun.options] == [
        "Instämmer inte alls", "Instämmer inte", "Varken eller", "Instämmer", "Instämmer helt",
    ]  # fmt: skip
    assert night.options[0].label == {"en": "Very safe", "sv": "Very safe"} and night.options[0].key == "1"
    assert all(q.scale_low is None for q in (safe, fun, night))


def test_pyxform_accepts_the_exported_scale_lists(db, tmp_path):
    pytest.importorskip("pyxform")  # the ODK tool itself; not one of the project's dependencies
    from pyxform.xls2xform import convert

    survey = gen_survey()
    _scale_with_ends(survey)
    path = tmp_path / "survey.xlsx"
    path.write_bytes(export_xlsform(survey))
    xform = convert(xlsform=str(path), validate=False, pretty_print=False).xform
    assert "😞 1 – Inte alls trygg" in xform and "😄 5 – Very safe" in xform
    assert re.search(r'<select1 [^>]*ref="/[^"]+/scale"', xform)


@pytest.mark.parametrize("starter", [key for key in STARTERS if key != "blank"])
def test_every_scale_of_the_demo_and_the_templates_has_end_words_in_every_shipped_language(app, starter):
    _name, spec = STARTERS[starter]
    scales = [question for question in spec["questions"] if question["kind"] == "scale"]
    assert scales, "each template on these themes asks at least one scale question"
    with app.app_context():
        languages = shipped_languages()
    assert len(languages) == 7
    for question in scales:
        for end in ("scale_low", "scale_high"):
            missing = [code for code in languages if not question.get(end, {}).get(code, "").strip()]
            assert missing == [], f"{starter}/{question['key']} {end} lacks {missing}"
        assert question["scale_low"] != question["scale_high"]


def test_the_demo_survey_shows_its_own_end_words(client, runner):
    runner.invoke(args=["demo"])
    survey = db.session.scalar(sa.select(Survey).where(Survey.slug == "backby-din-rost"))
    safety = q(survey, "safety_evening")
    page = client.get(f"/ti/s/{survey.slug}").get_data(as_text=True)
    labels = point_labels(scale_block(page, safety))
    assert labels[0] == f"😞 {safety.scale_low['ti']}" and labels[4] == f"😄 {safety.scale_high['ti']}"
