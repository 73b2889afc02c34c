"""Input hygiene at the edge: control characters and out-of-range ids stop before any view or database.

PostgreSQL refuses a NUL byte in text and an integer beyond its column, and either refusal used to surface
as a 500. Here every request is checked first: a control character in the path, the query string, a form
key, an upload's file name or a JSON body is a 400 on the normal error page. In form values, tab, newline
and carriage return are text (a textarea sends them); any other control character is a 400 on staff pages,
while on a participant's form it is dropped so the form goes on with what they typed, answers kept.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from flask import Flask, abort, request
from werkzeug.datastructures import ImmutableMultiDict
from werkzeug.routing import IntegerConverter, Map

# PostgreSQL's integer, the type of every id column; SQLite would hold more, but the same URL must
# give the same answer on both.
MAX_ID = 2**31 - 1
_MAX_ID_DIGITS = len(str(MAX_ID))

# C0 controls, DEL, and lone surrogates (which no database encoding can store).
_CONTROL = re.compile(r"[\x00-\x1f\x7f\ud800-\udfff]")
# The same, but tab, newline and carriage return are ordinary characters of typed text.
_CONTROL_IN_TEXT = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")

# A `next` target is never looked up, only checked by participation.security.local_path, which strips
# control characters and refuses whatever is not a path on this site: a tampered link still signs in.
_CHECKED_ELSEWHERE = frozenset({"next"})

# Participant pages: a stray control character in what a young person typed (a paste from another app)
# is dropped rather than costing them their answers.
PARTICIPANT_BLUEPRINTS = frozenset({"surveys", "forum", "followup", "core"})

# Letters and symbols that draw nothing: Hangul fillers, the blank Braille pattern, Khmer inherent vowels.
_BLANK_LOOKALIKES = frozenset("\u115f\u1160\u3164\uffa0\u2800\u180e\u17b4\u17b5")


def has_visible_text(text: str | None) -> bool:
    """True when the text shows at least one character: a letter, digit, punctuation mark or symbol.

    Spaces, zero-width and other format characters, control characters and combining marks on their
    own show nothing, so a text made only of them is no answer and no topic.
    """
    return any(
        unicodedata.category(char)[0] in "LNPS" and char not in _BLANK_LOOKALIKES for char in text or ""
    )


def parse_id(value: object) -> int | None:
    """A database id from a form or query value: ASCII digits from 1 to MAX_ID, or None."""
    if not isinstance(value, str):
        return None
    value = value.strip()
    if not value.isascii() or not value.isdigit() or len(value) > _MAX_ID_DIGITS:
        return None
    number = int(value)
    return number if 0 < number <= MAX_ID else None


def to_id(value: object) -> int:
    """Like int() on a form value, but only for an id the database can hold: ValueError otherwise."""
    number = parse_id(value)
    if number is None:
        raise ValueError("not an id")
    return number


class IdConverter(IntegerConverter):
    """`<int:…>` matching only numbers an id column can hold; 2^63 or 10^30 is a 404, not an overflow."""

    # ASCII digits only (\d would take Arabic-Indic digits too), never more than an id can have.
    regex = rf"[0-9]{{1,{_MAX_ID_DIGITS}}}"

    def __init__(self, map: Map, *args: Any, **kwargs: Any) -> None:
        super().__init__(map, *args, **kwargs)
        # A rule may lower the ceiling (`<int(max=20):…>`), never raise it.
        self.max = MAX_ID if self.max is None else min(self.max, MAX_ID)


def _json_has_control(document: Any) -> bool:
    """True when any key or string in a parsed JSON document holds a control character."""
    waiting = [document]  # a stack, not recursion: a deeply nested document must not exhaust Python's
    while waiting:
        value = waiting.pop()
        if isinstance(value, str):
            if _CONTROL_IN_TEXT.search(value):
                return True
        elif isinstance(value, dict):
            if any(_CONTROL.search(str(key)) for key in value):
                return True
            waiting.extend(value.values())
        elif isinstance(value, list):
            waiting.extend(value)
    return False


def _json_body() -> Any:
    """The request's JSON, or None when it is not JSON at all; nesting too deep to parse is a 400."""
    try:
        return request.get_json(silent=True)
    except RecursionError:
        abort(400)


def _clean_participant_form(pairs: list[tuple[str, str]]) -> None:
    """Replace the parsed form by one without the control characters typed text never holds."""
    if not any(_CONTROL_IN_TEXT.search(value) for _key, value in pairs):
        return
    cleaned = ImmutableMultiDict([(key, _CONTROL_IN_TEXT.sub("", value)) for key, value in pairs])
    # The form is a cached property of the request: the views and Flask-WTF read this copy.
    request._get_current_object().__dict__["form"] = cleaned  # type: ignore[attr-defined]


def refuse_control_characters() -> None:
    """400 for a control character anywhere a request carries text, before any view runs."""
    if _CONTROL.search(request.path):
        abort(400)
    for key, value in request.args.items(multi=True):
        if _CONTROL.search(key) or (key not in _CHECKED_ELSEWHERE and _CONTROL.search(value)):
            abort(400)
    if request.method in {"POST", "PUT", "PATCH", "DELETE"}:
        _check_body()


def _check_body() -> None:
    if request.is_json:
        if _json_has_control(_json_body()):
            abort(400)
        return
    pairs = list(request.form.items(multi=True))
    if any(_CONTROL.search(key) for key, _value in pairs):
        abort(400)
    if any(_CONTROL.search(upload.filename or "") for _key, upload in request.files.items(multi=True)):
        abort(400)
    if request.blueprint in PARTICIPANT_BLUEPRINTS:
        _clean_participant_form(pairs)
    elif any(_CONTROL_IN_TEXT.search(value) for _key, value in pairs):
        abort(400)


def register_hygiene(app: Flask) -> None:
    """Ids in URLs bounded, and the control-character check first of every request's hooks."""
    app.url_map.converters["int"] = IdConverter
    app.before_request_funcs.setdefault(None, []).insert(0, refuse_control_characters)
