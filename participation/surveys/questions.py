"""A survey's questions and options: adding, changing, moving and deleting them without harming answers."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _

from participation.audit.services import record
from participation.extensions import db
from participation.surveys.editing import KEY, OPTION_KEY, EditError, has_answers, limited, themes_with_ids
from participation.surveys.models import Option, Question, QuestionKind, Survey

_COUNTED = (QuestionKind.MULTIPLE_CHOICE, QuestionKind.RANKING)  # kinds with a most-choices setting


def _next_key(survey: Survey) -> str:
    taken = {question.key for question in survey.questions}
    number = len(survey.questions) + 1
    while f"q{number}" in taken:
        number += 1
    return f"q{number}"


def _question_key(survey: Survey, question: Question | None, values: dict[str, Any]) -> str:
    key = (values.get("key") or (question.key if question is not None else _next_key(survey))).strip()
    if not KEY.match(key) or any(q.key == key and q is not question for q in survey.questions):
        raise EditError(
            _(
                "The short name must be unique in the survey, start with a letter or _ and use letters, "
                "digits, _, - and . only."
            )
        )
    return key


def _show_if(survey: Survey, question: Question | None, position: int, values: dict[str, Any]) -> int | None:
    """The option the question depends on: one of an earlier question's, or none."""
    show_if = values.get("show_if_option_id") or None
    earlier = {
        option.id
        for other in survey.questions
        if other is not question and other.position < position
        for option in other.options
    }
    if show_if is not None and show_if not in earlier:
        raise EditError(_("A question can only depend on an option of an earlier question."))
    return show_if


def _number_range(kind: QuestionKind, values: dict[str, Any]) -> tuple[Any, Any]:
    if kind is not QuestionKind.NUMBER:
        return None, None
    low, high = values.get("min_value"), values.get("max_value")
    if low is not None and high is not None and low > high:
        raise EditError(_("The smallest number must not be larger than the largest."))
    return low, high


class ScaleEndsError(EditError):
    """A refused pair of end words; the builder shows it at the end words, not at the prompt."""


def _scale_ends(kind: QuestionKind, values: dict[str, Any]) -> tuple[str, str]:
    """The scale's own words for its ends in the base language: both, or neither (the generic words)."""
    if kind is not QuestionKind.SCALE:
        return "", ""
    try:
        low = limited("label", values.get("scale_low") or "")
        high = limited("label", values.get("scale_high") or "")
    except EditError as error:
        raise ScaleEndsError(str(error)) from error
    if bool(low) != bool(high):
        raise ScaleEndsError(_("Give words for both ends of the scale, or leave both empty."))
    return low, high


def _set_scale_ends(question: Question, base: str, low: str, high: str) -> None:
    """Words in the base language keep their translations; no words clear the translations too."""
    if not low:
        question.scale_low = question.scale_high = None
        return
    question.scale_low = {**(question.scale_low or {}), base: low}
    question.scale_high = {**(question.scale_high or {}), base: high}


def save_question(survey: Survey, question: Question | None, values: dict[str, Any]) -> Question:
    """Add a question at the end, or change one; a question with answers keeps its kind.

    Every value is checked before the question changes: a refused edit leaves it as it was.
    """
    kind = QuestionKind(values["kind"])
    if question is not None and kind is not question.kind and has_answers(question=question):
        raise EditError(
            _("This question already has answers, so its kind cannot change. Add a new question instead.")
        )
    position = question.position if question is not None else len(survey.questions)
    key = _question_key(survey, question, values)
    show_if = _show_if(survey, question, position, values)
    low, high = _number_range(kind, values)
    scale_low, scale_high = _scale_ends(kind, values)
    prompt = limited("prompt", values["prompt"])
    with db.transaction():
        if question is None:
            question = Question(key=key, position=position, kind=kind, prompt={})
            survey.questions.append(question)
        question.key, question.kind = key, kind
        question.prompt[survey.base_language] = prompt
        question.required = bool(values.get("required"))
        question.max_choices = values.get("max_choices") if kind in _COUNTED else None
        question.min_value, question.max_value = low, high
        _set_scale_ends(question, survey.base_language, scale_low, scale_high)
        question.show_if_option_id = show_if
        question.themes = themes_with_ids(values.get("theme_ids", []))
        db.session.flush()
        record("question_saved", "question", question.id, survey=survey.slug, key=question.key)
    return question


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
    with db.transaction():
        survey = question.survey
        survey.questions.remove(question)
        _renumber(survey.questions)
        record("question_deleted", "question", question.id, survey=survey.slug, key=question.key)


def move(items: list[Any], item: Any, step: int) -> None:
    """Move an item one place up (-1) or down (+1) among its siblings, renumbering positions."""
    with db.transaction():
        # A plain copy: swapping inside an ORM collection would orphan (and delete) a sibling for a moment.
        ordered = sorted(items, key=lambda sibling: sibling.position)
        index = ordered.index(item)
        target = index + step
        if 0 <= target < len(ordered):
            ordered[index], ordered[target] = ordered[target], ordered[index]
        _renumber(ordered)


def save_option(
    question: Question, option: Option | None, label: str, key: str | None, theme_ids: list[int]
) -> Option:
    """Add an option at the end, or change one's label, short name and themes."""
    key = (key or (option.key if option is not None else f"o{len(question.options) + 1}")).strip()
    if not OPTION_KEY.match(key) or any(o.key == key and o is not option for o in question.options):
        raise EditError(_("The short name must be unique in the question and have no spaces or quotes."))
    if option is not None and key != option.key and has_answers(option=option):
        raise EditError(_("This option already has answers, so its short name cannot change."))
    text = limited("label", label)
    with db.transaction():
        if option is None:
            option = Option(key=key, position=len(question.options), label={})
            question.options.append(option)
        option.key = key
        option.label[question.survey.base_language] = text
        option.themes = themes_with_ids(theme_ids)
        db.session.flush()
        record("option_saved", "option", option.id, question=question.key, key=option.key)
    return option


def delete_option(option: Option) -> None:
    if has_answers(option=option):
        raise EditError(
            _(
                "People have chosen this option, so it cannot be deleted without changing their answers. Change its text instead, or duplicate the survey."
            )
        )
    with db.transaction():
        question = option.question
        for dependent in question.survey.questions:
            if dependent.show_if_option_id == option.id:
                dependent.show_if_option_id = None
        question.options.remove(option)
        _renumber(question.options)
        record("option_deleted", "option", option.id, question=question.key, key=option.key)
