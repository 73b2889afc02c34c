"""Forms read from the HTML as a browser sees them, and the survey form filled in as a participant would."""

from __future__ import annotations

import random
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

FREE_TEXTS = [
    "Fler kvällsaktiviteter på fritidsgården",
    "Bättre belysning vid gångtunneln",
    "More summer jobs for people under 16",
    "Läxhjälp på helgerna också",
    "مكان للشباب مفتوح في عطلة نهاية الأسبوع",
    "Garoon ciyaareed oo gabdhaha u gaar ah",
]


@dataclass
class Group:
    """One <fieldset class="question">: a question (q<id>) or a profile field (profile_*)."""

    name: str
    kind: str
    required: bool
    show_if: str | None
    choices: dict[str, list[str]] = field(default_factory=dict)  # radio/checkbox name -> values
    selects: dict[str, list[str]] = field(default_factory=dict)  # ranking <select> name -> option values
    text_fields: list[str] = field(default_factory=list)  # <textarea>, <input type="text">
    hints: list[str] = field(default_factory=list)


class FormParser(HTMLParser):
    """Reads a form as a browser would see it: hidden inputs and every question's fields."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.hidden: dict[str, str] = {}
        self.groups: list[Group] = []
        self._group: Group | None = None
        self._select: str | None = None
        self._hint: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {key: value or "" for key, value in attrs}
        if tag == "fieldset" and "question" in a.get("class", "").split():
            self._group = Group(
                name=a.get("id", ""),
                kind=a.get("data-kind", ""),
                required="data-required" in a,
                show_if=a.get("data-show-if") or None,
            )
            self.groups.append(self._group)
        elif tag == "input":
            self._input(a)
        elif self._group is not None:
            self._question_field(tag, a, self._group)

    def _input(self, a: dict[str, str]) -> None:
        kind = a.get("type", "text")
        if kind == "hidden":
            self.hidden[a["name"]] = a.get("value", "")
        elif self._group is not None and kind in {"radio", "checkbox"}:
            self._group.choices.setdefault(a["name"], []).append(a["value"])
        elif self._group is not None and kind == "text":
            self._group.text_fields.append(a["name"])

    def _question_field(self, tag: str, a: dict[str, str], group: Group) -> None:
        """A field of the question being read other than an <input>: text area, ranking, hint."""
        if tag == "textarea":
            group.text_fields.append(a["name"])
        elif tag == "select":
            self._select = a["name"]
            group.selects[self._select] = []
        elif tag == "option" and self._select and a.get("value"):
            group.selects[self._select].append(a["value"])
        elif tag == "p" and "hint" in a.get("class", "").split():
            self._hint = []

    def handle_endtag(self, tag: str) -> None:
        if tag == "fieldset":
            self._group = None
        elif tag == "select":
            self._select = None
        elif tag == "p" and self._hint is not None:
            if self._group is not None:
                self._group.hints.append("".join(self._hint))
            self._hint = None

    def handle_data(self, data: str) -> None:
        if self._hint is not None:
            self._hint.append(data)


def parse_form(page: str) -> FormParser:
    parser = FormParser()
    parser.feed(page)
    parser.close()
    return parser


def _numbers_in_last_hint(group: Group) -> list[int]:
    """Numbers in the question's own hint ("Choose up to 2.", "A whole number from 0 to 80."), which
    comes after the "Answer this only if you chose …" hint of a conditional question."""
    return [int(number) for number in re.findall(r"\d+", group.hints[-1])] if group.hints else []


def answer_form(form: FormParser, rng: random.Random) -> tuple[list[tuple[str, str]], int]:
    """A valid answer set for the parsed form, and how many answer rows it should store.

    Answers every required question, most optional ones, and only questions that are shown (a
    question with data-show-if appears only when that option was chosen earlier in the form).
    """
    fields = list(form.hidden.items())
    expected_answers = 0
    chosen_options: set[str] = set()
    for group in form.groups:
        if group.show_if is not None and group.show_if not in chosen_options:
            continue
        if group.kind == "profile":
            fields += [
                (name, rng.choice(values)) for name, values in group.choices.items() if rng.random() < 0.8
            ]
            continue
        if not group.required and rng.random() < 0.25:
            continue
        answered = _answer(group, rng)
        fields += answered
        if group.kind in {"single_choice", "multiple_choice", "ranking"}:
            chosen_options.update(value for _name, value in answered)
        expected_answers += len(answered)
    return fields, expected_answers


def _answer(group: Group, rng: random.Random) -> list[tuple[str, str]]:
    """The form fields answering one question; one answer row each."""
    if group.kind == "ranking":
        ranks = list(group.selects)  # q<id>_1, q<id>_2, ...
        options = rng.sample(group.selects[ranks[0]], rng.randint(1, len(ranks)))
        return list(zip(ranks, options, strict=False))
    name = group.text_fields[0] if group.kind in {"number", "free_text"} else group.name
    return [(name, value) for value in _values(group, rng)]


def _values(group: Group, rng: random.Random) -> list[str]:
    if group.kind in {"single_choice", "scale", "yes_no"}:
        return [rng.choice(group.choices[group.name])]
    if group.kind == "multiple_choice":
        values = group.choices[group.name]
        limit = max(1, min([len(values), *_numbers_in_last_hint(group)]))
        return rng.sample(values, rng.randint(1, limit))
    if group.kind == "number":
        bounds = _numbers_in_last_hint(group)
        low, high = (bounds[0], bounds[1]) if len(bounds) >= 2 else (0, 10)
        return [str(rng.randint(low, min(high, low + 40)))]
    if group.kind == "free_text":
        return [rng.choice(FREE_TEXTS)]
    raise RuntimeError(f"unknown question kind {group.kind!r} in {group.name}")
