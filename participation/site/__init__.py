"""The public site around the capabilities: the start page, choosing a language, health, error pages."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """The site answers the staff home's signal with the sections of the capabilities below it."""
    from participation.site import staff_home

    staff_home.init_app(app)
