"""The side-by-side translation editor that surveys, forum sessions and actions share.

Each capability says which texts it has (`Text`: a form name, the texts per language, the language the
text was written in, its length limit); this module turns them into the rows of one page
(`templates/staff/_translate.html`): the text as written on one side, a box for the chosen language on the
other, sized to its content, with what was typed kept after a refusal. The page's view is one too
(`participation/staff/translate.py`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from participation.i18n.languages import shipped_languages

LINE_CHARACTERS = 50  # about what one line of a half-width box holds on a laptop
MOST_ROWS = 12


@dataclass(frozen=True)
class Text:
    """One translatable text of a survey, a forum session or an action."""

    name: str
    texts: dict[str, str]  # the model's own dict: storing a translation changes it in place
    source: str  # the language it was written in
    limit: int
    note: str = ""  # what it is, when the text alone does not say (the lowest face of a scale)


@dataclass(frozen=True)
class Row:
    """One row of the editor: the text as written and the box for the chosen language."""

    name: str
    source: str
    written: str
    value: str
    limit: int
    rows: int
    note: str = ""
    own: bool = False  # written in the chosen language itself: nothing to translate
    invalid: bool = False


@dataclass(frozen=True)
class Editor:
    """What the editor's page shows for one target language."""

    target: str
    base: str
    rows: list[Row]
    completeness: dict[str, tuple[int, int]]
    link: Callable[[str], str]  # the page for another language
    first_missing: str | None


def rows_for(*texts: str) -> int:
    """How many rows a box needs to show the longest of the texts without scrolling (at least one)."""
    needed = max(
        (
            sum(max(1, -(-len(line) // LINE_CHARACTERS)) for line in text.splitlines())
            for text in texts
            if text
        ),
        default=1,
    )
    return min(MOST_ROWS, max(1, needed))


def completeness(texts: list[Text], languages: list[str]) -> dict[str, tuple[int, int]]:
    """Per language: how many of the texts that exist as written are there in it (their own or translated)."""
    written = [text for text in texts if (text.texts.get(text.source) or "").strip()]
    return {
        lang: (sum(1 for text in written if (text.texts.get(lang) or "").strip()), len(written))
        for lang in languages
    }


def editor(
    texts: list[Text],
    target: str,
    base: str,
    link: Callable[[str], str],
    typed: Mapping[str, str] | None = None,
    errors: set[str] | frozenset[str] = frozenset(),
    languages: list[str] | None = None,
) -> Editor:
    """The page for `target`: one row per text, what was typed (after a refusal) before what is stored;
    `languages` are the ones to list with their completeness (every shipped one but the base language)."""
    typed = typed or {}
    rows = []
    first_missing = None
    for text in texts:
        written = text.texts.get(text.source, "")
        value = typed.get(text.name, text.texts.get(target, ""))
        own = text.source == target
        if (
            first_missing is None
            and not own
            and written.strip()
            and not (text.texts.get(target) or "").strip()
        ):
            first_missing = text.name
        rows.append(
            Row(
                name=text.name,
                source=text.source,
                written=written,
                value=value,
                limit=text.limit,
                rows=rows_for(written, value),
                note=text.note,
                own=own,
                invalid=text.name in errors,
            )
        )
    if languages is None:
        languages = [code for code in shipped_languages() if code != base]
    return Editor(target, base, rows, completeness(texts, languages), link, first_missing)


def too_long(texts: list[Text], submitted: Mapping[str, str]) -> set[str]:
    """The names of the submitted texts that are longer than their text may be."""
    limits = {text.name: text.limit for text in texts}
    return {name for name, value in submitted.items() if name in limits and len(value.strip()) > limits[name]}


def store(texts: list[Text], lang: str, submitted: Mapping[str, str]) -> list[Text]:
    """Put one language's submitted texts in place (the caller's transaction writes them); an empty box
    removes the translation, and a text's own language is never overwritten here. Returns those changed."""
    changed = []
    for text in texts:
        if text.name not in submitted or text.source == lang:
            continue
        value = submitted[text.name].strip()
        stored = text.texts
        if value == (stored.get(lang) or ""):
            continue
        if value:
            stored[lang] = value
        else:
            stored.pop(lang, None)
        changed.append(text)
    return changed


def first_other_language(base: str) -> str:
    """Where the editor opens when no language (or the base language) was asked for."""
    return next(code for code in shipped_languages() if code != base)
