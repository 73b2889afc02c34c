"""The OpenAPI 3.1 document of /api/v1/, written out so partners' tools can read every route."""

from __future__ import annotations

from typing import Any

from participation.i18n.languages import default_language, shipped_languages
from participation.surveys.models import PROFILE_CHOICES, ProfileField

_SUPPRESSED = {
    "type": "object",
    "description": "A count is perturbed by a small fixed noise (cell-key perturbation: the same records always give the same figure) and is null with suppressed true below k; a share needs a shown base of at least 10.",
    "properties": {
        "count": {"type": ["integer", "null"]},
        "share": {"type": ["number", "null"]},
        "suppressed": {"type": "boolean"},
    },
}


def _lang() -> dict[str, Any]:
    return {
        "name": "lang",
        "in": "query",
        "required": False,
        "description": "Language of the texts, falling back to the base language.",
        "schema": {"type": "string", "enum": shipped_languages(), "default": default_language()},
    }


_ERRORS = {
    "401": {
        "description": "No valid token.",
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
    },
    "400": {
        "description": "A bad parameter.",
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
    },
    "429": {"description": "Too many requests."},
}


def _get(
    summary: str, schema: dict[str, Any], parameters: list[dict[str, Any]] | None = None
) -> dict[str, Any]:
    return {
        "get": {
            "summary": summary,
            "security": [{"bearer": []}],
            "parameters": parameters or [],
            "responses": {
                "200": {"description": "OK", "content": {"application/json": {"schema": schema}}},
                **_ERRORS,
            },
        }
    }


def _query(name: str, schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {"name": name, "in": "query", "required": False, "description": description, "schema": schema}


def openapi_document() -> dict[str, Any]:
    needs_parameters = [
        _query("period", {"type": "integer"}, "A school term: 20252 is autumn 2025, 20261 spring 2026."),
        _query(
            "age_band", {"type": "string", "enum": list(PROFILE_CHOICES[ProfileField.AGE_BAND])}, "Age band."
        ),
        _query("gender", {"type": "string", "enum": list(PROFILE_CHOICES[ProfileField.GENDER])}, "Gender."),
        _query("placement", {"type": "integer"}, "A placement's id."),
        _lang(),
    ]
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Delaktig API",
            "version": "1",
            "description": "Read-only aggregates for partners. Every count is perturbed and hidden below k, and results move in releases of at least k responses; raw answers never leave.",
        },
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
            "schemas": {
                "Error": {
                    "type": "object",
                    "properties": {"error": {"type": "string"}},
                    "required": ["error"],
                },
                "Suppressed": _SUPPRESSED,
            },
        },
        "paths": {
            "/api/v1/openapi.json": {
                "get": {"summary": "This document.", "responses": {"200": {"description": "OK"}}}
            },
            "/api/v1/surveys": _get(
                "The token's partner's published and archived surveys, with their response counts.",
                {"type": "object", "properties": {"k": {"type": "integer"}, "surveys": {"type": "array"}}},
            ),
            "/api/v1/surveys/{slug}/results": {
                "get": {
                    **_get(
                        "Counts per answer of every closed question of a survey.",
                        {"type": "object", "properties": {"questions": {"type": "array"}}},
                        [
                            {"name": "slug", "in": "path", "required": True, "schema": {"type": "string"}},
                            _lang(),
                        ],
                    )["get"],
                    "responses": {
                        **_get("", {})["get"]["responses"],
                        "404": {"description": "No such survey."},
                    },
                }
            },
            "/api/v1/needs-map": _get(
                "The needs map: per theme, its priority and components with their n.",
                {"type": "object", "properties": {"themes": {"type": "array"}, "respondents": _SUPPRESSED}},
                needs_parameters,
            ),
            "/api/v1/actions": _get(
                "Published 'you said – we did' actions.",
                {"type": "object", "properties": {"actions": {"type": "array"}}},
                [_lang()],
            ),
        },
    }
