"""Real-browser fixtures: the app in a live HTTP server, and headless Debian Chromium driven by Playwright.

Chromium is the system one (never `playwright install`). Without it the browser tests are skipped with a
reason, unless REQUIRE_BROWSER=1, where a missing browser is a failure (CI must not pass by skipping).
"""

from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

import pytest
from flask import Flask
from werkzeug.serving import make_server

from participation.surveys.models import Survey
from tests.factories import gen_placement, gen_survey

if TYPE_CHECKING:
    from playwright.sync_api import Browser, BrowserContext, Page

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]

# A small phone, as most participants use.
MOBILE = {"viewport": {"width": 360, "height": 740}, "is_mobile": True, "has_touch": True}


def _chromium_or_skip() -> str:
    executable = shutil.which("chromium")
    if executable is None:
        reason = "Chromium not found on PATH (install Debian's chromium package)"
        if os.environ.get("REQUIRE_BROWSER") == "1":
            pytest.fail(f"REQUIRE_BROWSER=1 but {reason}", pytrace=False)
        pytest.skip(f"{reason}: browser tests skipped")
    return executable


@pytest.fixture(scope="session")
def live_server(app: Flask) -> Iterator[str]:
    """The real app served over HTTP on a free port of 127.0.0.1; yields its base URL."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """Headless system Chromium, one per test run."""
    executable = _chromium_or_skip()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture()
def new_context(browser: Browser, live_server: str, db: object) -> Iterator[Callable[..., BrowserContext]]:
    """Factory for fresh browser contexts (own cookies = own device), all closed before the tables are emptied.

    Depends on `db`, so every context is closed first and no request is in flight when the test's data goes.
    """
    contexts: list[BrowserContext] = []

    def make(*, javascript: bool = True, locale: str = "sv-SE", **options: Any) -> BrowserContext:
        context = browser.new_context(
            base_url=live_server, java_script_enabled=javascript, locale=locale, **{**MOBILE, **options}
        )
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context

    yield make
    for context in contexts:
        context.close()


@pytest.fixture()
def page(new_context: Callable[..., BrowserContext]) -> Page:
    """A page on a phone-sized viewport with JavaScript on."""
    return new_context().new_page()


@pytest.fixture()
def survey(db: object) -> Survey:
    """The factory survey with every question kind, for the journey through the form."""
    return gen_survey()


@pytest.fixture()
def placement_id(survey: Survey) -> int:
    return gen_placement(survey, code="FRITID").id
