"""The text blocks of a poster: the survey's title and a call to action in each chosen language."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import force_locale
from flask_babel import gettext as _

from participation.i18n.languages import localise, text_direction, to_babel
from participation.surveys.models import Survey


@dataclass(frozen=True)
class PosterBlock:
    lang: str
    dir: str
    title: str
    call: str
    fallback_lang: str | None


def poster_blocks(survey: Survey, languages: list[str]) -> list[PosterBlock]:
    """One block per language, with the UI text translated in that language, not the staff member's."""
    blocks = []
    for lang in languages:
        title = localise(survey.title, lang, survey.base_language)
        with force_locale(to_babel(lang)):
            call = _("Scan the code and have your say. It takes two minutes and you are anonymous.")
        blocks.append(
            PosterBlock(lang, text_direction(lang), title.text, call, title.lang if title.fallback else None)
        )
    return blocks
