"""Reading the survey sheet's rows into questions, with what each row could not bring along."""

from __future__ import annotations

import re

from participation.surveys.editing import KEY
from participation.surveys.models import (
    FREE_TEXT_MAX,
    NUMBER_LIMIT,
    RANKING_MAX,
    SCALE_POINTS,
    Option,
    Question,
    QuestionKind,
)
from participation.surveys.xlsform.reading import FormReading
from participation.surveys.xlsform.scales import ends as scale_ends

_SELECT_TYPES = {
    "select_one": "select_one",
    "select one": "select_one",
    "select_multiple": "select_multiple",
    "select all that apply": "select_multiple",
    "rank": "rank",
}
_SIMPLE_TYPES = {
    "text": QuestionKind.FREE_TEXT,
    "string": QuestionKind.FREE_TEXT,
    "integer": QuestionKind.NUMBER,
    "int": QuestionKind.NUMBER,
}
_METADATA_TYPES = {
    "start", "end", "today", "deviceid", "subscriberid", "simserial", "phonenumber", "username",
    "email", "audit", "imei", "start-geopoint", "start_geopoint", "background-geopoint",
    "background_geopoint", "background-audio", "background_audio", "uri:deviceid", "uri:email",
    "uri:username", "uri:phonenumber", "uri:subscriberid", "uri:simserial", "instanceid",
}  # fmt: skip
_GROUP_TYPES = {"begin_group", "begin_repeat", "end_group", "end_repeat"}
_UNSUPPORTED_REASONS = {
    "note": "Delaktig surveys have no notes",
    "calculate": "Delaktig does not calculate values",
    "decimal": "Delaktig asks for whole numbers only",
    "range": "Delaktig has no slider questions",
    "date": "Delaktig does not ask for dates or times",
    "time": "Delaktig does not ask for dates or times",
    "datetime": "Delaktig does not ask for dates or times",
    "geopoint": "Delaktig never asks for a location",
    "geotrace": "Delaktig never asks for a location",
    "geoshape": "Delaktig never asks for a location",
    "image": "Delaktig does not take photos, recordings or files",
    "audio": "Delaktig does not take photos, recordings or files",
    "video": "Delaktig does not take photos, recordings or files",
    "file": "Delaktig does not take photos, recordings or files",
    "barcode": "Delaktig does not scan codes",
}
# Columns with content Delaktig has no place for, and why.
_DROPPED_COLUMNS = {
    "hint": "Delaktig questions have no hints",
    "guidance_hint": "Delaktig questions have no hints",
    "image": "Delaktig shows no pictures, sound or video",
    "audio": "Delaktig shows no pictures, sound or video",
    "video": "Delaktig shows no pictures, sound or video",
    "media": "Delaktig shows no pictures, sound or video",
    "default": "Delaktig questions start unanswered",
    "choice_filter": "Delaktig always shows every option",
}
_TRUE = {"yes", "true", "true()", "1"}
_FALSE = {"", "no", "false", "false()", "0"}
_RELEVANT = (
    re.compile(r"^\$\{\s*([^}\s]+)\s*\}\s*=\s*(['\"])(.*?)\2$"),
    re.compile(r"^selected\(\s*\$\{\s*([^}\s]+)\s*\}\s*,\s*(['\"])(.*?)\2\s*\)$"),
)
_BOUND = re.compile(r"^\.\s*(>=|<=|>|<)\s*(-?\d+)$")
_COUNT_SELECTED = re.compile(r"^count-selected\(\s*\.\s*\)\s*(<=|<)\s*(\d+)$")
_STRING_LENGTH = re.compile(r"^string-length\(\s*\.\s*\)\s*(<=|<)\s*(\d+)$")


class QuestionRows(FormReading):
    """The survey sheet's rows, one question each, or skipped and reported."""

    def _read_row(self, number: int, row: dict[str, str]) -> None:
        """One survey sheet row: a question, or a row that is skipped and reported."""
        raw_type = " ".join(row.get("type", "").split())
        name = row.get("name", "")
        select, list_name, or_other = _split_type(raw_type)
        type_word = "_".join(raw_type.lower().split())
        if not raw_type:
            self._problem("Survey", number, f"the row '{name}' was not imported: it has no type.")
        elif type_word in _SELECT_TYPES.values():
            self._error("Survey", number, f"the question '{name}' ({type_word}) names no choice list.")
        elif select is not None:
            self._read_select(number, row, select, list_name, or_other)
        elif type_word in _SIMPLE_TYPES:
            self._read_question(number, row, _SIMPLE_TYPES[type_word], [])
        else:
            self._skip(number, row, type_word)

    def _skip(self, number: int, row: dict[str, str], type_word: str) -> None:
        """Report a row of a type Delaktig does not ask."""
        name = row.get("name", "") or type_word
        if type_word in _METADATA_TYPES:
            what = f"'{name}'" if name == type_word else f"'{name}' ({type_word})"
            why = "Delaktig never collects it, because participants are anonymous"
            self._problem("Survey", number, f"{what} was not imported: {why}.")
        elif type_word in {"begin_group", "begin_repeat"}:
            self._problem("Survey", number, _group_text(type_word, name, row.get("relevant", "")))
        elif type_word not in _GROUP_TYPES:
            why = _UNSUPPORTED_REASONS.get(type_word, f"Delaktig has no question of the type '{type_word}'")
            self._problem("Survey", number, f"'{name}' ({type_word}) was not imported: {why}.")

    def _read_select(
        self, number: int, row: dict[str, str], select: str, list_name: str, or_other: bool
    ) -> None:
        """A select_one, select_multiple or rank question, with the options of its list."""
        if list_name not in self.lists:
            self._error(
                "Survey",
                number,
                f"the question '{row.get('name', '')}' uses the choice list '{list_name}', "
                "which is not on the choices sheet.",
            )
            return
        if or_other:
            self._problem(
                "Survey",
                number,
                "the 'or_other' choice was not imported; participants choose among the listed options.",
            )
        names = {choice.key.lower() for choice in self.lists[list_name]}
        if select == "select_one" and names == {"yes", "no"}:
            self._read_question(number, row, QuestionKind.YES_NO, [])
        elif select == "select_one" and names == {str(point) for point in range(1, SCALE_POINTS + 1)}:
            self._read_question(number, row, QuestionKind.SCALE, [])
            self._read_scale_ends(number, row.get("name", ""), list_name)
        elif self._check_list(list_name):
            kind = {
                "select_one": QuestionKind.SINGLE_CHOICE,
                "select_multiple": QuestionKind.MULTIPLE_CHOICE,
                "rank": QuestionKind.RANKING,
            }[select]
            self._read_question(number, row, kind, self._options(list_name))

    def _read_scale_ends(self, number: int, key: str, list_name: str) -> None:
        """The scale's own end words from its list's first and last labels; the faces stay Delaktig's."""
        _row, question = self.by_key.get(key, (0, None))
        if question is None or question.kind is not QuestionKind.SCALE:
            return
        by_point = {choice.key: choice for choice in self.lists[list_name]}
        labels = [by_point[str(point)].labels for point in range(1, SCALE_POINTS + 1)]
        low, high, middle = scale_ends(labels)
        if low or high:
            self._check_texts("Choices", by_point["1"].number, low, "label", "label")
            self._check_texts("Choices", by_point[str(SCALE_POINTS)].number, high, "label", "label")
            question.scale_low, question.scale_high = low, high
        if middle:
            self._problem(
                "Choices",
                by_point["2"].number,
                f"the words of points 2–{SCALE_POINTS - 1} in the list '{list_name}' were not imported: "
                "a Delaktig scale shows a face and a number there, and its own words only at the two ends.",
            )

    def _read_question(
        self, number: int, row: dict[str, str], kind: QuestionKind, options: list[Option]
    ) -> None:
        """A question of a kind, with its label, required, themes, constraint and condition."""
        key = row.get("name", "")
        if not self._check_key(number, key):
            return
        prompt = self._texts(row, self.columns)
        if not prompt:
            self._error("Survey", number, f"the question '{key}' has no label.")
        self._check_texts("Survey", number, prompt, "prompt", "label")
        question = Question(key=key, kind=kind, prompt=prompt, position=len(self.questions), options=options)
        question.required = self._required(number, row.get("required", ""))
        question.themes = self._themes("Survey", number, row.get("themes", ""))
        self._read_constraint(number, row, question)
        self._read_relevant(number, row.get("relevant", ""), question)
        self._report_dropped_columns(number, row)
        self.by_key[key] = (number, question)
        self.questions.append(question)

    def _check_key(self, number: int, key: str) -> bool:
        """Whether a question name is a valid, unused key; an error otherwise."""
        if not KEY.match(key):
            self._error(
                "Survey",
                number,
                f"the name '{key}' cannot be used: names start with a letter or _ "
                "and have only letters, digits and _, at most 60 characters.",
            )
            return False
        if key in self.by_key:
            self._error("Survey", number, f"the name '{key}' is already used on row {self.by_key[key][0]}.")
            return False
        return True

    def _required(self, number: int, value: str) -> bool:
        """yes/true/1 is required; an expression is reported and left optional."""
        if value.lower() in _TRUE | _FALSE:
            return value.lower() in _TRUE
        self._problem(
            "Survey", number, f"the required condition '{value}' was not imported; the question is optional."
        )
        return False

    def _read_relevant(self, number: int, expression: str, question: Question) -> None:
        """show_if from `${q} = 'x'` or `selected(${q}, 'x')` on an option of an earlier question."""
        if not expression:
            return
        match = next((m for pattern in _RELEVANT if (m := pattern.match(expression.strip()))), None)
        if match:
            _row, parent = self.by_key.get(match.group(1), (0, None))
            option = next((o for o in parent.options if o.key == match.group(3)), None) if parent else None
            if option is not None:
                self.show_if.append((question, option))
                return
        self._problem(
            "Survey",
            number,
            f"the condition (relevant) '{expression}' was not imported; the question will always be shown. "
            "Delaktig can only show a question when an option of an earlier choice question was chosen.",
        )

    def _read_constraint(self, number: int, row: dict[str, str], question: Question) -> None:
        """min/max, max_choices or the text length from the constraint (and max_choices) columns."""
        expression = row.get("constraint", "").strip()
        kind = question.kind
        understood = not expression
        if kind is QuestionKind.NUMBER and expression:
            understood = self._read_bounds(number, expression, question)
        elif kind in (QuestionKind.MULTIPLE_CHOICE, QuestionKind.RANKING) and expression:
            understood = self._read_count(number, _COUNT_SELECTED.match(expression), question)
        elif kind is QuestionKind.FREE_TEXT and (match := _STRING_LENGTH.match(expression)):
            understood = True
            if int(match.group(2)) - (match.group(1) == "<") != FREE_TEXT_MAX:
                self._problem(
                    "Survey", number, f"Delaktig accepts answers of up to {FREE_TEXT_MAX} characters."
                )
        if kind is QuestionKind.RANKING:
            self._read_ranking_limit(number, row.get("max_choices", ""), question)
        if not understood:
            self._problem(
                "Survey",
                number,
                f"the constraint '{expression}' was not imported; answers are not checked by it.",
            )

    def _read_bounds(self, number: int, expression: str, question: Question) -> bool:
        """min/max of a number from '. >= A and . <= B'; False if not of that form."""
        bounds = _number_bounds(expression)
        if bounds is None:
            return False
        question.min_value, question.max_value = bounds
        for value in bounds:
            if value is not None and abs(value) > NUMBER_LIMIT:
                self._error("Survey", number, f"the number limit {value} is outside ±{NUMBER_LIMIT:,}.")
        low, high = bounds
        if low is not None and high is not None and low > high:
            self._error("Survey", number, "the smallest number allowed is larger than the largest.")
        return True

    def _read_count(self, number: int, match: re.Match[str] | None, question: Question) -> bool:
        """max_choices from 'count-selected(.) <= N'; False if not of that form."""
        if match is None:
            return False
        limit = int(match.group(2)) - (match.group(1) == "<")
        if limit < 1:
            self._error("Survey", number, "the constraint allows no choice at all.")
        question.max_choices = limit
        return True

    def _read_ranking_limit(self, number: int, value: str, question: Question) -> None:
        """A ranking asks for the top three at most; a Kobo rank question orders every option."""
        if value.isdigit() and int(value) >= 1:
            question.max_choices = int(value)
        elif value:
            self._problem(
                "Survey", number, f"max_choices '{value}' was not imported: it is not a number from 1."
            )
        if (question.max_choices or len(question.options)) > RANKING_MAX:
            self._problem(
                "Survey", number, f"Delaktig asks participants to rank only their top {RANKING_MAX} options."
            )
            question.max_choices = RANKING_MAX if question.max_choices else None

    def _report_dropped_columns(self, number: int, row: dict[str, str]) -> None:
        """One problem per column with content Delaktig has no place for (hint, media…)."""
        reported = set()
        for header, value in row.items():
            base = header.partition("::")[0]
            if value and base in _DROPPED_COLUMNS and base not in reported:
                reported.add(base)
                self._problem(
                    "Survey",
                    number,
                    f"the {base.replace('_', ' ')} was not imported: {_DROPPED_COLUMNS[base]}.",
                )


def _split_type(raw: str) -> tuple[str | None, str, bool]:
    """('select_one', list name, or_other) for a select or rank type; (None, '', False) otherwise."""
    words = raw.split()
    or_other = len(words) > 2 and words[-1].lower() == "or_other"
    if or_other:
        words = words[:-1]
    lowered = " ".join(words).lower()
    for prefix, select in _SELECT_TYPES.items():
        if lowered.startswith(prefix + " ") and len(words) == len(prefix.split()) + 1:
            return select, words[-1], or_other
    return None, "", False


def _group_text(type_word: str, name: str, relevant: str) -> str:
    """The problem text for a group or repeat whose questions were imported on their own."""
    if type_word == "begin_repeat":
        text = f"the repeat '{name}' was not imported: its questions are asked once."
    else:
        text = f"the group '{name}' was not imported: its questions were imported on their own."
    if relevant:
        text += f" Its condition (relevant) '{relevant}' was not imported; they will always be shown."
    return text


def _number_bounds(expression: str) -> tuple[int | None, int | None] | None:
    """(min, max) from '. >= A and . <= B' (either part alone, > and < too); None if not of that form."""
    low = high = None
    for part in re.split(r"\s+and\s+", expression.strip()):
        match = _BOUND.match(part.strip())
        if match is None:
            return None
        operator, value = match.group(1), int(match.group(2))
        if operator.startswith(">") and low is None:
            low = value + (operator == ">")
        elif operator.startswith("<") and high is None:
            high = value - (operator == "<")
        else:
            return None
    return low, high
