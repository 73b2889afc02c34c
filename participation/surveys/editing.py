"""The rules every survey edit shares: addresses and short names, refusals, building a survey from a spec.

The edits themselves live by what they change: participation.surveys.settings (a survey's address,
languages, times, status, copies), participation.surveys.questions (questions and options) and
participation.surveys.translations (the texts in other languages). Each validates before it changes the
session and writes inside `db.transaction()`, so a refused edit leaves nothing behind.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _

from participation.extensions import db
from participation.surveys.models import (
    KEY_MAX,
    SLUG_MAX,
    TEXT_LIMITS,
    Answer,
    Option,
    Question,
    QuestionKind,
    Survey,
    SurveyStatus,
)
from participation.themes.models import Theme

SLUG = re.compile(rf"^[a-z0-9][a-z0-9-]{{1,{SLUG_MAX - 2}}}[a-z0-9]$")
# A question's short name is an XML name, as XLSForm requires ('ålder', 'why-unsafe', 'q1.2'); an
# option's is any answer value ODK can store: no spaces around it, none inside (select_multiple keeps
# the chosen names space-separated), no quotes, as in '1', '99', '24/7'.
KEY = re.compile(rf"^[^\W\d][\w.-]{{0,{KEY_MAX - 1}}}$")
OPTION_KEY = re.compile(rf"^[^\s'\"]{{1,{KEY_MAX}}}$")


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
            scale_low=dict(qspec["scale_low"]) if "scale_low" in qspec else None,
            scale_high=dict(qspec["scale_high"]) if "scale_high" in qspec else None,
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


def themes_by_slug() -> dict[str, Theme]:
    return {theme.slug: theme for theme in db.session.scalars(sa.select(Theme))}


def themes_with_ids(theme_ids: list[int]) -> list[Theme]:
    return list(db.session.scalars(sa.select(Theme).where(Theme.id.in_(theme_ids))))


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


def slug_from(title: str) -> str:
    """A free web address made from a title: "Trygghet i Bäckby 2027" → "trygghet-i-backby-2027"."""
    plain = unicodedata.normalize("NFKD", title.lower()).encode("ascii", "ignore").decode()
    base = re.sub(r"[^a-z0-9]+", "-", plain).strip("-")[: SLUG_MAX - 10].strip("-")
    return free_slug(base if len(base) >= 3 else f"survey-{base}".strip("-"))


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


def limited(field: str, text: str | None) -> str:
    """The text without surrounding blanks, refused when longer than the field holds."""
    text = (text or "").strip()
    if len(text) > TEXT_LIMITS[field]:
        raise EditError(_("At most %(max)d characters.", max=TEXT_LIMITS[field]))
    return text
