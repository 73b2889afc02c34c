"""Forum sessions: join by code, propose, vote live, and a projector view; sessions, voting and results."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """The forum answers the moderation queue's signal with the proposals waiting for approval."""
    from participation.forum import moderation

    moderation.init_app(app)
