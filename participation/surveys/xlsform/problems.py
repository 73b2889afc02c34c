"""What an import says to staff: a message with its sheet and row, translated only when it is shown.

The reader runs without a request; a message keeps its msgid and values and speaks the language of the
page that shows it (or English, Flask-Babel's fallback, outside a request).
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString  # type: ignore[import-untyped]  # the lazy text of _l()

__all__ = ["LazyString", "Problem"]

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
