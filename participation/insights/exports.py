"""The needs map as a report for CSV and XLSX: every table of the page, figures already protected.

Every number here comes from the same protected cells the page shows (participation.suppression through
participation.insights.needs); a hidden figure is an empty cell with a flag beside it, never a word in a
numeric column and never the true count.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from flask_babel import gettext as _

from participation.exports import Column, Report, Table, per_cent
from participation.i18n.formatting import term_label
from participation.insights import needs
from participation.insights.filters import COMPONENTS, Filters
from participation.insights.labels import group_label, placement_names, profile_label
from participation.suppression import Cell
from participation.themes.services import theme_name

TABLES = ("priorities", "breakdown", "trend", "reach")


def component_names() -> dict[str, str]:
    return {
        "choices": _("Chose an option on the theme"),
        "scales": _("Answered the low end of a scale"),
        "forum": _("Share of forum votes"),
        "text": _("Share of coded free text"),
    }


def _hidden_label(k: int) -> str:
    return _("Hidden (fewer than %(k)d)", k=k)


def priorities(result: needs.NeedsMap, k: int) -> Table:
    """One row per theme: its priority and each component's share, count and n, with a hidden flag."""
    columns = [Column(_("Theme"), "theme"), Column(_("Theme key"), "theme_key"),
               Column(_("Priority (%)"), "priority_pct", numeric=True)]  # fmt: skip
    names = component_names()
    shown = [name for name in COMPONENTS if name in result.filters.sources]
    for name in shown:
        columns += [
            Column(f"{names[name]}: " + _("share (%)"), f"{name}_share_pct", numeric=True),
            Column(f"{names[name]}: " + _("count"), f"{name}_count", numeric=True),
            Column(f"{names[name]}: n", f"{name}_n", numeric=True),
            Column(f"{names[name]}: " + _hidden_label(k), f"{name}_hidden", numeric=True),
        ]
    table = Table("priorities", _("Needs in order of priority"), columns)
    for need in result.needs:
        row: list[Any] = [theme_name(need.theme), need.theme.slug, per_cent(need.priority)]
        for name in shown:
            c = need.components.get(name)
            if c is None:  # the theme has no such component (no tagged question): not hidden, absent
                row += [None, None, None, False]
                continue
            hidden = c.count.suppressed or c.base.suppressed
            row += [per_cent(c.share), c.count.count, c.base.count, hidden]
        table.rows.append(row)
    return table


def _share_rows(result: needs.NeedsMap, cells: dict[int, dict[Any, Cell]], label: Any) -> list[list[Any]]:
    rows = []
    for need in result.needs:
        for group, value in cells.get(need.theme.id, {}).items():
            rows.append([theme_name(need.theme), need.theme.slug, label(group), str(group or ""),
                         per_cent(value.share), value.suppressed])  # fmt: skip
    return rows


def _share_table(key: str, title: str, group: str, k: int, rows: list[list[Any]]) -> Table:
    columns = [
        Column(_("Theme"), "theme"),
        Column(_("Theme key"), "theme_key"),
        Column(group, "group"),
        Column(_("Group key"), "group_key"),
        Column(_("Share choosing an option on the theme (%)"), "share_pct", numeric=True),
        Column(_hidden_label(k), "hidden", numeric=True),
    ]
    return Table(key, title, columns, rows)


def breakdown(result: needs.NeedsMap, by: str, k: int) -> Table:
    places = placement_names()
    cells = needs.breakdown(result.filters, by, k)
    rows = _share_rows(result, cells, lambda group: group_label(by, group, places))
    return _share_table("breakdown", _("Breakdown"), _by_names()[by], k, rows)


def _by_names() -> dict[str, str]:
    return {"age_band": _("Age band"), "gender": _("Gender"), "placement": _("Place"), "period": _("Term")}


def trend(result: needs.NeedsMap, k: int) -> Table:
    rows = _share_rows(result, needs.trend(result.filters, k), term_label)
    return _share_table("trend", _("Trend across terms"), _("Term"), k, rows)


def reach(filters: Filters, k: int) -> Table:
    columns = [
        Column(_("Age band"), "age_band"),
        Column(_("Responses"), "responses", numeric=True),
        Column(_("Living in the area"), "population", numeric=True),
        Column(_("Reached (%)"), "reached_pct", numeric=True),
        Column(_hidden_label(k), "hidden", numeric=True),
    ]
    rows: list[list[Any]] = [
        [
            profile_label("age_band", row.age_band),
            row.respondents.count,
            row.population,
            per_cent(row.share),
            row.respondents.suppressed,
        ]  # fmt: skip
        for row in needs.reach(filters, k)
    ]
    return Table("reach", _("Who we are not hearing from"), columns, rows)


def describe(filters: Filters, by: str | None) -> str:
    """The view's filters in words, as the header block of a report says them."""
    places = placement_names()
    parts = []
    if filters.period is not None:
        parts.append(f"{_('Term')}: {term_label(filters.period)}")
    if filters.age_band is not None:
        parts.append(f"{_('Age band')}: {profile_label('age_band', filters.age_band)}")
    if filters.gender is not None:
        parts.append(f"{_('Gender')}: {profile_label('gender', filters.gender)}")
    if filters.placement is not None:
        parts.append(f"{_('Place')}: {group_label('placement', filters.placement, places)}")
    names = component_names()
    parts.append(
        f"{_('Sources')}: " + ", ".join(names[name] for name in COMPONENTS if name in filters.sources)
    )
    if by:
        parts.append(f"{_('Break down by')}: {_by_names()[by]}")
    return "; ".join(parts)


def needs_report(filters: Filters, by: str | None, k: int, only: str | None = None) -> Report:
    """Every table of the needs map page for this view (or only one, for a BI tool), with its header block."""
    result = needs.needs_map(filters, k)

    def build(name: str) -> Table | None:
        if name == "priorities":
            return priorities(result, k)
        if name == "breakdown":
            return breakdown(result, by, k) if by else None
        return trend(result, k) if name == "trend" else reach(filters, k)

    chosen = [name for name in TABLES if only in (None, name)]
    about: list[tuple[str, Any]] = [
        (_("Filters"), describe(filters, by)),
        (_("Responses in this view"), result.respondents.count),
        (_("Smallest number shown (k)"), k),
        (_("Made"), datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")),
    ]
    made = [table for table in map(build, chosen) if table is not None]
    return Report(_("Needs map"), about, made)
