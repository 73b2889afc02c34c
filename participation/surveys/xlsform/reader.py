"""An XLSForm workbook read into a form (the draft's parts) and the messages about it; nothing is saved."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

import sqlalchemy as sa
from openpyxl import Workbook

from participation.extensions import db
from participation.surveys.editing import SLUG, free_slug
from participation.surveys.models import Option, Question, Survey
from participation.surveys.xlsform.languages import language_code
from participation.surveys.xlsform.questions import QuestionRows


@dataclass
class ReadForm:
    """What a workbook says, read but not saved: a draft's parts, or the errors that stop it."""

    problems: list[str]
    errors: list[str]
    slug: str = ""
    title: dict[str, str] = field(default_factory=dict)
    base_language: str = ""
    languages: list[str] = field(default_factory=list)
    questions: list[Question] = field(default_factory=list)
    show_if: list[tuple[Question, Option]] = field(default_factory=list)


def read_form(book: Workbook, slug: str | None = None) -> ReadForm:
    """The form in a workbook: questions not yet in the session, and what could not be brought along."""
    return FormReader(book, slug).read()


class FormReader(QuestionRows):
    """Reads one XLSForm workbook into a form, collecting problems and errors."""

    def read(self) -> ReadForm:
        """The form, or only its problems and errors when it has any; nothing goes into the session."""
        form = ReadForm(self.problems, self.errors)
        if self.survey_sheet is None:
            self.errors.append("The workbook has no sheet named 'survey'.")
            return form
        self._read_languages(self.survey_sheet)
        if self.errors:
            return form
        self._read_choices()
        for number, row in self.survey_sheet.rows:
            self._read_row(number, row)
        if not self.questions and not self.errors:
            self.errors.append("The survey sheet has no question Delaktig can import.")
        title = self._title()
        slug = self._slug(title.get(self.base_language) or next(iter(title.values())))
        if self.errors:
            return form
        languages = [self.base_language, *(code for code in self.columns if code != self.base_language)]
        return ReadForm(
            self.problems,
            self.errors,
            slug=slug,
            title=title,
            base_language=self.base_language,
            languages=languages,
            questions=self.questions,
            show_if=self.show_if,
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


def slugify(text: str) -> str:
    """Lower-case ASCII letters, digits and single hyphens: 'Trygghet i Bäckby' -> 'trygghet-i-backby'."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:80].strip("-")
