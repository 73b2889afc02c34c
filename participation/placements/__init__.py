"""Placements: a printed or shown code at a named place, leading to a survey or a forum session."""

from __future__ import annotations

from flask import Flask

from participation.core import signals
from participation.placements.services import live_placement


def init_app(app: Flask) -> None:
    signals.placement_of_code.connect(_placement_of_code, sender=app, weak=False)


def _placement_of_code(_app: Flask, *, code: str, survey_id: int) -> int | None:
    """The id of the live placement with this code that leads to this survey."""
    placement = live_placement(code)
    return placement.id if placement is not None and placement.survey_id == survey_id else None
