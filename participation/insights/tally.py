"""The needs map's counts per cell, read from the answers in one pass and kept until the data changes.

A cell is one combination of term × age band × gender × place. Every response falls in exactly one
cell, so the respondents behind any view of the needs map (a filter, a trend, a breakdown, reach) are
sums of cells. The cells are counted in SQL, grouped per response and then per
cell; the page then sums a few hundred cells instead of reading a million answers for every view.

Per cell the tally holds, with a theme's id as the second part of the key:
- ("respondents", 0): responses;
- ("chose", t) / ("answered", t): respondents who chose an option tagged t / answered a question with one;
- ("low", t) / ("scaled", t): respondents answering 1 or 2 / anything on a scale question tagged t;
- ("coded", t) / ("coded_base", 0): published free-text answers coded t / coded with any theme;
and beside each measure m the sum of its records' keys under (m + KEY_SUFFIX, t), which disclosure
control (participation.suppression) turns into the cell key of any sum of cells.

Only released responses count (participation.surveys.releases): results move a release at a time.
Responses erased at the end of their retention count on as archived cells (insights.models.ArchivedCell),
kept with their key sums by participation.lifecycle.retention, so earlier terms keep their figures.
The tally is kept per process and read again only when needed: a new release's responses are counted on
their own (by release) and added; a DataChange row "text" (moderation, coding) re-counts the free text
only; a row "all" (a theme tag, a deleted response) counts everything again. Which columns and rows write
which row is declared on the models next to the columns this module reads (participation.core.changes),
so this module holds no list of them.
"""

from __future__ import annotations

import itertools
import threading
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from flask import Flask, current_app, g

from participation.core.changes import ALL, TEXT, DataChange, widest
from participation.core.terms import term_of
from participation.extensions import db
from participation.insights.models import ArchivedCell, TextCode
from participation.insights.tags import Tags, read_tags
from participation.suppression import Count, record_key_sql
from participation.surveys.models import (
    PUBLISHABLE,
    Answer,
    Response,
)

DIMENSIONS = ("period", "age_band", "gender", "placement")
LOW_END = 2  # faces 1 and 2 of 5
MEMO_SIZE = 256  # views remembered per tally
KEY_SUFFIX = "#"  # (measure + KEY_SUFFIX, theme): the sum of the record keys behind (measure, theme)

CellKey = tuple[int, str, str, int]  # term, age band ("" unanswered), gender (""), placement id (0 none)


def dimension(name: str) -> Any:
    """A dimension of a response as SQL, with the value that stands for "not answered"."""
    return {
        "period": term_of(Response.submitted_hour),
        "age_band": sa.func.coalesce(Response.age_band, ""),
        "gender": sa.func.coalesce(Response.gender, ""),
        "placement": sa.func.coalesce(Response.placement_id, 0),
    }[name]


def cell_columns() -> list[Any]:
    return [dimension(name).label(f"d_{name}") for name in DIMENSIONS]


def cell_key(row: Any) -> CellKey:
    return (int(row[0]), str(row[1]), str(row[2]), int(row[3]))


# --- counting ----------------------------------------------------------------------------------------


def _flag(condition: Any) -> Any:
    return sa.func.max(sa.case((condition, 1), else_=0))


def released_between(low: int, high: int) -> Any:
    """Responses made visible by the releases after `low` up to and including `high`."""
    return sa.and_(Response.release_id > low, Response.release_id <= high)


def _count_responses(tags: Tags, which: Any) -> dict[CellKey, Counter[tuple[str, int]]]:
    """Respondents and the choices and scale flags per cell, of the responses `which` selects.

    One statement: each response with its themed answers is reduced to a 0/1 flag per theme and measure,
    then the flags (and the flags times the response's record key) are summed per cell. Responses without
    a themed answer still count as respondents.
    """
    measures: list[tuple[str, int, Any]] = []
    for theme, option_ids in tags.options.items():
        measures.append(("chose", theme, _flag(Answer.option_id.in_(option_ids))))
        measures.append(("answered", theme, _flag(Answer.question_id.in_(tags.choice_questions[theme]))))
    for theme, question_ids in tags.scale_questions.items():
        on_scale = Answer.question_id.in_(question_ids)
        measures.append(("low", theme, _flag(sa.and_(on_scale, Answer.value_int <= LOW_END))))
        measures.append(("scaled", theme, _flag(on_scale)))
    flags = [expression.label(f"f{index}") for index, (_m, _t, expression) in enumerate(measures)]
    query = sa.select(
        Response.id, *cell_columns(), record_key_sql(Response.id).label("record_key"), *flags
    ).where(which)
    if measures:
        query = query.outerjoin(
            Answer, sa.and_(Answer.response_id == Response.id, Answer.question_id.in_(tags.questions))
        )
    # Grouped by the primary key: the cell's columns depend on it (PostgreSQL accepts that too).
    per_response = query.group_by(Response.id).subquery()
    cell = [per_response.c[f"d_{name}"] for name in DIMENSIONS]
    key = per_response.c.record_key
    sums = []
    for index in range(len(measures)):
        flag = per_response.c[f"f{index}"]
        sums += [sa.func.sum(flag), sa.func.sum(flag * key)]
    counted = sa.select(*cell, sa.func.count(), sa.func.sum(key), *sums).group_by(*cell)
    cells: dict[CellKey, Counter[tuple[str, int]]] = {}
    for row in db.session.execute(counted):
        tally: Counter[tuple[str, int]] = Counter(
            {("respondents", 0): int(row[4]), ("respondents" + KEY_SUFFIX, 0): int(row[5])}
        )
        for index, (measure, theme, _expression) in enumerate(measures):
            value, keys = row[6 + 2 * index], row[7 + 2 * index]
            if value:
                tally[(measure, theme)] = int(value)
                tally[(measure + KEY_SUFFIX, theme)] = int(keys)
        cells[cell_key(row)] = tally
    return cells


def _count_texts(which: Any) -> dict[CellKey, Counter[tuple[str, int]]]:
    """Published free-text answers of the responses `which` selects, per cell: coded per theme and at all."""
    coded = (
        sa.select(
            *cell_columns(),
            TextCode.theme_id,
            TextCode.answer_id,
            record_key_sql(TextCode.answer_id).label("record_key"),
        )
        .select_from(TextCode)
        .join(Answer, Answer.id == TextCode.answer_id)
        .join(Response, Response.id == Answer.response_id)
        .where(Answer.moderation_status.in_(PUBLISHABLE), which)
        .subquery()
    )
    cell = [coded.c[f"d_{name}"] for name in DIMENSIONS]
    cells: dict[CellKey, Counter[tuple[str, int]]] = {}
    per_theme = sa.select(*cell, coded.c.theme_id, sa.func.count(), sa.func.sum(coded.c.record_key)).group_by(
        *cell, coded.c.theme_id
    )
    for row in db.session.execute(per_theme):
        counts = cells.setdefault(cell_key(row), Counter())
        counts[("coded", int(row[4]))] = int(row[5])
        counts[("coded" + KEY_SUFFIX, int(row[4]))] = int(row[6])
    # One row per coded answer (however many themes it has), then per cell.
    answers = (
        sa.select(*cell, coded.c.answer_id, sa.func.max(coded.c.record_key).label("record_key"))
        .group_by(*cell, coded.c.answer_id)
        .subquery()
    )
    answer_cell = [answers.c[f"d_{name}"] for name in DIMENSIONS]
    base = sa.select(*answer_cell, sa.func.count(), sa.func.sum(answers.c.record_key)).group_by(*answer_cell)
    for row in db.session.execute(base):
        counts = cells.setdefault(cell_key(row), Counter())
        counts[("coded_base", 0)] = int(row[4])
        counts[("coded_base" + KEY_SUFFIX, 0)] = int(row[5])
    return cells


def cells_of(which: Any) -> dict[CellKey, Counter[tuple[str, int]]]:
    """Every measure of every cell of the released responses `which` selects, as the tally counts them.

    For participation.lifecycle.retention, which keeps these as archived cells before it erases them.
    """
    released = sa.and_(Response.release_id.is_not(None), which)
    return _merge(_count_responses(read_tags(), released), _count_texts(released))


def _archived(*, texts_only: bool = False) -> dict[CellKey, Counter[tuple[str, int]]]:
    """The archived cells (participation.insights.models.ArchivedCell): counts of erased responses."""
    query = sa.select(ArchivedCell)
    if texts_only:
        query = query.where(ArchivedCell.measure.in_([*_TEXTS, *(name + KEY_SUFFIX for name in _TEXTS)]))
    cells: dict[CellKey, Counter[tuple[str, int]]] = {}
    for row in db.session.scalars(query):
        key = (row.term, row.age_band, row.gender, row.placement_id)
        cells.setdefault(key, Counter())[(row.measure, row.theme_id)] += row.value
    return cells


# --- the tally and its views -------------------------------------------------------------------------


def _merge(*parts: Mapping[CellKey, Counter[tuple[str, int]]]) -> dict[CellKey, Counter[tuple[str, int]]]:
    merged: dict[CellKey, Counter[tuple[str, int]]] = {}
    for part in parts:
        for key, counts in part.items():
            merged.setdefault(key, Counter()).update(counts)
    return merged


def _without_texts(
    cells: Mapping[CellKey, Counter[tuple[str, int]]],
) -> dict[CellKey, Counter[tuple[str, int]]]:
    kept = {}
    for key, counts in cells.items():
        rest = Counter({name: n for name, n in counts.items() if name[0].rstrip(KEY_SUFFIX) not in _TEXTS})
        if rest:
            kept[key] = rest
    return kept


Conditions = tuple[tuple[str, Any], ...]
_TEXTS = ("coded", "coded_base")


def count(counts: Mapping[tuple[str, int], int], measure: str, theme: int = 0) -> Count:
    """One measure of summed cells with its records' key sum, as disclosure control needs it."""
    return Count(counts.get((measure, theme), 0), counts.get((measure + KEY_SUFFIX, theme), 0))


@dataclass
class Tally:
    """The cells as of a state of the database: the last release, the responses released, the changes seen.

    `generation` is new with every count in full, and kept while the tally is only brought up to date.
    """

    cells: dict[CellKey, Counter[tuple[str, int]]]
    last_release: int
    responses: int
    changes: frozenset[tuple[int, str]]  # the DataChange rows there were, id and scope (core.changes)
    tags: Tags
    generation: int
    _memo: dict[tuple[Conditions, str | None], dict[Any, Counter[tuple[str, int]]]] = field(
        default_factory=dict, repr=False
    )

    def sums(self, conditions: Conditions, by: str | None) -> dict[Any, Counter[tuple[str, int]]]:
        """The cells matching every (dimension, value) condition, summed per value of `by` (or None)."""
        memo_key = (conditions, by)
        remembered = self._memo.get(memo_key)
        if remembered is not None:
            return remembered
        checks = [(DIMENSIONS.index(name), value) for name, value in conditions]
        position = DIMENSIONS.index(by) if by else None
        groups: dict[Any, Counter[tuple[str, int]]] = {}
        for key, counts in self.cells.items():
            if all(key[index] == value for index, value in checks):
                group = key[position] if position is not None else None
                groups.setdefault(group, Counter()).update(counts)
        if len(self._memo) >= MEMO_SIZE:
            self._memo.clear()
        self._memo[memo_key] = groups
        return groups


@dataclass(frozen=True)
class _State:
    """What the tally checks before each use: the last release, the responses released, the change rows."""

    last_release: int
    responses: int
    changes: dict[int, str]

    @classmethod
    def read(cls) -> _State:
        released = db.session.execute(
            sa.select(
                sa.func.coalesce(sa.func.max(Response.release_id), 0), sa.func.count(Response.release_id)
            )
        ).one()
        changes = {
            int(number): str(scope)
            for number, scope in db.session.execute(sa.select(DataChange.id, DataChange.scope))
        }
        return cls(int(released[0] or 0), int(released[1] or 0), changes)

    def unseen(self, old: Tally) -> str | None:
        """The widest scope of the changes the old tally has not seen; "all" if some may be pruned unseen.

        Only the newest rows are kept, so a tally whose newest change is older than every row left may
        have missed some that are gone. A row committed late under a lower id is still among the kept.
        Rows it saw that are gone although newer rows are kept were not pruned: the database was restored
        from a backup (whose change ids may even repeat ones seen before), so everything is counted again.
        """
        seen = dict(old.changes)
        if self.changes and min(self.changes) > max(seen, default=0) + 1:
            return ALL
        lowest = min(self.changes, default=0)
        if any(number >= lowest and self.changes.get(number) != scope for number, scope in seen.items()):
            return ALL  # rows it saw are gone or different, not pruned (pruning takes the oldest): a restore
        return widest(scope for number, scope in self.changes.items() if number not in seen)


_generations = itertools.count(1)


def _full(state: _State) -> Tally:
    tags = read_tags()
    responses = _count_responses(tags, released_between(0, state.last_release))
    total = sum(counts[("respondents", 0)] for counts in responses.values())
    # With the archived cells: the counts of responses erased at the end of their retention.
    cells = _merge(responses, _count_texts(released_between(0, state.last_release)), _archived())
    return Tally(cells, state.last_release, total, frozenset(state.changes.items()), tags, next(_generations))


def _refreshed(old: Tally | None) -> Tally:
    state = _State.read()
    if old is None or state.last_release < old.last_release:
        return _full(state)
    scope = state.unseen(old)
    if scope == ALL:
        return _full(state)
    if scope is None and (old.last_release, old.responses) == (state.last_release, state.responses):
        return old
    cells = old.cells
    if scope == TEXT:
        texts = _count_texts(released_between(0, old.last_release))
        cells = _merge(_without_texts(cells), texts, _archived(texts_only=True))
    if (state.last_release, state.responses) != (old.last_release, old.responses):
        new = _count_responses(old.tags, released_between(old.last_release, state.last_release))
        added = sum(counts[("respondents", 0)] for counts in new.values())
        if old.responses + added != state.responses:
            # A release with a lower number committed late, or a response was removed: count all again.
            return _full(state)
        cells = _merge(cells, new, _count_texts(released_between(old.last_release, state.last_release)))
    return Tally(
        cells, state.last_release, state.responses, frozenset(state.changes.items()), old.tags, old.generation
    )


STORE = "needs_tally"  # app.extensions[STORE]: the app's tally


class _Store:
    """One tally per app (per process), refreshed under a lock so that two requests count once."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.tally: Tally | None = None


def current() -> Tally:
    """The tally as of now: counted again only as far as the data changed since the last call.

    Within one database transaction (one page, one export) it is looked up once.
    """
    transaction = db.session().get_transaction()
    remembered = g.get("needs_tally")
    if transaction is not None and remembered is not None and remembered[0] is transaction:
        return remembered[1]
    store: _Store = current_app.extensions.setdefault(STORE, _Store())
    with store.lock:
        store.tally = _refreshed(store.tally)
        found = store.tally
    g.needs_tally = (db.session().get_transaction(), found)
    return found


def forget(app: Flask) -> None:
    """Drop the app's tally, so the next view counts in full (after restoring a database, in tests)."""
    app.extensions.pop(STORE, None)
