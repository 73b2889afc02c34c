"""Site-wide pages: the root redirect, the start page, language choice, health and accessibility."""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa
from flask import Blueprint, Response, current_app, jsonify, redirect, render_template, request
from flask.typing import ResponseReturnValue
from werkzeug.exceptions import HTTPException

from participation.extensions import db
from participation.i18n.languages import choose_language, current_language, is_shipped, set_language_cookie
from participation.security import local_path
from participation.surveys.queries import open_surveys

bp = Blueprint("site", __name__)


@bp.get("/")
def root() -> ResponseReturnValue:
    return redirect(f"/{choose_language()}/", code=302)


@bp.get("/<lang>/")
def home() -> str:
    return render_template("core/home.html", surveys=open_surveys(datetime.now(UTC)))


@bp.get("/<lang>/accessibility")
def accessibility() -> str:
    return render_template("core/accessibility.html")


def _safe_next(target: str | None) -> str:
    """A same-site path without its language prefix; anything else becomes the start page."""
    path = local_path(target)
    if path is None:
        return "/"
    parts = path.split("/", 2)
    if len(parts) > 1 and is_shipped(parts[1]):
        # Checked again: without its prefix, /sv//evil.example would be //evil.example, another site.
        path = local_path("/" + (parts[2] if len(parts) > 2 else ""))
    return path or "/"


def _in_language(lang: str, path: str) -> str:
    """The same page in another language: prefixed when the page lives under /<lang>/, else unchanged."""
    adapter = current_app.url_map.bind("localhost")
    try:
        adapter.match(f"/{lang}{path.split('?', 1)[0]}")
    except HTTPException:
        return path
    return f"/{lang}{path}"


@bp.get("/<lang>/language")
def choose() -> ResponseReturnValue:
    """Remember the participant's explicit language choice and return to the same page in it."""
    response = redirect(_in_language(current_language(), _safe_next(request.args.get("next"))), code=303)
    set_language_cookie(response, current_language())
    return response


@bp.get("/healthz")
def healthz() -> tuple[Response, int]:
    try:
        db.session.execute(sa.text("SELECT 1"))
    except sa.exc.SQLAlchemyError:  # the 503 ends the request's unit of work, rolled back
        return jsonify(status="error", database="unreachable"), 503
    return jsonify(status="ok", database="ok"), 200
