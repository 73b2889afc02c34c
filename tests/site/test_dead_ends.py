"""No dead ends: a box for a typed code wherever a code fails, a favicon, and no attribute saying "None"."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa

from participation.config import DEFAULT_LANGUAGES
from participation.extensions import db
from participation.placements.models import PlacementScan
from tests.factories import csrf_token, gen_forum_session, gen_placement, gen_survey, gen_user, login

LANGUAGES = DEFAULT_LANGUAGES.split()
CODE_BOX = re.compile(r'<form method="get" action="/([\w-]+)/code"[^>]*>.*?</form>', re.S)


def scans() -> int:
    return int(db.session.scalar(sa.select(sa.func.coalesce(sa.func.sum(PlacementScan.count), 0))))


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_start_page_has_a_code_box_in_its_own_language(client, lang: str) -> None:
    html = client.get(f"/{lang}/").get_data(as_text=True)
    box = CODE_BOX.search(html)
    assert box and box.group(1) == lang
    assert 'name="code"' in box.group(0) and "aria-invalid" not in box.group(0)


def test_a_typed_poster_code_leads_to_its_survey_in_the_page_language_and_counts_as_a_scan(client) -> None:
    survey = gen_survey()
    gen_placement(survey, code="FRITID24", language="sv")
    page = client.get("/ar/code?code=%20fritid%2024%20")
    assert page.status_code == 302 and page.headers["Cache-Control"] == "no-store"
    assert page.headers["Location"] == f"/ar/s/{survey.slug}?p=FRITID24"
    assert scans() == 1


def test_a_typed_forum_code_leads_to_its_session(client) -> None:
    session = gen_forum_session()
    page = client.get(f"/fi/code?code={session.code.lower()}")
    assert page.status_code in (302, 303)
    assert page.headers["Location"] == f"/fi/f/{session.code}"


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("NOPE42", "We do not know the code NOPE42."),
        ("", "Type the code from the poster or the screen."),
        ("x" * 500, "We do not know the code"),  # longer than any code: a 404, never a 500
    ],
)
def test_an_unknown_code_shows_the_box_again_with_what_was_typed(client, typed: str, message: str) -> None:
    page = client.get("/en/code", query_string={"code": typed})
    html = page.get_data(as_text=True)
    assert page.status_code == 404 and message in html
    box = CODE_BOX.search(html)
    assert box and f'value="{typed[:40]}"' in box.group(0)
    assert 'aria-invalid="true" aria-describedby="code-error"' in box.group(0)
    assert scans() == 0


def test_the_unknown_code_page_is_in_the_page_language(client) -> None:
    page = client.get("/sv/code?code=NOPE42")
    html = page.get_data(as_text=True)
    assert page.status_code == 404 and '<html lang="sv"' in html
    assert "Vi hittade inte sidan." in html and 'action="/sv/code"' in html


def test_a_retired_poster_code_is_not_found_by_typing_either(client) -> None:
    placement = gen_placement(gen_survey(), code="OLD22")
    placement.retired_at = datetime.now(UTC)
    db.session.commit()
    assert client.get("/en/code?code=OLD22").status_code == 404
    assert scans() == 0


def test_an_unknown_poster_link_offers_the_box_with_the_code_to_correct(client) -> None:
    gen_placement(gen_survey(), code="FRITID24")
    page = client.get("/q/FRITlD24")
    html = page.get_data(as_text=True)
    assert page.status_code == 404
    box = CODE_BOX.search(html)
    assert box and 'value="FRITlD24"' in box.group(0)


def test_other_not_found_pages_offer_the_box_too(client) -> None:
    assert CODE_BOX.search(client.get("/en/s/no-such-survey").get_data(as_text=True))


def test_favicon_is_a_cacheable_first_party_image(client) -> None:
    with client.get("/favicon.ico") as icon:
        assert icon.status_code == 200 and icon.mimetype == "image/vnd.microsoft.icon"
        assert icon.data[:4] == b"\x00\x00\x01\x00"  # an ICO file's header
        assert "max-age=604800" in icon.headers["Cache-Control"]


def _get_routes_without_arguments(app, prefix: str) -> list[str]:
    """Every GET page of the app under prefix whose only URL argument is the language."""
    paths = []
    for rule in app.url_map.iter_rules():
        if "GET" in (rule.methods or ()) and rule.rule.startswith(prefix) and set(rule.arguments) <= {"lang"}:
            if not rule.rule.endswith((".json", ".csv", ".xlsx", ".svg", ".png", ".ico")):
                paths.append(rule.rule)
    return paths


NONE_ATTRIBUTE = re.compile(r'[\w-]+="None"')


def _assert_no_none_attribute(client, path: str) -> int:
    page = client.get(path)
    html = page.get_data(as_text=True)
    if page.mimetype == "text/html":
        assert not NONE_ATTRIBUTE.search(html), f"{path}: {NONE_ATTRIBUTE.findall(html)}"
    return page.status_code


def test_no_public_page_has_an_attribute_saying_none(app, client, runner) -> None:
    runner.invoke(args=["demo"])
    survey = gen_survey()
    db.session.commit()
    static = [
        path for path in _get_routes_without_arguments(app, "/") if not path.startswith(("/staff", "/api"))
    ]
    assert "/<lang>/" in static and "/<lang>/follow-up/withdraw" in static
    for lang in LANGUAGES:
        for path in [p.replace("<lang>", lang) for p in static] + [
            f"/{lang}/s/{survey.slug}",
            f"/{lang}/s/{survey.slug}/thanks",
            f"/{lang}/s/no-such-survey",
            f"/{lang}/f/TJEJ24",
            f"/{lang}/code?code=NOPE",
            "/q/NOPE",
        ]:
            assert _assert_no_none_attribute(client, path) < 500, path


def test_no_staff_page_has_an_attribute_saying_none(app, client, runner) -> None:
    runner.invoke(args=["demo"])
    survey = gen_survey()
    placement = gen_placement(survey)
    admin = gen_user("admin")
    login(client, admin)
    # Forms sent back with errors: the other shape the field macro takes (with and without autocomplete).
    for path in ("/staff/password", "/staff/actions/new", "/staff/users/new"):
        failed = client.post(path, data={"csrf_token": csrf_token(client, path)}).get_data(as_text=True)
        assert 'aria-invalid="true"' in failed and not NONE_ATTRIBUTE.search(failed), path
    pages = _get_routes_without_arguments(app, "/staff") + [
        f"/staff/surveys/{survey.id}",
        f"/staff/surveys/{survey.id}/questions/{survey.questions[0].id}",
        f"/staff/surveys/{survey.id}/translate?lang=ar",
        f"/staff/placements/{placement.id}/poster",
        "/staff/needs?age_band=16_19&gender=girl",
    ]
    assert "/staff/users/new" in pages or "/staff/users" in pages
    reached = [path for path in pages if _assert_no_none_attribute(client, path) == 200]
    assert len(reached) >= 15, reached
