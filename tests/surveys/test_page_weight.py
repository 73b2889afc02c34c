"""The survey page is light: one document, one stylesheet, one small script (and its service worker),
first-party, under 30 KB gzipped."""

from __future__ import annotations

import gzip
import re

from tests.factories import gen_survey

LIMIT = 30 * 1024


def fetch(client, url: str) -> bytes:
    with client.get(url) as response:  # static files are streamed: close them
        return response.get_data()


def test_survey_page_is_under_30_kb_compressed_with_no_third_party_requests(client):
    survey = gen_survey()
    html = client.get(f"/ar/s/{survey.slug}").get_data()
    assets = re.findall(rb'(?:href|src)="(/static/[^"]+)"', html)
    assert len(assets) == 2  # the stylesheet and the script
    assert not re.search(rb'(?:href|src)="(?:https?:)?//', html)
    [worker] = re.findall(rb'data-worker="(/ar/s/sw\.js)"', html)  # fetched once the page is shown
    assets.append(worker)
    assert b"@font-face" not in fetch(client, "/static/css/app.css")
    total = len(gzip.compress(html))
    for asset in assets:
        body = fetch(client, asset.decode())
        assert b"url(http" not in body and b"import " not in body
        total += len(gzip.compress(body))
    assert total < LIMIT, total
