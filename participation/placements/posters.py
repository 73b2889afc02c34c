"""What a printed poster shows: the choices from its form, titles and pitch per language, colour, address."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import force_locale
from flask_babel import gettext as _
from werkzeug.datastructures import MultiDict

from participation.i18n.languages import is_shipped, localise, text_direction, to_babel
from participation.placements.models import Placement
from participation.surveys.models import Survey

POSTER_FORMATS = ("a4", "a5", "stickers")
POSTER_LANGUAGES_MAX = 3
STICKERS_PER_SHEET = 18
LINE_MAX = 80
PARTNERS_MAX = 120
DEFAULT_COLOUR = "#1d4f91"


@dataclass(frozen=True)
class PosterBlock:
    lang: str
    dir: str
    title: str
    pitch: str
    fallback_lang: str | None


@dataclass(frozen=True)
class PosterChoice:
    """What the staff member chose in the poster form (GET parameters, so a poster's address reprints it)."""

    layout: str
    languages: list[str]
    offered: list[str]
    line: str
    partners: str


def offered_languages(survey: Survey) -> list[str]:
    """The languages a poster may be printed in: the survey's own, base language first."""
    codes = [survey.base_language, *survey.languages]
    return [code for code in dict.fromkeys(codes) if is_shipped(code)]


def poster_choice(placement: Placement, survey: Survey, args: MultiDict[str, str]) -> PosterChoice | None:
    """Read the form; None for an unknown format. Unknown languages are left out, at most three kept."""
    layout = args.get("format", "a4")
    if layout not in POSTER_FORMATS:
        return None
    offered = offered_languages(survey)
    wanted = [code for code in args.getlist("lang") if code in offered]
    fallback = placement.language if placement.language in offered else survey.base_language
    languages = list(dict.fromkeys(wanted or [fallback]))[:POSTER_LANGUAGES_MAX]
    line = " ".join(args.get("line", "").split())[:LINE_MAX]
    partners = " ".join(args.get("partners", "").split())[:PARTNERS_MAX]
    return PosterChoice(layout, languages, offered, line, partners)


def poster_blocks(survey: Survey, languages: list[str]) -> list[PosterBlock]:
    """One block per language, with the UI text translated in that language, not the staff member's."""
    blocks = []
    for lang in languages:
        title = localise(survey.title, lang, survey.base_language)
        with force_locale(to_babel(lang)):
            pitch = _("2 minutes · anonymous")
        blocks.append(
            PosterBlock(lang, text_direction(lang), title.text, pitch, title.lang if title.fallback else None)
        )
    return blocks


def theme_colour(survey: Survey) -> str:
    """The colour of the survey's first tagged theme (questions first, then options), else the default."""
    for question in survey.questions:
        if question.themes:
            return question.themes[0].colour
    for question in survey.questions:
        for option in question.options:
            if option.themes:
                return option.themes[0].colour
    return DEFAULT_COLOUR


def address_parts(short_url: str) -> list[str]:
    """The short address cut after each '/', so a printed line breaks there and never inside a word."""
    pieces = short_url.split("/")
    return [piece + "/" for piece in pieces[:-1]] + [pieces[-1]]
