"""An XLSForm workbook read into a form (the draft's parts) and the messages about it.

Pure: a workbook in, a description of the survey and its problems out; no database, no request.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from participation.surveys.models import Option, Question
from participation.surveys.xlsform.columns import SETTINGS_READ, dropped_settings, unsupported_choice_columns
from participation.surveys.xlsform.languages import language_code
from participation.surveys.xlsform.problems import Problem, _l
from participation.surveys.xlsform.ranking import RankingRows
from participation.surveys.xlsform.workbook import Book

# The names Delaktig's own export gives the notes that carry the survey's title (in every language) and thanks.
TITLE_NOTE = "survey_title"
THANKS_NOTE = "thanks"


@dataclass
class ReadForm:
    """What a workbook says, read but not saved: a draft's parts, or the errors that stop it."""

    problems: list[Problem]
    errors: list[Problem]
    slug: str = ""
    title: dict[str, str] = field(default_factory=dict)
    intro: dict[str, str] = field(default_factory=dict)
    thanks: dict[str, str] = field(default_factory=dict)
    base_language: str = ""
    languages: list[str] = field(default_factory=list)
    profile_fields: list[str] = field(default_factory=list)
    questions: list[Question] = field(default_factory=list)
    show_if: list[tuple[Question, Option]] = field(default_factory=list)
    # (question or option, theme slugs as written, sheet, row): looked up when the form is saved.
    themes: list[tuple[Question | Option, list[str], str, int]] = field(default_factory=list)


def read_form(book: Book) -> ReadForm:
    """The form in a workbook: questions not yet in any session, and what could not be brought along."""
    return FormReader(book).read()


class FormReader(RankingRows):
    """Reads one XLSForm workbook into a form, collecting problems and errors."""

    def __init__(self, book: Book) -> None:
        super().__init__(book)
        self.yes_no_lists = {}
        self.profile_fields = []
        self.intro: dict[str, list[str]] = {}
        self.thanks: dict[str, list[str]] = {}
        self.note_title: dict[str, str] = {}

    def read(self) -> ReadForm:
        """The form, or only its problems and errors when it has any."""
        form = ReadForm(self.problems, self.errors)
        if self.survey_sheet is None:
            self.errors.append(Problem(_l("The workbook has no sheet named 'survey'.")))
            return form
        self._read_languages(self.survey_sheet)
        if self.errors:
            return form
        self._read_choices()
        rows = self.survey_sheet.rows
        index = 0
        while index < len(rows):
            number, row = rows[index]
            ranking = self._read_ranking_group(rows, index)
            if ranking:
                index += ranking
                continue
            if " ".join(row.get("type", "").lower().split()) == "note":
                self._read_note(number, row)
            elif not self._read_profile(number, row):
                self._read_row(number, row)
            index += 1
        if not self.questions and not self.profile_fields:
            self.errors.append(Problem(_l("The survey sheet has no question Delaktig can import.")))
        self._report_file()
        title = self._title()
        if self.errors:
            return form
        languages = [self.base_language, *(code for code in self.columns if code != self.base_language)]
        return ReadForm(
            self.problems,
            self.errors,
            slug=self._wanted_slug(title),
            title=title,
            intro=self._joined(self.intro, "intro", "survey"),
            thanks=self._joined(self.thanks, "thanks", "survey"),
            base_language=self.base_language,
            languages=languages,
            profile_fields=self.profile_fields,
            questions=self.questions,
            show_if=self.show_if,
            themes=self.theme_slugs,
        )

    def _read_note(self, number: int, row: dict[str, str]) -> None:
        """Notes before the first question are the introduction; Delaktig's thanks note is the thanks."""
        texts = self._texts(row, self.columns)
        name = row.get("name", "")
        if name == TITLE_NOTE and not self.questions and not self.intro and not self.note_title and texts:
            self.note_title = texts
            return
        if not self.questions and not self.profile_fields and texts:
            target = self.intro
        elif name == THANKS_NOTE and texts:
            target = self.thanks
        else:
            self._skip(number, row, "note")
            return
        for code, text in texts.items():
            target.setdefault(code, []).append(text)
        self._report_references("survey", number, texts)

    def _joined(self, parts: dict[str, list[str]], limit: str, sheet: str) -> dict[str, str]:
        """Notes per language joined by blank lines; too long for Delaktig is said and left out."""
        texts = {code: "\n\n".join(found) for code, found in parts.items()}
        fault = self._text_fault(texts, limit)
        if fault is None:
            return texts
        what = _l("introduction") if limit == "intro" else _l("thanks")
        self._problem(sheet, 1, _l("the %(what)s was not imported: %(why)s.", what=what, why=fault))
        return {}

    def _report_file(self) -> None:
        """Settings, sheets and choice columns that nothing reads."""
        read = SETTINGS_READ | {header for header in self.settings if header.startswith("form_title::")}
        for message in dropped_settings(self.settings, read):
            self._problem("settings", self.settings_row, message)
        for name in self.other_sheets:
            self.problems.append(
                Problem(
                    _l(
                        "The sheet '%(sheet)s' was not imported: Delaktig reads only the survey, choices and "
                        "settings sheets.",
                        sheet=name,
                    )
                )
            )
        rows = [choice for name in self.checked_lists for choice in self.checked_lists[name].choices]
        columns: dict[str, int] = {}
        for choice in rows:
            for column in unsupported_choice_columns(choice.row):
                columns.setdefault(column, choice.number)
        for column, number in columns.items():
            self._problem(
                "choices",
                number,
                _l(
                    "the column '%(column)s' was not imported, on this row or below: Delaktig shows each option's "
                    "text only.",
                    column=column,
                ),
            )

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
                    self._problem(
                        "settings",
                        self.settings_row,
                        _l("the title in '%(language)s' was not imported.", language=suffix),
                    )
        if self.settings.get("form_title"):
            titles.setdefault(self.base_language, self.settings["form_title"])
        for code, text in self.note_title.items():
            titles.setdefault(code, text)
        if not titles:
            titles[self.base_language] = self.settings.get("form_id") or str(_l("Imported survey"))
            self.problems.append(
                Problem(
                    _l(
                        "The settings sheet has no form_title; the title is '%(title)s'.",
                        title=titles[self.base_language],
                    )
                )
            )
        fault = self._text_fault(titles, "title")
        if fault is not None:
            self._error("settings", self.settings_row, _l("the title cannot be used: %(why)s.", why=fault))
        return titles

    def _wanted_slug(self, title: dict[str, str]) -> str:
        """The web address the form asks for: from form_id, else from the title."""
        text = title.get(self.base_language) or next(iter(title.values()), "")
        return slugify(self.settings.get("form_id", "")) or slugify(text)


def slugify(text: str) -> str:
    """Lower-case ASCII letters, digits and single hyphens: 'Trygghet i Bäckby' -> 'trygghet-i-backby'."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:80].strip("-")
