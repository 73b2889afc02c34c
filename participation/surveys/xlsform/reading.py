"""Reading a workbook, the part every row draws on: messages, label languages, texts and choice lists."""

from __future__ import annotations

import re
from dataclasses import dataclass

import sqlalchemy as sa
from openpyxl import Workbook

from participation.extensions import db
from participation.i18n.languages import default_language
from participation.surveys.editing import KEY
from participation.surveys.models import TEXT_LIMITS, Option, Question
from participation.surveys.xlsform.languages import SHIPPED_LANGUAGES, language_code, language_header
from participation.surveys.xlsform.workbook import Sheet, read_sheet
from participation.themes.models import Theme

_REFERENCE = re.compile(r"\$\{[^}]*\}")


@dataclass
class _Choice:
    """One row of the choices sheet, as written."""

    number: int
    key: str
    labels: dict[str, str]
    themes: str


class FormReading:
    """What every part of reading a workbook shares: its sheets, messages, languages and choice lists."""

    def __init__(self, book: Workbook, slug: str | None) -> None:
        """Read the sheets; nothing is checked until read()."""
        self.problems: list[str] = []
        self.errors: list[str] = []
        self.slug_argument = slug
        self.survey_sheet = read_sheet(book, "survey")
        self.choices_sheet = read_sheet(book, "choices")
        settings = read_sheet(book, "settings")
        self.settings = settings.rows[0][1] if settings and settings.rows else {}
        self.settings_row = settings.rows[0][0] if settings and settings.rows else 2
        self.columns: dict[str, str] = {}
        # Labels without a language are in the form's default_language, else in the app's default.
        self.plain_language: str | None = default_language()
        self.base_language = default_language()
        self.lists: dict[str, list[_Choice]] = {}
        self.checked_lists: dict[str, bool] = {}
        self.questions: list[Question] = []
        self.by_key: dict[str, tuple[int, Question]] = {}
        self.show_if: list[tuple[Question, Option]] = []
        self.themes: dict[str, Theme | None] = {}

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

    def _read_languages(self, sheet: Sheet) -> None:
        """The survey sheet's label columns per language, and the base language."""
        default, given = self._default_language()
        self.plain_language = default if given else default_language()
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

    def _label_columns(self, sheet: Sheet, allowed: dict[str, str] | None = None) -> dict[str, str]:
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
