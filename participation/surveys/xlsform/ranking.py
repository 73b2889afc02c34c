"""A ranking's places in XLSForm, both ways: ODK has no "top N", so N places are N questions in a group.

A ranking that asks for fewer places than it has options is written as ODK and KoboToolbox forms ask
for a top N, and only exactly this shape is read back as one ranking question::

    begin_group     <key>     label: the question   relevant, themes, appearance field-list, max_choices
    select_one <l>  <key>_1   label: First          required when the ranking is
    select_one <l>  <key>_2   label: Second         choice_filter: name != ${<key>_1}
    select_one <l>  <key>_3   label: Third          choice_filter: name != ${<key>_1} and name != ${<key>_2}
    end_group

From one to three places (Delaktig's most) on one choice list that has at least as many choices, no
other column with content, and only the first place required. The places' labels may be the file's
own (such as "1st choice"); Delaktig names its places itself and says so when the file's words differ.
A group of any other shape is read as what it is: a group whose questions come in on their own, each
choice_filter reported. A ranking of every option is ODK's own `rank` type.
"""

from __future__ import annotations

from flask_babel import force_locale
from flask_babel import gettext as _

from participation.i18n.languages import to_babel
from participation.surveys.models import RANKING_MAX, Question
from participation.surveys.xlsform.problems import _l
from participation.surveys.xlsform.profile import ProfileRows
from participation.surveys.xlsform.questions import split_type

_BEGIN = {"begin_group", "begin group"}
_END = {"end_group", "end group"}
# The columns a ranking's group row and place rows may have content in; anything else is another shape.
_GROUP_COLUMNS = {"type", "name", "label", "relevant", "themes", "max_choices", "appearance"}
_PLACE_COLUMNS = {"type", "name", "label", "required", "choice_filter"}
_FALSE = {"", "no", "false", "false()", "0"}


def places(question: Question) -> int:
    """How many places participants fill in: the limit, at most three, at most one per option."""
    return min(question.max_choices or RANKING_MAX, RANKING_MAX, len(question.options))


def place_name(key: str, place: int) -> str:
    """The name of a ranking's place question: 'priorities_2'."""
    return f"{key}_{place}"


def place_filter(key: str, place: int) -> str:
    """The choice_filter that leaves out the earlier places' picks: 'name != ${q_1} and name != ${q_2}'."""
    return " and ".join(f"name != ${{{place_name(key, earlier)}}}" for earlier in range(1, place))


def place_words(languages: list[str]) -> list[dict[str, str]]:
    """Each place's label per language, the participant page's own words (First, Second, Third)."""
    words: list[dict[str, str]] = [{} for _place in range(RANKING_MAX)]
    for code in languages:
        with force_locale(to_babel(code)):
            said = (_("First"), _("Second"), _("Third"))
        for place, word in enumerate(said):
            words[place][code] = word
    return words


def _type(row: dict[str, str]) -> str:
    return " ".join(row.get("type", "").lower().split())


def _compact(expression: str) -> str:
    return "".join(expression.split())


def _has_only(row: dict[str, str], columns: set[str]) -> bool:
    return all(not value or header.partition("::")[0] in columns for header, value in row.items())


def _place_list(row: dict[str, str], key: str, place: int) -> str | None:
    """The choice list of a ranking's place question as Delaktig writes it; None for any other row."""
    select, list_name, or_other = split_type(" ".join(row.get("type", "").split()))
    if (
        select != "select_one"
        or or_other
        or row.get("name", "") != place_name(key, place)
        or _compact(row.get("choice_filter", "")) != _compact(place_filter(key, place))
        or not _has_only(row, _PLACE_COLUMNS)
        or (place > 1 and row.get("required", "").strip().lower() not in _FALSE)
    ):
        return None
    return list_name


class RankingRows(ProfileRows):
    """A group of place questions that is a ranking with a limit, read as one ranking question."""

    def _read_ranking_group(self, rows: list[tuple[int, dict[str, str]]], index: int) -> int:
        """How many rows from index on are one ranking (read into a question); 0 if they are not one."""
        shape = self._ranking_shape(rows, index)
        if shape is None:
            return 0
        number, group = rows[index]
        inner, list_name = shape
        row = {header: value for header, value in group.items() if header != "appearance"}
        row["required"] = inner[0][1].get("required", "")
        self.ranking_places = len(inner)
        try:
            self._read_select(number, row, "rank", list_name, False)
        finally:
            self.ranking_places = None
        self._report_own_place_words(number, inner)
        return len(inner) + 2

    def _ranking_shape(
        self, rows: list[tuple[int, dict[str, str]]], index: int
    ) -> tuple[list[tuple[int, dict[str, str]]], str] | None:
        """The place rows and their list when the group at index is exactly a ranking's; None otherwise."""
        _number, group = rows[index]
        key = group.get("name", "")
        if (
            _type(group) not in _BEGIN
            or not _has_only(group, _GROUP_COLUMNS)
            or group.get("appearance", "field-list").strip() not in {"", "field-list"}
            or self._question_fault(key, self._texts(group, self.columns)) is not None
        ):
            return None
        inner: list[tuple[int, dict[str, str]]] = []
        list_names: set[str] = set()
        for number, row in rows[index + 1 : index + RANKING_MAX + 2]:
            if _type(row) in _END:
                return (inner, list_names.pop()) if inner and self._fits(list_names, len(inner)) else None
            list_name = _place_list(row, key, len(inner) + 1)
            if list_name is None:
                return None
            list_names.add(list_name)
            inner.append((number, row))
        return None

    def _fits(self, list_names: set[str], count: int) -> bool:
        """Whether the places share one usable list with at least one choice per place."""
        if len(list_names) != 1:
            return False
        list_name = next(iter(list_names))
        if list_name not in self.lists:
            return False
        checked = self._checked_list(list_name)
        return checked.fault is None and len(checked.choices) >= count

    def _report_own_place_words(self, number: int, inner: list[tuple[int, dict[str, str]]]) -> None:
        """Delaktig names the places itself: say so when the file's labels for them are other words."""
        words = place_words(list(self.columns))
        own = [
            place_number
            for place, (place_number, row) in enumerate(inner)
            if any(
                text.strip().casefold() != words[place][code].casefold()
                for code, text in self._texts(row, self.columns).items()
            )
        ]
        if own:
            self._problem(
                "survey",
                number,
                _l(
                    "the group is imported as one ranking question; its places are named in Delaktig's own "
                    "words (First, Second, Third), so the file's labels for them on rows %(rows)s were not "
                    "carried over.",
                    rows=", ".join(str(row) for row in own),
                ),
            )
