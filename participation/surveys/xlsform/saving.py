"""A read XLSForm turned into a new draft survey in the database."""

from __future__ import annotations

from dataclasses import dataclass, field

from participation.extensions import db
from participation.surveys.models import Survey, SurveyStatus
from participation.surveys.xlsform.reader import ReadForm, read_form
from participation.surveys.xlsform.workbook import open_workbook


@dataclass
class ImportResult:
    """A draft survey saved in the current unit of work, or None and the errors that stopped it."""

    survey: Survey | None
    problems: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def import_xlsform(data: bytes, *, slug: str | None = None) -> ImportResult:
    """A new draft survey from an XLSForm workbook, written in one `db.transaction()` block."""
    book, error = open_workbook(data)
    if book is None:
        return ImportResult(None, [], [error])
    form = read_form(book, slug)
    survey = None if form.errors else save(form)
    return ImportResult(survey, form.problems, form.errors)


def save(form: ReadForm) -> Survey:
    """Add the survey and flush, then link the questions shown only after an option."""
    with db.transaction():
        survey = Survey(
            slug=form.slug,
            status=SurveyStatus.DRAFT,
            base_language=form.base_language,
            languages=form.languages,
            title=form.title,
            questions=form.questions,
        )
        db.session.add(survey)
        db.session.flush()
        for question, option in form.show_if:
            question.show_if_option_id = option.id
        db.session.flush()
    return survey
