"""The short links printed on posters: /q/<code>."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import Blueprint, abort, redirect, url_for
from werkzeug.wrappers import Response

from participation.i18n.languages import choose_language
from participation.placements.services import live_placement, record_scan

bp = Blueprint("placements", __name__)


@bp.get("/q/<code>")
def scan(code: str) -> Response:
    """Count the scan (a daily number, nothing about the device) and send the participant on."""
    placement = live_placement(code)
    if placement is None or placement.survey is None:
        abort(404)
    record_scan(placement, datetime.now(UTC).date())
    lang = choose_language(pinned=placement.language)
    target = url_for("surveys.survey", lang=lang, slug=placement.survey.slug, p=placement.code)
    response = redirect(target, code=302)
    # Every scan must reach the server to be counted: no browser or proxy may cache the redirect.
    response.headers["Cache-Control"] = "no-store"
    return response
