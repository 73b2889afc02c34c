"""What the needs map and its exports call things, in the staff member's language: never a raw code."""

from __future__ import annotations

from collections import Counter
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _

from participation.extensions import db
from participation.i18n.formatting import term_label
from participation.i18n.languages import content
from participation.placements.models import Placement


def profile_label(by: str, value: str | None) -> str:
    """An age band or gender as a person reads it ('Under 13', 'Girl'); empty or None: not answered."""
    if not value:
        return _("Not answered")
    labels = {
        "under_13": _("Under 13"),
        "13_15": _("13–15"),
        "16_19": _("16–19"),
        "20_25": _("20–25"),
        "over_25": _("Over 25"),
        "girl": _("Girl"),
        "boy": _("Boy"),
        "other": _("Other"),
        "rather_not_say": _("Would rather not say"),
    }
    return labels.get(value, value.replace("_", " "))


def placement_names() -> dict[int, str]:
    """Each placement's place; where two share a name, the survey it leads to (or its code) tells them apart."""
    placements = list(db.session.scalars(sa.select(Placement).order_by(Placement.id)))
    names = Counter(placement.place.strip().casefold() for placement in placements)
    result: dict[int, str] = {}
    for placement in placements:
        if names[placement.place.strip().casefold()] == 1:
            result[placement.id] = placement.place
            continue
        survey = placement.survey
        target = content(survey.title, survey.base_language).text if survey else ""
        result[placement.id] = (
            f"{placement.place} ({target} · {placement.code})"
            if target
            else (f"{placement.place} ({placement.code})")
        )
    return result


def group_label(by: str, group: Any, places: dict[int, str] | None = None) -> str:
    """A breakdown group's name: the place, the term, or the profile value; empty means not answered."""
    if group in ("", 0, None):
        return _("Not answered")
    if by == "placement":
        return (places if places is not None else placement_names()).get(int(group), str(group))
    if by == "period":
        return term_label(int(group))
    return profile_label(by, str(group))
