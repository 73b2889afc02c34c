"""A ranking's "top N" in XLSForm: written as ODK asks for it, and only exactly that shape read back as one."""

from __future__ import annotations

import pytest

from participation.surveys.models import Option, QuestionKind
from participation.surveys.xlsform import export_xlsform, import_xlsform
from tests.factories import gen_survey, q, texts
from tests.surveys.test_xlsform import said, shape, sheets, xlsx
from tests.surveys.test_xlsform_forms import _pyxform_check

HEADER = ["type", "name", "label::English (en)", "label::Svenska (sv)", "required", "relevant", "choice_filter",
          "appearance", "hint::English (en)", "hint::Svenska (sv)"]  # fmt: skip
CHOICES = [
    ["list_name", "name", "label::English (en)", "label::Svenska (sv)"],
    ["where", "park", "The park", "Parken"],
    ["where", "school", "School", "Skolan"],
    *[["wish", key, key.title(), key.title()] for key in ("light", "benches", "wifi", "toilets", "music")],
]
SETTINGS = [["form_title", "default_language"], ["Wishes", "English (en)"]]
FIRST = ["select_one wish", "top_1", "1st choice", "1:a valet", "yes"]
SECOND = ["select_one wish", "top_2", "2nd choice", "2:a valet", None, None, "name != ${top_1}"]
THIRD = [
    "select_one wish",
    "top_3",
    "3rd choice",
    "3:e valet",
    None,
    None,
    "name != ${top_1} and name != ${top_2}",
]


def _form(*places: list[object], group: list[object] | None = None) -> bytes:
    """A form written by hand from the XLSForm specification: a question, then a group of places."""
    rows = [
        HEADER,
        ["select_one where", "where", "Where?", "Var?"],
        group or ["begin_group", "top", "What do you want most?", "Vad vill du ha mest?", None,
                  "selected(${where}, 'park')", None, "field-list"],
        *places,
        ["end_group"],
    ]  # fmt: skip
    return xlsx(rows, CHOICES, SETTINGS)


def test_a_hand_written_top_three_comes_in_as_one_ranking_and_goes_out_the_same(db, tmp_path):
    _pyxform_check(tmp_path, _form(FIRST, SECOND, THIRD))  # the form is valid XLSForm
    result = import_xlsform(_form(FIRST, SECOND, THIRD))

    assert said(result.errors) == []
    where, top = result.survey.questions
    assert (top.key, top.kind, top.required) == ("top", QuestionKind.RANKING, True)
    assert top.prompt == {"en": "What do you want most?", "sv": "Vad vill du ha mest?"}
    assert [option.key for option in top.options] == ["light", "benches", "wifi", "toilets", "music"]
    assert top.max_choices is None  # three places is Delaktig's own top 3
    assert top.show_if_option_id == where.options[0].id
    assert said(result.problems) == [
        "Survey sheet, row 3: the group is imported as one ranking question; its places are named in "
        "Delaktig's own words (First, Second, Third), so the file's labels for them on rows 4, 5, 6 were not "
        "carried over."
    ]

    data = export_xlsform(result.survey)
    _pyxform_check(tmp_path, data)
    copy = import_xlsform(data, slug="wishes-again")
    assert said(copy.errors) == [] and said(copy.problems) == []  # Delaktig's own words: nothing to say
    assert shape(copy.survey) == shape(result.survey)


def test_two_places_of_five_are_a_top_two_and_a_ranking_of_every_option_is_odks_rank(db, tmp_path):
    first = ["select_one wish", "top_1", "First", "Etta"]
    second = ["select_one wish", "top_2", "Second", "Tvåa", None, None, "name!=${top_1}"]
    result = import_xlsform(_form(first, second))
    top = result.survey.questions[1]
    assert (top.kind, top.max_choices, top.required) == (QuestionKind.RANKING, 2, False)
    assert said(result.problems) == []  # Delaktig's own place words, spaces written or not

    survey = gen_survey()
    rank = q(survey, "rank")
    rank.options = rank.options[:3]
    rank.max_choices = None
    db.session.commit()
    rows = {row["name"]: row for row in sheets(export_xlsform(survey))["survey"]}
    assert rows["rank"]["type"] == "rank rank" and "rank_1" not in rows


@pytest.mark.parametrize(
    ("limit", "count"), [(1, 4), (2, 4), (3, 4), (None, 4), (5, 4), (None, 3), (2, 2), (3, 3)]
)
def test_every_ranking_limit_goes_out_as_odk_reads_it_and_comes_back_the_same(db, tmp_path, limit, count):
    survey = gen_survey()
    rank = q(survey, "rank")
    for number in range(len(rank.options) + 1, count + 1):
        rank.options.append(
            Option(key=f"r{number}", position=number - 1, label=texts(f"Val {number}", "Choice"))
        )
    rank.options = rank.options[:count]
    rank.max_choices = limit
    db.session.commit()

    data = export_xlsform(survey)
    xform = _pyxform_check(tmp_path, data)
    places = min(limit or 3, 3, count)
    rows = [row for row in sheets(data)["survey"] if str(row["name"] or "").startswith("rank")]
    if places < count:
        assert [row["type"] for row in rows] == ["begin_group", *["select_one rank"] * places]
        assert "instance('rank')/root/item[name !=  /data/rank/rank_1 ]" in xform or places == 1
    else:
        assert [row["type"] for row in rows] == ["rank rank"]
    copy = import_xlsform(data, slug="copy")
    assert said(copy.errors) == [] and said(copy.problems) == []
    assert shape(copy.survey) == shape(survey)


PLACE_3_LOOSE = [*THIRD[:6], "name != ${top_2}"]  # leaves the first pick in: not a ranking
NOT_RANKINGS = {
    "a filter that lets an earlier pick in": [FIRST, SECOND, PLACE_3_LOOSE],
    "four places": [FIRST, SECOND, THIRD, ["select_one wish", "top_4", "4th", "4:e", None, None,
                                          "name != ${top_1} and name != ${top_2} and name != ${top_3}"]],
    "a place with a hint": [FIRST, [*SECOND, None, "Not the first"]],
    "a later place required": [FIRST, [SECOND[0], SECOND[1], SECOND[2], SECOND[3], "yes", None, SECOND[6]]],
    "a place named otherwise": [FIRST, ["select_one wish", "second", "2nd", "2:a", None, None, "name != ${top_1}"]],
    "a place on another list": [FIRST, ["select_one where", "top_2", "2nd", "2:a", None, None, "name != ${top_1}"]],
    "a place of another type": [FIRST, ["select_multiple wish", "top_2", "2nd", "2:a", None, None,
                                        "name != ${top_1}"]],
    "a place with a relevant": [FIRST, [*SECOND[:5], "${top_1} != ''", SECOND[6]]],
}  # fmt: skip


@pytest.mark.parametrize("places", list(NOT_RANKINGS.values()), ids=list(NOT_RANKINGS))
def test_a_group_of_another_shape_comes_in_as_what_it_is_with_every_left_out_cell_said(db, places):
    result = import_xlsform(_form(*places))

    assert said(result.errors) == []
    assert QuestionKind.RANKING not in {question.kind for question in result.survey.questions}
    problems = said(result.problems)
    assert any(p.startswith("Survey sheet, row 3: the group 'top' was not imported") for p in problems), (
        problems
    )
    keys = {question.key for question in result.survey.questions}
    for number, row in enumerate(places, start=4):
        filtered = len(row) > 6 and row[6]
        assert row[1] in keys or any(p.startswith(f"Survey sheet, row {number}:") for p in problems), row
        if filtered and row[1] in keys:
            assert any(
                p.startswith(f"Survey sheet, row {number}: the column 'choice_filter'") for p in problems
            )


def test_a_group_with_other_settings_or_too_few_choices_is_not_a_ranking(db):
    hinted = ["begin_group", "top", "Most?", "Mest?", None, None, None, "field-list", "Pick three"]
    table = ["begin_group", "top", "Most?", "Mest?", None, None, None, "table-list"]
    for group in (hinted, table):
        result = import_xlsform(_form(FIRST, SECOND, group=group))
        assert [question.kind for question in result.survey.questions][1:] == [QuestionKind.SINGLE_CHOICE] * 2
    two = ["select_one where", "top_1", "1st", "1:a"], ["select_one where", "top_2", "2nd", "2:a", None, None,
                                                      "name != ${top_1}"]  # fmt: skip
    three = [
        *two,
        ["select_one where", "top_3", "3rd", "3:e", None, None, "name != ${top_1} and name != ${top_2}"],
    ]
    result = import_xlsform(_form(*three))  # three places of a list of two choices
    assert QuestionKind.RANKING not in {question.kind for question in result.survey.questions}
    result = import_xlsform(_form(*two), slug="two-of-two")  # two places of two: every option ranked
    assert result.survey.questions[1].kind is QuestionKind.RANKING
    assert result.survey.questions[1].max_choices is None


def test_a_max_choices_that_does_not_match_the_places_is_said(db):
    group = ["begin_group", "top", "Most?", "Mest?", None, None, None, "field-list", None, None, 1]
    result = import_xlsform(xlsx([[*HEADER, "max_choices"], ["select_one where", "where", "Where?", "Var?"], group,
                                  FIRST, SECOND, ["end_group"]], CHOICES, SETTINGS))  # fmt: skip
    assert result.survey.questions[1].max_choices == 2
    assert "Survey sheet, row 3: max_choices '1' was not imported: the group asks for 2 places." in said(
        result.problems
    )
