"""A forum session's texts in other languages: the title, the prompt and every item, proposals too.

It follows the surveys' translation editor (participation/surveys/translations.py): one language at a
time, side by side with each text's own language, an empty box removing the translation.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _

from participation.audit.services import record
from participation.extensions import db
from participation.forum.models import ForumSession, ItemStatus
from participation.forum.sessions import PROMPT_MAX, PROPOSAL_MAX, TITLE_MAX, ForumError, bump


@dataclass(frozen=True)
class Field:
    """One translatable text: its form name, its texts per language, its own language and its limit."""

    name: str
    texts: dict[str, str]
    source: str
    limit: int


def translatable_fields(session: ForumSession) -> list[Field]:
    """The title, the prompt (once written) and every item not hidden, in the order the room sees them."""
    base = session.base_language
    fields = [Field("title", session.title, base, TITLE_MAX)]
    if session.prompt.get(base, "").strip():
        fields.append(Field("prompt", session.prompt, base, PROMPT_MAX))
    fields += [
        Field(f"i{item.id}", item.text, item.source_language, PROPOSAL_MAX)
        for item in session.items
        if item.status is not ItemStatus.HIDDEN and not item.quarantined
    ]
    return fields


def too_long(session: ForumSession, submitted: dict[str, str]) -> set[str]:
    limits = {field.name: field.limit for field in translatable_fields(session)}
    return {name for name, value in submitted.items() if name in limits and len(value.strip()) > limits[name]}


def completeness(session: ForumSession, languages: list[str]) -> dict[str, tuple[int, int]]:
    """Per language: how many texts are there in it, their own or a translation, of all the session's texts."""
    fields = translatable_fields(session)
    return {
        lang: (sum(1 for field in fields if (field.texts.get(lang) or "").strip()), len(fields))
        for lang in languages
    }


def save_translations(session: ForumSession, lang: str, submitted: dict[str, str]) -> None:
    """Store one language's texts; a text's own language is never overwritten or removed here."""
    if too_long(session, submitted):
        raise ForumError(_("Some texts are too long. They are marked below."), 422)
    with db.transaction():
        for field in translatable_fields(session):
            if field.name not in submitted or field.source == lang:
                continue
            value = " ".join(submitted[field.name].split())
            if value:
                field.texts[lang] = value
            else:
                field.texts.pop(lang, None)
        bump(session)  # phones and the projector in that language show the new text
        record("forum_translated", "forum_session", session.id, language=lang)
