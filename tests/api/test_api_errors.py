"""The API's edges: JSON errors for every 4xx under /api/v1/, Retry-After, the scheme, the document."""

from __future__ import annotations

import pytest

from participation.api.openapi import TERMS
from tests.api.test_api import bearer, new_token


@pytest.mark.parametrize("scheme", ["Bearer", "bearer", "BEARER", "bEaReR"])
def test_the_scheme_is_case_insensitive(client, scheme):
    token = new_token()
    response = client.get("/api/v1/actions", headers={"Authorization": f"{scheme} {token}"})
    assert response.status_code == 200
    assert client.get("/api/v1/actions", headers={"Authorization": f"Basic {token}"}).status_code == 401


def test_an_unknown_path_under_the_api_is_a_json_404(client):
    for url in ["/api/v1/nothing-here", "/api/v1/", "/api/v1/placements/abc", "/api/v1/placements/0"]:
        response = bearer(client, new_token(), url)
        assert response.status_code == 404, url
        assert response.is_json and response.get_json()["error"], url
    # The rest of the site keeps its own pages.
    page = client.get("/sv/nothing-here")
    assert page.status_code == 404 and page.mimetype == "text/html"


def test_a_method_the_api_does_not_have_is_a_json_405_with_allow(client):
    for url in ["/api/v1/surveys", "/api/v1/needs-map", "/api/v1/placements/1"]:
        for method in ("post", "put", "delete", "patch"):
            response = getattr(client, method)(url)
            assert response.status_code == 405, (method, url)
            assert response.is_json and response.get_json()["error"]
            allowed = {m.strip() for m in response.headers["Allow"].split(",")}
            assert "GET" in allowed and "POST" not in allowed


def test_too_many_requests_say_when_to_try_again(client):
    token = new_token()
    statuses = [bearer(client, token, "/api/v1/needs-map").status_code for _ in range(61)]
    assert statuses[:60] == [200] * 60
    response = bearer(client, token, "/api/v1/needs-map")
    assert response.status_code == 429
    assert response.is_json and "Retry-After" in response.get_json()["error"]
    assert 1 <= int(response.headers["Retry-After"]) <= 60


def test_a_bad_parameter_is_400_and_the_document_does_not_allow_it(client):
    token = new_token()
    document = client.get("/api/v1/openapi.json").get_json()
    (period,) = [
        p for p in document["paths"]["/api/v1/needs-map"]["get"]["parameters"] if p["name"] == "period"
    ]
    assert 0 not in period["schema"]["enum"] and 20003 not in period["schema"]["enum"]
    for url in ["/api/v1/needs-map?period=0", "/api/v1/needs-map?period=20003"]:
        response = bearer(client, token, url)
        assert response.status_code == 400 and response.get_json()["error"]
    # What the document allows is accepted: its first and last terms, and no placement at all (0).
    for url in [f"/api/v1/needs-map?period={TERMS[0]}", f"/api/v1/needs-map?period={TERMS[-1]}&placement=0"]:
        assert bearer(client, token, url).status_code == 200, url


def _walk(node, path=""):  # type: ignore[no-untyped-def]
    if isinstance(node, dict):
        yield path, node
        for key, value in node.items():
            yield from _walk(value, f"{path}/{key}")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _walk(value, f"{path}/{index}")


def test_the_document_is_complete(client):
    document = client.get("/api/v1/openapi.json").get_json()
    schemas = document["components"]["schemas"]
    operations = [op for item in document["paths"].values() for op in item.values()]
    ids = [op["operationId"] for op in operations]
    assert len(ids) == len(set(ids)) == len(document["paths"])
    for path, node in _walk(schemas):
        if node.get("type") == "array":
            assert "items" in node, path
        if node.get("type") == "object" and "additionalProperties" not in node:
            assert node.get("properties"), path
    for path, item in document["paths"].items():
        responses = item["get"]["responses"]
        if path != "/api/v1/openapi.json":
            ok = responses["200"]["content"]["application/json"]
            assert ok["schema"]["$ref"].startswith("#/components/schemas/") and ok["example"], path
            assert {"400", "401", "429"} <= set(responses), path
            assert "Retry-After" in responses["429"]["headers"]
        for status, response in responses.items():
            if status != "200":
                assert response["content"]["application/json"]["schema"] == {
                    "$ref": "#/components/schemas/Error"
                }
    results = document["paths"]["/api/v1/surveys/{slug}/results"]["get"]["responses"]
    assert results["200"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/SurveyResults"
    }
    assert "404" in results and schemas["SurveyResults"]["properties"]["questions"]["items"]
