"""Reading a workbook, the part every row draws on: messages, label languages, texts and choice lists.

Nothing here touches the database: theme slugs are kept as written and looked up when the form is saved.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from participation.surveys.editing import OPTION_KEY
from participation.surveys.models import KEY_MAX, TEXT_LIMITS, Option, Question
from participation.surveys.xlsform.languages import SHIPPED_LANGUAGES, language_code, language_header
from participation.surveys.xlsform.problems import LazyString, Problem, _l
from participation.surveys.xlsform.workbook import Book, Sheet, other_sheets, read_sheet

_REFERENCE = re.compile(r"\$\{[^}]*\}")
# XLSForm's language for labels without one when the settings name none.
XLSFORM_DEFAULT_LANGUAGE = "en"
_TRUE = {"yes", "true", "true()", "1"}


@dataclass
class Choice:
    """One row of the choices sheet, as written."""

    number: int
    key: str
    labels: dict[str, str]
    themes: list[str]
    row: dict[str, str] = field(default_factory=dict)


@dataclass
class ChoiceList:
    """A list's choices as options can take them, or why no question can use it."""

    choices: list[Choice]
    fault: LazyString | None = None
    fault_row: int = 0


class FormReading:
    """What every part of reading a workbook shares: its sheets, messages, languages and choice lists."""

    def __init__(self, book: Book) -> None:
        """Read the sheets; nothing is checked until read()."""
        self.problems: list[Problem] = []
        self.errors: list[Problem] = []
        self.survey_sheet = read_sheet(book, "survey")
        self.other_sheets = other_sheets(book)
        # pyxform reads a lone sheet of any name as the survey sheet.
        lone = book.worksheets[0].title.strip().lower() if len(book.worksheets) == 1 else "choices"
        if self.survey_sheet is None and lone not in ("choices", "settings"):
            self.survey_sheet = read_sheet(book, lone)
            self.other_sheets = []
            if self.survey_sheet is not None:
                self.survey_sheet.name = "survey"
        self.choices_sheet = read_sheet(book, "choices")
        settings = read_sheet(book, "settings")
        self.settings = settings.rows[0][1] if settings and settings.rows else {}
        self.settings_row = settings.rows[0][0] if settings and settings.rows else 2
        self.columns: dict[str, str] = {}
        self.plain_language: str | None = XLSFORM_DEFAULT_LANGUAGE
        self.base_language = XLSFORM_DEFAULT_LANGUAGE
        self.lists: dict[str, list[Choice]] = {}
        self.checked_lists: dict[str, ChoiceList] = {}
        self.questions: list[Question] = []
        self.by_key: dict[str, tuple[int, Question]] = {}
        self.show_if: list[tuple[Question, Option]] = []
        self.theme_slugs: list[tuple[Question | Option, list[str], str, int]] = []

    def _problem(self, sheet: str, number: int, text: LazyString | str) -> None:
        """Note what was not imported; a list shared by several questions is reported once."""
        problem = Problem(text, sheet, number)
        if str(problem) not in {str(seen) for seen in self.problems}:
            self.problems.append(problem)

    def _error(self, sheet: str, number: int, text: LazyString | str) -> None:
        """Note what stops the import."""
        self.errors.append(Problem(text, sheet, number))

    # Languages ---------------------------------------------------------------------------------

    def _read_languages(self, sheet: Sheet) -> None:
        """The survey sheet's label columns per language, and the base language."""
        given = self.settings.get("default_language", "")
        default = language_code(given) if given else None
        if given and default is None:
            self._problem(
                "settings",
                self.settings_row,
                _l("the default language '%(language)s' is not one Delaktig offers.", language=given),
            )
        self.plain_language = default if given else XLSFORM_DEFAULT_LANGUAGE
        if not any(header.partition("::")[0] == "label" for header in sheet.headers):
            self.errors.append(
                Problem(_l("The survey sheet has no label column, so the questions have no text."))
            )
            return
        self.columns = self._label_columns(sheet)
        if not self.columns:
            self.errors.append(
                Problem(_l("The survey sheet has no label column in a language Delaktig offers."))
            )
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
            if (
                not suffix
                and allowed is not None
                and code not in allowed
                and self.base_language not in columns
            ):
                code = self.base_language  # ODK shows the texts without a language when one is missing
            why = self._column_fault(header, code, columns, allowed)
            if why is None and code is not None:
                columns[code] = header
            elif why is not None:
                self._problem(
                    sheet.name,
                    1,
                    _l("the column '%(column)s' was not imported: %(why)s.", column=header, why=why),
                )
        return columns

    def _column_fault(
        self, header: str, code: str | None, columns: dict[str, str], allowed: dict[str, str] | None
    ) -> LazyString | None:
        """Why a label column cannot be read, or None."""
        suffix = header.partition("::")[2]
        if code is None and not suffix:
            return _l("it is in the default language, which Delaktig does not offer")
        if code is None:
            return _l(
                "'%(language)s' is not a language Delaktig offers (%(offered)s)",
                language=suffix,
                offered=", ".join(SHIPPED_LANGUAGES),
            )
        if code in columns:
            return _l(
                "the column '%(column)s' already has the texts in %(language)s",
                column=columns[code],
                language=language_header(code),
            )
        if allowed is not None and code not in allowed:
            return _l("the survey sheet has no questions in %(language)s", language=language_header(code))
        return None

    def _texts(self, row: dict[str, str], columns: dict[str, str]) -> dict[str, str]:
        """The non-empty texts of a row per language."""
        return {code: row[header] for code, header in columns.items() if row.get(header)}

    def _text_fault(self, texts: dict[str, str], limit: str) -> LazyString | None:
        """Why texts cannot be kept (one is longer than the app allows), or None."""
        for code, text in texts.items():
            if len(text) > TEXT_LIMITS[limit]:
                return _l(
                    "the text in %(language)s has %(length)s characters; Delaktig allows at most %(limit)s",
                    language=language_header(code),
                    length=len(text),
                    limit=TEXT_LIMITS[limit],
                )
        return None

    def _report_references(self, sheet: str, number: int, texts: dict[str, str]) -> None:
        """A problem for texts that show other answers, which Delaktig shows as written."""
        references = sorted({match for text in texts.values() for match in _REFERENCE.findall(text)})
        if references:
            self._problem(
                sheet,
                number,
                _l(
                    "the text refers to other answers (%(references)s); Delaktig shows such references as "
                    "they are written.",
                    references=", ".join(references),
                ),
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
                self._problem("choices", number, _l("the choice was not imported: it has no list_name."))
                continue
            themes = list(dict.fromkeys(row.get("themes", "").replace(",", " ").split()))
            choice = Choice(number, row.get("name", ""), self._texts(row, columns), themes, row)
            self.lists.setdefault(list_name, []).append(choice)

    def _checked_list(self, list_name: str) -> ChoiceList:
        """A list's usable choices, its later duplicates reported, or the fault that keeps it out."""
        if list_name not in self.checked_lists:
            self.checked_lists[list_name] = self._check_list(list_name)
        return self.checked_lists[list_name]

    def _check_list(self, list_name: str) -> ChoiceList:
        """Check each choice's name and label; a name used again answers the same, so it is kept once."""
        kept: list[Choice] = []
        seen: dict[str, int] = {}
        for choice in self.lists[list_name]:
            fault = self._choice_fault(choice)
            if fault is not None:
                return ChoiceList([], fault, choice.number)
            if choice.key in seen:
                self._problem(
                    "choices",
                    choice.number,
                    _l(
                        "the choice '%(name)s' in the list '%(list)s' was not imported: it has the same name "
                        "as the choice on row %(row)s, so it gives the same answer, and Delaktig lists each "
                        "answer once.",
                        name=choice.key,
                        list=list_name,
                        row=seen[choice.key],
                    ),
                )
                continue
            seen[choice.key] = choice.number
            kept.append(choice)
        return ChoiceList(kept)

    def _choice_fault(self, choice: Choice) -> LazyString | None:
        """Why a choice cannot become an option, or None."""
        if not OPTION_KEY.match(choice.key):
            return _l(
                "the choice '%(name)s' has a name Delaktig cannot keep: at most %(max)s characters, "
                "without spaces or quotes",
                name=choice.key,
                max=KEY_MAX,
            )
        if not choice.labels:
            return _l("the choice '%(name)s' has no text in a language of the survey", name=choice.key)
        fault = self._text_fault(choice.labels, "label")
        if fault is not None:
            return _l("the choice '%(name)s': %(why)s", name=choice.key, why=fault)
        return None

    def _options(self, choices: list[Choice]) -> list[Option]:
        """New options for one question from a checked list."""
        options = []
        for position, choice in enumerate(choices):
            option = Option(key=choice.key, position=position, label=dict(choice.labels))
            self._report_references("choices", choice.number, choice.labels)
            if choice.themes:
                self.theme_slugs.append((option, choice.themes, "choices", choice.number))
            options.append(option)
        return options

    def _is_true(self, value: str) -> bool:
        """yes/true/true()/1, as XLSForm writes a setting or a required that is on."""
        return value.strip().lower() in _TRUE
