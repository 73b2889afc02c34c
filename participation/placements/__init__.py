"""Placements: a printed or shown code at a named place, leading to a survey or a forum session."""

from __future__ import annotations

from typing import Any

from flask import Flask
from flask_login import user_logged_in

from participation.core import signals
from participation.placements import kiosk
from participation.placements.services import live_placement
from participation.surveys.answering import Place


def init_app(app: Flask) -> None:
    signals.placement_of_code.connect(_placement_of_code, sender=app, weak=False)
    signals.kiosk_placement.connect(_kiosk_placement, sender=app, weak=False)
    # Logging in as staff is the one way out of kiosk mode (the leave page's form is the staff login).
    user_logged_in.connect(_logged_in, sender=app, weak=False)
    app.context_processor(_kiosk_device)


def _placement_of_code(_app: Flask, *, code: str, survey_id: int) -> int | None:
    """The id of the live placement with this code that leads to this survey."""
    placement = live_placement(code)
    return placement.id if placement is not None and placement.survey_id == survey_id else None


def _kiosk_placement(_app: Flask, *, survey_id: int) -> Place | None:
    """The placement this device is a kiosk for, if kiosk mode is in force for this survey."""
    found = kiosk.current_kiosk()
    if found is None or found.placement.survey_id != survey_id:
        return None
    return Place(found.placement.code, found.placement.id)


def _logged_in(_app: Flask, *, user: Any, **_extra: Any) -> None:
    kiosk.end_here(user)


def _kiosk_device() -> dict[str, Any]:
    """Every page knows whether this device is a kiosk: it then hides staff links and offers the way out."""
    return {"kiosk_device": kiosk.current_kiosk()}
