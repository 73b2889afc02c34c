"""Labels of the fixed answers (emoji scale, yes/no) shared by the form and the results."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import Flask
from flask_babel import force_locale
from flask_babel import gettext as _

from participation.i18n.languages import current_language, localise, to_babel
from participation.surveys.forms import kind_choices
from participation.surveys.models import SCALE_POINTS, DisplayStatus, Question, QuestionKind, Survey

SCALE_FACES = ("😞", "🙁", "😐", "🙂", "😄")


def scale_labels() -> list[str]:
    return [_("Very bad"), _("Bad"), _("Neither good nor bad"), _("Good"), _("Very good")]


def scale_end(question: Question, point: int, lang: str | None = None) -> str:
    """The question's own word for point 1 or the last point, in `lang` (the page's); '' for the others."""
    texts = {1: question.scale_low, SCALE_POINTS: question.scale_high}.get(point)
    return localise(texts, lang or current_language(), question.survey.base_language).text


def answer_label(question: Question, key: str, lang: str | None = None) -> str:
    """The text of one answer of a closed question, in `lang` (by default the page's language)."""
    if lang is None:
        return _answer_label(question, key, current_language())
    with force_locale(to_babel(lang)):  # the fixed words (scale, yes/no) in that language too
        return _answer_label(question, key, lang)


def _answer_label(question: Question, key: str, lang: str) -> str:
    if question.kind is QuestionKind.SCALE:
        point = int(key)
        face = SCALE_FACES[point - 1]
        if not question.has_scale_ends:
            return f"{face} {scale_labels()[point - 1]}"
        # The question's own words name its ends; the points between are only their number.
        end = scale_end(question, point, lang)
        return f"{face} {point} – {end}" if end else f"{face} {point}"
    if question.kind is QuestionKind.YES_NO:
        return _("Yes") if key == "1" else _("No")
    for option in question.options:
        if str(option.id) == key:
            return localise(option.label, lang, question.survey.base_language).text
    return key


def answer_key(question: Question, key: str) -> str:
    """The stable key of an answer, never translated, for a BI tool to join on: an option's own key, "yes"
    or "no", or a scale's point."""
    if question.kind is QuestionKind.YES_NO:
        return "yes" if key == "1" else "no"
    for option in question.options:
        if str(option.id) == key:
            return option.key
    return key


def display_status_label(survey: Survey, now: datetime | None = None) -> str:
    """The survey's status as staff read it: draft, scheduled, open, closed or archived."""
    return {
        DisplayStatus.DRAFT: _("Draft"),
        DisplayStatus.SCHEDULED: _("Scheduled"),
        DisplayStatus.OPEN: _("Open"),
        DisplayStatus.CLOSED: _("Closed"),
        DisplayStatus.ARCHIVED: _("Archived"),
    }[survey.display_status(now or datetime.now(UTC))]


def kind_label(kind: QuestionKind) -> str:
    return dict(kind_choices())[kind.value]


def register_template_globals(app: Flask) -> None:
    app.add_template_global(display_status_label)
    app.add_template_global(kind_label)
    app.add_template_global(scale_labels)
    app.add_template_global(answer_label)
    app.jinja_env.globals["scale_faces"] = SCALE_FACES  # a value, not a function: not add_template_global
