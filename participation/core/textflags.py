"""Automatic flags on free text: likely personal data and abusive words. A human always decides."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+", re.UNICODE)
# Swedish mobile and landline numbers, with or without +46, and any long run of digits with separators.
PHONE = re.compile(r"(?<!\d)(?:(?:\+|00)\d{1,3}[\s-]?)?(?:\(?0\)?[\s-]?)?\d(?:[\s-]?\d){6,11}(?!\d)")
ISO_DATE = re.compile(r"(?<!\d)\d{4}-\d{2}-\d{2}(?!\d)")
PERSONAL_NUMBER = re.compile(r"(?<!\d)(?:19|20)?(\d{6})[-+\s]?(\d{4})(?!\d)")
NAME_INTRO = re.compile(
    r"\b(?:jag\s+heter|mitt\s+namn\s+är|jag\s+är\s+\w+\s+och\s+heter|my\s+name\s+is|i\s+am\s+called|"
    r"i'?m\s+called|call\s+me|nimeni\s+on|magacaygu\s+waa|اسمي|اسم\s+من)\s+\S+",
    re.IGNORECASE | re.UNICODE,
)
# Kept short and plain on purpose: a word list only decides what a person looks at first.
ABUSIVE = frozenset(
    """
    idiot idioter jävla jävel fitta fittor kuk kukar hora horor bög bögar neger negrer blatte blattar
    svartskalle svartskallar mongo cp-skada cpskada efterbliven hora slyna luder
    fuck fucking fucker shit bitch bitches cunt whore slut retard retarded nigger niggers faggot
    dick bastard moron
    """.split()
)

FLAG_EMAIL = "email"
FLAG_PHONE = "phone"
FLAG_PERSONAL_NUMBER = "personal_number"
FLAG_NAME = "name"
FLAG_ABUSE = "abuse"
FLAG_ORDER = (FLAG_EMAIL, FLAG_PERSONAL_NUMBER, FLAG_PHONE, FLAG_NAME, FLAG_ABUSE)
WORD = re.compile(r"[\w-]+", re.UNICODE)


@dataclass(frozen=True)
class Span:
    """One stretch of a text, text[start:end], that looks like `flag`."""

    start: int
    end: int
    flag: str


def _luhn_ok(digits: str) -> bool:
    total = 0
    for index, char in enumerate(digits):
        value = int(char) * (2 if index % 2 == 0 else 1)
        total += value - 9 if value > 9 else value
    return total % 10 == 0


def _personal_numbers(text: str) -> list[Span]:
    spans = []
    for match in PERSONAL_NUMBER.finditer(text):
        date, tail = match.group(1), match.group(2)
        month, day = int(date[2:4]), int(date[4:6])
        # Coordination numbers add 60 to the day.
        if 1 <= month <= 12 and (1 <= day <= 31 or 61 <= day <= 91) and _luhn_ok(date + tail):
            spans.append(Span(match.start(), match.end(), FLAG_PERSONAL_NUMBER))
    return spans


def _blanked(text: str, spans: list[tuple[int, int]]) -> str:
    """The text with the given stretches replaced by as many spaces, so offsets stay where they were."""
    for start, end in spans:
        text = text[:start] + " " * (end - start) + text[end:]
    return text


def _abusive_words(text: str) -> list[Span]:
    return [
        Span(match.start(), match.end(), FLAG_ABUSE)
        for match in WORD.finditer(text)
        if unicodedata.normalize("NFKC", match.group()).casefold() in ABUSIVE
    ]


def find_spans(text: str) -> list[Span]:
    """Where in the text each likely piece of personal data or abuse is, in reading order.

    A number that is a valid personal identity number is not also a phone number; an e-mail address or an
    ISO date is never read as one either.
    """
    emails = [Span(m.start(), m.end(), FLAG_EMAIL) for m in EMAIL.finditer(text)]
    numbers = _personal_numbers(text)
    dates = [(m.start(), m.end()) for m in ISO_DATE.finditer(text)]
    masked = _blanked(text, [(s.start, s.end) for s in emails + numbers] + dates)
    phones = [Span(m.start(), m.end(), FLAG_PHONE) for m in PHONE.finditer(masked)]
    names = [Span(m.start(), m.end(), FLAG_NAME) for m in NAME_INTRO.finditer(text)]
    spans = emails + numbers + phones + names + _abusive_words(text)
    return sorted(spans, key=lambda span: (span.start, -span.end))


def detect_flags(text: str) -> list[str]:
    """The reasons a text must not be shown before a person has read it; empty when none is seen."""
    found = {span.flag for span in find_spans(text)}
    return [flag for flag in FLAG_ORDER if flag in found]
