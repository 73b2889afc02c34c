"""A read XLSForm turned into a new draft survey in the database: themes looked up, an address found."""

from __future__ import annotations

from dataclasses import dataclass, field

import sqlalchemy as sa

from participation.extensions import db
from participation.surveys.editing import SLUG, free_slug
from participation.surveys.models import Survey, SurveyStatus
from participation.surveys.xlsform.problems import Problem, _l
from participation.surveys.xlsform.reader import ReadForm, read_form, slugify
from participation.surveys.xlsform.workbook import open_workbook
from participation.themes.models import Theme


@dataclass
class ImportResult:
    """A draft survey saved in the current unit of work, or None and the errors that stopped it."""

    survey: Survey | None
    problems: list[Problem] = field(default_factory=list)
    errors: list[Problem] = field(default_factory=list)


def import_xlsform(data: bytes, *, slug: str | None = None) -> ImportResult:
    """A new draft survey from an XLSForm workbook, written in one `db.transaction()` block."""
    book, error = open_workbook(data)
    if book is None:
        return ImportResult(None, [], [Problem(error)])
    form = read_form(book)
    if not form.errors:
        form.slug = _address(form, slug)
    if form.errors:
        return ImportResult(None, form.problems, form.errors)
    _link_themes(form)
    return ImportResult(save(form), sorted(form.problems, key=_place), form.errors)


def _place(problem: Problem) -> tuple[int, int]:
    """The order of the result page: the whole file, then the survey, choices and settings sheets by row."""
    return ({"": 0, "survey": 1, "choices": 2, "settings": 3}[problem.sheet], problem.row)


def _address(form: ReadForm, given: str | None) -> str:
    """The given web address if it is free, else the form's own, made free with a number."""
    if given is not None:
        slug = slugify(given)
        if not SLUG.match(slug):
            form.errors.append(Problem(_l("The web address '%(slug)s' cannot be used.", slug=given)))
        elif db.session.scalar(sa.select(Survey.id).where(Survey.slug == slug)) is not None:
            form.errors.append(
                Problem(_l("Another survey already has the web address '%(slug)s'.", slug=slug))
            )
        return slug
    wanted = form.slug[:74].strip("-")
    slug = free_slug(wanted if SLUG.match(wanted) else "imported-survey")
    if slug != form.slug:
        form.problems.append(Problem(_l("The survey's web address is '%(slug)s'.", slug=slug)))
    return slug


def _link_themes(form: ReadForm) -> None:
    """Each question's and option's themes by slug; a slug Delaktig does not have is reported."""
    slugs = {slug for _item, found, _sheet, _row in form.themes for slug in found}
    themes = {
        theme.slug: theme for theme in db.session.scalars(sa.select(Theme).where(Theme.slug.in_(slugs)))
    }
    for item, found, sheet, row in form.themes:
        item.themes = [themes[slug] for slug in found if slug in themes]
        for missing in (slug for slug in found if slug not in themes):
            form.problems.append(
                Problem(
                    _l("the theme '%(theme)s' does not exist in Delaktig; it was not linked.", theme=missing),
                    sheet,
                    row,
                )
            )


def save(form: ReadForm) -> Survey:
    """Add the survey and flush, then link the questions shown only after an option."""
    with db.transaction():
        survey = Survey(
            slug=form.slug,
            status=SurveyStatus.DRAFT,
            base_language=form.base_language,
            languages=form.languages,
            title=form.title,
            intro=form.intro,
            thanks=form.thanks,
            profile_fields=form.profile_fields,
            questions=form.questions,
        )
        db.session.add(survey)
        db.session.flush()
        for question, option in form.show_if:
            question.show_if_option_id = option.id
        db.session.flush()
    return survey
