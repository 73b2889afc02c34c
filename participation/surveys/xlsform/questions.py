"""Reading the survey sheet's rows into questions, with what each row could not bring along."""

from __future__ import annotations

import re

from participation.surveys.editing import KEY
from participation.surveys.models import KEY_MAX, Option, Question, QuestionKind
from participation.surveys.xlsform.columns import SURVEY_COLUMNS, dropped_cells
from participation.surveys.xlsform.conditions import Conditions
from participation.surveys.xlsform.problems import LazyString, _l
from participation.surveys.xlsform.scales import scale_list, yes_no_list

# pyxform's spellings of each select type, longest first so 'select one from' wins over 'select one'.
_SELECT_WORDS = (
    ("select all that apply from", "select_multiple"),
    ("select all that apply", "select_multiple"),
    ("select_multiple", "select_multiple"),
    ("select multiple", "select_multiple"),
    ("select one from", "select_one"),
    ("select_one", "select_one"),
    ("select one", "select_one"),
    ("select1", "select_one"),
    ("rank", "rank"),
)
_OTHER = re.compile(r"\s+(or_other|or specify other)$", re.IGNORECASE)
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
_GROUP_ENDS = {"end_group", "end_repeat", "end group", "end repeat"}
_NO_FILES = _l("Delaktig does not take photos, recordings or files")
_NO_LOCATION = _l("Delaktig never asks for a location")
_NO_DATES = _l("Delaktig does not ask for dates or times")
_UNSUPPORTED_REASONS = {
    "calculate": _l("Delaktig does not calculate values"),
    "hidden": _l("Delaktig does not calculate values"),
    "decimal": _l("Delaktig asks for whole numbers only"),
    "range": _l("Delaktig has no slider questions"),
    "date": _NO_DATES,
    "time": _NO_DATES,
    "datetime": _NO_DATES,
    "geopoint": _NO_LOCATION,
    "geotrace": _NO_LOCATION,
    "geoshape": _NO_LOCATION,
    "image": _NO_FILES,
    "audio": _NO_FILES,
    "video": _NO_FILES,
    "file": _NO_FILES,
    "background-audio": _NO_FILES,
    "barcode": _l("Delaktig does not scan codes"),
    "acknowledge": _l("Delaktig has no questions that are only confirmed"),
    "note": _l("Delaktig shows a text only before the first question, as the survey's introduction"),
}
_KINDS = {
    "select_one": QuestionKind.SINGLE_CHOICE,
    "select_multiple": QuestionKind.MULTIPLE_CHOICE,
    "rank": QuestionKind.RANKING,
}


class QuestionRows(Conditions):
    """The survey sheet's rows, one question each, or skipped and reported."""

    def _read_row(self, number: int, row: dict[str, str]) -> None:
        """One survey sheet row: a question, or a row that is skipped and reported."""
        raw_type = " ".join(row.get("type", "").split())
        name = row.get("name", "")
        select, list_name, or_other = split_type(raw_type)
        type_word = raw_type.lower()
        if not raw_type:
            self._skipped(number, name, "", _l("it has no type"))
        elif select is not None and not list_name:
            self._skipped(number, name, raw_type, _l("it names no choice list"))
        elif select is not None:
            self._read_select(number, row, select, list_name, or_other)
        elif type_word in _SIMPLE_TYPES:
            self._read_question(number, row, _SIMPLE_TYPES[type_word], [])
        else:
            self._skip(number, row, type_word)

    def _skipped(self, number: int, name: str, type_word: str, why: LazyString) -> None:
        """Report a row that was not imported, and why."""
        if type_word and type_word != name:
            what = _l("'%(name)s' (%(type)s)", name=name, type=type_word)
        else:
            what = _l("'%(name)s'", name=name or type_word)
        self._problem("survey", number, _l("%(what)s was not imported: %(why)s.", what=what, why=why))

    def _skip(self, number: int, row: dict[str, str], type_word: str) -> None:
        """Report a row of a type Delaktig does not ask."""
        name = row.get("name", "") or type_word
        word = type_word.replace(" ", "_")
        if type_word in _METADATA_TYPES:
            self._skipped(
                number, name, type_word, _l("Delaktig never collects it, because participants are anonymous")
            )
        elif word in {"begin_group", "begin_repeat"}:
            self._problem("survey", number, _group_text(word, name, row.get("relevant", "")))
        elif type_word not in _GROUP_ENDS:
            why = _UNSUPPORTED_REASONS.get(word) or _l(
                "Delaktig has no question of the type '%(type)s'", type=type_word
            )
            self._skipped(number, name, type_word, why)

    def _read_select(
        self, number: int, row: dict[str, str], select: str, list_name: str, or_other: bool
    ) -> None:
        """A select_one, select_multiple or rank question, with the options of its list."""
        name = row.get("name", "")
        if list_name not in self.lists:
            self._skipped(
                number,
                name,
                select,
                _l("its choice list '%(list)s' is not on the choices sheet", list=list_name),
            )
            return
        checked = self._checked_list(list_name)
        if checked.fault is not None:
            why = _l(
                "its list '%(list)s' cannot be used (row %(row)s: %(why)s)",
                list=list_name,
                row=checked.fault_row,
                why=checked.fault,
            )
            self._skipped(number, name, select, why)
            return
        keys = [choice.key for choice in checked.choices]
        labels = [choice.labels for choice in checked.choices]
        scale = scale_list(keys, labels) if select == "select_one" else None
        if select == "select_one" and yes_no_list(keys, labels):
            question = self._read_question(number, row, QuestionKind.YES_NO, [])
            if question is not None:
                self.yes_no_lists[question.key] = list_name
        elif scale is not None:
            question = self._read_question(number, row, QuestionKind.SCALE, [])
            if question is not None and (scale[0] or scale[1]):
                question.scale_low, question.scale_high = scale
        else:
            question = self._read_question(number, row, _KINDS[select], self._options(checked.choices))
        if question is not None and or_other:
            self._problem(
                "survey",
                number,
                _l("the 'or_other' choice was not imported; participants choose among the listed options."),
            )

    def _read_question(
        self, number: int, row: dict[str, str], kind: QuestionKind, options: list[Option]
    ) -> Question | None:
        """A question of a kind, with its label, required, themes, constraint and condition."""
        key = row.get("name", "")
        prompt = self._texts(row, self.columns)
        why = self._question_fault(key, prompt)
        if why is not None:
            self._skipped(number, key, "", why)
            return None
        self._report_references("survey", number, prompt)
        question = Question(key=key, kind=kind, prompt=prompt, position=len(self.questions), options=options)
        question.required = self._required(number, row.get("required", ""))
        themes = list(dict.fromkeys(row.get("themes", "").replace(",", " ").split()))
        if themes:
            self.theme_slugs.append((question, themes, "survey", number))
        self._read_constraint(number, row, question)
        self._read_relevant(number, row.get("relevant", ""), question)
        for message in dropped_cells(row, SURVEY_COLUMNS):
            self._problem("survey", number, message)
        self.by_key[key] = (number, question)
        self.questions.append(question)
        return question

    def _question_fault(self, key: str, prompt: dict[str, str]) -> LazyString | None:
        """Why a row cannot become a question: its name or its label; None when it can."""
        if not KEY.match(key):
            return _l(
                "its name cannot be used: a name starts with a letter or _ and has only letters, digits, _, - "
                "and ., at most %(max)s characters",
                max=KEY_MAX,
            )
        if key in self.by_key:
            return _l("the name is already used on row %(row)s", row=self.by_key[key][0])
        if not prompt:
            return _l("it has no text in a language of the survey")
        return self._text_fault(prompt, "prompt")


def split_type(raw: str) -> tuple[str | None, str, bool]:
    """('select_one', list name, or_other) for a select or rank type; (None, '', False) otherwise."""
    text, or_other = _OTHER.sub("", raw), bool(_OTHER.search(raw))
    lowered = text.lower()
    for words, select in _SELECT_WORDS:
        if lowered == words:
            return select, "", or_other
        if lowered.startswith(words + " ") and len(text.split()) == len(words.split()) + 1:
            return select, text.split()[-1], or_other
    return None, "", False


def _group_text(type_word: str, name: str, relevant: str) -> LazyString:
    """The problem text for a group or repeat whose questions were imported on their own."""
    if type_word == "begin_repeat" and relevant:
        return _l(
            "the repeat '%(name)s' was not imported: its questions are asked once. Its condition (relevant) "
            "'%(expression)s' was not imported; they will always be shown.",
            name=name,
            expression=relevant,
        )
    if type_word == "begin_repeat":
        return _l("the repeat '%(name)s' was not imported: its questions are asked once.", name=name)
    if relevant:
        return _l(
            "the group '%(name)s' was not imported: its questions were imported on their own. Its condition "
            "(relevant) '%(expression)s' was not imported; they will always be shown.",
            name=name,
            expression=relevant,
        )
    return _l("the group '%(name)s' was not imported: its questions were imported on their own.", name=name)
