"""Site-wide pages: the root redirect, the start page, language choice, health and accessibility."""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa
from flask import (
    Blueprint,
    Response,
    current_app,
    jsonify,
    redirect,
    render_template,
    request,
    send_from_directory,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from werkzeug.exceptions import HTTPException

from participation.core.commands import migrations_status
from participation.extensions import db
from participation.forum.sessions import session_by_code
from participation.i18n.languages import choose_language, current_language, is_shipped, set_language_cookie
from participation.placements.routes import counted_visit, destination
from participation.placements.services import CODE_MAX, live_placement
from participation.security import local_path
from participation.suppression import threshold
from participation.surveys.queries import open_surveys

bp = Blueprint("site", __name__)


@bp.get("/")
def root() -> ResponseReturnValue:
    return redirect(f"/{choose_language()}/", code=302)


@bp.get("/<lang>/")
def home() -> str:
    return render_template("core/home.html", surveys=open_surveys(datetime.now(UTC)))


TYPED_MAX = 40  # what is kept of a typed code to show it again; longer than any code, shorter than abuse


@bp.get("/<lang>/code")
def find_code() -> ResponseReturnValue:
    """A poster or forum code typed into the box on the start page or the "not found" page.

    Typing the poster's code is the same visit as scanning it, so it is counted like a scan; it opens
    in the language of the page the code was typed on, the one the person is reading.
    """
    typed = request.args.get("code", "")[:TYPED_MAX]
    code = "".join(typed.split()).upper()  # people type "fritid 24" as often as FRITID24
    placement = live_placement(code)
    target = destination(placement, current_language()) if placement is not None else None
    if placement is not None and target is not None:
        return counted_visit(placement, target)
    session = session_by_code(code) if len(code) <= CODE_MAX else None
    if session is not None:  # a forum evening's own code, shown on its screen
        return redirect(url_for("forum.session", code=session.code), code=303)
    if code:
        error = _("We do not know the code %(code)s. Check it on the poster or the screen.", code=code)
    else:
        error = _("Type the code from the poster or the screen.")
    return render_template("errors/error.html", status=404, typed_code=typed, code_error=error), 404


@bp.get("/favicon.ico")
def favicon() -> Response:
    """Browsers ask for /favicon.ico on every site by themselves, so the pages need no icon link (and the
    survey page keeps to its one stylesheet and one script); a week's cache spares the repeat requests."""
    return send_from_directory(
        current_app.static_folder or "static",
        "favicon.ico",
        mimetype="image/vnd.microsoft.icon",
        max_age=7 * 24 * 3600,
    )


@bp.get("/<lang>/accessibility")
def accessibility() -> str:
    return render_template("core/accessibility.html")


@bp.get("/<lang>/privacy")
def privacy() -> str:
    """The privacy notice, for a 13-year-old; from a survey's first screen, that survey's retention first."""
    surveys = open_surveys(datetime.now(UTC))
    asked = request.args.get("survey", "")
    surveys.sort(key=lambda survey: survey.slug != asked)  # stable: the rest stay newest first
    return render_template("core/privacy.html", surveys=surveys, k=threshold())


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
    """For a load balancer or a monitor: the database answers and has every migration of this release."""
    try:
        db.session.execute(sa.text("SELECT 1"))
        migrations = migrations_status(db.session.connection())
    except sa.exc.SQLAlchemyError:  # the 503 ends the request's unit of work, rolled back
        return jsonify(status="error", database="unreachable", migrations="unknown"), 503
    if migrations != "ok":  # the code expects tables or columns the database lacks: run `flask db upgrade`
        return jsonify(status="error", database="ok", migrations=migrations), 503
    return jsonify(status="ok", database="ok", migrations="ok"), 200
