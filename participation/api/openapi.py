"""The OpenAPI 3.1 document of /api/v1/, written out so partners' tools can generate a client from it.

Every operation has an operationId, a complete 200 schema (participation/api/schemas.py) with an
example, and its errors as the one Error schema; every parameter's range is what the code accepts, and
the code accepts all of it. tests/api/test_schemathesis.py holds the app to this document.
"""

from __future__ import annotations

from typing import Any

from participation.api.schemas import COMPONENTS_SCHEMAS, ref
from participation.core.hygiene import MAX_ID
from participation.core.terms import FIRST_YEAR, LAST_YEAR
from participation.i18n.languages import default_language, shipped_languages
from participation.surveys.editing import SLUG
from participation.surveys.models import PROFILE_CHOICES, SLUG_MAX, ProfileField

# Every term the app knows (participation.core.terms): year × 10 + 1 (spring) or 2 (autumn).
TERMS = [year * 10 + half for year in range(FIRST_YEAR, LAST_YEAR + 1) for half in (1, 2)]


def _lang() -> dict[str, Any]:
    return {
        "name": "lang",
        "in": "query",
        "required": False,
        "description": "Language of the texts, falling back to the base language.",
        "schema": {"type": "string", "enum": shipped_languages(), "default": default_language()},
    }


def _id(name: str, what: str) -> dict[str, Any]:
    return {
        "name": name,
        "in": "path",
        "required": True,
        "description": f"The {what}'s id.",
        "schema": {"type": "integer", "minimum": 1, "maximum": MAX_ID},
        "example": 1,
    }


def _error(description: str, headers: dict[str, Any] | None = None) -> dict[str, Any]:
    response: dict[str, Any] = {
        "description": description,
        "content": {"application/json": {"schema": ref("Error")}},
    }
    if headers:
        response["headers"] = headers
    return response


def _errors(*, not_found: str | None) -> dict[str, Any]:
    errors = {
        "400": _error("A bad parameter, or a request the app will not read (such as control characters)."),
        "401": _error(
            "No valid token.",
            {"WWW-Authenticate": {"required": True, "schema": {"type": "string"}}},
        ),
        "429": _error(
            "Too many requests from this token.",
            {
                "Retry-After": {
                    "required": True,
                    "description": "Seconds to wait before the next request.",
                    "schema": {"type": "integer", "minimum": 1},
                }
            },
        ),
    }
    if not_found:
        errors["404"] = _error(not_found)
    return errors


def _get(
    operation_id: str,
    summary: str,
    schema: str,
    example: dict[str, Any],
    parameters: list[dict[str, Any]] | None = None,
    not_found: str | None = None,
) -> dict[str, Any]:
    parameters = parameters or []
    return {
        "get": {
            "operationId": operation_id,
            "summary": summary,
            "security": [{"bearer": []}],
            "parameters": parameters,
            "responses": {
                "200": {
                    "description": "OK",
                    "content": {"application/json": {"schema": ref(schema), "example": example}},
                },
                **_errors(not_found=not_found),
            },
        }
    }


def _query(name: str, schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {"name": name, "in": "query", "required": False, "description": description, "schema": schema}


def _choices(field: ProfileField) -> dict[str, Any]:
    return {"type": "string", "enum": list(PROFILE_CHOICES[field])}


HIDDEN = {"count": None, "share": None, "suppressed": True}


def _shown(count: int, share: float | None = None) -> dict[str, Any]:
    return {"count": count, "share": share, "suppressed": False}


def _paths() -> dict[str, Any]:
    needs_parameters = [
        _query("period", {"type": "integer", "enum": TERMS}, "A school term: 20252 is autumn 2025."),
        _query("age_band", _choices(ProfileField.AGE_BAND), "Age band."),
        _query("gender", _choices(ProfileField.GENDER), "Gender."),
        _query(
            "placement",
            {"type": "integer", "minimum": 0, "maximum": MAX_ID},
            "A placement's id; 0 means answers that came without a placement.",
        ),
        _lang(),
    ]
    placement = {
        "id": 3,
        "code": "BACK42",
        "place": "Fritidsgården",
        "survey": "backby-din-rost",
        "forum_session": None,
        "language": None,
        "retired": False,
        "scans": _shown(140),
        "responses": _shown(61),
        "conversion": 0.44,
    }
    session = {
        "id": 1,
        "code": "FORUM7",
        "mode": "poll",
        "status": "closed",
        "title": "What should the youth centre do first?",
        "created_at": "2025-10-02T17:00:00+00:00",
        "closed_at": "2025-10-02T19:00:00+00:00",
        "participants": _shown(24),
    }
    return {
        "/api/v1/openapi.json": {
            "get": {
                "operationId": "getOpenApiDocument",
                "summary": "This document.",
                "responses": {
                    "200": {
                        "description": "OK",
                        "content": {"application/json": {"schema": {"type": "object"}}},
                    }
                },
            }
        },
        "/api/v1/surveys": _get(
            "listSurveys",
            "The token's partner's published and archived surveys, with their response counts.",
            "SurveyList",
            {
                "k": 5,
                "surveys": [
                    {
                        "id": 1,
                        "slug": "backby-din-rost",
                        "status": "published",
                        "base_language": "sv",
                        "languages": ["sv", "en"],
                        "title": {"sv": "Din röst i Bäckby", "en": "Your voice in Bäckby"},
                        "responses": {"count": 312, "suppressed": False},
                    }
                ],
            },
        ),
        "/api/v1/surveys/{slug}/results": _get(
            "getSurveyResults",
            "Counts per answer of every closed question of one of the partner's surveys.",
            "SurveyResults",
            {
                "survey": "backby-din-rost",
                "k": 5,
                "questions": [
                    {
                        "key": "safe",
                        "kind": "yes_no",
                        "prompt": "Do you feel safe at the youth centre?",
                        "base": 118,
                        "answers": [
                            {"answer": "Yes", "key": "yes", **_shown(97, 0.82)},
                            {"answer": "No", "key": "no", **_shown(21, 0.18)},
                        ],
                    }
                ],
            },
            [
                {
                    "name": "slug",
                    "in": "path",
                    "required": True,
                    "description": "The survey's slug (its web address after /s/).",
                    "schema": {"type": "string", "pattern": SLUG.pattern, "maxLength": SLUG_MAX},
                    "example": "backby-din-rost",
                },
                _lang(),
            ],
            not_found="No such survey of this token's partner.",
        ),
        "/api/v1/needs-map": _get(
            "getNeedsMap",
            "The needs map: per theme, its priority and components with their n.",
            "NeedsMap",
            {
                "k": 5,
                "filters": {"period": 20252, "age_band": None, "gender": None, "placement": None},
                "respondents": _shown(204),
                "themes": [
                    {
                        "theme": "jobs",
                        "name": "Jobs",
                        "priority": 0.41,
                        "components": {
                            "choices": {"count": 88, "base": 204, "share": 0.43, "suppressed": False}
                        },
                    }
                ],
            },
            needs_parameters,
        ),
        "/api/v1/actions": _get(
            "listActions",
            "Published 'you said – we did' actions.",
            "ActionList",
            {
                "actions": [
                    {
                        "id": 1,
                        "status": "done",
                        "title": "Longer opening hours",
                        "text": "The youth centre is open until 22 on Fridays.",
                        "reason": None,
                        "partner": "Bäckby Ungdomsförening",
                        "decided_on": "2025-11-03",
                        "themes": ["leisure"],
                    }
                ],
            },
            [_lang()],
        ),
        "/api/v1/indicators": _get(
            "listIndicators",
            "Shared measurement: every indicator with its approved values per term, baseline, target and forecast.",
            "IndicatorList",
            {
                "indicators": [
                    {
                        "id": 1,
                        "name": "Feel safe in the neighbourhood",
                        "definition": "Share answering 4 or 5 on the safety question.",
                        "goal": "safety",
                        "unit": "%",
                        "polarity": "higher",
                        "source": "Din röst i Bäckby",
                        "owner": "Bäckby Ungdomsförening",
                        "baseline": {"period": 20242, "value": 52.0},
                        "target": {"period": 20272, "value": 70.0},
                        "values": [
                            {"period": 20252, "value": 58.3, "n": 118, "computed": True, "story": None}
                        ],
                        "forecast": [{"period": 20242, "value": 52.0}, {"period": 20252, "value": 52.0}],
                        "turning": True,
                    }
                ]
            },
            [_lang()],
        ),
        "/api/v1/placements": _get(
            "listPlacements",
            "The token's partner's placements (posters, stickers, screens) with their scans and responses.",
            "PlacementList",
            {"k": 5, "placements": [placement]},
        ),
        "/api/v1/placements/{placement_id}": _get(
            "getPlacement",
            "One of the partner's placements with its scans per day.",
            "PlacementOne",
            {
                "k": 5,
                "placement": {
                    **placement,
                    "days": [{"day": "2025-09-15", **_shown(31)}, {"day": "2025-09-16", **HIDDEN}],
                },
            },
            [_id("placement_id", "placement")],
            not_found="No such placement of this token's partner.",
        ),
        "/api/v1/forum/sessions": _get(
            "listForumSessions",
            "The token's partner's forum sessions, with how many joined.",
            "ForumSessionList",
            {"k": 5, "sessions": [session]},
            [_lang()],
        ),
        "/api/v1/forum/sessions/{session_id}/results": _get(
            "getForumResults",
            "A forum session's public results, as the projector shows them.",
            "ForumResults",
            {
                "k": 5,
                "session": {
                    **session,
                    "items": [
                        {
                            "id": 4,
                            "text": "A homework café",
                            "themes": ["school"],
                            "counts": {"votes": _shown(15)},
                        },
                        {"id": 5, "text": "A football pitch", "themes": [], "counts": {"votes": HIDDEN}},
                    ],
                },
            },
            [_id("session_id", "forum session"), _lang()],
            not_found="No such forum session of this token's partner.",
        ),
    }


def openapi_document() -> dict[str, Any]:
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Delaktig API",
            "version": "1",
            "description": "Read-only aggregates for partners. Every count is perturbed and hidden below k, and results move in releases of at least k responses; raw answers never leave. Every error, also for a path or method that does not exist, is JSON with the Error schema; a 405 lists the allowed methods in Allow and a 429 says when to try again in Retry-After.",
        },
        "components": {
            "securitySchemes": {
                "bearer": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "A token an admin made for your organisation; the scheme is case-insensitive.",
                }
            },
            "schemas": COMPONENTS_SCHEMAS,
        },
        "paths": _paths(),
    }
