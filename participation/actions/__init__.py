"""Actions: what partners decided and did about the needs young people named ("you said – we did")."""

from __future__ import annotations

from typing import Any

from flask import Flask

from participation.actions.services import latest_for_themes
from participation.core import signals
from participation.surveys.queries import survey_theme_ids
from participation.surveys.routes import ThanksPart


def init_app(app: Flask) -> None:
    signals.thanks_parts.connect(_latest_actions, sender=app, weak=False)


def _latest_actions(_app: Flask, *, survey: Any, already: bool, kiosk: bool = False) -> Any:
    """The newest published actions on the survey's themes: the reward, before what others answered."""
    actions = latest_for_themes(survey_theme_ids(survey))
    if not actions:
        return None
    return ThanksPart(30, "actions/_thanks.html", {"actions": actions})
