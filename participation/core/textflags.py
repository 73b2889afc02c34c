"""Automatic flags on free text: likely personal data and abusive words. A human always decides."""

from __future__ import annotations

import re
import unicodedata

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


def _luhn_ok(digits: str) -> bool:
    total = 0
    for index, char in enumerate(digits):
        value = int(char) * (2 if index % 2 == 0 else 1)
        total += value - 9 if value > 9 else value
    return total % 10 == 0


def _has_personal_number(text: str) -> bool:
    for match in PERSONAL_NUMBER.finditer(text):
        date, tail = match.group(1), match.group(2)
        month, day = int(date[2:4]), int(date[4:6])
        # Coordination numbers add 60 to the day.
        if 1 <= month <= 12 and (1 <= day <= 31 or 61 <= day <= 91) and _luhn_ok(date + tail):
            return True
    return False


def _words(text: str) -> set[str]:
    folded = unicodedata.normalize("NFKC", text).casefold()
    return set(re.findall(r"[\w-]+", folded))


def detect_flags(text: str) -> list[str]:
    """The reasons a text must not be shown before a person has read it; empty when none is seen."""
    flags: list[str] = []
    if EMAIL.search(text):
        flags.append(FLAG_EMAIL)
    if _has_personal_number(text):
        flags.append(FLAG_PERSONAL_NUMBER)
    elif PHONE.search(ISO_DATE.sub(" ", EMAIL.sub(" ", text))):
        flags.append(FLAG_PHONE)
    if NAME_INTRO.search(text):
        flags.append(FLAG_NAME)
    if _words(text) & ABUSIVE:
        flags.append(FLAG_ABUSE)
    return flags
