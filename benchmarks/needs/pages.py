"""The staff pages over HTTP as one logged-in staff member sees them: the needs map and an indicator."""

from __future__ import annotations

import http.client
import random
import time
import urllib.parse
from typing import Any

from benchmarks.harness.client import ClientError, cookies_from
from benchmarks.harness.forms import parse_form
from benchmarks.needs.inprocess import add_response

LOGIN_PATH = "/staff/login"
NEEDS_PATH = "/staff/needs"
NEEDS_MARKER = b'<table class="needs">'
INDICATOR_PATH = "/staff/measurement/indicators/{id}"
INDICATOR_MARKER = b'<svg class="chart"'


class Browser:
    """One logged-in staff member: a keep-alive connection and a cookie jar.

    Not harness.client.Client: the needs map can take longer than that client's fixed 30 s on big
    data, and a slow page should be measured, not dropped.
    """

    def __init__(self, port: int, timeout: float) -> None:
        self.port = port
        self.timeout = timeout
        self.connection: http.client.HTTPConnection | None = None
        self.jar: dict[str, str] = {}

    def request(
        self, method: str, path: str, body: bytes | None = None, headers: dict[str, str] | None = None
    ) -> tuple[http.client.HTTPResponse, bytes]:
        all_headers = {"User-Agent": "needs-map-bench"}
        if self.jar:
            all_headers["Cookie"] = "; ".join(f"{name}={value}" for name, value in self.jar.items())
        all_headers.update(headers or {})
        if self.connection is None:
            self.connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=self.timeout)
        try:
            self.connection.request(method, path, body=body, headers=all_headers)
            response = self.connection.getresponse()
            data = response.read()
        except TimeoutError:
            self.close()
            raise ClientError(f"{method} {path}: no answer within {self.timeout:g} s") from None
        except (OSError, http.client.HTTPException) as exc:
            self.close()
            raise ClientError(f"{method} {path}: {type(exc).__name__}") from None
        self.jar.update(cookies_from(response))
        if response.will_close:
            self.close()
        return response, data

    def login(self, email: str, password: str) -> None:
        response, body = self.request("GET", LOGIN_PATH)
        if response.status != 200:
            raise ClientError(f"login form GET status {response.status}")
        form = parse_form(body.decode("utf-8"))
        if "csrf_token" not in form.hidden:
            raise ClientError("login form without csrf_token")
        response, _body = self.post_form(LOGIN_PATH, {**form.hidden, "email": email, "password": password})
        if response.status not in (302, 303):
            raise ClientError(f"login POST status {response.status}")

    def post_form(
        self, path: str, fields: dict[str, str], referer: str | None = None
    ) -> tuple[http.client.HTTPResponse, bytes]:
        """POST a form as a browser does: urlencoded, with this origin (CSRF checks look at it)."""
        origin = f"http://127.0.0.1:{self.port}"
        return self.request(
            "POST",
            path,
            body=urllib.parse.urlencode(fields).encode("ascii"),
            headers={
                "Content-Type": "application/x-www-form-urlencoded",
                "Origin": origin,
                "Referer": origin + (referer or path),
            },
        )

    def close(self) -> None:
        if self.connection is not None:
            self.connection.close()
            self.connection = None


def measure_page(browser: Browser, path: str, repeat: int, marker: bytes = NEEDS_MARKER) -> list[float]:
    def fetch() -> None:
        response, body = browser.request("GET", path)
        if response.status != 200 or marker not in body:
            raise ClientError(f"GET {path}: status {response.status}, {len(body)} bytes, {marker!r} missing")

    # Server-side time as the client sees it: request sent to last byte read (keep-alive connection).
    fetch()
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        fetch()
        times.append(time.perf_counter() - started)
    return times


def measure_compute(browser: Browser, indicator_id: int, repeat: int) -> list[float]:
    """POST the indicator's "compute the values from the survey answers" button (after a warm-up)."""
    page = INDICATOR_PATH.format(id=indicator_id)
    times = []
    for run in range(repeat + 1):
        response, body = browser.request("GET", page)
        token = parse_form(body.decode("utf-8")).hidden.get("csrf_token")
        if response.status != 200 or not token:
            raise ClientError(f"GET {page}: status {response.status}, no CSRF token")
        started = time.perf_counter()
        response, _body = browser.post_form(f"{page}/compute", {"csrf_token": token}, referer=page)
        elapsed = time.perf_counter() - started
        if response.status != 302:
            raise ClientError(f"POST {page}/compute: status {response.status}")
        if run:
            times.append(elapsed)
    return times


def measure_page_after_responses(
    browser: Browser, app: Any, path: str, repeat: int, rng: random.Random
) -> list[float]:
    """The page right after a release of k new responses each time, as while a survey is being answered."""
    times = []
    for _ in range(repeat):
        add_response(app, rng)
        started = time.perf_counter()
        response, body = browser.request("GET", path)
        times.append(time.perf_counter() - started)
        if response.status != 200 or NEEDS_MARKER not in body:
            raise ClientError(f"GET {path}: status {response.status}, needs table missing")
    return times
