"""A question's conditions in XLSForm: required, relevant (show-if) and constraint, read with ODK's meaning."""

from __future__ import annotations

import re

from participation.surveys.models import (
    FREE_TEXT_MAX,
    NUMBER_LIMIT,
    RANKING_MAX,
    Option,
    Question,
    QuestionKind,
)
from participation.surveys.xlsform.problems import _l
from participation.surveys.xlsform.reading import FormReading

_FALSE = {"", "no", "false", "false()", "0"}
_VALUE = r"""(?:'(?P<single>[^']*)'|"(?P<double>[^"]*)"|(?P<number>-?\d+))"""
_NAME = r"\$\{\s*(?P<name>[^}\s]+)\s*\}"
_EQUALS = re.compile(rf"^{_NAME}\s*=\s*{_VALUE}$")
_SELECTED = re.compile(rf"^selected\(\s*{_NAME}\s*,\s*{_VALUE}\s*\)$")
_BOUND = re.compile(r"^\(?\s*\.\s*(>=|<=|>|<)\s*(-?\d+)\s*\)?$")
_COUNT_SELECTED = re.compile(r"^count-selected\(\s*\.\s*\)\s*(<=|<)\s*(\d+)$")
_STRING_LENGTH = re.compile(r"^string-length\(\s*\.\s*\)\s*(<=|<)\s*(\d+)$")


class Conditions(FormReading):
    """required, relevant and constraint of one question."""

    # The choice list of each question read as Delaktig's yes/no, in case a later condition needs its options.
    yes_no_lists: dict[str, str]
    # The number of place questions while a ranking's group (see ranking.py) is read, else None.
    ranking_places: int | None = None

    def _required(self, number: int, value: str) -> bool:
        """yes/true/1 is required; an expression is reported and left optional."""
        if self._is_true(value) or value.strip().lower() in _FALSE:
            return self._is_true(value)
        self._problem(
            "survey",
            number,
            _l(
                "the condition (required) '%(expression)s' was not imported; the question is optional.",
                expression=value,
            ),
        )
        return False

    def _read_relevant(self, number: int, expression: str, question: Question) -> None:
        """show_if from `selected(${q}, 'x')`, or `${q} = 'x'` on a single choice, as ODK reads them."""
        if not expression:
            return
        text = expression.strip()
        match = _SELECTED.match(text) or _EQUALS.match(text)
        if match is None:
            why = _l("Delaktig can show a question only when one option of an earlier question was chosen")
        else:
            value = next(
                group for group in (match["single"], match["double"], match["number"]) if group is not None
            )
            option, why = self._show_if_option(match["name"], value, equals=match.re is _EQUALS)
            if option is not None:
                self.show_if.append((question, option))
                return
        self._problem(
            "survey",
            number,
            _l(
                "the condition (relevant) '%(expression)s' was not imported, so the question will always be "
                "shown: %(why)s.",
                expression=expression,
                why=why,
            ),
        )

    def _show_if_option(self, name: str, value: str, *, equals: bool) -> tuple[Option | None, object]:
        """The option a condition names, or None and why it cannot be one."""
        _row, parent = self.by_key.get(name, (0, None))
        if parent is None:
            return None, _l("'%(name)s' is not an earlier question that was imported", name=name)
        if parent.kind is QuestionKind.YES_NO:
            self._yes_no_with_options(parent)
        if parent.kind is QuestionKind.MULTIPLE_CHOICE and equals:
            return None, _l(
                "on a multiple-choice question it means that only '%(value)s' was chosen; Delaktig can show "
                "a question when '%(value)s' is among the choices, which ODK writes as selected()",
                value=value,
            )
        if parent.kind not in (QuestionKind.SINGLE_CHOICE, QuestionKind.MULTIPLE_CHOICE):
            return None, _l("'%(name)s' is not a question with options to choose", name=name)
        option = next((option for option in parent.options if option.key == value), None)
        if option is None:
            return None, _l("'%(name)s' has no option '%(value)s'", name=name, value=value)
        return option, None

    def _yes_no_with_options(self, question: Question) -> None:
        """A yes/no question a later question depends on becomes a choice of its two options, same labels."""
        list_name = self.yes_no_lists.get(question.key)
        if list_name is not None:
            question.kind = QuestionKind.SINGLE_CHOICE
            question.options = self._options(self._checked_list(list_name).choices)

    def _read_constraint(self, number: int, row: dict[str, str], question: Question) -> None:
        """min/max, max_choices or the text length from the constraint (and max_choices) columns."""
        expression = row.get("constraint", "").strip()
        kind = question.kind
        understood = not expression
        if kind is QuestionKind.NUMBER and expression:
            understood = self._read_bounds(number, expression, question)
        elif kind in (QuestionKind.MULTIPLE_CHOICE, QuestionKind.RANKING) and expression:
            understood = self._read_count(number, _COUNT_SELECTED.match(expression), question)
        elif kind is QuestionKind.FREE_TEXT and expression:
            understood = self._read_length(number, expression)
        if kind is QuestionKind.RANKING:
            self._read_ranking_limit(number, row.get("max_choices", ""), question)
        if not understood:
            self._problem(
                "survey",
                number,
                _l(
                    "the constraint '%(expression)s' was not imported; answers are not checked by it.",
                    expression=expression,
                ),
            )

    def _read_length(self, number: int, expression: str) -> bool:
        """string-length(.) <= 500 is Delaktig's own limit; another limit is said, since it cannot be kept."""
        match = _STRING_LENGTH.match(expression)
        if match is None:
            return False
        limit = int(match.group(2)) - (match.group(1) == "<")
        if limit != FREE_TEXT_MAX:
            self._problem(
                "survey",
                number,
                _l(
                    "the limit of %(limit)s characters was not imported: Delaktig takes answers of up to %(max)s "
                    "characters.",
                    limit=limit,
                    max=FREE_TEXT_MAX,
                ),
            )
        return True

    def _read_bounds(self, number: int, expression: str, question: Question) -> bool:
        """min/max of a number from '. >= A and . <= B'; False if not of that form or out of range."""
        bounds = _number_bounds(expression)
        if bounds is None:
            return False
        low, high = bounds
        if any(value is not None and abs(value) > NUMBER_LIMIT for value in bounds) or (
            low is not None and high is not None and low > high
        ):
            self._problem(
                "survey",
                number,
                _l(
                    "the constraint '%(expression)s' was not imported: Delaktig takes numbers from -%(limit)s to "
                    "%(limit)s, the smallest allowed not above the largest.",
                    expression=expression,
                    limit=format(NUMBER_LIMIT, ","),
                ),
            )
            return True
        question.min_value, question.max_value = bounds
        return True

    def _read_count(self, number: int, match: re.Match[str] | None, question: Question) -> bool:
        """max_choices from 'count-selected(.) <= N'; False if not of that form."""
        if match is None:
            return False
        limit = int(match.group(2)) - (match.group(1) == "<")
        if limit < 1:
            return False
        question.max_choices = limit
        return True

    def _read_ranking_limit(self, number: int, value: str, question: Question) -> None:
        """A ranking asks for the top three at most; a Kobo rank question orders every option."""
        if self.ranking_places is not None:
            self._read_places_limit(number, value, question, self.ranking_places)
            return
        if _is_limit(value):
            question.max_choices = int(value)
        elif value:
            self._problem(
                "survey",
                number,
                _l("max_choices '%(value)s' was not imported: it is not a number from 1.", value=value),
            )
        if (question.max_choices or len(question.options)) > RANKING_MAX:
            self._problem(
                "survey",
                number,
                _l("Delaktig asks participants to rank only their top %(max)s options.", max=RANKING_MAX),
            )
            question.max_choices = RANKING_MAX if question.max_choices else None

    def _read_places_limit(self, number: int, value: str, question: Question, places: int) -> None:
        """A ranking's group of places: its own max_choices when it asks for as many places, else the places.

        The limit is kept only below Delaktig's default (three places, one per option at most), so a form
        with three places of five options and Delaktig's own ranking without a limit read the same.
        """
        default = min(RANKING_MAX, len(question.options))
        if _is_limit(value) and min(int(value), default) == places:
            question.max_choices = int(value)
            return
        if value:
            self._problem(
                "survey",
                number,
                _l(
                    "max_choices '%(value)s' was not imported: the group asks for %(places)s places.",
                    value=value,
                    places=places,
                ),
            )
        question.max_choices = places if places < default else None


def _is_limit(value: str) -> bool:
    """Whether a max_choices cell is a whole number from 1 (and short enough to be one)."""
    return value.isascii() and value.isdigit() and len(value) <= 3 and int(value) >= 1


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
