"""The read-only API: bearer tokens per partner, suppressed aggregates, and an OpenAPI document of every route."""

from __future__ import annotations

import re

import sqlalchemy as sa

from participation.api.models import ApiToken
from participation.api.services import create_token, revoke
from participation.extensions import db
from participation.staff.services import get_or_create_partner
from tests.factories import csrf_token, gen_survey, gen_user, login
from tests.reports import read_csv

ROUTES = ["/api/v1/surveys", "/api/v1/surveys/test-survey/results", "/api/v1/needs-map", "/api/v1/actions"]


def bearer(client, token: str, url: str, **kwargs):
    return client.get(url, headers={"Authorization": f"Bearer {token}"}, **kwargs)


def new_token(partner: str = "Bäckby Ungdomsförening") -> str:
    """A token of the partner that owns the demo survey (a survey's results are its partner's own)."""
    _token, clear = create_token(get_or_create_partner(partner), "Power BI")
    return clear


def test_openapi_describes_every_api_route(app, client):
    document = client.get("/api/v1/openapi.json").get_json()
    assert document["openapi"].startswith("3.")
    documented = set(document["paths"])
    routes = {
        re.sub(r"<(?:[^:>]+:)?([a-z_]+)>", r"{\1}", rule.rule)
        for rule in app.url_map.iter_rules()
        if rule.rule.startswith("/api/")
    }
    assert routes == documented


def test_every_route_needs_a_token_even_for_signed_in_staff(client):
    gen_survey()
    login(client, gen_user("admin"))  # a staff session is not an API credential
    for url in ROUTES:
        response = client.get(url)
        assert response.status_code == 401, url
        assert response.is_json and "token" in response.get_json()["error"]
        assert bearer(client, "made-up-token", url).status_code == 401


def test_a_partner_token_reads_aggregates_and_small_counts_stay_hidden(runner, client):
    runner.invoke(args=["demo"])
    token = new_token()
    surveys = bearer(client, token, "/api/v1/surveys").get_json()
    assert surveys["k"] == 5 and surveys["surveys"][0]["responses"]["count"] >= 300
    results = bearer(client, token, "/api/v1/surveys/backby-din-rost/results?lang=en").get_json()
    counts = [a for question in results["questions"] for a in question["answers"]]
    assert counts and all(a["suppressed"] or a["count"] >= 5 for a in counts)
    needs = bearer(client, token, "/api/v1/needs-map?age_band=16_19").get_json()
    assert needs["themes"] and needs["filters"]["age_band"] == "16_19"
    for theme in needs["themes"]:
        for component in theme["components"].values():
            assert component["suppressed"] or (component["count"] >= 5 and component["base"] >= 5)
    actions = bearer(client, token, "/api/v1/actions?lang=ar").get_json()["actions"]
    assert any(a["status"] == "not_possible" and a["reason"] for a in actions)


def test_answers_come_in_the_language_asked_with_keys_that_never_change(runner, client):
    """A BI tool joins on the key; the text follows ?lang=, whatever the browser's or the server's language."""
    runner.invoke(args=["demo"])
    token = new_token()
    by_language = {}
    for lang in ("sv", "en", "ar"):
        found = bearer(client, token, f"/api/v1/surveys/backby-din-rost/results?lang={lang}").get_json()
        by_language[lang] = {q["key"]: q for q in found["questions"]}
    for key, question in by_language["sv"].items():
        keys = [answer["key"] for answer in question["answers"]]
        assert (
            keys
            == [a["key"] for a in by_language["en"][key]["answers"]]
            == [a["key"] for a in by_language["ar"][key]["answers"]]
        )
        assert all(k and not k.isdigit() or question["kind"] == "scale" for k in keys), keys
    yes_no = next(q for q in by_language["en"].values() if q["kind"] == "yes_no")
    assert [(a["key"], a["answer"]) for a in yes_no["answers"]] == [("yes", "Yes"), ("no", "No")]
    swedish = by_language["sv"][yes_no["key"]]["answers"]
    assert [a["answer"] for a in swedish] == ["Ja", "Nej"]
    choice = next(q for q in by_language["en"].values() if q["kind"] == "single_choice")
    assert [a["answer"] for a in choice["answers"]] != [
        a["answer"] for a in by_language["ar"][choice["key"]]["answers"]
    ]  # the options' own texts, translated


def test_bad_parameters_are_400_with_a_message(client):
    token = new_token()
    for url in ["/api/v1/needs-map?period=autumn", "/api/v1/needs-map?age_band=7", "/api/v1/actions?lang=xx"]:
        response = bearer(client, token, url)
        assert response.status_code == 400 and response.get_json()["error"], url
    assert bearer(client, token, "/api/v1/surveys/nope/results").status_code == 404


def test_tokens_are_stored_as_hmacs_and_can_be_revoked(client):
    token = new_token()
    stored = db.session.scalar(sa.select(ApiToken))
    assert token not in stored.token_hash and len(stored.token_hash) == 64
    assert bearer(client, token, "/api/v1/actions").status_code == 200
    revoke(stored)
    assert bearer(client, token, "/api/v1/actions").status_code == 401


def test_admin_creates_a_token_shown_once(client):
    login(client, gen_user("admin"))
    partner = get_or_create_partner("Västerås stad")
    db.session.commit()
    page = client.post(
        "/staff/api-tokens/",
        data={
            "csrf_token": csrf_token(client, "/staff/api-tokens/"),
            "partner": partner.id,
            "name": "Stadens BI",
        },
    )
    html = page.get_data(as_text=True)
    clear = html.split('<code class="token">', 1)[1].split("</code>", 1)[0]
    assert bearer(client, clear, "/api/v1/surveys").status_code == 200
    assert clear not in client.get("/staff/api-tokens/").get_data(as_text=True)
    assert (
        client.post(
            "/staff/api-tokens/", data={"csrf_token": csrf_token(client, "/staff/api-tokens/")}
        ).status_code
        == 422
    )


def test_needs_map_exports(client, runner):
    runner.invoke(args=["demo"])
    login(client, gen_user("analyst"))
    report = read_csv(client.get("/staff/needs/export.csv?age_band=16_19").data, ",")
    assert report.tables["Needs in order of priority"][0][:3] == ["Theme", "Theme key", "Priority (%)"]
    assert client.get("/staff/needs/export.xlsx").status_code == 200
    data = client.get("/staff/needs/export.json").get_json()
    assert data["k"] == 5 and len(data["themes"]) >= 6
    assert client.get("/staff/needs/export.pdf").status_code == 404
