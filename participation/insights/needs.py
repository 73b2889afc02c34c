"""The needs map: per theme, transparent components with their n, under filters that cannot be differenced.

Components (each a share, shown with the count and base behind it):
- choices: respondents who chose an option tagged with the theme, of those who answered such a question;
- scales: respondents answering the low end (1 or 2 of 5) of a scale question tagged with the theme;
- forum: the theme's share of all votes in closed forum sessions;
- text: the theme's share of coded free-text answers.
A theme's priority is the mean of the component shares that can be shown.

Every figure goes through participation.suppression (cell-key perturbation, hidden below k): the same
records always give the same figure, whatever view asks for them, and no figure can be rebuilt exactly
from others. Every theme has every configured component and every breakdown every group, whether or not
anyone answered, so an empty group and a small one look alike. Only released responses count
(participation.surveys.releases).

The response-based counts are sums of the cells of participation.insights.tally (counted in SQL once,
kept up to date as the data changes), so a view costs a few hundred additions; quotes and forum votes are
read directly.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa

from participation.core.terms import in_term
from participation.extensions import db
from participation.forum.models import (
    AGREE,
    ForumItem,
    ForumSession,
    ForumVote,
    SessionStatus,
    forum_item_theme,
)
from participation.i18n.languages import default_language, localise
from participation.insights import tally
from participation.insights.filters import Filters, response_conditions
from participation.insights.models import PopulationFigure, TextCode
from participation.placements.models import Placement
from participation.suppression import Cell, Count, cell, record_key_sql, share, threshold
from participation.surveys.models import PROFILE_CHOICES, PUBLISHABLE, Answer, ProfileField, Response
from participation.themes.models import Theme

RESPONSE_COMPONENTS = ("choices", "scales", "text")
QUOTES_PER_THEME = 3


# --- raw counts --------------------------------------------------------------------------------------
# Each returns {(theme_id, group): (count, base)}; group is the value of `by`, or None. They sum the
# tally's cells (participation.insights.tally): counted in SQL once, summed here for every view.

# Per component: the tally's (count, base) measures. Choices and scales show a theme wherever its base is
# non-zero; text shows a theme wherever a text was coded with it, on the one base of all coded texts.
_MEASURES = {"choices": ("chose", "answered"), "scales": ("low", "scaled"), "text": ("coded", "coded_base")}


def _raw(component: str, filters: Filters, by: str | None) -> dict[tuple[int, Any], tuple[int, int]]:
    count_name, base_name = _MEASURES[component]
    result: dict[tuple[int, Any], tuple[int, int]] = {}
    for grp, counts in tally.current().sums(filters.conditions(), by).items():
        for (measure, theme), value in counts.items():
            if component == "text" and measure == count_name:
                result[(theme, grp)] = (value, counts[(base_name, 0)])
            elif component != "text" and measure == base_name and value:
                result[(theme, grp)] = (counts[(count_name, theme)], value)
    return result


def _choices(filters: Filters, by: str | None) -> dict[tuple[int, Any], tuple[int, int]]:
    """Per theme: respondents who chose a themed option (count) of those who answered such a question (base)."""
    return _raw("choices", filters, by)


def _scales(filters: Filters, by: str | None) -> dict[tuple[int, Any], tuple[int, int]]:
    """Per theme: respondents at the low end of a themed scale question (count) of those answering one."""
    return _raw("scales", filters, by)


def _text(filters: Filters, by: str | None) -> dict[tuple[int, Any], tuple[int, int]]:
    """Per theme: published free texts coded with it (count) of the coded published texts (base)."""
    return _raw("text", filters, by)


def _forum(filters: Filters) -> tuple[dict[int, Count], Count]:
    """Votes on themed items in closed sessions (count, of all votes); profile and place filters do not apply.

    A vote's record key comes from its id; a vote of several dots counts its weight.
    """
    conditions = [
        ForumSession.status == SessionStatus.CLOSED,
        ForumVote.value == AGREE,
        ~ForumVote.quarantined,
    ]
    if filters.period is not None:
        conditions.append(in_term(ForumSession.closed_at, filters.period))
    weight = sa.func.coalesce(sa.func.sum(ForumVote.weight), 0)
    keys = sa.func.coalesce(sa.func.sum(record_key_sql(ForumVote.id) * ForumVote.weight), 0)
    total = db.session.execute(
        sa.select(weight, keys)
        .select_from(ForumVote)
        .join(ForumSession, ForumSession.id == ForumVote.session_id)
        .where(*conditions)
    ).one()
    rows = db.session.execute(
        sa.select(forum_item_theme.c.theme_id, weight, keys)
        .select_from(ForumVote)
        .join(ForumSession, ForumSession.id == ForumVote.session_id)
        .join(ForumItem, ForumItem.id == ForumVote.item_id)
        .join(forum_item_theme, forum_item_theme.c.item_id == ForumItem.id)
        .where(*conditions)
        .group_by(forum_item_theme.c.theme_id)
    )
    return {theme: Count(int(n), int(key)) for theme, n, key in rows}, Count(int(total[0]), int(total[1]))


# --- protected figures --------------------------------------------------------------------------------
# Every figure that leaves is a Count (true count and its records' key sum) turned into a Cell by
# participation.suppression.cell: perturbed by its own fixed noise, hidden below k. No figure depends on
# another's suppression, so there are no siblings to protect together and no margins to subtract.


def _count_pair(counts: Counter[tuple[str, int]], component: str, theme: int) -> tuple[Count, Count]:
    count_name, base_name = _MEASURES[component]
    if component == "text":
        return tally.count(counts, count_name, theme), tally.count(counts, base_name)
    return tally.count(counts, count_name, theme), tally.count(counts, base_name, theme)


def _measured(component: str, theme_ids: Iterable[int]) -> list[int]:
    """The themes a component can speak of, by configuration (tags), never by whether anyone answered."""
    tags = tally.current().tags
    configured = {"choices": tags.options, "scales": tags.scale_questions}.get(component)
    return [theme for theme in theme_ids if configured is None or theme in configured]


def _groups(by: str) -> list[Any]:
    """Every group a breakdown shows, whether or not anyone in it answered: the list never gives a zero away."""
    if by == "period":
        return terms()
    if by == "placement":
        return [*db.session.scalars(sa.select(Placement.id).order_by(Placement.id)), 0]
    return [*PROFILE_CHOICES[ProfileField.AGE_BAND if by == "age_band" else ProfileField.GENDER], ""]


@dataclass
class Component:
    name: str
    count: Cell
    base: Cell

    @property
    def share(self) -> float | None:
        return share(self.count.count, self.base.count)


@dataclass
class ThemeNeed:
    theme: Theme
    components: dict[str, Component] = field(default_factory=dict)
    quotes: list[str] = field(default_factory=list)

    @property
    def priority(self) -> float | None:
        shares = [c.share for c in self.components.values() if c.share is not None]
        return sum(shares) / len(shares) if shares else None


@dataclass
class NeedsMap:
    filters: Filters
    respondents: Cell
    needs: list[ThemeNeed]
    forum_applies: bool


def _respondents(filters: Filters, by: str | None) -> dict[Any, int]:
    """True responses in the view, per group of `by` (or under None); groups without any are left out."""
    groups = tally.current().sums(filters.conditions(), by)
    return {grp: counts[("respondents", 0)] for grp, counts in groups.items() if counts[("respondents", 0)]}


def respondents(filters: Filters, k: int) -> Cell:
    """How many released responses the view rests on, perturbed and hidden below k."""
    counts = tally.current().sums(filters.conditions(), None).get(None, Counter())
    return cell(tally.count(counts, "respondents"), None, k)


def _quotes(theme_ids: Iterable[int], filters: Filters, k: int) -> dict[int, list[str]]:
    """The latest published, released free texts coded with each theme in the view: a short query per theme.

    A text is quoted only when its author's own cell (term × age band × gender × place) has at least k
    released respondents: whatever views show the same quote, their intersection still holds k people.
    """
    cells = tally.current().cells
    quotes: dict[int, list[str]] = {}
    for theme_id in theme_ids:
        # Released and cell size are checked on the rows read, so the query keeps the plan that reads the
        # theme's latest texts backwards by its index: three rows first (PostgreSQL plans a larger limit
        # as a scan), more only when some of those may not be quoted.
        query = (
            sa.select(Answer.text_value, Response.release_id, *tally.cell_columns())
            .select_from(TextCode)
            .join(Answer, Answer.id == TextCode.answer_id)
            .join(Response, Response.id == Answer.response_id)
            .where(
                TextCode.theme_id == theme_id,
                Answer.moderation_status.in_(PUBLISHABLE),
                *response_conditions(filters),
            )
            .order_by(TextCode.answer_id.desc())
        )
        for limit in (QUOTES_PER_THEME, QUOTES_PER_THEME * 20):
            rows = db.session.execute(query.limit(limit)).all()
            texts = _distinct(
                row[0] or ""
                for row in rows
                if row[1] is not None
                and cells.get(tally.cell_key(row[2:]), Counter())[("respondents", 0)] >= k
            )
            if len(texts) >= QUOTES_PER_THEME or len(rows) < limit:
                break
        if texts:
            quotes[theme_id] = texts[:QUOTES_PER_THEME]
    return quotes


def _distinct(texts: Iterable[str]) -> list[str]:
    """Each text once: the same sentence sent by several people is one quote (the newest one kept)."""
    seen: dict[str, str] = {}
    for text in texts:
        seen.setdefault(" ".join(text.split()).casefold(), text)
    return list(seen.values())


def needs_map(filters: Filters, k: int) -> NeedsMap:
    """The needs map for a view: every configured component of every theme, each figure protected.

    Which components a theme has depends on the tags only, never on the data, so an empty group and a
    small one look alike. Quotes only when the view's respondents can be shown.
    """
    themes = list(db.session.scalars(sa.select(Theme).order_by(Theme.id)))
    needs = {theme.id: ThemeNeed(theme) for theme in themes}
    counts = tally.current().sums(filters.conditions(), None).get(None, Counter())
    for component in RESPONSE_COMPONENTS:
        if component not in filters.sources:
            continue
        for theme_id in _measured(component, needs):
            count, base = _count_pair(counts, component, theme_id)
            needs[theme_id].components[component] = Component(
                component, cell(count, None, k), cell(base, None, k)
            )
    forum_applies = "forum" in filters.sources and not filters.demographic()
    if forum_applies:
        votes, base = _forum(filters)
        for theme_id, need in needs.items():
            count = votes.get(theme_id, Count())
            need.components["forum"] = Component("forum", cell(count, None, k), cell(base, None, k))
    total = respondents(filters, k)
    if total.count is not None and "text" in filters.sources:
        for theme_id, quotes in _quotes(needs, filters, k).items():
            needs[theme_id].quotes = quotes
    ranked = sorted(
        needs.values(), key=lambda need: (need.priority is None, -(need.priority or 0), need.theme.id)
    )
    return NeedsMap(filters, total, ranked, forum_applies)


# --- trend and reach ---------------------------------------------------------------------------------


def terms() -> list[int]:
    """The terms with at least k released responses, oldest first (a term with fewer is not listed)."""
    return sorted(term for term, n in _respondents(Filters(), "period").items() if n >= threshold())


def _by_group(filters: Filters, by: str, k: int) -> dict[int, dict[Any, Cell]]:
    """Per theme with choices, per group of `by` (every group): the protected count choosing it and its share."""
    groups = tally.current().sums(filters.without(by).conditions(), by)
    result: dict[int, dict[Any, Cell]] = {}
    for theme in tally.current().tags.options:
        per_group = {}
        for group in _groups(by):
            counts = groups.get(group, Counter())
            chose, answered = _count_pair(counts, "choices", theme)
            per_group[group] = cell(chose, answered, k)
        result[theme] = per_group
    return result


def trend(filters: Filters, k: int) -> dict[int, dict[int, Cell]]:
    """Per theme, per term: the share choosing it (choices component), each figure protected."""
    return _by_group(filters, "period", k)


@dataclass
class Reach:
    age_band: str
    respondents: Cell
    population: int | None

    @property
    def share(self) -> float | None:
        if self.respondents.count is None or not self.population:
            return None
        return self.respondents.count / self.population


def reach(filters: Filters, k: int) -> list[Reach]:
    """Who we are (not) hearing from: protected respondents per age band against the population figures.

    The same figures as the needs map's respondents under an age-band filter, so the two agree.
    """
    groups = tally.current().sums(filters.without("age_band").conditions(), "age_band")
    population = {p.age_band: p.count for p in db.session.scalars(sa.select(PopulationFigure))}
    return [
        Reach(
            band, cell(tally.count(groups.get(band, Counter()), "respondents"), None, k), population.get(band)
        )
        for band in PROFILE_CHOICES[ProfileField.AGE_BAND]
    ]


def as_rows(result: NeedsMap, lang: str) -> list[dict[str, Any]]:
    """The needs map as rows, one per theme, for the API and the exports."""
    rows = []
    for need in result.needs:
        rows.append(
            {
                "theme": need.theme.slug,
                "name": localise(need.theme.name, lang, default_language()).text,
                "priority": need.priority,
                "components": {
                    name: {
                        "count": c.count.count,
                        "base": c.base.count,
                        "share": c.share,
                        "suppressed": c.count.suppressed or c.base.suppressed,
                    }
                    for name, c in need.components.items()
                },
            }
        )
    return rows


BREAKDOWNS = ("age_band", "gender", "placement", "period")


def breakdown(filters: Filters, by: str, k: int) -> dict[int, dict[Any, Cell]]:
    """Per theme, per group of `by` (every group, answered or not): the share choosing it, protected."""
    return _by_group(filters, by, k)
