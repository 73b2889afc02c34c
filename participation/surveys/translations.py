"""A survey's texts in other languages: which texts there are, how many are translated, saving one language."""

from __future__ import annotations

from flask_babel import gettext as _

from participation.audit.services import record
from participation.extensions import db
from participation.i18n import editor
from participation.i18n.editor import Text
from participation.surveys.editing import EditError
from participation.surveys.models import TEXT_LIMITS, QuestionKind, Survey


def translatable_fields(survey: Survey) -> list[Text]:
    """Every text of the survey in reading order, each written in the base language."""
    base = survey.base_language
    fields = [
        Text("title", survey.title, base, TEXT_LIMITS["title"]),
        Text("intro", survey.intro, base, TEXT_LIMITS["intro"]),
        Text("thanks", survey.thanks, base, TEXT_LIMITS["thanks"]),
    ]
    for question in survey.questions:
        fields.append(Text(f"q{question.id}", question.prompt, base, TEXT_LIMITS["prompt"]))
        # A scale's end words are translated like its prompt, once the builder has given them.
        for end, texts, note in (
            ("low", question.scale_low, _("lowest face")),
            ("high", question.scale_high, _("highest face")),
        ):
            if question.kind is QuestionKind.SCALE and texts is not None:
                fields.append(Text(f"{end}{question.id}", texts, base, TEXT_LIMITS["label"], note))
        fields += [
            Text(f"o{option.id}", option.label, base, TEXT_LIMITS["label"]) for option in question.options
        ]
    return fields


def too_long(survey: Survey, submitted: dict[str, str]) -> set[str]:
    """The names of the submitted texts that are longer than their field holds."""
    return editor.too_long(translatable_fields(survey), submitted)


def completeness(survey: Survey, languages: list[str]) -> dict[str, tuple[int, int]]:
    """Per language: how many of the texts that exist in the base language are translated."""
    return editor.completeness(translatable_fields(survey), languages)


def save_translations(survey: Survey, lang: str, submitted: dict[str, str]) -> None:
    """Store one language's texts; an empty box removes the translation (the base language shows)."""
    if too_long(survey, submitted):
        raise EditError(_("Some texts are too long. They are marked below."))
    with db.transaction():
        editor.store(translatable_fields(survey), lang, submitted)
        record("survey_translated", "survey", survey.id, language=lang)
