"""A survey's texts in other languages: which texts there are, how many are translated, saving one language."""

from __future__ import annotations

from flask_babel import gettext as _

from participation.audit.services import record
from participation.extensions import db
from participation.surveys.editing import EditError
from participation.surveys.models import TEXT_LIMITS, QuestionKind, Survey


def translatable_fields(survey: Survey) -> list[tuple[str, dict[str, str], int]]:
    """Every text of the survey as (field name, texts, maximum length), in reading order."""
    fields: list[tuple[str, dict[str, str], int]] = [
        ("title", survey.title, TEXT_LIMITS["title"]),
        ("intro", survey.intro, TEXT_LIMITS["intro"]),
        ("thanks", survey.thanks, TEXT_LIMITS["thanks"]),
    ]
    for question in survey.questions:
        fields.append((f"q{question.id}", question.prompt, TEXT_LIMITS["prompt"]))
        # A scale's end words are translated like its prompt, once the builder has given them.
        for end, texts in (("low", question.scale_low), ("high", question.scale_high)):
            if question.kind is QuestionKind.SCALE and texts is not None:
                fields.append((f"{end}{question.id}", texts, TEXT_LIMITS["label"]))
        fields += [(f"o{option.id}", option.label, TEXT_LIMITS["label"]) for option in question.options]
    return fields


def too_long(survey: Survey, submitted: dict[str, str]) -> set[str]:
    """The names of the submitted texts that are longer than their field holds."""
    limits = {name: limit for name, _texts, limit in translatable_fields(survey)}
    return {name for name, value in submitted.items() if name in limits and len(value.strip()) > limits[name]}


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
    if too_long(survey, submitted):
        raise EditError(_("Some texts are too long. They are marked below."))
    with db.transaction():
        for name, texts, _limit in translatable_fields(survey):
            if name not in submitted:
                continue
            value = submitted[name].strip()
            if value:
                texts[lang] = value
            else:
                texts.pop(lang, None)
        record("survey_translated", "survey", survey.id, language=lang)


LINE_CHARACTERS = 50  # about what one line of a half-width box holds on a laptop
MOST_ROWS = 12


def rows_for(*texts: str) -> int:
    """How many rows a box needs to show the longest of the texts without scrolling (at least one)."""
    needed = max(
        (
            sum(max(1, -(-len(line) // LINE_CHARACTERS)) for line in text.splitlines())
            for text in texts
            if text
        ),
        default=1,
    )
    return min(MOST_ROWS, max(1, needed))


def first_missing(survey: Survey, lang: str) -> str | None:
    """The name of the first text that has a base-language version but none in the language yet."""
    for name, texts, _limit in translatable_fields(survey):
        if (texts.get(survey.base_language) or "").strip() and not (texts.get(lang) or "").strip():
            return name
    return None
