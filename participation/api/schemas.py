"""The JSON Schemas of the API's responses: every object with its properties, every array with its items.

participation/api/openapi.py puts them under components/schemas; tests/api/test_schemathesis.py checks
every response against them.
"""

from __future__ import annotations

from typing import Any

from participation.actions.models import ActionStatus
from participation.config import MIN_SUPPRESSION_K
from participation.forum.models import ForumMode, SessionStatus
from participation.insights.filters import COMPONENTS
from participation.measurement.models import Polarity
from participation.surveys.models import QuestionKind, SurveyStatus

Schema = dict[str, Any]


def ref(name: str) -> Schema:
    return {"$ref": f"#/components/schemas/{name}"}


def obj(properties: dict[str, Schema], description: str = "", **extra: Any) -> Schema:
    """An object with exactly these properties, all always present."""
    schema: Schema = {
        "type": "object",
        "properties": properties,
        "required": list(properties),
        "additionalProperties": False,
        **extra,
    }
    if description:
        schema["description"] = description
    return schema


def array(items: Schema, description: str = "") -> Schema:
    schema: Schema = {"type": "array", "items": items}
    if description:
        schema["description"] = description
    return schema


def nullable(schema: Schema) -> Schema:
    return {"anyOf": [schema, {"type": "null"}]}


INTEGER: Schema = {"type": "integer"}
STRING: Schema = {"type": "string"}
BOOLEAN: Schema = {"type": "boolean"}
NUMBER: Schema = {"type": "number"}
COUNT: Schema = {"type": ["integer", "null"], "minimum": 0}
SHARE: Schema = {"type": ["number", "null"], "minimum": 0, "maximum": 1}
K: Schema = {
    "type": "integer",
    "minimum": MIN_SUPPRESSION_K,
    "description": "The threshold in force: no count below it is shown.",
}
TERM: Schema = {"type": "integer", "description": "A school term: 20252 is autumn 2025, 20261 spring 2026."}
TRANSLATED: Schema = {"type": "object", "additionalProperties": STRING, "description": "Text per language."}


def enum(values: Any) -> Schema:
    return {"type": "string", "enum": [value.value if hasattr(value, "value") else value for value in values]}


SUPPRESSED = obj(
    {"count": COUNT, "share": SHARE, "suppressed": BOOLEAN},
    "A count is perturbed by a small fixed noise (cell-key perturbation: the same records always give the same figure) and is null with suppressed true below k; a share needs a shown base of at least 10.",
    examples=[
        {"count": 42, "share": 0.31, "suppressed": False},
        {"count": None, "share": None, "suppressed": True},
    ],
)
RESPONSES = obj(
    {"count": COUNT, "suppressed": BOOLEAN},
    "Released responses, perturbed; null with suppressed true below k.",
    examples=[{"count": 312, "suppressed": False}],
)
ERROR = obj(
    {"error": STRING},
    "What was wrong, in plain English.",
    examples=[{"error": "No survey 'nope'."}],
)

SURVEY = obj(
    {
        "id": INTEGER,
        "slug": STRING,
        "status": enum([SurveyStatus.PUBLISHED, SurveyStatus.ARCHIVED]),
        "base_language": STRING,
        "languages": array(STRING),
        "title": TRANSLATED,
        "responses": ref("Responses"),
    }
)
SURVEY_LIST = obj({"k": K, "surveys": array(ref("Survey"))})
ANSWER = obj(
    {
        "answer": {**STRING, "description": "The answer's text in the requested language (?lang=)."},
        "key": {
            **STRING,
            "description": "The answer's stable key, never translated: an option's key, yes or no, a scale point.",
        },
        "count": COUNT,
        "share": SHARE,
        "suppressed": BOOLEAN,
    }
)
QUESTION_RESULT = obj(
    {
        "key": STRING,
        "kind": enum(QuestionKind),
        "prompt": STRING,
        "base": {**COUNT, "description": "How many answered the question, perturbed; null below k."},
        "answers": array(ANSWER),
    }
)
SURVEY_RESULTS = obj({"survey": STRING, "k": K, "questions": array(ref("QuestionResult"))})

COMPONENT = obj({"count": COUNT, "base": COUNT, "share": SHARE, "suppressed": BOOLEAN})
THEME_NEED = obj(
    {
        "theme": STRING,
        "name": STRING,
        "priority": {**SHARE, "description": "The mean of the component shares that can be shown."},
        "components": {
            "type": "object",
            "properties": {name: ref("NeedComponent") for name in COMPONENTS},
            "additionalProperties": False,
        },
    }
)
NEEDS_MAP = obj(
    {
        "k": K,
        "filters": obj(
            {
                "period": nullable(INTEGER),
                "age_band": nullable(STRING),
                "gender": nullable(STRING),
                "placement": nullable(INTEGER),
            }
        ),
        "respondents": ref("Suppressed"),
        "themes": array(ref("ThemeNeed")),
    }
)

ACTION = obj(
    {
        "id": INTEGER,
        "status": enum(ActionStatus),
        "title": STRING,
        "text": STRING,
        "reason": nullable(STRING),
        "partner": nullable(STRING),
        "decided_on": {"type": "string", "format": "date"},
        "themes": array(STRING),
    }
)
ACTION_LIST = obj({"actions": array(ref("Action"))})

TERM_VALUE = obj({"period": TERM, "value": NUMBER})
INDICATOR_VALUE = obj(
    {
        "period": TERM,
        "value": NUMBER,
        "n": {
            **COUNT,
            "description": "The base of a value computed from answers (perturbed); null if entered.",
        },
        "computed": BOOLEAN,
        "story": nullable(STRING),
    },
    "An approved value for one term.",
)
INDICATOR = obj(
    {
        "id": INTEGER,
        "name": STRING,
        "definition": STRING,
        "goal": {**STRING, "description": "The vision goal's slug."},
        "unit": STRING,
        "polarity": enum(Polarity),
        "source": STRING,
        "owner": {**STRING, "description": "The partner that owns the indicator."},
        "baseline": nullable(ref("TermValue")),
        "target": nullable(ref("TermValue")),
        "values": array(ref("IndicatorValue"), "Approved values only, by term."),
        "forecast": array(ref("TermValue"), "The line through the history up to the baseline."),
        "turning": {
            "type": ["boolean", "null"],
            "description": "Whether the latest value beats the forecast in the good direction.",
        },
    }
)
INDICATOR_LIST = obj({"indicators": array(ref("Indicator"))})

PLACEMENT_FIELDS: dict[str, Schema] = {
    "id": INTEGER,
    "code": STRING,
    "place": STRING,
    "survey": nullable(STRING),
    "forum_session": nullable(INTEGER),
    "language": nullable(STRING),
    "retired": BOOLEAN,
    "scans": {**ref("Suppressed"), "description": "Openings of the code, shown from k up."},
    "responses": ref("Suppressed"),
    "conversion": {**SHARE, "description": "Responses per scan, on at least 10 scans."},
}
PLACEMENT = obj(PLACEMENT_FIELDS)
SCAN_DAY = obj(
    {"day": {"type": "string", "format": "date"}, "count": COUNT, "share": SHARE, "suppressed": BOOLEAN}
)
PLACEMENT_DETAIL = obj({**PLACEMENT_FIELDS, "days": array(ref("ScanDay"), "Scans per day, shown from k up.")})
PLACEMENT_LIST = obj({"k": K, "placements": array(ref("Placement"))})
PLACEMENT_ONE = obj({"k": K, "placement": ref("PlacementDetail")})

SESSION_FIELDS: dict[str, Schema] = {
    "id": INTEGER,
    "code": STRING,
    "mode": enum(ForumMode),
    "status": enum(SessionStatus),
    "title": STRING,
    "created_at": {"type": "string", "format": "date-time"},
    "closed_at": {"type": ["string", "null"], "format": "date-time"},
    "participants": ref("Suppressed"),
}
FORUM_SESSION = obj(SESSION_FIELDS)
FORUM_ITEM = obj(
    {
        "id": INTEGER,
        "text": STRING,
        "themes": array(STRING),
        "counts": {
            "type": "object",
            "description": "'votes' for topics, dots and polls; 'agree', 'disagree' and 'pass' for statements.",
            "additionalProperties": ref("Suppressed"),
        },
    }
)
FORUM_RESULTS_SESSION = obj({**SESSION_FIELDS, "items": array(ref("ForumItem"), "Ranked by what is shown.")})
FORUM_SESSION_LIST = obj({"k": K, "sessions": array(ref("ForumSession"))})
FORUM_RESULTS = obj({"k": K, "session": ref("ForumResultsSession")})

COMPONENTS_SCHEMAS: dict[str, Schema] = {
    "Error": ERROR,
    "Suppressed": SUPPRESSED,
    "Responses": RESPONSES,
    "Survey": SURVEY,
    "SurveyList": SURVEY_LIST,
    "QuestionResult": QUESTION_RESULT,
    "SurveyResults": SURVEY_RESULTS,
    "NeedComponent": COMPONENT,
    "ThemeNeed": THEME_NEED,
    "NeedsMap": NEEDS_MAP,
    "Action": ACTION,
    "ActionList": ACTION_LIST,
    "TermValue": TERM_VALUE,
    "IndicatorValue": INDICATOR_VALUE,
    "Indicator": INDICATOR,
    "IndicatorList": INDICATOR_LIST,
    "Placement": PLACEMENT,
    "ScanDay": SCAN_DAY,
    "PlacementDetail": PLACEMENT_DETAIL,
    "PlacementList": PLACEMENT_LIST,
    "PlacementOne": PLACEMENT_ONE,
    "ForumSession": FORUM_SESSION,
    "ForumItem": FORUM_ITEM,
    "ForumResultsSession": FORUM_RESULTS_SESSION,
    "ForumSessionList": FORUM_SESSION_LIST,
    "ForumResults": FORUM_RESULTS,
}
