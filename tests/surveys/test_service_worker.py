"""The survey pages' service worker: served as a script under /<lang>/s/, allowed by the CSP, never stale."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest

from participation.security import CONTENT_SECURITY_POLICY
from tests.factories import gen_survey


class FormAttributes(HTMLParser):
    """The attributes of the page's survey form."""

    def __init__(self) -> None:
        super().__init__()
        self.form: dict[str, str | None] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "form" and ("class", "survey") in attrs:
            self.form = dict(attrs)


def form_attributes(html: str) -> dict[str, str | None]:
    parser = FormAttributes()
    parser.feed(html)
    return parser.form


@pytest.mark.parametrize("lang", ["sv", "ar", "fa-AF"])
def test_the_worker_is_a_script_checked_on_every_visit(client, lang):
    with client.get(f"/{lang}/s/sw.js") as response:  # a file is streamed: close it
        assert response.status_code == 200
        assert response.mimetype == "application/javascript"
        assert response.headers["Cache-Control"] == "no-cache"
        assert "Service-Worker-Allowed" not in response.headers  # its own folder, /<lang>/s/, is its scope
        assert b'addEventListener("fetch"' in response.get_data()
        etag = response.headers["ETag"]
    with client.get(f"/{lang}/s/sw.js", headers={"If-None-Match": etag}) as again:
        assert again.status_code == 304  # an unchanged worker costs a few bytes per visit


def test_an_unknown_language_has_no_worker(client):
    assert client.get("/xx/s/sw.js").status_code == 404


def test_the_policy_allows_first_party_workers_only():
    directives = dict(part.split(" ", 1) for part in CONTENT_SECURITY_POLICY.split("; "))
    assert directives["worker-src"] == "'self'"
    assert directives["script-src"] == "'self'"


def test_the_survey_form_names_the_worker_and_says_what_happens_offline(client, db):
    survey = gen_survey()
    page = client.get(f"/en/s/{survey.slug}").get_data(as_text=True)
    form = form_attributes(page)
    assert form["data-worker"] == "/en/s/sw.js"
    assert form["data-offline-queued"] == (
        "No connection. Your answers are saved on this phone and will be sent when you are online again."
    )
    assert form["data-offline-arrived"] == "Your answers have arrived."
    assert re.search(r'<p class="offline-status" id="offline-status" role="status"></p>', page)
    # A status element the script fills; the page names no other script than its own.
    assert re.findall(r'<script src="([^"]+)"', page) == ["/static/js/survey.js"]


def test_the_worker_keeps_only_the_survey_form_and_static_files(client):
    """Its scope keeps staff pages and the API out; within it, only the form page and /static/ are kept."""
    with client.get("/sv/s/sw.js") as response:
        script = response.get_data(as_text=True)
    [pattern] = re.findall(r"var FORM_PAGE = /(.+)/;", script)
    form_page = re.compile(pattern.replace("\\/", "/"))
    assert form_page.match("/sv/s/backby-spring")
    for path in ("/sv/s/backby-spring/thanks", "/sv/s/backby-spring/language", "/staff/surveys", "/api/v1/x"):
        assert not form_page.match(path), path
    assert "/static/" in script
    assert 'request.method !== "GET"' in script  # a POST's answer is never kept
