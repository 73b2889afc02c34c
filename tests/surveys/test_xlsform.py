"""XLSForm: a survey goes out to KoboToolbox/ODK and comes back the same; Kobo forms come in as drafts."""

from __future__ import annotations

import io

import pytest
import sqlalchemy as sa
from flask_babel import force_locale
from openpyxl import Workbook, load_workbook

from participation.extensions import db
from participation.surveys.models import Option, Question, QuestionKind, Survey, SurveyStatus
from participation.surveys.xlsform import export_xlsform, import_xlsform, language_code
from tests.factories import gen_survey, gen_theme, q


def xlsx(survey: list[list[object]] | None, choices: list[list[object]] | None = None,
         settings: list[list[object]] | None = None) -> bytes:  # fmt: skip
    """A workbook with the given sheets, each a header row and data rows."""
    book = Workbook()
    book.remove(book.active)
    for name, rows in (("survey", survey), ("choices", choices), ("settings", settings)):
        if rows is not None:
            sheet = book.create_sheet(name)
            for row in rows:
                sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def sheets(data: bytes) -> dict[str, list[dict[str, object]]]:
    """Every sheet of a workbook as a list of rows keyed by header."""
    book = load_workbook(io.BytesIO(data))
    result = {}
    for sheet in book.worksheets:
        rows = list(sheet.iter_rows(values_only=True))
        result[sheet.title] = [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]
    return result


def said(messages: list[object]) -> list[str]:
    """An import's problems or errors as an English-speaking member of staff reads them."""
    with force_locale("en"):
        return [str(message) for message in messages]


def survey_count() -> int:
    return db.session.scalar(sa.select(sa.func.count(Survey.id)))


def shape(survey: Survey) -> list[tuple[object, ...]]:
    """What must survive a round trip, question by question, independent of database ids."""
    options = {
        option.id: (question.key, option.key) for question in survey.questions for option in question.options
    }
    return [
        (
            question.position,
            question.key,
            question.kind,
            dict(question.prompt),
            question.required,
            options.get(question.show_if_option_id),
            question.min_value,
            question.max_value,
            question.max_choices,
            sorted(theme.slug for theme in question.themes),
            [(o.position, o.key, dict(o.label), sorted(t.slug for t in o.themes)) for o in question.options],
        )
        for question in survey.questions
    ]


def test_export_writes_a_kobo_form_with_every_kind_and_every_language(db):
    survey = gen_survey()
    book = sheets(export_xlsform(survey))

    rows = {row["name"]: row for row in book["survey"]}
    assert list(book["survey"][0]) == [
        "type", "name", "label::Svenska (sv)", "label::English (en)", "required", "relevant", "constraint",
        "appearance", "max_choices", "choice_filter",
    ]  # fmt: skip
    assert {name: row["type"] for name, row in rows.items()} == {
        "survey_title": "note",
        "intro": "note",
        "pick": "select_one pick",
        "many": "select_multiple many",
        "scale": "select_one scale5",
        "yesno": "select_one yes_no",
        "rank": "begin_group",
        "rank_1": "select_one rank",
        "rank_2": "select_one rank",
        "rank_3": "select_one rank",
        None: "end_group",
        "text": "text",
        "count": "integer",
        "show": "select_one yes_no",
        "age_band": "select_one age_band",
        "gender": "select_one gender",
        "lives_in_area": "select_one lives_in_area",
        "thanks": "note",
    }
    assert list(rows)[:2] == ["survey_title", "intro"] and list(rows)[-1] == "thanks"
    assert rows["intro"]["label::Svenska (sv)"] == "Hej" and rows["thanks"]["label::English (en)"] == "Thanks"
    assert rows["age_band"]["label::English (en)"] == "How old are you?"
    assert rows["pick"]["required"] == "yes" and rows["many"]["required"] is None
    assert rows["pick"]["label::English (en)"] == "Question pick"
    assert rows["many"]["constraint"] == "count-selected(.) <= 2"
    assert rows["count"]["constraint"] == ". >= 0 and . <= 80"
    assert rows["text"]["constraint"] == "string-length(.) <= 500"
    # Top 3 of 4 as ODK asks for it: three place questions in a group, each without the earlier picks.
    assert [row["name"] for row in book["survey"]][6:11] == ["rank", "rank_1", "rank_2", "rank_3", None]
    assert (rows["rank"]["label::English (en)"], rows["rank"]["appearance"]) == (
        "Question rank",
        "field-list",
    )
    assert rows["rank"]["max_choices"] == "3"
    assert [rows[f"rank_{place}"]["label::English (en)"] for place in (1, 2, 3)] == [
        "First",
        "Second",
        "Third",
    ]
    assert rows["rank_1"]["label::Svenska (sv)"] == "Etta"
    assert [rows[f"rank_{place}"]["choice_filter"] for place in (1, 2, 3)] == [
        None,
        "name != ${rank_1}",
        "name != ${rank_1} and name != ${rank_2}",
    ]
    assert rows["show"]["relevant"] == "selected(${pick}, 'b')"

    choices = {(row["list_name"], row["name"]): row for row in book["choices"]}
    assert choices[("pick", "b")]["label::Svenska (sv)"] == "Val b"
    assert choices[("yes_no", "yes")]["label::Svenska (sv)"] == "Ja"
    assert choices[("yes_no", "no")]["label::English (en)"] == "No"
    assert choices[("scale5", "1")]["label::Svenska (sv)"] == "😞 Mycket dåligt"
    assert choices[("scale5", "5")]["label::English (en)"] == "😄 Very good"
    assert len([key for key in choices if key[0] == "scale5"]) == 5
    assert [key[1] for key in choices if key[0] == "age_band"] == [
        "under_13",
        "13_15",
        "16_19",
        "20_25",
        "over_25",
    ]
    assert (
        choices[("gender", "girl")]["label::Svenska (sv)"] == "En tjej"
        or choices[("gender", "girl")]["label::Svenska (sv)"]
    )

    (settings,) = book["settings"]
    assert settings["form_title"] == "Testenkät"
    assert (
        rows["survey_title"]["type"] == "note"
        and rows["survey_title"]["label::English (en)"] == "Test survey"
    )
    assert settings["form_id"] == "test-survey"
    assert settings["default_language"] == "Svenska (sv)"
    assert settings["version"]


def test_export_labels_the_fixed_answers_in_every_offered_language(db):
    survey = gen_survey()
    survey.languages = ["sv", "en", "ar", "fa-AF", "so", "ti", "fi"]
    db.session.commit()
    book = sheets(export_xlsform(survey))

    headers = list(book["survey"][0])
    assert headers[2:9] == [
        "label::Svenska (sv)", "label::English (en)", "label::العربية (ar)", "label::دری (prs)",
        "label::Soomaali (so)", "label::ትግርኛ (ti)", "label::Suomi (fi)",
    ]  # fmt: skip
    choices = {(row["list_name"], row["name"]): row for row in book["choices"]}
    assert choices[("yes_no", "yes")]["label::العربية (ar)"] == "نعم"
    assert choices[("yes_no", "no")]["label::Suomi (fi)"] == "Ei"
    assert choices[("scale5", "3")]["label::دری (prs)"].startswith("😐 ")
    assert all(choices[("scale5", "2")][header] for header in headers[2:9])


def test_round_trip_gives_an_equivalent_draft_survey(db):
    survey = gen_survey()
    jobs, safety = gen_theme("jobs"), gen_theme("safety")
    q(survey, "pick").themes = [jobs, safety]
    q(survey, "many").options[0].themes = [safety]
    db.session.commit()

    result = import_xlsform(export_xlsform(survey), slug="test-survey-again")

    assert said(result.errors) == [] and said(result.problems) == []
    copy = result.survey
    assert copy is not None and copy in db.session
    db.session.commit()
    db.session.expire_all()
    copy = db.session.get(Survey, copy.id)
    assert copy.id != survey.id and copy.slug == "test-survey-again"
    assert copy.status is SurveyStatus.DRAFT
    assert copy.base_language == "sv" and copy.languages == ["sv", "en"]
    original = db.session.get(Survey, survey.id)
    assert copy.title == original.title == {"sv": "Testenkät", "en": "Test survey"}
    assert (copy.intro, copy.thanks) == (original.intro, original.thanks)
    assert copy.profile_fields == original.profile_fields == ["age_band", "gender", "lives_in_area"]
    assert shape(copy) == shape(original)
    assert q(copy, "show").show_if_option.question is q(copy, "pick")


def test_round_trip_keeps_a_ranking_without_limit_and_a_number_with_one_bound(db):
    survey = gen_survey()
    q(survey, "rank").max_choices = None
    q(survey, "count").max_value = None
    q(survey, "many").max_choices = None
    db.session.commit()

    result = import_xlsform(export_xlsform(survey))

    assert result.errors == []
    # Delaktig's top 3 of 4 goes out as three places, which ODK and Delaktig read alike: nothing to say.
    assert said(result.problems) == ["The survey's web address is 'test-survey-2'."]
    copy = result.survey
    assert copy.slug == "test-survey-2"
    assert (q(copy, "count").min_value, q(copy, "count").max_value) == (0, None)
    assert q(copy, "rank").max_choices is None and q(copy, "many").max_choices is None


KOBO_SURVEY = [
    [
        "type",
        "name",
        "label::English (en)",
        "label::Svenska (sv)",
        "label::Deutsch (de)",
        "hint::English (en)",
        "required",
        "relevant",
        "constraint",
        "appearance",
        "themes",
    ],
    ["start", "start"],
    ["today", "today"],
    ["begin_group", "about_you", "About you", "Om dig", "Über dich"],
    [
        "select_one places",
        "where",
        "Where do you meet friends?",
        "Var träffar du vänner?",
        "Wo?",
        None,
        "true",
        None,
        None,
        None,
        "jobs unknown_theme",
    ],
    ["note", "thanks_note", "Thanks so far", "Tack hittills"],
    [
        "select_multiple activities",
        "activities",
        "What do you like?",
        "Vad gillar du?",
        None,
        "Choose two",
        None,
        None,
        "count-selected(.) <= 2",
        "minimal",
    ],
    ["date", "birthday", "Birthday", "Födelsedag"],
    [
        "integer",
        "age",
        "How old are you?",
        "Hur gammal är du?",
        None,
        None,
        "yes",
        "${where} = 'park'",
        ". >= 10 and . <= 25",
    ],
    [
        "select_one yn",
        "happy",
        "Are you happy here?",
        "Trivs du här?",
        None,
        None,
        None,
        "selected(${where}, 'library')",
    ],
    ["text", "why", "Why?", "Varför?", None, None, None, "${age} > 15"],
    ["end_group"],
    ["select_one feel", "feeling", "How does the park feel?", "Hur känns parken?"],
    ["rank priorities", "priorities", "What matters most?", "Vad är viktigast?"],
    ["calculate", "score", None, None, None, None, None, None, None, None],
]
KOBO_CHOICES = [
    ["list_name", "name", "label::English (en)", "label::Svenska (sv)", "label::Deutsch (de)", "themes"],
    ["places", "park", "The park", "Parken", "Der Park", "safety"],
    ["places", "library", "The library", "Biblioteket", "Die Bibliothek"],
    ["activities", "sport", "Sport", "Idrott"],
    ["activities", "music", "Music", "Musik"],
    ["activities", "games", "Games", "Spel"],
    ["yn", "yes", "Yes", "Ja"],
    ["yn", "no", "No", "Nej"],
    *[
        ["feel", point, f"{point} stars", f"{point} stjärnor"] for point in range(1, 6)
    ],  # numbers, as Excel keeps them
    *[["priorities", key, key.title(), key.title()] for key in ("light", "benches", "wifi", "toilets")],
]
KOBO_SETTINGS = [["form_title", "form_id", "default_language", "version"],
                 ["Youth survey 2025", "youth_survey_2025", "English (en)", "2025010101"]]  # fmt: skip


def test_kobo_form_comes_in_as_a_draft_with_every_skipped_thing_reported(app, db):
    gen_theme("jobs")
    gen_theme("safety")
    db.session.commit()

    with app.test_request_context():  # as the import view calls it
        result = import_xlsform(xlsx(KOBO_SURVEY, KOBO_CHOICES, KOBO_SETTINGS))

        assert result.errors == []
        survey = result.survey
        assert survey in db.session and survey.id is not None  # added and flushed…
        with db.engine.connect() as other:  # …but not committed: the request commits at its end
            assert other.scalar(sa.select(sa.func.count(Survey.id))) == 0
    assert survey.status is SurveyStatus.DRAFT and survey.slug == "youth-survey-2025"
    assert survey.base_language == "en" and survey.languages == ["en", "sv"]
    assert survey.title == {"en": "Youth survey 2025"}
    assert [(question.key, question.kind) for question in survey.questions] == [
        ("where", QuestionKind.SINGLE_CHOICE),
        ("activities", QuestionKind.MULTIPLE_CHOICE),
        ("age", QuestionKind.NUMBER),
        ("happy", QuestionKind.YES_NO),
        ("why", QuestionKind.FREE_TEXT),
        ("feeling", QuestionKind.SINGLE_CHOICE),
        ("priorities", QuestionKind.RANKING),
    ]
    assert [question.position for question in survey.questions] == list(range(7))
    where, activities, age, happy, why, feeling, priorities = survey.questions
    assert where.prompt == {"en": "Where do you meet friends?", "sv": "Var träffar du vänner?"}
    assert where.required and age.required and not activities.required
    assert [(option.key, option.label) for option in where.options] == [
        ("park", {"en": "The park", "sv": "Parken"}),
        ("library", {"en": "The library", "sv": "Biblioteket"}),
    ]
    assert [theme.slug for theme in where.themes] == ["jobs"]
    assert [theme.slug for theme in where.options[0].themes] == ["safety"]
    assert activities.max_choices == 2
    assert (age.min_value, age.max_value) == (10, 25)
    assert age.show_if_option_id == where.options[0].id
    assert happy.show_if_option_id == where.options[1].id and happy.options == []
    assert why.show_if_option_id is None
    # "1 stars" … "5 stars" is not Delaktig's faces: it stays a choice with its own labels, in its order.
    assert [(option.key, option.label["en"]) for option in feeling.options][::4] == [
        ("1", "1 stars"),
        ("5", "5 stars"),
    ]
    assert len(priorities.options) == 4

    assert said(result.problems) == [
        "Survey sheet, row 1: the column 'label::Deutsch (de)' was not imported: 'Deutsch (de)' is not a language "
        "Delaktig offers (sv, en, ar, fa-AF, so, ti, fi).",
        "Survey sheet, row 2: 'start' was not imported: Delaktig never collects it, because participants are "
        "anonymous.",
        "Survey sheet, row 3: 'today' was not imported: Delaktig never collects it, because participants are "
        "anonymous.",
        "Survey sheet, row 4: the group 'about_you' was not imported: its questions were imported on their own.",
        "Survey sheet, row 5: the theme 'unknown_theme' does not exist in Delaktig; it was not linked.",
        "Survey sheet, row 6: 'thanks_note' (note) was not imported: Delaktig shows a text only before the first "
        "question, as the survey's introduction.",
        "Survey sheet, row 7: the column 'hint::English (en)' was not imported: Delaktig questions have no hints.",
        "Survey sheet, row 7: the column 'appearance' was not imported: Delaktig shows every question in its own "
        "way, the same on every phone.",
        "Survey sheet, row 8: 'birthday' (date) was not imported: Delaktig does not ask for dates or times.",
        "Survey sheet, row 11: the condition (relevant) '${age} > 15' was not imported, so the question will "
        "always be shown: Delaktig can show a question only when one option of an earlier question was chosen.",
        "Survey sheet, row 14: Delaktig asks participants to rank only their top 3 options.",
        "Survey sheet, row 15: 'score' (calculate) was not imported: Delaktig does not calculate values.",
        "Choices sheet, row 1: the column 'label::Deutsch (de)' was not imported: 'Deutsch (de)' is not a "
        "language Delaktig offers (sv, en, ar, fa-AF, so, ti, fi).",
    ]

    db.session.commit()
    assert survey_count() == 1


@pytest.mark.parametrize(
    ("suffix", "code"),
    [
        ("Svenska (sv)", "sv"),
        ("sv", "sv"),
        ("English", "en"),
        ("Swedish", "sv"),
        ("العربية (ar)", "ar"),
        ("دری (fa-AF)", "fa-AF"),
        ("fa_AF", "fa-AF"),
        ("Dari (prs)", "fa-AF"),
        ("Tigrinya", "ti"),
        ("Deutsch (de)", None),
        ("Persian (fa)", None),
    ],
)
def test_language_columns_are_recognised_by_code_or_name(suffix, code):
    assert language_code(suffix) == code


def test_plain_label_columns_are_in_the_default_language_or_english(db):
    plain = [["type", "name", "label", "label::English"], ["text", "idea", "Din idé?", "Your idea?"]]
    result = import_xlsform(xlsx(plain, None, [["form_title::Svenska (sv)", "form_title::English (en)"],
                                               ["Idéer", "Ideas"]]))  # fmt: skip

    # XLSForm's default language is English: the plain column and label::English say the same language.
    assert said(result.errors) == []
    assert said(result.problems) == [
        "Survey sheet, row 1: the column 'label::English' was not imported: the column 'label' already has the "
        "texts in English (en).",
        "Settings sheet, row 2: the title in 'Svenska (sv)' was not imported.",
    ]
    survey = result.survey
    assert survey.base_language == "en" and survey.languages == ["en"]
    assert survey.title == {"en": "Ideas"} and survey.slug == "ideas"
    assert survey.questions[0].prompt == {"en": "Din idé?"}

    result = import_xlsform(xlsx(plain, None, [["default_language"], ["Svenska (sv)"]]), slug="x-2")
    assert said(result.errors) == [] and result.survey.languages == ["sv", "en"]
    assert result.survey.questions[0].prompt == {"sv": "Din idé?", "en": "Your idea?"}

    result = import_xlsform(
        xlsx(plain, None, [["form_title", "default_language"], ["Ideas", "English"]]), slug="x-1"
    )
    assert result.errors == [] and result.survey.base_language == "en"
    assert result.survey.questions[0].prompt == {"en": "Din idé?"}
    assert said(result.problems) == [
        "Survey sheet, row 1: the column 'label::English' was not imported: "
        "the column 'label' already has the texts in English (en)."
    ]


def nothing_added() -> None:
    """The session holds nothing new, and committing stores no survey."""
    assert not [obj for obj in db.session.new if isinstance(obj, Survey | Question | Option)]
    db.session.commit()
    assert survey_count() == 0


TEXT = ["text", "idea", "Idea?"]
HEADER = ["type", "name", "label::English (en)"]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"this is not a spreadsheet", "The file is not an Excel workbook (.xlsx)."),
        (b"PK\x03\x04 broken zip", "The file is not an Excel workbook (.xlsx)."),
        (
            b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1 old",
            "The file is in the old Excel format (.xls) but cannot be read",
        ),
        (xlsx(None, [["list_name", "name"]]), "The workbook has no sheet named 'survey'."),
        (xlsx([["type", "name"], ["text", "idea"]]), "The survey sheet has no label column"),
        (
            xlsx([["type", "name", "label::Deutsch (de)"], ["text", "idea", "Idee?"]]),
            "The survey sheet has no label column in a language Delaktig offers.",
        ),
        (xlsx([HEADER, ["note", "hello", "Hello"]]), "The survey sheet has no question Delaktig can import."),
        (
            xlsx([HEADER, TEXT], None, [["form_title"], ["t" * 201]]),
            "Settings sheet, row 2: the title cannot be used: the text in English (en) has 201 characters; "
            "Delaktig allows at most 200.",
        ),
    ],
)
def test_fatal_problems_import_nothing(db, data, message):
    result = import_xlsform(data)

    assert result.survey is None
    assert any(error.startswith(message) for error in said(result.errors)), said(result.errors)
    nothing_added()


@pytest.mark.parametrize(
    ("rows", "choices", "message"),
    [
        (
            [["select_one colours", "colour", "Colour?"]],
            [["list_name", "name", "label"]],
            "Survey sheet, row 3: 'colour' (select_one) was not imported: its choice list 'colours' is not on the "
            "choices sheet.",
        ),
        ([TEXT], None, "Survey sheet, row 3: 'idea' was not imported: the name is already used on row 2."),
        (
            [["text", "my idea", "Idea?"]],
            None,
            "Survey sheet, row 3: 'my idea' was not imported: its name cannot be used: a name starts with a "
            "letter or _ and has only letters, digits, _, - and ., at most 60 characters.",
        ),
        (
            [["text", "other", "x" * 501]],
            None,
            "Survey sheet, row 3: 'other' was not imported: the text in English (en) has 501 characters; "
            "Delaktig allows at most 500.",
        ),
        (
            [["text", "other"]],
            None,
            "Survey sheet, row 3: 'other' was not imported: it has no text in a language of the survey.",
        ),
        (
            [["select_one c", "colour", "Colour?"]],
            [["list_name", "name", "label::English (en)"], ["c", "red", "Red"], ["c", "red", "Red again"]],
            "Choices sheet, row 3: the choice 'red' in the list 'c' was not imported: it has the same name as "
            "the choice on row 2, so it gives the same answer, and Delaktig lists each answer once.",
        ),
        (
            [["select_one c", "colour", "Colour?"]],
            [["list_name", "name", "label::English (en)"], ["c", "red", "Red"], ["c", "blue"]],
            "Survey sheet, row 3: 'colour' (select_one) was not imported: its list 'c' cannot be used (row 3: "
            "the choice 'blue' has no text in a language of the survey).",
        ),
        (
            [["integer", "age", "Age?", ". >= 30 and . <= 20"]],
            None,
            "Survey sheet, row 3: the constraint '. >= 30 and . <= 20' was not imported: Delaktig takes numbers "
            "from -1,000,000 to 1,000,000, the smallest allowed not above the largest.",
        ),
    ],
)
def test_a_row_delaktig_cannot_take_is_left_out_and_said_with_its_row(db, rows, choices, message):
    result = import_xlsform(
        xlsx([[*HEADER, "constraint"], TEXT, *rows], choices, [["form_title"], ["Ideas"]])
    )

    assert said(result.errors) == []
    assert message in said(result.problems), said(result.problems)
    assert result.survey.questions[0].key == "idea"


def test_a_given_address_that_is_taken_is_an_error_and_a_derived_one_gets_a_number(db):
    gen_survey("ideas")
    data = xlsx([HEADER, TEXT], None, [["form_id"], ["Ideas"]])

    taken = import_xlsform(data, slug="ideas")
    assert taken.survey is None and said(taken.errors) == [
        "Another survey already has the web address 'ideas'."
    ]
    assert said(import_xlsform(data, slug="!!").errors) == ["The web address '!!' cannot be used."]
    assert not [obj for obj in db.session.new if isinstance(obj, Survey)]

    derived = import_xlsform(data)
    assert derived.errors == [] and derived.survey.slug == "ideas-2"
    assert "The survey's web address is 'ideas-2'." in said(derived.problems)


def test_names_and_expressions_from_the_file_keep_their_direction_in_a_right_to_left_message(db):
    result = import_xlsform(
        xlsx(
            [
                ["type", "name", "label", "relevant"],
                ["integer", "age", "How old are you?", ""],
                ["text", "why", "Why?", "${age} > 15"],
            ],
            settings=[["default_language"], ["English (en)"]],
        )
    )
    (problem,) = [p for p in result.problems if "15" in str(p)]
    with force_locale("ar"):
        arabic = str(problem)
    assert "\u2068${age} > 15\u2069" in arabic  # isolated, so the sentence does not reorder it
    assert arabic.count("\u2068") == arabic.count("\u2069")
    with force_locale("sv"):
        assert "\u2068" not in str(problem) and "${age} > 15" in str(problem)
    assert "\u2068" not in said([problem])[0]
