"""Request logs without personal data: method, URL rule, status and duration, one JSON line per request.

No client address, no exact time, no path (a path holds survey slugs, forum and poster codes, a query
holds filters): the URL rule (`/<lang>/s/<slug>`) says which page was served without saying whose.
The development server's own access log (address and time of every request) is silenced, Flask's
"Exception on <path>" line names the rule instead of the path, and a traceback's "Key (email)=(…)" from
the database keeps the column but not the value.
"""

from __future__ import annotations

import json
import logging
import re
import sys
import time

from flask import Flask, Response, g, has_request_context, request
from flask.logging import has_level_handler

LOGGER = logging.getLogger("participation.requests")

# werkzeug's access and error lines begin "<client address> - - [<time>] …".
_WERKZEUG_REQUEST_LINE = re.compile(r"^\S* - - \[")


class DropClientLines(logging.Filter):
    """Drops the development server's lines about a client (its address and exact time)."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not _WERKZEUG_REQUEST_LINE.match(str(record.msg))


class RouteNotPath(logging.Filter):
    """Flask logs an unhandled error as "Exception on <path> [<method>]"; the path becomes the rule."""

    def filter(self, record: logging.LogRecord) -> bool:
        if has_request_context() and str(record.msg).startswith("Exception on "):
            record.msg = "Exception on %s [%s]"
            record.args = (route(), request.method)
        return True


# PostgreSQL words a broken constraint as "DETAIL:  Key (email)=(someone@example.se) already exists."
# and SQLite as "UNIQUE constraint failed: …" (names only); the values are data, not for a log.
_KEY_VALUES = re.compile(r"(Key \([^)]*\)=\()(.*?)(\)( already exists| is not present| conflicts)?)")


class NoKeyValuesInTracebacks(logging.Filter):
    """A logged traceback keeps the SQL and the constraint's columns, never the values of a key."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = _KEY_VALUES.sub(r"\1…\3", record.exc_text)
        return True


def route() -> str:
    """The URL rule the request matched, or '-' when none did (an unknown path is not written down)."""
    return request.url_rule.rule if request.url_rule is not None else "-"


def _start_clock() -> None:
    g.request_started = time.perf_counter()


def _log_request(response: Response) -> Response:
    started = g.pop("request_started", None)
    duration_ms = (time.perf_counter() - started) * 1000 if started is not None else 0.0
    LOGGER.info("%s", request_line(request.method, route(), response.status_code, duration_ms))
    return response


def request_line(method: str, rule: str, status: int, duration_ms: float) -> str:
    """One request as one JSON object on one line, for a log collector to read without a pattern."""
    fields = {"event": "request", "method": method, "route": rule, "status": status}
    return json.dumps({**fields, "duration_ms": round(duration_ms)}, ensure_ascii=False)


def _add_filter_once(logger: logging.Logger, kind: type[logging.Filter]) -> None:
    """Loggers outlive apps (tests build many): one filter of each kind is enough."""
    if not any(isinstance(existing, kind) for existing in logger.filters):
        logger.addFilter(kind())


def register_request_logs(app: Flask) -> None:
    """One line per request on standard error (unless logging is configured), and no address logged."""
    if LOGGER.level == logging.NOTSET:
        LOGGER.setLevel(logging.INFO)
    if not has_level_handler(LOGGER):
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(message)s"))
        LOGGER.addHandler(handler)
    _add_filter_once(logging.getLogger("werkzeug"), DropClientLines)
    _add_filter_once(app.logger, RouteNotPath)
    _add_filter_once(app.logger, NoKeyValuesInTracebacks)
    app.before_request_funcs.setdefault(None, []).insert(0, _start_clock)
    app.after_request(_log_request)
