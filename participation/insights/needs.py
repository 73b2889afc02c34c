"""The needs map: per theme, transparent components with their n, under filters that cannot be differenced.

Components (each a share, shown with the count and base behind it):
- choices: respondents who chose an option tagged with the theme, of those who answered such a question;
- scales: respondents answering the low end (1 or 2 of 5) of a scale question tagged with the theme;
- forum: the theme's share of all votes in closed forum sessions;
- text: the theme's share of coded free-text answers.
A theme's priority is the mean of the component shares that can be shown.

Every count goes through participation.suppression. When a filter narrows the respondents on a dimension
(term, age band, gender, place), the same numbers are computed for every sibling value of that dimension,
and the siblings are suppressed together with complementary suppression: so neither "total minus the
siblings" nor "this filter minus that overlapping one" can bring a hidden count back.

The response-based counts are sums of the cells of participation.insights.tally (counted in SQL once,
kept up to date as the data changes), so a view and all its sibling groups cost a few hundred additions;
quotes and forum votes are read directly.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import Any

import sqlalchemy as sa

from participation.extensions import db
from participation.forum.models import (
    AGREE,
    ForumItem,
    ForumSession,
    ForumVote,
    SessionStatus,
    forum_item_theme,
)
from participation.i18n.languages import localise
from participation.insights import tally
from participation.insights.models import PopulationFigure, TextCode
from participation.insights.tally import DIMENSIONS, PUBLISHED, in_term, term_bounds
from participation.suppression import SHARE_MIN_BASE, Cell, suppress
from participation.surveys.models import PROFILE_CHOICES, Answer, ProfileField, Response
from participation.themes.models import Theme

RESPONSE_COMPONENTS = ("choices", "scales", "text")
COMPONENTS = ("choices", "scales", "forum", "text")
QUOTES_PER_THEME = 3


@dataclass(frozen=True)
class Filters:
    period: int | None = None
    age_band: str | None = None
    gender: str | None = None
    placement: int | None = None
    sources: frozenset[str] = frozenset(COMPONENTS)

    def active(self) -> list[str]:
        return [name for name in DIMENSIONS if getattr(self, name) is not None]

    def demographic(self) -> bool:
        return any(getattr(self, name) is not None for name in ("age_band", "gender", "placement"))

    def without(self, name: str) -> Filters:
        return replace(self, **{name: None})

    def conditions(self) -> tuple[tuple[str, Any], ...]:
        return tuple((name, getattr(self, name)) for name in self.active())


class FilterError(ValueError):
    """A filter in a query string that the needs map's form could not have sent."""


def filters_from(args: Any, *, sources: bool = True) -> Filters:
    """Filters from a query string (a MultiDict), checked; FilterError says what is wrong (for the API)."""

    def whole(name: str) -> int | None:
        raw = args.get(name)
        if not raw:
            return None
        try:
            return int(raw)
        except ValueError:
            raise FilterError(f"{name} is a whole number.") from None

    period, placement = whole("period"), whole("placement")
    if period is not None and term_bounds(period) is None:
        raise FilterError("period is a term such as 20252 (autumn 2025) or 20261 (spring 2026).")
    if placement is not None and not 0 <= placement < 2**31:
        raise FilterError(f"Unknown placement {placement}.")
    age_band, gender = args.get("age_band") or None, args.get("gender") or None
    if age_band not in (None, *PROFILE_CHOICES[ProfileField.AGE_BAND]):
        raise FilterError(f"Unknown age_band '{age_band}'.")
    if gender not in (None, *PROFILE_CHOICES[ProfileField.GENDER]):
        raise FilterError(f"Unknown gender '{gender}'.")
    chosen = frozenset(args.getlist("source")) if sources else frozenset()
    if not chosen <= set(COMPONENTS):
        raise FilterError("Unknown source.")
    return Filters(period, age_band, gender, placement, chosen or frozenset(COMPONENTS))


def _conditions(filters: Filters) -> list[Any]:
    """The filters on the response's own columns, as an index and the planner's statistics can use them."""
    conditions = []
    for name, value in filters.conditions():
        if name == "period":
            conditions.append(in_term(Response.submitted_hour, value))
            continue
        column = {
            "age_band": Response.age_band,
            "gender": Response.gender,
            "placement": Response.placement_id,
        }[name]
        conditions.append(column.is_(None) if value in ("", 0) else column == value)
    return conditions


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


def _forum(filters: Filters) -> dict[tuple[int, Any], tuple[int, int]]:
    """Votes on themed items in closed sessions; profile and place filters do not apply to votes."""
    conditions = [ForumSession.status == SessionStatus.CLOSED, ForumVote.value == AGREE]
    if filters.period is not None:
        conditions.append(in_term(ForumSession.closed_at, filters.period))
    weight = sa.func.coalesce(sa.func.sum(ForumVote.weight), 0)
    total = db.session.scalar(
        sa.select(weight)
        .select_from(ForumVote)
        .join(ForumSession, ForumSession.id == ForumVote.session_id)
        .where(*conditions)
    )
    rows = db.session.execute(
        sa.select(forum_item_theme.c.theme_id, weight)
        .select_from(ForumVote)
        .join(ForumSession, ForumSession.id == ForumVote.session_id)
        .join(ForumItem, ForumItem.id == ForumVote.item_id)
        .join(forum_item_theme, forum_item_theme.c.item_id == ForumItem.id)
        .where(*conditions)
        .group_by(forum_item_theme.c.theme_id)
    )
    return {(theme, None): (int(count), int(total or 0)) for theme, count in rows}


_RESPONSE_QUERIES = {"choices": _choices, "scales": _scales, "text": _text}


# --- suppression across siblings ---------------------------------------------------------------------


def _protected(component: str, filters: Filters, k: int) -> dict[int, tuple[Cell, Cell]]:
    """Per theme: the (count, base) cells of this view, hidden where any sibling table says so."""
    raw = _RESPONSE_QUERIES[component](filters, None)
    view: dict[int, tuple[Cell, Cell]] = {}
    for (theme, _grp), (count, base) in raw.items():
        base_cell = suppress({"base": base}, base, k, additive=False)["base"]
        count_cell = suppress({"count": count}, base, k, additive=False)["count"]
        view[theme] = (count_cell, base_cell)
    for name in filters.active():
        value = getattr(filters, name)
        siblings = _RESPONSE_QUERIES[component](filters.without(name), name)
        by_theme: dict[int, dict[Any, tuple[int, int]]] = defaultdict(dict)
        for (theme, grp), pair in siblings.items():
            by_theme[theme][grp] = pair
        for theme, groups in by_theme.items():
            counts = {grp: pair[0] for grp, pair in groups.items()}
            bases = {grp: pair[1] for grp, pair in groups.items()}
            hidden_count = suppress(counts, sum(counts.values()), k, additive=True).get(value)
            hidden_base = suppress(bases, sum(bases.values()), k, additive=True).get(value)
            if theme in view and hidden_base is not None and hidden_base.suppressed:
                view[theme] = (Cell(None, None), Cell(None, None))
            elif theme in view and hidden_count is not None and hidden_count.suppressed:
                view[theme] = (Cell(None, None), view[theme][1])
    return view


@dataclass
class Component:
    name: str
    count: Cell
    base: Cell

    @property
    def share(self) -> float | None:
        if self.count.count is None or self.base.count is None or self.base.count < SHARE_MIN_BASE:
            return None
        return self.count.count / self.base.count


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
    """Responses in the view, per group of `by` (or under None); groups without any are left out."""
    groups = tally.current().sums(filters.conditions(), by)
    return {grp: counts[("respondents", 0)] for grp, counts in groups.items() if counts[("respondents", 0)]}


def respondents(filters: Filters, k: int) -> Cell:
    """How many responses the view rests on, protected across sibling groups like every other count."""
    total = _respondents(filters, None).get(None, 0)
    cell = suppress({"n": total}, total, k, additive=False)["n"]
    for name in filters.active():
        value = getattr(filters, name)
        counts = _respondents(filters.without(name), name)
        sibling = suppress(counts, sum(counts.values()), k, additive=True).get(value)
        if sibling is not None and sibling.suppressed:
            cell = Cell(None, None)
    return cell


def _quotes(theme_ids: Iterable[int], filters: Filters) -> dict[int, list[str]]:
    """The latest published free texts coded with each theme in the view: a short query per theme."""
    quotes: dict[int, list[str]] = {}
    for theme_id in theme_ids:
        texts = db.session.scalars(
            sa.select(Answer.text_value)
            .select_from(TextCode)
            .join(Answer, Answer.id == TextCode.answer_id)
            .join(Response, Response.id == Answer.response_id)
            .where(
                TextCode.theme_id == theme_id, Answer.moderation_status.in_(PUBLISHED), *_conditions(filters)
            )
            .order_by(TextCode.answer_id.desc())
            .limit(QUOTES_PER_THEME)
        ).all()
        if texts:
            quotes[theme_id] = [text or "" for text in texts]
    return quotes


def needs_map(filters: Filters, k: int) -> NeedsMap:
    """The needs map for a view; quotes only when the view's group has at least k respondents."""
    themes = list(db.session.scalars(sa.select(Theme).order_by(Theme.id)))
    needs = {theme.id: ThemeNeed(theme) for theme in themes}
    for component in RESPONSE_COMPONENTS:
        if component not in filters.sources:
            continue
        for theme_id, (count, base) in _protected(component, filters, k).items():
            if theme_id in needs:
                needs[theme_id].components[component] = Component(component, count, base)
    forum_applies = "forum" in filters.sources and not filters.demographic()
    if forum_applies:
        for (theme_id, _grp), (count, base) in _forum(filters).items():
            if theme_id in needs:
                cells = suppress({"count": count}, base, k, additive=False)
                base_cell = suppress({"base": base}, base, k, additive=False)["base"]
                needs[theme_id].components["forum"] = Component("forum", cells["count"], base_cell)
    total = respondents(filters, k)
    if total.count is not None and "text" in filters.sources:
        for theme_id, quotes in _quotes(needs, filters).items():
            needs[theme_id].quotes = quotes
    ranked = sorted(
        needs.values(), key=lambda need: (need.priority is None, -(need.priority or 0), need.theme.id)
    )
    return NeedsMap(filters, total, ranked, forum_applies)


# --- trend and reach ---------------------------------------------------------------------------------


def terms() -> list[int]:
    """The terms that have responses, oldest first."""
    return sorted(_respondents(Filters(), "period"))


def trend(filters: Filters, k: int) -> dict[int, dict[int, Cell]]:
    """Per theme, per term: the share choosing it (choices component), suppressed across the terms."""
    raw = _choices(filters.without("period"), "period")
    by_theme: dict[int, dict[int, tuple[int, int]]] = defaultdict(dict)
    for (theme, term), pair in raw.items():
        by_theme[theme][int(term)] = pair
    result: dict[int, dict[int, Cell]] = {}
    for theme, per_term in by_theme.items():
        counts = {term: pair[0] for term, pair in per_term.items()}
        hidden = suppress(counts, sum(counts.values()), k, additive=True)
        result[theme] = {
            term: Cell(None, None)
            if hidden[term].suppressed
            else Cell(
                per_term[term][0],
                per_term[term][0] / per_term[term][1] if per_term[term][1] >= SHARE_MIN_BASE else None,
            )
            for term in per_term
        }
    return result


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
    """Who we are (not) hearing from: respondents per age band against the population figures."""
    counts = _respondents(filters.without("age_band"), "age_band")
    bands = list(PROFILE_CHOICES[ProfileField.AGE_BAND])
    full = {band: counts.get(band, 0) for band in [*bands, ""]}
    cells = suppress(full, sum(full.values()), k, additive=True)
    population = {p.age_band: p.count for p in db.session.scalars(sa.select(PopulationFigure))}
    return [Reach(band, cells[band], population.get(band)) for band in bands]


def as_rows(result: NeedsMap, lang: str) -> list[dict[str, Any]]:
    """The needs map as rows, one per theme, for the API and the exports."""
    rows = []
    for need in result.needs:
        rows.append(
            {
                "theme": need.theme.slug,
                "name": localise(need.theme.name, lang, "sv").text,
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
    """Per theme, per group of `by`: the share choosing it, suppressed across the groups together."""
    raw = _choices(filters.without(by), by)
    by_theme: dict[int, dict[Any, tuple[int, int]]] = defaultdict(dict)
    for (theme, group), pair in raw.items():
        by_theme[theme][group] = pair
    result: dict[int, dict[Any, Cell]] = {}
    for theme, groups in by_theme.items():
        hidden = suppress(
            {g: pair[0] for g, pair in groups.items()}, sum(p[0] for p in groups.values()), k, additive=True
        )
        hidden_base = suppress(
            {g: pair[1] for g, pair in groups.items()}, sum(p[1] for p in groups.values()), k, additive=True
        )
        result[theme] = {
            group: Cell(None, None)
            if hidden[group].suppressed or hidden_base[group].suppressed
            else Cell(count, count / base if base >= SHARE_MIN_BASE else None)
            for group, (count, base) in groups.items()
        }
    return result
