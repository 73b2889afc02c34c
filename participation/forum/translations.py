"""A forum session's texts in other languages: the title, the prompt and every item, proposals too.

It uses the translation editor surveys and actions use (participation/i18n/editor.py): one language at a
time, side by side with each text's own language, an empty box removing the translation.
"""

from __future__ import annotations

from flask_babel import gettext as _

from participation.audit.services import record
from participation.extensions import db
from participation.forum.models import ForumSession, ItemStatus
from participation.forum.sessions import PROMPT_MAX, PROPOSAL_MAX, TITLE_MAX, ForumError, bump
from participation.i18n import editor
from participation.i18n.editor import Text


def translatable_fields(session: ForumSession) -> list[Text]:
    """The title, the prompt (once written) and every item not hidden, in the order the room sees them."""
    base = session.base_language
    fields: list[Text] = [Text("title", session.title, base, TITLE_MAX)]
    if session.prompt.get(base, "").strip():
        fields.append(Text("prompt", session.prompt, base, PROMPT_MAX))
    fields += [
        Text(f"i{item.id}", item.text, item.source_language, PROPOSAL_MAX)
        for item in session.items
        if item.status is not ItemStatus.HIDDEN and not item.quarantined
    ]
    return fields


def too_long(session: ForumSession, submitted: dict[str, str]) -> set[str]:
    return editor.too_long(translatable_fields(session), submitted)


def completeness(session: ForumSession, languages: list[str]) -> dict[str, tuple[int, int]]:
    """Per language: how many texts are there in it, their own or a translation, of all the session's texts."""
    return editor.completeness(translatable_fields(session), languages)


def save_translations(session: ForumSession, lang: str, submitted: dict[str, str]) -> None:
    """Store one language's texts; a text's own language is never overwritten or removed here."""
    if too_long(session, submitted):
        raise ForumError(_("Some texts are too long. They are marked below."), 422)
    one_line = {name: " ".join(value.split()) for name, value in submitted.items()}  # as the room shows them
    with db.transaction():
        editor.store(translatable_fields(session), lang, one_line)
        bump(session)  # phones and the projector in that language show the new text
        record("forum_translated", "forum_session", session.id, language=lang)
