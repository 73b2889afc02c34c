"""The privacy notice for children: in every language, from every public page, true to the configuration
and to each survey's retention, and written in short sentences (LIX for the Swedish text)."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from participation.config import DEFAULT_LANGUAGES
from tests.factories import gen_survey

LANGUAGES = DEFAULT_LANGUAGES.split()
MAIN = re.compile(r"<main[^>]*>(.*?)</main>", re.S)


@contextmanager
def configured(app, **values: str) -> Iterator[None]:  # type: ignore[no-untyped-def]
    saved = {name: app.config[name] for name in values}
    app.config.update(values)
    try:
        yield
    finally:
        app.config.update(saved)


def main_text(page: str) -> str:
    found = MAIN.search(page)
    assert found, "no <main>"
    text = re.sub(r"<[^>]+>", " ", found.group(1))
    return html.unescape(re.sub(r"\s+", " ", text)).strip()


def lix(text: str) -> float:
    """Läsbarhetsindex: words per sentence plus the per cent of words longer than six letters."""
    words = re.findall(r"[^\W\d_]+", text)
    sentences = max(1, len(re.findall(r"[.!?:]+(?:\s|$)", text)))
    long_words = [word for word in words if len(word) > 6]
    return len(words) / sentences + 100 * len(long_words) / len(words)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_notice_is_in_every_language_and_linked_from_every_public_page(client, db, lang: str) -> None:
    survey = gen_survey()
    page = client.get(f"/{lang}/privacy")
    assert page.status_code == 200
    body = page.get_data(as_text=True)
    assert f'lang="{lang}"' in body and "IMY" in body
    link = f'href="/{lang}/privacy"'
    for path in (
        f"/{lang}/",
        f"/{lang}/accessibility",
        f"/{lang}/s/{survey.slug}",
        f"/{lang}/actions",
        f"/{lang}/f",
    ):
        assert link in client.get(path).get_data(as_text=True), f"{path} has no link to the privacy notice"
    # The survey's first screen links to the notice with this survey's retention first.
    assert f'href="/{lang}/privacy?survey={survey.slug}"' in client.get(f"/{lang}/s/{survey.slug}").get_data(
        as_text=True
    )


def test_how_long_comes_from_each_surveys_retention(client, db) -> None:
    kept = gen_survey("kept-a-year")
    kept.retention_days = 365
    gen_survey("kept-until-erased")  # no retention set
    db.session.commit()
    page = main_text(client.get("/en/privacy?survey=kept-a-year").get_data(as_text=True))
    assert "“Test survey”: 365 days. Then the answers are erased. Only totals are kept." in page
    assert "“Test survey”: until the people responsible erase the answers." in page
    assert page.index("365 days") < page.index("until the people responsible")  # the asked one first


def test_the_organisation_fills_in_who_is_responsible_and_the_legal_basis(app, client, db) -> None:
    page = main_text(client.get("/en/privacy").get_data(as_text=True))
    assert "The organisation has not written its name here yet." in page
    assert "The organisation has not filled this in yet." in page
    assert "Write to" not in page
    with configured(
        app,
        CONTROLLER="Bäckby Backbone",
        LEGAL_BASIS="Uppgift av allmänt intresse (GDPR art. 6.1 e)",
        CONTACT_EMAIL="dataskydd@backby.example",
    ):
        page = client.get("/en/privacy").get_data(as_text=True)
    text = main_text(page)
    assert "Bäckby Backbone is responsible for your answers." in text
    assert '<span lang="sv">Uppgift av allmänt intresse (GDPR art. 6.1 e)</span>' in page
    assert "Write to dataskydd@backby.example." in text


def test_the_swedish_notice_is_easy_to_read(client, db) -> None:
    gen_survey().retention_days = 365
    db.session.commit()
    text = main_text(client.get("/sv/privacy").get_data(as_text=True))
    assert lix(text) <= 40, f"LIX {lix(text):.1f}: shorter sentences and shorter words, please"
    assert (
        lix("Det här är en kort mening. Den är lätt att läsa.")
        < 20
        < lix(
            "Kommunens verksamhetsplanering förutsätter omfattande samverkansöverenskommelser mellan förvaltningarna."
        )
    )


def test_report_a_barrier_goes_to_the_configured_address(app, client, db) -> None:
    page = client.get("/en/accessibility").get_data(as_text=True)
    assert "mailto:" not in page and "tell the staff at the youth centre" in page
    with configured(app, CONTACT_EMAIL="tillganglighet@backby.example"):
        page = client.get("/en/accessibility").get_data(as_text=True)
    assert 'href="mailto:tillganglighet@backby.example?subject=Delaktig%20accessibility"' in page
