"""What an import says to staff: a message with its sheet and row, translated only when it is shown.

The reader runs without a request; a message keeps its msgid and values and speaks the language of the
page that shows it (or English, Flask-Babel's fallback, outside a request).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask_babel import get_locale, gettext
from flask_babel.speaklater import LazyString  # type: ignore[import-untyped]  # the lazy text of _l()

__all__ = ["LazyString", "Problem", "_l"]

# Unicode's first-strong isolate and its end: a name or expression from the file keeps its own direction.
_ISOLATE, _END = "\u2068", "\u2069"


def _l(msgid: str, **values: Any) -> LazyString:
    """A message about the file, translated when shown (as Flask-Babel's lazy_gettext). On a right-to-left
    page each value from the file (a name, an expression such as `${age} > 15`) is isolated, so an Arabic
    sentence does not reorder its left-to-right parts."""
    return LazyString(_shown, msgid, **values)


def _shown(msgid: str, **values: Any) -> str:
    locale = get_locale()
    if values and locale is not None and locale.text_direction == "rtl":
        values = {key: f"{_ISOLATE}{value}{_END}" for key, value in values.items()}
    return gettext(msgid, **values)


# The sheet names are XLSForm's own words.
_WHERE = {
    "survey": _l("Survey sheet, row %(row)s: %(text)s"),
    "choices": _l("Choices sheet, row %(row)s: %(text)s"),
    "settings": _l("Settings sheet, row %(row)s: %(text)s"),
}


@dataclass(frozen=True)
class Problem:
    """One message about the file: where it is (a sheet and row, or the whole file) and what it says."""

    text: LazyString | str
    sheet: str = ""
    row: int = 0

    def __str__(self) -> str:
        if not self.sheet:
            return str(self.text)
        return str(_WHERE[self.sheet]) % {"row": self.row, "text": str(self.text)}
