"""Insights: the needs map, coding free texts by theme, and the exports analysts read."""

from __future__ import annotations

from flask import Flask

from participation.core import signals
from participation.insights.coding import new_version


def init_app(app: Flask) -> None:
    signals.themes_changed.connect(_new_codebook_version, sender=app, weak=False)


def _new_codebook_version(_app: Flask, *, note: str) -> None:
    new_version(note)
