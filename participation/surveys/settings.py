"""A survey as a whole: creating it from a template, its settings, publishing and closing, copying it."""

from __future__ import annotations

import copy
from collections.abc import Sequence
from typing import Any

from flask_babel import gettext as _

from participation.audit.services import record
from participation.extensions import db
from participation.i18n.languages import native_name
from participation.surveys.editing import (
    EditError,
    check_slug,
    free_slug,
    limited,
    slug_from,
    survey_from_spec,
    themes_by_slug,
)
from participation.surveys.models import PROFILE_CHOICES, Option, Question, Survey, SurveyStatus
from participation.surveys.translations import completeness

BASE_TEXTS = ("title", "intro", "thanks")


def create_from_starter(spec: dict[str, Any], starter: str, title: str, slug: str = "") -> Survey:
    """A new draft survey from a template, in the template's base language, with the title staff gave.

    Without an address of its own the survey gets one made from the title.
    """
    slug = check_slug(slug) if slug.strip() else slug_from(title)
    with db.transaction():
        survey = survey_from_spec(spec, themes_by_slug(), slug=slug, languages=[spec["base_language"]])
        survey.title = {survey.base_language: limited("title", title)}
        record("survey_created", "survey", survey.id, slug=survey.slug, starter=starter)
    return survey


def _untranslated(survey: Survey, languages: list[str], base_language: str) -> list[str]:
    done = completeness(survey, languages)
    return [lang for lang, (count, total) in done.items() if count < total and lang != base_language]


def _checked_settings(survey: Survey, values: dict[str, Any]) -> dict[str, Any]:
    """The settings as they will be saved, or an EditError for the first that cannot be."""
    slug = check_slug(values["slug"], exclude_id=survey.id)
    if values["base_language"] not in values["languages"]:
        raise EditError(_("The base language must be one of the survey's languages."))
    if not values.get("offer_incomplete"):
        missing = _untranslated(survey, list(values["languages"]), values["base_language"])
        if missing:
            raise EditError(
                _(
                    "Not fully translated yet: %(languages)s. Translate them first, or tick the box to offer them anyway.",
                    languages=", ".join(native_name(lang) for lang in missing),
                )
            )
    opens, closes = values.get("opens_at"), values.get("closes_at")
    if opens and closes and closes <= opens:
        raise EditError(_("The survey must close after it opens."))
    return {
        "slug": slug,
        "texts": {field: limited(field, values[field]) for field in BASE_TEXTS},
        "profile_fields": [
            name for name in values["profile_fields"] if name in {p.value for p in PROFILE_CHOICES}
        ],
    }


def update_settings(survey: Survey, values: dict[str, Any]) -> None:
    """Save a survey's owner, address, languages, profile fields, times, retention and base-language texts.

    Everything is checked before anything changes: a refused setting leaves the survey as it was.
    """
    checked = _checked_settings(survey, values)
    with db.transaction():
        if values.get("partner_id") is not None:
            survey.partner_id = values["partner_id"]
        survey.slug = checked["slug"]
        survey.base_language = values["base_language"]
        survey.languages = list(values["languages"])
        survey.profile_fields = checked["profile_fields"]
        survey.opens_at, survey.closes_at = values.get("opens_at"), values.get("closes_at")
        survey.retention_days = values.get("retention_days")
        survey.offer_incomplete = bool(values.get("offer_incomplete"))
        for field, text in checked["texts"].items():
            getattr(survey, field)[survey.base_language] = text
        record("survey_changed", "survey", survey.id, slug=survey.slug)


def publish_problems(survey: Survey) -> list[str]:
    """What must be fixed before young people can see the survey."""
    base = survey.base_language
    problems = []
    if not (survey.title.get(base) or "").strip():
        problems.append(_("The survey has no title."))
    if not survey.questions:
        problems.append(_("The survey has no questions."))
    for question in survey.questions:
        if not (question.prompt.get(base) or "").strip():
            problems.append(_("Question %(key)s has no text.", key=question.key))
        if question.kind.has_options and len(question.options) < 2:
            problems.append(_("Question %(key)s needs at least two options.", key=question.key))
    return problems


def set_status(survey: Survey, status: SurveyStatus) -> None:
    if status is SurveyStatus.PUBLISHED:
        problems = publish_problems(survey)
        if problems:
            raise EditError(" ".join(problems))
    with db.transaction():
        survey.status = status
        record(f"survey_{status.value}", "survey", survey.id, slug=survey.slug)


def _copied_question(question: Question, mapping: dict[int, Option]) -> Question:
    """A copy of the question and its options; mapping gains each original option's copy."""
    new_question = Question(
        key=question.key,
        position=question.position,
        kind=question.kind,
        prompt=dict(question.prompt),
        scale_low=dict(question.scale_low) if question.scale_low is not None else None,
        scale_high=dict(question.scale_high) if question.scale_high is not None else None,
        required=question.required,
        max_choices=question.max_choices,
        min_value=question.min_value,
        max_value=question.max_value,
        themes=list(question.themes),
    )
    for option in question.options:
        new_option = Option(
            key=option.key, position=option.position, label=dict(option.label), themes=list(option.themes)
        )
        new_question.options.append(new_option)
        mapping[option.id] = new_option
    if question.show_if_option_id in mapping:
        new_question.show_if_option = mapping[question.show_if_option_id]
    return new_question


def duplicate(survey: Survey) -> Survey:
    """A draft copy with the same questions and options, and none of the responses."""
    with db.transaction():
        copy_ = Survey(
            slug=free_slug(f"{survey.slug}-copy"[:74]),
            status=SurveyStatus.DRAFT,
            base_language=survey.base_language,
            languages=list(survey.languages),
            title=copy.deepcopy(dict(survey.title)),
            intro=copy.deepcopy(dict(survey.intro)),
            thanks=copy.deepcopy(dict(survey.thanks)),
            profile_fields=list(survey.profile_fields),
            retention_days=survey.retention_days,
            offer_incomplete=survey.offer_incomplete,
        )
        mapping: dict[int, Option] = {}
        for question in survey.questions:
            copy_.questions.append(_copied_question(question, mapping))
        db.session.add(copy_)
        db.session.flush()
        record("survey_duplicated", "survey", copy_.id, source=survey.slug)
    return copy_


def record_export(survey: Survey, kind: str) -> None:
    with db.transaction():
        record("survey_exported", "survey", survey.id, format=kind)


def record_import(survey: Survey, problems: Sequence[object], partner_id: int) -> None:
    """Keep an imported survey, owned by the partner, with a note of what could not be brought along."""
    with db.transaction():
        survey.partner_id = partner_id
        record("survey_imported", "survey", survey.id, slug=survey.slug, problems=len(problems))
