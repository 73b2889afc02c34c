"""The rules for building surveys: from a spec or a template, editing without harming given answers."""

from __future__ import annotations

import copy
import re
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _

from participation.audit.services import record
from participation.extensions import db
from participation.surveys.models import (
    PROFILE_CHOICES,
    TEXT_LIMITS,
    Answer,
    Option,
    Question,
    QuestionKind,
    Survey,
    SurveyStatus,
)
from participation.themes.models import Theme

SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{1,78}[a-z0-9]$")
KEY = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,59}$")


class EditError(ValueError):
    """A change that was refused; the message tells the staff member why and what to do instead."""


def survey_from_spec(
    spec: dict[str, Any], themes: dict[str, Theme], *, slug: str, languages: list[str]
) -> Survey:
    """A new draft survey built from a spec (the demo's or a template's), added to the session."""
    survey = Survey(
        slug=slug,
        status=SurveyStatus.DRAFT,
        base_language=spec["base_language"],
        languages=list(languages),
        title=dict(spec["title"]),
        intro=dict(spec.get("intro", {})),
        thanks=dict(spec.get("thanks", {})),
        profile_fields=list(spec.get("profile_fields", [])),
    )
    options_by_key: dict[tuple[str, str], Option] = {}
    for position, qspec in enumerate(spec["questions"]):
        question = Question(
            key=qspec["key"],
            position=position,
            kind=QuestionKind(qspec["kind"]),
            prompt=dict(qspec["prompt"]),
            required=qspec.get("required", False),
            max_choices=qspec.get("max_choices"),
            min_value=qspec.get("min_value"),
            max_value=qspec.get("max_value"),
            themes=[themes[name] for name in qspec.get("themes", []) if name in themes],
        )
        for opt_position, ospec in enumerate(qspec.get("options", [])):
            option = Option(
                key=ospec["key"],
                position=opt_position,
                label=dict(ospec["label"]),
                themes=[themes[name] for name in ospec.get("themes", []) if name in themes],
            )
            question.options.append(option)
            options_by_key[(qspec["key"], ospec["key"])] = option
        if "show_if" in qspec:
            question.show_if_option = options_by_key[tuple(qspec["show_if"])]
        survey.questions.append(question)
    db.session.add(survey)
    db.session.flush()
    return survey


def create_from_starter(spec: dict[str, Any], starter: str, slug: str) -> Survey:
    """A new draft survey from a template, in the template's base language."""
    survey = survey_from_spec(
        spec, themes_by_slug(), slug=check_slug(slug), languages=[spec["base_language"]]
    )
    record("survey_created", "survey", survey.id, slug=survey.slug, starter=starter)
    db.session.commit()
    return survey


def themes_by_slug() -> dict[str, Theme]:
    return {theme.slug: theme for theme in db.session.scalars(sa.select(Theme))}


def check_slug(slug: str, exclude_id: int | None = None) -> str:
    slug = slug.strip().lower()
    if not SLUG.match(slug):
        raise EditError(_("Use 3–80 lowercase letters, digits and hyphens, for example backby-spring."))
    query = sa.select(Survey.id).where(Survey.slug == slug)
    if exclude_id is not None:
        query = query.where(Survey.id != exclude_id)
    if db.session.scalar(query) is not None:
        raise EditError(_("Another survey already has the address “%(slug)s”.", slug=slug))
    return slug


def free_slug(base: str) -> str:
    """The first free slug of base, base-2, base-3…"""
    candidate, number = base, 1
    while db.session.scalar(sa.select(Survey.id).where(Survey.slug == candidate)) is not None:
        number += 1
        candidate = f"{base}-{number}"
    return candidate


def has_answers(
    *, question: Question | None = None, option: Option | None = None, survey: Survey | None = None
) -> bool:
    """Whether any response already holds an answer to this question, option or survey."""
    query = sa.select(Answer.id)
    if option is not None:
        query = query.where(Answer.option_id == option.id)
    elif question is not None:
        query = query.where(Answer.question_id == question.id)
    elif survey is not None:
        query = query.join(Question, Answer.question_id == Question.id).where(Question.survey_id == survey.id)
    return db.session.scalar(query.limit(1)) is not None


def _limit(field: str, text: str | None) -> str:
    text = (text or "").strip()
    if len(text) > TEXT_LIMITS[field]:
        raise EditError(_("At most %(max)d characters.", max=TEXT_LIMITS[field]))
    return text


def update_settings(survey: Survey, values: dict[str, Any]) -> None:
    """Save a survey's address, languages, profile fields, times, retention and base-language texts."""
    survey.slug = check_slug(values["slug"], exclude_id=survey.id)
    if values["base_language"] not in values["languages"]:
        raise EditError(_("The base language must be one of the survey's languages."))
    if not values.get("offer_incomplete"):
        done = completeness(survey, list(values["languages"]))
        missing = [
            lang for lang, (count, total) in done.items() if count < total and lang != values["base_language"]
        ]
        if missing:
            raise EditError(
                _(
                    "Not fully translated yet: %(languages)s. Translate them first, or tick the box to offer them anyway.",
                    languages=", ".join(missing),
                )
            )
    opens, closes = values.get("opens_at"), values.get("closes_at")
    if opens and closes and closes <= opens:
        raise EditError(_("The survey must close after it opens."))
    survey.base_language = values["base_language"]
    survey.languages = list(values["languages"])
    survey.profile_fields = [
        name for name in values["profile_fields"] if name in {p.value for p in PROFILE_CHOICES}
    ]
    survey.opens_at, survey.closes_at = opens, closes
    survey.retention_days = values.get("retention_days")
    for field in ("title", "intro", "thanks"):
        getattr(survey, field)[survey.base_language] = _limit(field, values[field])
    record("survey_changed", "survey", survey.id, slug=survey.slug)
    db.session.commit()


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
    survey.status = status
    record(f"survey_{status.value}", "survey", survey.id, slug=survey.slug)
    db.session.commit()


def duplicate(survey: Survey) -> Survey:
    """A draft copy with the same questions and options, and none of the responses."""
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
    )
    mapping: dict[int, Option] = {}
    for question in survey.questions:
        new_question = Question(
            key=question.key,
            position=question.position,
            kind=question.kind,
            prompt=dict(question.prompt),
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
        copy_.questions.append(new_question)
    db.session.add(copy_)
    db.session.flush()
    record("survey_duplicated", "survey", copy_.id, source=survey.slug)
    db.session.commit()
    return copy_


def _next_key(survey: Survey) -> str:
    taken = {question.key for question in survey.questions}
    number = len(survey.questions) + 1
    while f"q{number}" in taken:
        number += 1
    return f"q{number}"


def save_question(survey: Survey, question: Question | None, values: dict[str, Any]) -> Question:
    """Add a question at the end, or change one; a question with answers keeps its kind."""
    kind = QuestionKind(values["kind"])
    if question is None:
        question = Question(key=_next_key(survey), position=len(survey.questions), kind=kind, prompt={})
        survey.questions.append(question)
    elif kind is not question.kind and has_answers(question=question):
        raise EditError(
            _("This question already has answers, so its kind cannot change. Add a new question instead.")
        )
    key = (values.get("key") or question.key).strip()
    if not KEY.match(key) or any(q.key == key and q is not question for q in survey.questions):
        raise EditError(_("The short name must be unique in the survey and use letters, digits and _ only."))
    show_if = values.get("show_if_option_id")
    earlier = {
        o.id
        for q in survey.questions
        if q is not question and q.position < question.position
        for o in q.options
    }
    if show_if and show_if not in earlier:
        raise EditError(_("A question can only depend on an option of an earlier question."))
    question.key, question.kind = key, kind
    question.prompt[survey.base_language] = _limit("prompt", values["prompt"])
    question.required = bool(values.get("required"))
    question.max_choices = (
        values.get("max_choices") if kind in (QuestionKind.MULTIPLE_CHOICE, QuestionKind.RANKING) else None
    )
    question.min_value = values.get("min_value") if kind is QuestionKind.NUMBER else None
    question.max_value = values.get("max_value") if kind is QuestionKind.NUMBER else None
    if (
        question.min_value is not None
        and question.max_value is not None
        and question.min_value > question.max_value
    ):
        raise EditError(_("The smallest number must not be larger than the largest."))
    question.show_if_option_id = show_if or None
    question.themes = _themes(values.get("theme_ids", []))
    db.session.flush()
    record("question_saved", "question", question.id, survey=survey.slug, key=question.key)
    db.session.commit()
    return question


def _themes(theme_ids: list[int]) -> list[Theme]:
    return list(db.session.scalars(sa.select(Theme).where(Theme.id.in_(theme_ids))))


def _renumber(items: list[Any]) -> None:
    """Positions 0, 1, 2… in the order given, so there are never gaps or ties."""
    for position, item in enumerate(items):
        item.position = position


def delete_question(question: Question) -> None:
    if has_answers(question=question):
        raise EditError(
            _(
                "This question already has answers and cannot be deleted. Archive the survey and duplicate it to change its questions."
            )
        )
    survey = question.survey
    survey.questions.remove(question)
    _renumber(survey.questions)
    record("question_deleted", "question", question.id, survey=survey.slug, key=question.key)
    db.session.commit()


def move(items: list[Any], item: Any, step: int) -> None:
    """Move an item one place up (-1) or down (+1) among its siblings, renumbering positions."""
    # A plain copy: swapping inside an ORM collection would orphan (and delete) a sibling for a moment.
    ordered = sorted(items, key=lambda sibling: sibling.position)
    index = ordered.index(item)
    target = index + step
    if 0 <= target < len(ordered):
        ordered[index], ordered[target] = ordered[target], ordered[index]
    _renumber(ordered)
    db.session.commit()


def save_option(
    question: Question, option: Option | None, label: str, key: str | None, theme_ids: list[int]
) -> Option:
    """Add an option at the end, or change one's label, short name and themes."""
    if option is None:
        option = Option(key="", position=len(question.options), label={})
        question.options.append(option)
        key = key or f"o{len(question.options)}"
    key = (key or option.key).strip()
    if not KEY.match(key) or any(o.key == key and o is not option for o in question.options):
        raise EditError(
            _("The short name must be unique in the question and use letters, digits and _ only.")
        )
    if option.id is not None and key != option.key and has_answers(option=option):
        raise EditError(_("This option already has answers, so its short name cannot change."))
    option.key = key
    option.label[question.survey.base_language] = _limit("label", label)
    option.themes = _themes(theme_ids)
    db.session.flush()
    record("option_saved", "option", option.id, question=question.key, key=option.key)
    db.session.commit()
    return option


def delete_option(option: Option) -> None:
    if has_answers(option=option):
        raise EditError(
            _(
                "People have chosen this option, so it cannot be deleted without changing their answers. Change its text instead, or duplicate the survey."
            )
        )
    question = option.question
    for dependent in question.survey.questions:
        if dependent.show_if_option_id == option.id:
            dependent.show_if_option_id = None
    question.options.remove(option)
    _renumber(question.options)
    record("option_deleted", "option", option.id, question=question.key, key=option.key)
    db.session.commit()


def translatable_fields(survey: Survey) -> list[tuple[str, dict[str, str], int]]:
    """Every text of the survey as (field name, texts, maximum length), in reading order."""
    fields: list[tuple[str, dict[str, str], int]] = [
        ("title", survey.title, TEXT_LIMITS["title"]),
        ("intro", survey.intro, TEXT_LIMITS["intro"]),
        ("thanks", survey.thanks, TEXT_LIMITS["thanks"]),
    ]
    for question in survey.questions:
        fields.append((f"q{question.id}", question.prompt, TEXT_LIMITS["prompt"]))
        fields += [(f"o{option.id}", option.label, TEXT_LIMITS["label"]) for option in question.options]
    return fields


def completeness(survey: Survey, languages: list[str]) -> dict[str, tuple[int, int]]:
    """Per language: how many of the texts that exist in the base language are translated."""
    fields = [
        texts
        for _name, texts, _limit in translatable_fields(survey)
        if (texts.get(survey.base_language) or "").strip()
    ]
    return {
        lang: (sum(1 for texts in fields if (texts.get(lang) or "").strip()), len(fields))
        for lang in languages
    }


def save_translations(survey: Survey, lang: str, submitted: dict[str, str]) -> None:
    """Store one language's texts; an empty box removes the translation (the base language shows)."""
    fields = {name: (texts, limit) for name, texts, limit in translatable_fields(survey)}
    too_long = [
        name for name, value in submitted.items() if name in fields and len(value.strip()) > fields[name][1]
    ]
    if too_long:
        raise EditError(_("Some texts are too long. They are marked below."))
    for name, (texts, _limit) in fields.items():
        if name not in submitted:
            continue
        value = submitted[name].strip()
        if value:
            texts[lang] = value
        else:
            texts.pop(lang, None)
    record("survey_translated", "survey", survey.id, language=lang)
    db.session.commit()


def parse_local_datetime(value: str | None, zone: Any) -> datetime | None:
    """A datetime-local form value in the organisation's time zone, as an aware datetime."""
    if not value:
        return None
    return datetime.fromisoformat(value).replace(tzinfo=zone)


def record_export(survey: Survey, kind: str) -> None:
    record("survey_exported", "survey", survey.id, format=kind)
    db.session.commit()


def record_import(survey: Survey, problems: list[str]) -> None:
    """Commit an imported survey with a note of what could not be brought along."""
    record("survey_imported", "survey", survey.id, slug=survey.slug, problems=len(problems))
    db.session.commit()
