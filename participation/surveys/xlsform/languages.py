"""How an XLSForm column names its language ('label::Svenska (sv)'), in both directions."""

from __future__ import annotations

import re
from functools import cache

from babel import Locale

from participation.config import DEFAULT_LANGUAGES
from participation.i18n.languages import native_name, to_babel

SHIPPED_LANGUAGES = tuple(DEFAULT_LANGUAGES.split())
_IANA = {"fa-AF": "prs"}


def language_header(code: str) -> str:
    """The language part of a column name, as KoboToolbox writes it: 'Svenska (sv)'.

    The code in brackets is the IANA subtag ODK reads; Dari's is 'prs' (fa-AF is Persian as in Afghanistan).
    """
    return f"{native_name(code)} ({_IANA.get(code, code)})"


@cache
def _language_names() -> dict[str, str]:
    """Lower-case code, native name and English name of every shipped language -> its code."""
    names = {"prs": "fa-AF", "dari": "fa-AF"}
    for code in SHIPPED_LANGUAGES:
        names[code.lower()] = names[code.lower().replace("-", "_")] = code
        names[native_name(code).lower()] = code
        if code != "fa-AF":  # Babel's English name is 'Persian'; Dari is listed above
            names[(Locale.parse(to_babel(code)).get_language_name("en") or code).lower()] = code
    return names


def language_code(text: str) -> str | None:
    """The shipped language a column suffix names: 'Svenska (sv)', 'sv', 'Svenska' or 'Swedish'."""
    match = re.search(r"\(([^()]+)\)\s*$", text)
    candidates = [match.group(1)] if match else []
    for candidate in [*candidates, text]:
        code = _language_names().get(candidate.strip().lower())
        if code:
            return code
    return None
