"""Which language a page is in: URL prefix, explicit choice, pinned placement, browser, default."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from babel import Locale
from flask import Request, current_app, g, request
from werkzeug.wrappers import Response  # a redirect() is one; Flask's Response is a subclass

from participation.privacy import set_private_cookie

CHOICE_COOKIE = "delaktig_lang"
# Babel names Dari "فارسی"; speakers in Afghanistan call it Dari.
NATIVE_NAME_OVERRIDES = {"fa-AF": "دری"}


def to_babel(code: str) -> str:
    """URL code (fa-AF) to Babel's locale identifier (fa_AF)."""
    return code.replace("-", "_")


@cache
def _locale(code: str) -> Locale:
    return Locale.parse(to_babel(code))


def text_direction(code: str) -> str:
    """'rtl' or 'ltr' for a language code, from Babel's locale data."""
    return _locale(code).text_direction


def native_name(code: str) -> str:
    """The language's name in itself, as shown in the language switcher."""
    name = NATIVE_NAME_OVERRIDES.get(code) or _locale(code).language_name or code
    return name[:1].upper() + name[1:]


def shipped_languages() -> list[str]:
    return list(current_app.config["LANGUAGES"])


def is_shipped(code: str | None) -> bool:
    return code is not None and code in current_app.config["LANGUAGES"]


def best_from_browser(req: Request) -> str | None:
    """The best shipped language from Accept-Language, matching region variants loosely."""
    languages = shipped_languages()
    by_lower = {code.lower(): code for code in languages}
    for value, _quality in req.accept_languages:
        value = value.lower().replace("_", "-")
        if value in by_lower:
            return by_lower[value]
        primary = value.split("-")[0]
        # A phone set to 'fa' or 'prs' (Dari's ISO 639-3 code) gets Dari.
        if primary == "prs":
            primary = "fa"
        for code in languages:
            if code.lower().split("-")[0] == primary:
                return code
    return None


def choose_language(pinned: str | None = None) -> str:
    """The language for a request without a URL prefix, in the order DESIGN.md gives."""
    explicit = request.cookies.get(CHOICE_COOKIE)
    for candidate in (explicit, pinned, best_from_browser(request)):
        if is_shipped(candidate):
            return str(candidate)
    return default_language()


CHOICE_MAX_AGE = 365 * 24 * 3600


def set_language_cookie(response: Response, lang: str) -> None:
    """Remember the participant's explicit choice of language (nothing else is in the cookie)."""
    set_private_cookie(response, CHOICE_COOKIE, lang, CHOICE_MAX_AGE)


def default_language() -> str:
    """The configured default language (PARTICIPATION_DEFAULT_LANGUAGE): the one place "sv" comes from."""
    return str(current_app.config["DEFAULT_LANGUAGE"])


def current_language() -> str:
    return getattr(g, "lang", None) or default_language()


def get_locale() -> str:
    """Flask-Babel's locale selector."""
    return to_babel(current_language())


@dataclass(frozen=True)
class Localised:
    """A piece of content in one language, saying whether it fell back to another."""

    text: str
    lang: str
    dir: str
    fallback: bool

    def __str__(self) -> str:
        return self.text


def localise(texts: dict[str, str] | None, lang: str, base_language: str) -> Localised:
    """The text in lang, or in the base language (marked as a fallback) when lang has none."""
    texts = texts or {}
    for code, fallback in ((lang, False), (base_language, True)):
        value = (texts.get(code) or "").strip()
        if value:
            return Localised(value, code, text_direction(code), fallback)
    for code, value in texts.items():
        if value and value.strip():
            return Localised(value.strip(), code, text_direction(code), True)
    return Localised("", lang, text_direction(lang), False)


def content(texts: dict[str, str] | None, base_language: str) -> Localised:
    """Content in the current page's language, falling back to the base language."""
    return localise(texts, current_language(), base_language)


def languages_missing(texts: dict[str, str] | None) -> list[str]:
    """The shipped languages a piece of content has no text in yet."""
    texts = texts or {}
    return [code for code in shipped_languages() if not (texts.get(code) or "").strip()]
