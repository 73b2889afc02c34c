"""Friendly error pages in the participant's language, never a bare stack trace."""

from __future__ import annotations

from flask import Flask, g, render_template
from werkzeug.exceptions import HTTPException, InternalServerError

from participation.extensions import db
from participation.i18n.languages import choose_language


def _page(status: int) -> tuple[str, int]:
    if not getattr(g, "lang", None):
        g.lang = choose_language()
    return render_template("errors/error.html", status=status), status


def register_errorhandlers(app: Flask) -> None:
    @app.errorhandler(HTTPException)
    def _http_error(error: HTTPException) -> tuple[str, int] | HTTPException:
        if error.code is None or error.code < 400:
            return error
        return _page(error.code)

    @app.errorhandler(InternalServerError)
    def _server_error(_error: InternalServerError) -> tuple[str, int]:
        db.session.rollback()
        return _page(500)
