"""A survey as an XLSForm workbook, for KoboToolbox and ODK."""

from __future__ import annotations

import io
from datetime import UTC, datetime

from openpyxl import Workbook
from openpyxl.worksheet.worksheet import Worksheet

from participation.exports import append_row
from participation.surveys.models import FREE_TEXT_MAX, SCALE_POINTS, Option, Question, QuestionKind, Survey
from participation.surveys.xlsform.languages import language_header
from participation.surveys.xlsform.profile import profile_texts
from participation.surveys.xlsform.ranking import place_filter, place_name, place_words, places
from participation.surveys.xlsform.reader import THANKS_NOTE, TITLE_NOTE
from participation.surveys.xlsform.scales import YES_NO_LABELS, point_texts
from participation.themes.models import Theme

YES_NO_LIST = "yes_no"
SCALE_LIST = "scale5"


def export_xlsform(survey: Survey) -> bytes:
    """The survey as an XLSForm workbook (.xlsx bytes) for KoboToolbox or ODK."""
    languages = _export_languages(survey)
    list_names = _list_names(survey)
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "survey"
    labels = list(_texts_cells("label", {}, languages))
    core = ["type", "name", *labels, "required", "relevant", "constraint"]
    rows = _survey_rows(survey, languages, list_names)
    choices = _choice_rows(survey, languages, list_names)
    profile = _profile_rows(survey, languages)
    rows += [row for row in profile if "type" in row]
    choices += [row for row in profile if "list_name" in row]
    # pyxform takes form_title in one language only: the title in every language is a heading note.
    several = len([text for text in (survey.title or {}).values() if text]) > 1
    notes = [
        *(_note(TITLE_NOTE, survey.title, languages) if several else []),
        *_note("intro", survey.intro, languages),
    ]
    _write_table(sheet, core, [*notes, *rows, *_note(THANKS_NOTE, survey.thanks, languages)])
    _write_table(book.create_sheet("choices"), ["list_name", "name", *labels], choices)
    settings = _settings_row(survey)
    _write_table(book.create_sheet("settings"), list(settings), [settings])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _export_languages(survey: Survey) -> list[str]:
    """The survey's languages, base language first."""
    return [survey.base_language, *(code for code in survey.languages if code != survey.base_language)]


def _list_names(survey: Survey) -> dict[str, str]:
    """Choice list name per option question key: the key, unless a built-in list has that name."""
    built_in = {YES_NO_LIST, SCALE_LIST, *survey.profile_fields}
    taken = built_in | {question.key for question in survey.questions}
    names = {}
    for question in survey.questions:
        name = question.key
        while name in built_in or (name != question.key and name in taken):
            name += "_"
        taken.add(name)
        names[question.key] = name
    return names


def _write_table(sheet: Worksheet, core: list[str], rows: list[dict[str, str]]) -> None:
    """Rows of column -> value under a header of the core columns, then any other column used."""
    headers = list(dict.fromkeys([*core, *(column for row in rows for column in row)]))
    sheet.append(headers)
    for row in rows:
        append_row(sheet, [row.get(column) or None for column in headers])


def _texts_cells(column: str, texts: dict[str, str], languages: list[str]) -> dict[str, str]:
    """One cell per language, such as label::Svenska (sv)."""
    return {f"{column}::{language_header(code)}": (texts or {}).get(code, "") for code in languages}


def _themes_cell(themes: list[Theme]) -> dict[str, str]:
    """Theme slugs, space-separated, in the extra themes column."""
    return {"themes": " ".join(theme.slug for theme in themes)} if themes else {}


def _survey_rows(survey: Survey, languages: list[str], list_names: dict[str, str]) -> list[dict[str, str]]:
    """The survey sheet: one row per question, a group of place questions for a ranking with a limit."""
    options = {option.id: (question, option) for question in survey.questions for option in question.options}
    taken = {question.key for question in survey.questions} | set(survey.profile_fields)
    taken |= {TITLE_NOTE, "intro", THANKS_NOTE}
    rows = []
    for question in survey.questions:
        row = _question_row(question, languages, list_names, options)
        if _ranked_in_places(question, taken):
            rows += _ranking_rows(question, row, languages, list_names)
        else:
            rows.append(row)
    return rows


def _ranked_in_places(question: Question, taken: set[str]) -> bool:
    """Whether a ranking asks for fewer places than it has options, and its place names are free."""
    count = places(question) if question.kind is QuestionKind.RANKING else 0
    return 0 < count < len(question.options) and not any(
        place_name(question.key, place) in taken for place in range(1, count + 1)
    )


def _ranking_rows(
    question: Question, row: dict[str, str], languages: list[str], list_names: dict[str, str]
) -> list[dict[str, str]]:
    """A ranking's top N as ODK asks for it: N select_one questions in a group, each without the earlier picks.

    The group carries the question, its condition and themes (and Delaktig's max_choices as set); the
    first place is required when the question is. See ranking.py for the shape the import reads back.
    """
    group = {"type": "begin_group", "name": question.key} | _texts_cells("label", question.prompt, languages)
    group |= {"relevant": row["relevant"], "appearance": "field-list"}
    group |= {"max_choices": row["max_choices"]} if "max_choices" in row else {}
    group |= _themes_cell(question.themes)
    words = place_words(languages)
    rows = [group]
    for place in range(1, places(question) + 1):
        rows.append(
            {"type": f"select_one {list_names[question.key]}", "name": place_name(question.key, place)}
            | _texts_cells("label", words[place - 1], languages)
            | {
                "required": row["required"] if place == 1 else "",
                "choice_filter": place_filter(question.key, place),
            }
        )
    return [*rows, {"type": "end_group"}]


def _question_row(
    question: Question,
    languages: list[str],
    list_names: dict[str, str],
    options: dict[int, tuple[Question, Option]],
) -> dict[str, str]:
    """One survey sheet row for a question."""
    row = {"type": _xls_type(question, list_names), "name": question.key}
    row |= _texts_cells("label", question.prompt, languages)
    row |= {
        "required": "yes" if question.required else "",
        "relevant": "",
        "constraint": _constraint(question),
    }
    if question.show_if_option_id in options:
        parent, option = options[question.show_if_option_id]
        row["relevant"] = f"selected(${{{parent.key}}}, {_quoted(option.key)})"
    if question.kind is QuestionKind.RANKING and question.max_choices:
        row["max_choices"] = str(question.max_choices)
    return row | _themes_cell(question.themes)


def _quoted(value: str) -> str:
    """An XPath string literal: in single quotes, or double quotes when the value has a single quote."""
    return f'"{value}"' if "'" in value else f"'{value}'"


def _note(name: str, texts: dict[str, str], languages: list[str]) -> list[dict[str, str]]:
    """The survey's introduction or thanks as a note row in every language, or no row when it is empty."""
    if not any((text or "").strip() for text in (texts or {}).values()):
        return []
    return [{"type": "note", "name": name} | _texts_cells("label", texts, languages)]


def _profile_rows(survey: Survey, languages: list[str]) -> list[dict[str, str]]:
    """The standard profile questions as select_one questions, and their choice lists."""
    rows: list[dict[str, str]] = []
    for field in survey.profile_fields:
        prompt, answers = profile_texts(field, languages)
        rows.append({"type": f"select_one {field}", "name": field} | _texts_cells("label", prompt, languages))
        rows += [
            {"list_name": field, "name": name} | _texts_cells("label", texts, languages)
            for name, texts in answers
        ]
    return rows


def _xls_type(question: Question, list_names: dict[str, str]) -> str:
    """The XLSForm type of a question, such as 'select_one pick' or 'integer'."""
    kind = question.kind
    if kind is QuestionKind.YES_NO:
        return f"select_one {YES_NO_LIST}"
    if kind is QuestionKind.SCALE and not question.has_scale_ends:
        return f"select_one {SCALE_LIST}"
    if kind is QuestionKind.FREE_TEXT:
        return "text"
    if kind is QuestionKind.NUMBER:
        return "integer"
    word = {
        QuestionKind.SINGLE_CHOICE: "select_one",
        QuestionKind.MULTIPLE_CHOICE: "select_multiple",
        QuestionKind.SCALE: "select_one",  # a scale with its own end words has its own list
    }
    return f"{word.get(kind, 'rank')} {list_names[question.key]}"


def _constraint(question: Question) -> str:
    """The XLSForm constraint for a number's range, a choice limit or the free text length."""
    if question.kind is QuestionKind.NUMBER:
        bounds = [f". >= {question.min_value}"] if question.min_value is not None else []
        bounds += [f". <= {question.max_value}"] if question.max_value is not None else []
        return " and ".join(bounds)
    if question.kind is QuestionKind.MULTIPLE_CHOICE and question.max_choices:
        return f"count-selected(.) <= {question.max_choices}"
    if question.kind is QuestionKind.FREE_TEXT:
        return f"string-length(.) <= {FREE_TEXT_MAX}"
    return ""


def _choice_rows(survey: Survey, languages: list[str], list_names: dict[str, str]) -> list[dict[str, str]]:
    """The choices sheet: every option question's own list, then the built-in yes/no and scale lists."""
    rows = []
    for question in survey.questions:
        for option in question.options:
            row = {"list_name": list_names[question.key], "name": option.key}
            rows.append(row | _texts_cells("label", option.label, languages) | _themes_cell(option.themes))
    points = [str(point) for point in range(1, SCALE_POINTS + 1)]
    for question in survey.questions:
        if question.kind is QuestionKind.SCALE and question.has_scale_ends:
            rows += _built_in_rows(
                list_names[question.key], points, point_texts(question, languages), languages
            )
    kinds = {question.kind for question in survey.questions}
    if QuestionKind.YES_NO in kinds:
        rows += _built_in_rows(YES_NO_LIST, ["yes", "no"], _yes_no_texts(languages), languages)
    generic = [q for q in survey.questions if q.kind is QuestionKind.SCALE and not q.has_scale_ends]
    if generic:
        rows += _built_in_rows(SCALE_LIST, points, point_texts(generic[0], languages), languages)
    return rows


def _built_in_rows(
    list_name: str, names: list[str], texts: list[dict[str, str]], languages: list[str]
) -> list[dict[str, str]]:
    """Choices rows of a fixed list (yes/no, a scale) in every language."""
    return [
        {"list_name": list_name, "name": name} | _texts_cells("label", label, languages)
        for name, label in zip(names, texts, strict=True)
    ]


def _yes_no_texts(languages: list[str]) -> list[dict[str, str]]:
    """Yes and no per language; English for a language without built-in words."""
    words = {code: YES_NO_LABELS.get(code, YES_NO_LABELS["en"]) for code in languages}
    return [{code: pair[index] for code, pair in words.items()} for index in range(2)]


def _settings_row(survey: Survey) -> dict[str, str]:
    """The settings sheet's one row: title, form id, default language and a version."""
    title = survey.title or {}
    base_title = title.get(survey.base_language) or next((text for text in title.values() if text), "")
    return {
        "form_title": base_title or survey.slug,
        "form_id": survey.slug,
        "default_language": language_header(survey.base_language),
        "version": datetime.now(UTC).strftime("%Y%m%d%H%M"),
    }
