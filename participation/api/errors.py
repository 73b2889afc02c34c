"""The API's errors: JSON with the documented Error schema for every 4xx (and 5xx) under /api/v1/.

A blueprint's error handler only sees requests that were routed to it. A path under /api/v1/ that
matches no rule (a 404) or no method of its rule (a 405) fails in routing, before any blueprint is
chosen, so the app's own handler (participation.site.errors) asks `is_api_request()` and answers with
`json_error` instead of the HTML page.
"""

from __future__ import annotations

from flask import Response, jsonify, request
from werkzeug.exceptions import HTTPException

from participation.core.floods import retry_after_seconds

PREFIX = "/api/v1"

# The message of a status werkzeug raises on its own, in the API's plain words (English, like the rest).
_MESSAGES = {
    400: "A bad parameter.",
    401: "A valid API token is required: send 'Authorization: Bearer <token>'.",
    404: "No such resource.",
    405: "This method is not allowed here.",
    429: "Too many requests: try again after the seconds in Retry-After.",
    500: "Something went wrong on our side.",
}


def is_api_request() -> bool:
    """The request's path is under the API's prefix (matched to a rule or not)."""
    return request.path == PREFIX or request.path.startswith(PREFIX + "/")


def json_error(error: HTTPException) -> Response:
    """The error as {"error": "…"} with its status, and the headers the status calls for."""
    code = error.code or 500
    # An abort() with a description says what was wrong; werkzeug's own texts (and the limiter's
    # "120 per 1 minute") give way to the plain ones above.
    described = error.description if code != 429 and error.description != type(error).description else None
    response = jsonify(error=described or _MESSAGES.get(code) or error.name)
    response.status_code = code
    if code == 405:
        allowed = [value for name, value in error.get_headers() if name.lower() == "allow"]
        if allowed:
            response.headers["Allow"] = allowed[0]
    elif code == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="delaktig"'
    elif code == 429:
        response.headers["Retry-After"] = str(retry_after_seconds())
    return response
