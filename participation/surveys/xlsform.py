"""XLSForm export and import, so a survey moves to and from KoboToolbox and ODK.

The workbook has the usual `survey`, `choices` and `settings` sheets. Two extra columns, which
KoboToolbox and pyxform ignore, carry what XLSForm cannot say: `themes` (theme slugs, on the survey
and choices sheets) and `max_choices` (how many a ranking question asks for).
"""

from __future__ import annotations

import io
import re
import unicodedata
import warnings
import zipfile
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cache

import sqlalchemy as sa
from babel import Locale
from openpyxl import Workbook, load_workbook
from openpyxl.worksheet.worksheet import Worksheet

from participation.config import DEFAULT_LANGUAGES
from participation.exports import append_row
from participation.extensions import db
from participation.i18n.languages import native_name, to_babel
from participation.surveys.editing import KEY, SLUG, free_slug
from participation.surveys.labels import SCALE_FACES
from participation.surveys.models import (
    FREE_TEXT_MAX,
    NUMBER_LIMIT,
    RANKING_MAX,
    SCALE_POINTS,
    TEXT_LIMITS,
    Option,
    Question,
    QuestionKind,
    Survey,
    SurveyStatus,
)
from participation.themes.models import Theme

SHIPPED_LANGUAGES = tuple(DEFAULT_LANGUAGES.split())
YES_NO_LIST = "yes_no"
SCALE_LIST = "scale5"
# A .xlsx is a zip file; refuse one that unpacks to more than this rather than parse it.
UNPACKED_MAX = 20 * 1024 * 1024

# The app's own translations of the fixed answers (see translations/*/messages.po).
YES_NO_LABELS = {
    "sv": ("Ja", "Nej"),
    "en": ("Yes", "No"),
    "ar": ("نعم", "لا"),
    "fa-AF": ("بلی", "نخیر"),
    "so": ("Haa", "Maya"),
    "ti": ("እወ", "ኣይፋል"),
    "fi": ("Kyllä", "Ei"),
}
SCALE_LABELS = {
    "sv": ("Mycket dåligt", "Dåligt", "Varken bra eller dåligt", "Bra", "Mycket bra"),
    "en": ("Very bad", "Bad", "Neither good nor bad", "Good", "Very good"),
    "ar": ("سيئ جدًا", "سيئ", "لا جيد ولا سيئ", "جيد", "جيد جدًا"),
    "fa-AF": ("بسیار بد", "بد", "نه خوب، نه بد", "خوب", "بسیار خوب"),
    "so": ("Aad u xun", "Xun", "Ma wanaagsana, mana xuma", "Wanaagsan", "Aad u wanaagsan"),
    "ti": ("ኣዝዩ ሕማቕ", "ሕማቕ", "ጽቡቕ ኮነ ሕማቕ ኣይኮነን", "ጽቡቕ", "ኣዝዩ ጽቡቕ"),
    "fi": ("Erittäin huono", "Huono", "Ei hyvä eikä huono", "Hyvä", "Erittäin hyvä"),
}

_SELECT_TYPES = {
    "select_one": "select_one",
    "select one": "select_one",
    "select_multiple": "select_multiple",
    "select all that apply": "select_multiple",
    "rank": "rank",
}
_SIMPLE_TYPES = {
    "text": QuestionKind.FREE_TEXT,
    "string": QuestionKind.FREE_TEXT,
    "integer": QuestionKind.NUMBER,
    "int": QuestionKind.NUMBER,
}
_METADATA_TYPES = {
    "start", "end", "today", "deviceid", "subscriberid", "simserial", "phonenumber", "username",
    "email", "audit", "imei", "start-geopoint", "start_geopoint", "background-geopoint",
    "background_geopoint", "background-audio", "background_audio", "uri:deviceid", "uri:email",
    "uri:username", "uri:phonenumber", "uri:subscriberid", "uri:simserial", "instanceid",
}  # fmt: skip
_GROUP_TYPES = {"begin_group", "begin_repeat", "end_group", "end_repeat"}
_UNSUPPORTED_REASONS = {
    "note": "Delaktig surveys have no notes",
    "calculate": "Delaktig does not calculate values",
    "decimal": "Delaktig asks for whole numbers only",
    "range": "Delaktig has no slider questions",
    "date": "Delaktig does not ask for dates or times",
    "time": "Delaktig does not ask for dates or times",
    "datetime": "Delaktig does not ask for dates or times",
    "geopoint": "Delaktig never asks for a location",
    "geotrace": "Delaktig never asks for a location",
    "geoshape": "Delaktig never asks for a location",
    "image": "Delaktig does not take photos, recordings or files",
    "audio": "Delaktig does not take photos, recordings or files",
    "video": "Delaktig does not take photos, recordings or files",
    "file": "Delaktig does not take photos, recordings or files",
    "barcode": "Delaktig does not scan codes",
}
# Columns with content Delaktig has no place for, and why.
_DROPPED_COLUMNS = {
    "hint": "Delaktig questions have no hints",
    "guidance_hint": "Delaktig questions have no hints",
    "image": "Delaktig shows no pictures, sound or video",
    "audio": "Delaktig shows no pictures, sound or video",
    "video": "Delaktig shows no pictures, sound or video",
    "media": "Delaktig shows no pictures, sound or video",
    "default": "Delaktig questions start unanswered",
    "choice_filter": "Delaktig always shows every option",
}
_TRUE = {"yes", "true", "true()", "1"}
_FALSE = {"", "no", "false", "false()", "0"}
_REFERENCE = re.compile(r"\$\{[^}]*\}")
_RELEVANT = (
    re.compile(r"^\$\{\s*([^}\s]+)\s*\}\s*=\s*(['\"])(.*?)\2$"),
    re.compile(r"^selected\(\s*\$\{\s*([^}\s]+)\s*\}\s*,\s*(['\"])(.*?)\2\s*\)$"),
)
_BOUND = re.compile(r"^\.\s*(>=|<=|>|<)\s*(-?\d+)$")
_COUNT_SELECTED = re.compile(r"^count-selected\(\s*\.\s*\)\s*(<=|<)\s*(\d+)$")
_STRING_LENGTH = re.compile(r"^string-length\(\s*\.\s*\)\s*(<=|<)\s*(\d+)$")


# ---------------------------------------------------------------------------------------------- export


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
    _write_table(sheet, core, _survey_rows(survey, languages, list_names))
    choices = _choice_rows(survey, languages, list_names)
    _write_table(book.create_sheet("choices"), ["list_name", "name", *labels], choices)
    settings = _settings_row(survey)
    _write_table(book.create_sheet("settings"), list(settings), [settings])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def language_header(code: str) -> str:
    """The language part of a column name, as KoboToolbox writes it: 'Svenska (sv)'."""
    return f"{native_name(code)} ({code})"


def _export_languages(survey: Survey) -> list[str]:
    """The survey's languages, base language first."""
    return [survey.base_language, *(code for code in survey.languages if code != survey.base_language)]


def _list_names(survey: Survey) -> dict[str, str]:
    """Choice list name per option question key: the key, unless a built-in list has that name."""
    built_in = {YES_NO_LIST, SCALE_LIST}
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
    """The survey sheet: one row per question."""
    options = {option.id: (question, option) for question in survey.questions for option in question.options}
    return [_question_row(question, languages, list_names, options) for question in survey.questions]


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
        row["relevant"] = f"selected(${{{parent.key}}}, '{option.key}')"
    if question.kind is QuestionKind.RANKING and question.max_choices:
        row["max_choices"] = str(question.max_choices)
    return row | _themes_cell(question.themes)


def _xls_type(question: Question, list_names: dict[str, str]) -> str:
    """The XLSForm type of a question, such as 'select_one pick' or 'integer'."""
    kind = question.kind
    if kind is QuestionKind.YES_NO:
        return f"select_one {YES_NO_LIST}"
    if kind is QuestionKind.SCALE:
        return f"select_one {SCALE_LIST}"
    if kind is QuestionKind.FREE_TEXT:
        return "text"
    if kind is QuestionKind.NUMBER:
        return "integer"
    word = {QuestionKind.SINGLE_CHOICE: "select_one", QuestionKind.MULTIPLE_CHOICE: "select_multiple"}
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
    kinds = {question.kind for question in survey.questions}
    if QuestionKind.YES_NO in kinds:
        rows += _built_in_rows(YES_NO_LIST, ["yes", "no"], _yes_no_texts(languages), languages)
    if QuestionKind.SCALE in kinds:
        points = [str(point) for point in range(1, SCALE_POINTS + 1)]
        rows += _built_in_rows(SCALE_LIST, points, _scale_texts(languages), languages)
    return rows


def _built_in_rows(
    list_name: str, names: list[str], texts: list[dict[str, str]], languages: list[str]
) -> list[dict[str, str]]:
    """Choices rows of a built-in list (yes/no, scale) in every language."""
    return [
        {"list_name": list_name, "name": name} | _texts_cells("label", label, languages)
        for name, label in zip(names, texts, strict=True)
    ]


def _yes_no_texts(languages: list[str]) -> list[dict[str, str]]:
    """Yes and no per language; English for a language without built-in words."""
    words = {code: YES_NO_LABELS.get(code, YES_NO_LABELS["en"]) for code in languages}
    return [{code: pair[index] for code, pair in words.items()} for index in range(2)]


def _scale_texts(languages: list[str]) -> list[dict[str, str]]:
    """The five scale points per language, each with its face in front: '😞 Very bad'."""
    words = {code: SCALE_LABELS.get(code, SCALE_LABELS["en"]) for code in languages}
    return [
        {code: f"{SCALE_FACES[index]} {labels[index]}" for code, labels in words.items()}
        for index in range(SCALE_POINTS)
    ]


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


# ---------------------------------------------------------------------------------------------- import


@dataclass
class ImportResult:
    """A draft survey added to the session (not committed), or None and the errors that stopped it."""

    survey: Survey | None
    problems: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def import_xlsform(data: bytes, *, slug: str | None = None) -> ImportResult:
    """A new draft survey from an XLSForm workbook: added to db.session and flushed; the caller commits."""
    book, error = _open_workbook(data)
    if book is None:
        return ImportResult(None, [], [error])
    reader = _Reader(book, slug)
    survey = reader.read()
    return ImportResult(survey, reader.problems, reader.errors)


def _open_workbook(data: bytes) -> tuple[Workbook | None, str]:
    """The workbook in data, or None and why it cannot be read."""
    unreadable = "The file is not an Excel workbook (.xlsx). Save the form as .xlsx and try again."
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            if sum(info.file_size for info in archive.infolist()) > UNPACKED_MAX:
                return None, "The workbook is too large to import."
        with warnings.catch_warnings():
            # Styles and extensions openpyxl cannot keep say nothing about the form's content.
            warnings.filterwarnings("ignore", category=UserWarning, module=r"openpyxl(\.|$)")
            return load_workbook(io.BytesIO(data), data_only=True), ""
    except Exception:  # noqa: BLE001 - a damaged file can fail in zipfile, XML parsing or openpyxl itself
        return None, unreadable


@dataclass
class _Sheet:
    """One sheet as canonical headers and the non-empty rows below them, with Excel row numbers."""

    label: str
    headers: list[str]
    rows: list[tuple[int, dict[str, str]]]


def _cell(value: object) -> str:
    """A cell as text: whole floats without '.0', booleans as true/false."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _canonical_header(text: str) -> str:
    """'Label :: Svenska (sv)' -> 'label::Svenska (sv)'; 'List name' -> 'list_name'."""
    if "::" not in text and ":" in text and not text.lower().startswith(("jr:", "bind:", "instance:")):
        text = text.replace(":", "::", 1)
    base, separator, rest = text.partition("::")
    return "_".join(base.split()).lower() + (separator + rest.strip() if separator else "")


def _read_sheet(book: Workbook, name: str) -> _Sheet | None:
    """A sheet by name, whatever its case; None when the workbook has none."""
    sheet = next((ws for ws in book.worksheets if ws.title.strip().lower() == name), None)
    if sheet is None:
        return None
    rows = sheet.iter_rows(values_only=True)
    headers = [_canonical_header(_cell(value)) for value in next(rows, ())]
    data = []
    for number, values in enumerate(rows, start=2):
        row: dict[str, str] = {}
        for header, value in zip(headers, values, strict=False):
            if header and header not in row:
                row[header] = _cell(value)
        if any(row.values()):
            data.append((number, row))
    return _Sheet(name.capitalize(), headers, data)


@cache
def _language_names() -> dict[str, str]:
    """Lower-case code, native name and English name of every shipped language -> its code."""
    names = {"prs": "fa-AF", "dari": "fa-AF"}
    for code in SHIPPED_LANGUAGES:
        names[code.lower()] = names[code.lower().replace("-", "_")] = code
        names[native_name(code).lower()] = code
        if code != "fa-AF":  # Babel's English name is 'Persian'; Dari is listed above
            names[(Locale.parse(to_babel(code)).get_language_name("en") or code).lower()] = code
    return names


def language_code(text: str) -> str | None:
    """The shipped language a column suffix names: 'Svenska (sv)', 'sv', 'Svenska' or 'Swedish'."""
    match = re.search(r"\(([^()]+)\)\s*$", text)
    candidates = [match.group(1)] if match else []
    for candidate in [*candidates, text]:
        code = _language_names().get(candidate.strip().lower())
        if code:
            return code
    return None


@dataclass
class _Choice:
    """One row of the choices sheet, as written."""

    number: int
    key: str
    labels: dict[str, str]
    themes: str


class _Reader:
    """Reads one XLSForm workbook into a draft survey, collecting problems and errors."""

    def __init__(self, book: Workbook, slug: str | None) -> None:
        """Read the sheets; nothing is checked until read()."""
        self.problems: list[str] = []
        self.errors: list[str] = []
        self.slug_argument = slug
        self.survey_sheet = _read_sheet(book, "survey")
        self.choices_sheet = _read_sheet(book, "choices")
        settings = _read_sheet(book, "settings")
        self.settings = settings.rows[0][1] if settings and settings.rows else {}
        self.settings_row = settings.rows[0][0] if settings and settings.rows else 2
        self.columns: dict[str, str] = {}
        self.plain_language: str | None = "sv"
        self.base_language = "sv"
        self.lists: dict[str, list[_Choice]] = {}
        self.checked_lists: dict[str, bool] = {}
        self.questions: list[Question] = []
        self.by_key: dict[str, tuple[int, Question]] = {}
        self.show_if: list[tuple[Question, Option]] = []
        self.themes: dict[str, Theme | None] = {}

    def read(self) -> Survey | None:
        """The draft survey, added and flushed; None when there were errors."""
        if self.survey_sheet is None:
            self.errors.append("The workbook has no sheet named 'survey'.")
            return None
        self._read_languages(self.survey_sheet)
        if self.errors:
            return None
        self._read_choices()
        for number, row in self.survey_sheet.rows:
            self._read_row(number, row)
        if not self.questions and not self.errors:
            self.errors.append("The survey sheet has no question Delaktig can import.")
        title = self._title()
        slug = self._slug(title.get(self.base_language) or next(iter(title.values())))
        if self.errors:
            return None
        return self._save(slug, title)

    def _problem(self, sheet: str, number: int, text: str) -> None:
        """Note what was not imported; a list shared by several questions is reported once."""
        problem = f"{sheet} sheet, row {number}: {text}"
        if problem not in self.problems:
            self.problems.append(problem)

    def _error(self, sheet: str, number: int, text: str) -> None:
        """Note what stops the import."""
        self.errors.append(f"{sheet} sheet, row {number}: {text}")

    # Languages ---------------------------------------------------------------------------------

    def _default_language(self) -> tuple[str | None, bool]:
        """The settings' default language, and whether one was given at all."""
        given = self.settings.get("default_language", "")
        if not given:
            return None, False
        code = language_code(given)
        if code is None:
            self._problem(
                "Settings",
                self.settings_row,
                f"the default language '{given}' is not one Delaktig offers, so it was not used.",
            )
        return code, True

    def _read_languages(self, sheet: _Sheet) -> None:
        """The survey sheet's label columns per language, and the base language."""
        default, given = self._default_language()
        self.plain_language = default if given else "sv"
        if not any(header.partition("::")[0] == "label" for header in sheet.headers):
            self.errors.append("The survey sheet has no label column, so the questions have no text.")
            return
        self.columns = self._label_columns(sheet)
        if not self.columns:
            self.errors.append("The survey sheet has no label column in a language Delaktig offers.")
            return
        plain = self.plain_language if "label" in sheet.headers else None
        self.base_language = next(
            code for code in (default, plain, *self.columns) if code is not None and code in self.columns
        )

    def _label_columns(self, sheet: _Sheet, allowed: dict[str, str] | None = None) -> dict[str, str]:
        """Language code -> label column of a sheet; other columns are reported."""
        columns: dict[str, str] = {}
        for header in sheet.headers:
            base, _separator, suffix = header.partition("::")
            if base != "label":
                continue
            code = language_code(suffix) if suffix else self.plain_language
            if code is None and not suffix:
                why = "it is in the default language, which Delaktig does not offer"
            elif code is None:
                why = f"'{suffix}' is not a language Delaktig offers ({', '.join(SHIPPED_LANGUAGES)})"
            elif code in columns:
                why = f"the column '{columns[code]}' already has the texts in {language_header(code)}"
            elif allowed is not None and code not in allowed:
                why = f"the survey sheet has no questions in {language_header(code)}"
            else:
                columns[code] = header
                continue
            self._problem(sheet.label, 1, f"the column '{header}' was not imported: {why}.")
        return columns

    def _texts(self, row: dict[str, str], columns: dict[str, str]) -> dict[str, str]:
        """The non-empty texts of a row per language."""
        return {code: row[header] for code, header in columns.items() if row.get(header)}

    def _check_texts(self, sheet: str, number: int, texts: dict[str, str], limit: str, what: str) -> None:
        """An error for text longer than the app allows, a problem for references to other answers."""
        for code, text in texts.items():
            if len(text) > TEXT_LIMITS[limit]:
                self._error(
                    sheet,
                    number,
                    f"the {what} in {language_header(code)} has {len(text)} characters; "
                    f"Delaktig allows at most {TEXT_LIMITS[limit]}.",
                )
        references = sorted({match for text in texts.values() for match in _REFERENCE.findall(text)})
        if references:
            self._problem(
                sheet,
                number,
                f"the {what} refers to other answers ({', '.join(references)}); "
                "Delaktig shows such references as they are written.",
            )

    # Choices -----------------------------------------------------------------------------------

    def _read_choices(self) -> None:
        """The choice lists by name, as written; each is checked when a question uses it."""
        sheet = self.choices_sheet
        if sheet is None:
            return
        columns = self._label_columns(sheet, allowed=self.columns)
        for number, row in sheet.rows:
            list_name = row.get("list_name", "")
            if not list_name:
                self._problem("Choices", number, "the choice was not imported: it has no list_name.")
                continue
            self.lists.setdefault(list_name, []).append(
                _Choice(number, row.get("name", ""), self._texts(row, columns), row.get("themes", ""))
            )

    def _check_list(self, list_name: str) -> bool:
        """Whether a list's names and labels can become options; errors are reported once per list."""
        if list_name not in self.checked_lists:
            before = len(self.errors)
            seen: dict[str, int] = {}
            for choice in self.lists[list_name]:
                self._check_choice(list_name, choice, seen)
            self.checked_lists[list_name] = len(self.errors) == before
        return self.checked_lists[list_name]

    def _check_choice(self, list_name: str, choice: _Choice, seen: dict[str, int]) -> None:
        """Errors for a choice's name (valid, unique in its list) and label."""
        where = f"the choice '{choice.key}' in the list '{list_name}'"
        if not KEY.match(choice.key):
            self._error(
                "Choices",
                choice.number,
                f"{where} has a name Delaktig cannot use: names start with a letter or _ "
                "and have only letters, digits and _, at most 60 characters.",
            )
        elif choice.key in seen:
            self._error("Choices", choice.number, f"{where} repeats the name used on row {seen[choice.key]}.")
        seen.setdefault(choice.key, choice.number)
        if not choice.labels:
            self._error("Choices", choice.number, f"{where} has no label.")
        self._check_texts("Choices", choice.number, choice.labels, "label", "label")

    def _options(self, list_name: str) -> list[Option]:
        """New options for one question from a checked list."""
        options = []
        for position, choice in enumerate(self.lists[list_name]):
            option = Option(key=choice.key, position=position, label=dict(choice.labels))
            option.themes = self._themes("Choices", choice.number, choice.themes)
            options.append(option)
        return options

    def _themes(self, sheet: str, number: int, value: str) -> list[Theme]:
        """The themes named in a themes cell; unknown slugs are reported."""
        themes = []
        for theme_slug in dict.fromkeys(value.replace(",", " ").split()):
            if theme_slug not in self.themes:
                self.themes[theme_slug] = db.session.scalar(sa.select(Theme).where(Theme.slug == theme_slug))
            theme = self.themes[theme_slug]
            if theme is None:
                self._problem(
                    sheet, number, f"the theme '{theme_slug}' does not exist in Delaktig; it was not linked."
                )
            else:
                themes.append(theme)
        return themes

    # Questions ---------------------------------------------------------------------------------

    def _read_row(self, number: int, row: dict[str, str]) -> None:
        """One survey sheet row: a question, or a row that is skipped and reported."""
        raw_type = " ".join(row.get("type", "").split())
        name = row.get("name", "")
        select, list_name, or_other = _split_type(raw_type)
        type_word = "_".join(raw_type.lower().split())
        if not raw_type:
            self._problem("Survey", number, f"the row '{name}' was not imported: it has no type.")
        elif type_word in _SELECT_TYPES.values():
            self._error("Survey", number, f"the question '{name}' ({type_word}) names no choice list.")
        elif select is not None:
            self._read_select(number, row, select, list_name, or_other)
        elif type_word in _SIMPLE_TYPES:
            self._read_question(number, row, _SIMPLE_TYPES[type_word], [])
        else:
            self._skip(number, row, type_word)

    def _skip(self, number: int, row: dict[str, str], type_word: str) -> None:
        """Report a row of a type Delaktig does not ask."""
        name = row.get("name", "") or type_word
        if type_word in _METADATA_TYPES:
            what = f"'{name}'" if name == type_word else f"'{name}' ({type_word})"
            why = "Delaktig never collects it, because participants are anonymous"
            self._problem("Survey", number, f"{what} was not imported: {why}.")
        elif type_word in {"begin_group", "begin_repeat"}:
            self._problem("Survey", number, _group_text(type_word, name, row.get("relevant", "")))
        elif type_word not in _GROUP_TYPES:
            why = _UNSUPPORTED_REASONS.get(type_word, f"Delaktig has no question of the type '{type_word}'")
            self._problem("Survey", number, f"'{name}' ({type_word}) was not imported: {why}.")

    def _read_select(
        self, number: int, row: dict[str, str], select: str, list_name: str, or_other: bool
    ) -> None:
        """A select_one, select_multiple or rank question, with the options of its list."""
        if list_name not in self.lists:
            self._error(
                "Survey",
                number,
                f"the question '{row.get('name', '')}' uses the choice list '{list_name}', "
                "which is not on the choices sheet.",
            )
            return
        if or_other:
            self._problem(
                "Survey",
                number,
                "the 'or_other' choice was not imported; participants choose among the listed options.",
            )
        names = {choice.key.lower() for choice in self.lists[list_name]}
        if select == "select_one" and names == {"yes", "no"}:
            self._read_question(number, row, QuestionKind.YES_NO, [])
        elif select == "select_one" and names == {str(point) for point in range(1, SCALE_POINTS + 1)}:
            self._read_question(number, row, QuestionKind.SCALE, [])
        elif self._check_list(list_name):
            kind = {
                "select_one": QuestionKind.SINGLE_CHOICE,
                "select_multiple": QuestionKind.MULTIPLE_CHOICE,
                "rank": QuestionKind.RANKING,
            }[select]
            self._read_question(number, row, kind, self._options(list_name))

    def _read_question(
        self, number: int, row: dict[str, str], kind: QuestionKind, options: list[Option]
    ) -> None:
        """A question of a kind, with its label, required, themes, constraint and condition."""
        key = row.get("name", "")
        if not self._check_key(number, key):
            return
        prompt = self._texts(row, self.columns)
        if not prompt:
            self._error("Survey", number, f"the question '{key}' has no label.")
        self._check_texts("Survey", number, prompt, "prompt", "label")
        question = Question(key=key, kind=kind, prompt=prompt, position=len(self.questions), options=options)
        question.required = self._required(number, row.get("required", ""))
        question.themes = self._themes("Survey", number, row.get("themes", ""))
        self._read_constraint(number, row, question)
        self._read_relevant(number, row.get("relevant", ""), question)
        self._report_dropped_columns(number, row)
        self.by_key[key] = (number, question)
        self.questions.append(question)

    def _check_key(self, number: int, key: str) -> bool:
        """Whether a question name is a valid, unused key; an error otherwise."""
        if not KEY.match(key):
            self._error(
                "Survey",
                number,
                f"the name '{key}' cannot be used: names start with a letter or _ "
                "and have only letters, digits and _, at most 60 characters.",
            )
            return False
        if key in self.by_key:
            self._error("Survey", number, f"the name '{key}' is already used on row {self.by_key[key][0]}.")
            return False
        return True

    def _required(self, number: int, value: str) -> bool:
        """yes/true/1 is required; an expression is reported and left optional."""
        if value.lower() in _TRUE | _FALSE:
            return value.lower() in _TRUE
        self._problem(
            "Survey", number, f"the required condition '{value}' was not imported; the question is optional."
        )
        return False

    def _read_relevant(self, number: int, expression: str, question: Question) -> None:
        """show_if from `${q} = 'x'` or `selected(${q}, 'x')` on an option of an earlier question."""
        if not expression:
            return
        match = next((m for pattern in _RELEVANT if (m := pattern.match(expression.strip()))), None)
        if match:
            _row, parent = self.by_key.get(match.group(1), (0, None))
            option = next((o for o in parent.options if o.key == match.group(3)), None) if parent else None
            if option is not None:
                self.show_if.append((question, option))
                return
        self._problem(
            "Survey",
            number,
            f"the condition (relevant) '{expression}' was not imported; the question will always be shown. "
            "Delaktig can only show a question when an option of an earlier choice question was chosen.",
        )

    def _read_constraint(self, number: int, row: dict[str, str], question: Question) -> None:
        """min/max, max_choices or the text length from the constraint (and max_choices) columns."""
        expression = row.get("constraint", "").strip()
        kind = question.kind
        understood = not expression
        if kind is QuestionKind.NUMBER and expression:
            understood = self._read_bounds(number, expression, question)
        elif kind in (QuestionKind.MULTIPLE_CHOICE, QuestionKind.RANKING) and expression:
            understood = self._read_count(number, _COUNT_SELECTED.match(expression), question)
        elif kind is QuestionKind.FREE_TEXT and (match := _STRING_LENGTH.match(expression)):
            understood = True
            if int(match.group(2)) - (match.group(1) == "<") != FREE_TEXT_MAX:
                self._problem(
                    "Survey", number, f"Delaktig accepts answers of up to {FREE_TEXT_MAX} characters."
                )
        if kind is QuestionKind.RANKING:
            self._read_ranking_limit(number, row.get("max_choices", ""), question)
        if not understood:
            self._problem(
                "Survey",
                number,
                f"the constraint '{expression}' was not imported; answers are not checked by it.",
            )

    def _read_bounds(self, number: int, expression: str, question: Question) -> bool:
        """min/max of a number from '. >= A and . <= B'; False if not of that form."""
        bounds = _number_bounds(expression)
        if bounds is None:
            return False
        question.min_value, question.max_value = bounds
        for value in bounds:
            if value is not None and abs(value) > NUMBER_LIMIT:
                self._error("Survey", number, f"the number limit {value} is outside ±{NUMBER_LIMIT:,}.")
        low, high = bounds
        if low is not None and high is not None and low > high:
            self._error("Survey", number, "the smallest number allowed is larger than the largest.")
        return True

    def _read_count(self, number: int, match: re.Match[str] | None, question: Question) -> bool:
        """max_choices from 'count-selected(.) <= N'; False if not of that form."""
        if match is None:
            return False
        limit = int(match.group(2)) - (match.group(1) == "<")
        if limit < 1:
            self._error("Survey", number, "the constraint allows no choice at all.")
        question.max_choices = limit
        return True

    def _read_ranking_limit(self, number: int, value: str, question: Question) -> None:
        """A ranking asks for the top three at most; a Kobo rank question orders every option."""
        if value.isdigit() and int(value) >= 1:
            question.max_choices = int(value)
        elif value:
            self._problem(
                "Survey", number, f"max_choices '{value}' was not imported: it is not a number from 1."
            )
        if (question.max_choices or len(question.options)) > RANKING_MAX:
            self._problem(
                "Survey", number, f"Delaktig asks participants to rank only their top {RANKING_MAX} options."
            )
            question.max_choices = RANKING_MAX if question.max_choices else None

    def _report_dropped_columns(self, number: int, row: dict[str, str]) -> None:
        """One problem per column with content Delaktig has no place for (hint, media…)."""
        reported = set()
        for header, value in row.items():
            base = header.partition("::")[0]
            if value and base in _DROPPED_COLUMNS and base not in reported:
                reported.add(base)
                self._problem(
                    "Survey",
                    number,
                    f"the {base.replace('_', ' ')} was not imported: {_DROPPED_COLUMNS[base]}.",
                )

    # Survey ------------------------------------------------------------------------------------

    def _title(self) -> dict[str, str]:
        """The title per language from form_title::… columns, else form_title in the base language."""
        titles: dict[str, str] = {}
        for header, value in self.settings.items():
            base, _separator, suffix = header.partition("::")
            if base == "form_title" and suffix and value:
                code = language_code(suffix)
                if code in self.columns:
                    titles.setdefault(code, value)
                else:
                    self._problem("Settings", self.settings_row, f"the title in '{suffix}' was not imported.")
        if self.settings.get("form_title"):
            titles.setdefault(self.base_language, self.settings["form_title"])
        if not titles:
            titles[self.base_language] = self.settings.get("form_id") or "Imported survey"
            self.problems.append(
                f"The settings sheet has no form_title; the title is '{titles[self.base_language]}'."
            )
        self._check_texts("Settings", self.settings_row, titles, "title", "title")
        return titles

    def _slug(self, title: str) -> str:
        """The argument, or one made from form_id or the title, free among existing surveys."""
        if self.slug_argument is not None:
            slug = slugify(self.slug_argument)
            if not SLUG.match(slug):
                self.errors.append(f"The web address '{self.slug_argument}' cannot be used.")
            elif db.session.scalar(sa.select(Survey.id).where(Survey.slug == slug)) is not None:
                self.errors.append(f"Another survey already has the web address '{slug}'.")
            return slug
        wanted = slugify(self.settings.get("form_id", "")) or slugify(title)
        base = wanted[:74].strip("-") if SLUG.match(wanted[:74].strip("-")) else "imported-survey"
        slug = free_slug(base)
        if slug != wanted:
            self.problems.append(f"The survey's web address is '{slug}'.")
        return slug

    def _save(self, slug: str, title: dict[str, str]) -> Survey:
        """Add the survey to the session and flush, then link the questions shown only after an option."""
        languages = [self.base_language, *(code for code in self.columns if code != self.base_language)]
        survey = Survey(
            slug=slug,
            status=SurveyStatus.DRAFT,
            base_language=self.base_language,
            languages=languages,
            title=title,
            questions=self.questions,
        )
        db.session.add(survey)
        db.session.flush()
        for question, option in self.show_if:
            question.show_if_option_id = option.id
        db.session.flush()
        return survey


def _split_type(raw: str) -> tuple[str | None, str, bool]:
    """('select_one', list name, or_other) for a select or rank type; (None, '', False) otherwise."""
    words = raw.split()
    or_other = len(words) > 2 and words[-1].lower() == "or_other"
    if or_other:
        words = words[:-1]
    lowered = " ".join(words).lower()
    for prefix, select in _SELECT_TYPES.items():
        if lowered.startswith(prefix + " ") and len(words) == len(prefix.split()) + 1:
            return select, words[-1], or_other
    return None, "", False


def _group_text(type_word: str, name: str, relevant: str) -> str:
    """The problem text for a group or repeat whose questions were imported on their own."""
    if type_word == "begin_repeat":
        text = f"the repeat '{name}' was not imported: its questions are asked once."
    else:
        text = f"the group '{name}' was not imported: its questions were imported on their own."
    if relevant:
        text += f" Its condition (relevant) '{relevant}' was not imported; they will always be shown."
    return text


def _number_bounds(expression: str) -> tuple[int | None, int | None] | None:
    """(min, max) from '. >= A and . <= B' (either part alone, > and < too); None if not of that form."""
    low = high = None
    for part in re.split(r"\s+and\s+", expression.strip()):
        match = _BOUND.match(part.strip())
        if match is None:
            return None
        operator, value = match.group(1), int(match.group(2))
        if operator.startswith(">") and low is None:
            low = value + (operator == ">")
        elif operator.startswith("<") and high is None:
            high = value - (operator == "<")
        else:
            return None
    return low, high


def slugify(text: str) -> str:
    """Lower-case ASCII letters, digits and single hyphens: 'Trygghet i Bäckby' -> 'trygghet-i-backby'."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:80].strip("-")
