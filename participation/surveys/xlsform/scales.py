"""A scale's choice list in XLSForm: five points, named 1–5, whose labels carry the scale's end words.

XLSForm has no column for a scale's end words, so they travel in the labels of the first and last choice
("😞 1 – Not safe at all" … "😄 5 – Very safe"). Only a list with Delaktig's faces in that order comes back
as a scale; any other list keeps its own labels as a choice question, so nothing changes its meaning.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from participation.surveys.labels import SCALE_FACES
from participation.surveys.models import SCALE_POINTS, Question

# The app's own translations of the generic points (see translations/*/messages.po).
SCALE_LABELS = {
    "sv": ("Mycket dåligt", "Dåligt", "Varken bra eller dåligt", "Bra", "Mycket bra"),
    "en": ("Very bad", "Bad", "Neither good nor bad", "Good", "Very good"),
    "ar": ("سيئ جدًا", "سيئ", "لا جيد ولا سيئ", "جيد", "جيد جدًا"),
    "fa-AF": ("بسیار بد", "بد", "نه خوب، نه بد", "خوب", "بسیار خوب"),
    "so": ("Aad u xun", "Xun", "Ma wanaagsana, mana xuma", "Wanaagsan", "Aad u wanaagsan"),
    "ti": ("ኣዝዩ ሕማቕ", "ሕማቕ", "ጽቡቕ ኮነ ሕማቕ ኣይኮነን", "ጽቡቕ", "ኣዝዩ ጽቡቕ"),
    "fi": ("Erittäin huono", "Huono", "Ei hyvä eikä huono", "Hyvä", "Erittäin hyvä"),
}
# The app's own translations of the fixed answers (see translations/*/messages.po).
YES_NO_LABELS = {
    "sv": ("Ja", "Nej"),
    "en": ("Yes", "No"),
    "ar": ("نعم", "لا"),
    "fa-AF": ("بلی", "نخیر"),
    "so": ("Haa", "Maya"),
    "ti": ("እወ", "ኣይፋል"),
    "fi": ("Kyllä", "Ei"),
}


def point_texts(question: Question, languages: list[str]) -> list[dict[str, str]]:
    """The five choice labels per language: the face, then the generic word or the point's number and end word."""
    rows = []
    for index in range(SCALE_POINTS):
        point, face = index + 1, SCALE_FACES[index]
        end = {1: question.scale_low, SCALE_POINTS: question.scale_high}.get(point) or {}
        texts = {}
        for code in languages:
            if not question.has_scale_ends:
                texts[code] = f"{face} {SCALE_LABELS.get(code, SCALE_LABELS['en'])[index]}"
            elif (end.get(code) or "").strip():
                texts[code] = f"{face} {point} – {end[code].strip()}"
            else:
                texts[code] = f"{face} {point}"
        rows.append(texts)
    return rows


def _after_face(label: str, index: int) -> str | None:
    """A label's words after the face of point index+1, or None when it does not start with that face."""
    text = label.strip()
    face = SCALE_FACES[index]
    if not text.startswith(face):
        return None
    return text[len(face) :].lstrip("\ufe0f").strip()


def _numbered(said: list[str]) -> tuple[str, str] | None:
    """('low words', 'high words') of '1 – words', '2', '3', '4', '5 – words'; None if not of that form."""
    ends = []
    for point, text in enumerate(said, start=1):
        match = re.fullmatch(rf"{point}(?:\s*[–-]\s*(.+))?", text)
        if match is None or (match.group(1) and point not in (1, SCALE_POINTS)):
            return None
        ends.append((match.group(1) or "").strip())
    return ends[0], ends[-1]


def _words_after_faces(labels: Sequence[dict[str, str]], code: str) -> list[str] | None:
    """One language's words after each point's face, or None when a label lacks its face."""
    said = [_after_face(texts.get(code, ""), index) for index, texts in enumerate(labels)]
    return None if None in said else [str(text) for text in said]


def _language_scale(words: list[str] | None, code: str) -> tuple[str, str, str] | None:
    """('generic' or 'numbered', low, high) for one language's words after the faces; None if neither."""
    if words is None:
        return None
    if [word.casefold() for word in words] == [word.casefold() for word in SCALE_LABELS.get(code, ())]:
        return "generic", "", ""
    numbered = _numbered(words)
    return None if numbered is None else ("numbered", *numbered)


def scale_list(
    keys: list[str], labels: Sequence[dict[str, str]]
) -> tuple[dict[str, str], dict[str, str]] | None:
    """The (low, high) end words when a list is a Delaktig scale as its export writes it, else None.

    Only the faces from sad at 1 to happy at 5 say which end is which; a list of 1–5 with its own
    words (1 = 'Very safe' is as common as 1 = 'Not safe') stays a choice question with its own labels.
    """
    if keys != [str(point) for point in range(1, SCALE_POINTS + 1)]:
        return None
    low: dict[str, str] = {}
    high: dict[str, str] = {}
    modes = set()
    for code in dict.fromkeys(code for texts in labels for code in texts):
        found = _language_scale(_words_after_faces(labels, code), code)
        if found is None:
            return None
        modes.add(found[0])
        low |= {code: found[1]} if found[1] else {}
        high |= {code: found[2]} if found[2] else {}
    if len(modes) != 1 or (modes == {"numbered"} and not (low or high)):
        return None
    return low, high


def yes_no_list(keys: list[str], labels: Sequence[dict[str, str]]) -> bool:
    """Whether a list is Delaktig's own yes/no: 'yes', 'no' with the app's words in every language."""
    codes = {code for texts in labels for code in texts}
    return (
        keys == ["yes", "no"]
        and bool(codes)
        and all(
            [texts.get(code, "").strip().casefold() for texts in labels]
            == [word.casefold() for word in YES_NO_LABELS.get(code, ("", ""))]
            for code in codes
        )
    )
