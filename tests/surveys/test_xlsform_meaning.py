"""XLSForm import never changes what a form means: own labels, ODK's reading of conditions, pyxform's spellings."""

from __future__ import annotations

from participation.surveys.models import QuestionKind
from participation.surveys.xlsform import import_xlsform
from tests.surveys.test_xlsform import said, xlsx

HEADER = ["type", "name", "label::English (en)", "relevant", "constraint", "constraint_message::English (en)"]
CHOICES = [
    ["list_name", "name", "label::English (en)"],
    ["agree", "yes", "I agree"],
    ["agree", "no", "I do not agree"],
    ["sports", 1, "Football"],
    ["sports", 2, "Swimming"],
    ["sports", 99, "Something else"],
]


def test_own_yes_no_labels_numeric_names_aliases_and_odk_conditions_keep_their_meaning(db):
    rows = [
        HEADER,
        ["select one from agree", "ålder-ok", "Do you agree?"],
        ["select all that apply from sports", "why-sport", "Which sports?"],
        ["select1 sports", "best", "Best sport?"],
        ["text", "only_football", "Why only football?", "${why-sport} = '1'"],
        ["text", "some_football", "Why football?", "selected(${why-sport}, '1')"],
        ["text", "agreed", "Why?", "${ålder-ok} = 'yes'"],
        ["text", "short", "In short?", "", "string-length(.) <= 300", "Too long"],
        ["integer", "count", "How many?", "", "(. >= 1) and (. <= 5)"],
    ]
    result = import_xlsform(xlsx(rows, CHOICES, [["form_title"], ["Sport"]]))

    assert said(result.errors) == []
    agree, sports, best, only, some, agreed, short, count = result.survey.questions
    # A yes/no list with its own words stays a choice with those words.
    assert agree.key == "ålder-ok" and agree.kind is QuestionKind.SINGLE_CHOICE
    assert [(o.key, o.label["en"]) for o in agree.options] == [("yes", "I agree"), ("no", "I do not agree")]
    assert sports.kind is QuestionKind.MULTIPLE_CHOICE and [o.key for o in sports.options] == ["1", "2", "99"]
    assert best.kind is QuestionKind.SINGLE_CHOICE
    assert only.show_if_option_id is None  # '=' on select_multiple means "only football" in ODK
    assert some.show_if_option_id == sports.options[0].id  # selected() is "football among the choices"
    assert agreed.show_if_option_id == agree.options[0].id
    assert (count.min_value, count.max_value) == (1, 5)
    problems = said(result.problems)
    assert any(
        p.startswith("Survey sheet, row 5: the condition (relevant) '${why-sport} = '1'' was not")
        for p in problems
    )
    assert any("only '1' was chosen" in p for p in problems)
    assert not any("row 6:" in p or "row 7:" in p for p in problems), problems
    assert (
        "Survey sheet, row 8: the limit of 300 characters was not imported: Delaktig takes answers of up to "
        "500 characters." in problems
    )
    assert (
        "Survey sheet, row 8: the column 'constraint_message::English (en)' was not imported: Delaktig shows "
        "its own message when an answer is not allowed." in problems
    )
    assert short.kind is QuestionKind.FREE_TEXT


def test_show_if_is_linked_to_the_named_option(db):
    rows = [HEADER, ["select_multiple sports", "s", "Sports?"], ["text", "t", "Why?", "selected(${s}, 99)"]]
    result = import_xlsform(xlsx(rows, CHOICES, [["form_title"], ["Sport"]]))
    sports, why = result.survey.questions
    assert why.show_if_option_id == sports.options[2].id


def test_a_profile_question_in_its_own_words_says_that_delaktigs_words_are_used(db):
    choices = [
        ["list_name", "name", "label::English (en)"],
        *[["gender", key, words] for key, words in [
            ("girl", "Female"), ("boy", "Male"), ("other", "Non-binary"), ("rather_not_say", "Prefer not to say")
        ]],
        *[["place", key, words] for key, words in [("yes", "Yes"), ("nearby", "Nearby"), ("no", "No")]],
    ]  # fmt: skip
    rows = [
        ["type", "name", "label::English (en)"],
        ["select_one gender", "gender", "What is your gender?"],
        ["select_one place", "lives_in_area", "Do you live in the area?"],
    ]
    result = import_xlsform(xlsx(rows, choices, [["form_title"], ["Profile"]]))
    assert result.survey.profile_fields == ["gender", "lives_in_area"]
    problems = said(result.problems)
    assert (
        "Survey sheet, row 2: 'gender' is imported as the standard question about you, asked in Delaktig's own "
        "words; the file's own question and answer texts were not carried over." in problems
    )
    assert not any("row 3:" in problem for problem in problems), problems  # the same words: nothing lost
