"""Friendly error pages in the participant's language, never a bare stack trace."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Flask, current_app, g, render_template
from flask.typing import ResponseReturnValue
from werkzeug.exceptions import BadRequest, HTTPException, InternalServerError

from participation.api.errors import is_api_request, json_error
from participation.core.logs import route
from participation.i18n.languages import choose_language


def _page(status: int) -> tuple[str, int]:
    if not getattr(g, "lang", None):
        g.lang = choose_language()
    return render_template("errors/error.html", status=status), status


def register_errorhandlers(app: Flask) -> None:
    @app.errorhandler(HTTPException)
    def _http_error(error: HTTPException) -> ResponseReturnValue:
        if error.code is None or error.code < 400:
            return error
        if is_api_request():  # also a path no rule matched: partners' tools get the API's JSON
            return json_error(error)
        return _page(error.code)

    @app.errorhandler(InternalServerError)
    def _server_error(error: InternalServerError) -> ResponseReturnValue:
        if is_api_request():
            return json_error(error)
        return _page(500)

    @app.errorhandler(OverflowError)
    @app.errorhandler(sa.exc.DataError)
    def _does_not_fit(_error: Exception) -> ResponseReturnValue:
        """A value the database cannot hold (a number beyond its column, text it refuses) came from the
        request, not from us: a 400 with the usual page (or the API's JSON), and nothing half-stored.

        The checks at the edge (participation.core.hygiene) and in forms should have caught it first,
        so the route is logged (without the value) to find the check that is missing.
        """
        current_app.logger.warning("A value the database cannot hold reached %s", route())
        return current_app.handle_http_exception(BadRequest())
