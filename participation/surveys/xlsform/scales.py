"""A scale's choice list in XLSForm: five points, named 1–5, whose labels carry the scale's end words.

XLSForm has no column for a scale's end words, so they travel where a Kobo or ODK user puts them: in the
labels of the first and last choice ("😞 1 – Not safe at all" … "😄 5 – Very safe"). Reading strips the
face and the number again; a list whose ends say only the generic words has no end words of its own.
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
_GENERIC = {word.casefold() for words in SCALE_LABELS.values() for word in words}
_FACES = "".join(SCALE_FACES)


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


def words(label: str, point: int) -> str:
    """The words of a point's label without its face and its number: '😞 1 – Not safe' → 'Not safe'."""
    text = label.strip().lstrip(_FACES + "\ufe0f ").strip()
    text = re.sub(rf"^{point}(?!\d)\s*[-–—.:)=]?\s*", "", text)
    text = re.sub(rf"\s*[(\[]{point}[)\]]$", "", text)  # "Not safe (1)"
    return text.strip(" -–—:")


def _language_ends(said: list[str]) -> tuple[str, str, set[str]]:
    """One language's (low, high) words of points 1–5 as said, and the unit words ("star") if any.

    Only the generic words, or the same word at both ends ("1 star" … "5 stars"), bring no end words.
    """
    first, last = said[0], said[-1]
    unit = {word.casefold().rstrip("s") for word in (first, last) if word}
    if {word.casefold() for word in (first, last) if word} <= _GENERIC or (first and last and len(unit) == 1):
        return "", "", unit
    return first, last, unit


def ends(labels: Sequence[dict[str, str]]) -> tuple[dict[str, str], dict[str, str], bool]:
    """From the labels of points 1–5 in order: (low words, high words, whether points 2–4 had own words).

    One end alone is kept too: a translation of only the low end comes back as it went out.
    """
    low: dict[str, str] = {}
    high: dict[str, str] = {}
    middle = False
    for code in dict.fromkeys(code for texts in labels for code in texts):
        said = [words(texts.get(code, ""), point) for point, texts in enumerate(labels, start=1)]
        first, last, unit = _language_ends(said)
        low |= {code: first} if first else {}
        high |= {code: last} if last else {}
        middle = middle or any(
            word and word.casefold() not in _GENERIC and word.casefold().rstrip("s") not in unit
            for word in said[1:-1]
        )
    return low, high, middle
