"""The needs map's filters: read from a query string and checked, and as conditions on the responses."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from participation.core.terms import in_term, is_term
from participation.insights.tally import DIMENSIONS
from participation.surveys.models import PROFILE_CHOICES, ProfileField, Response

COMPONENTS = ("choices", "scales", "forum", "text")


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
        cleared: dict[str, Any] = {name: None}  # a dimension: each may be None
        return replace(self, **cleared)

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
    if period is not None and not is_term(period):
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


def response_conditions(filters: Filters) -> list[Any]:
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
