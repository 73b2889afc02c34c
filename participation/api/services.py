"""The read-only API's rules: tokens, and the aggregates it may hand out (always suppressed)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm.attributes import set_committed_value

from participation.actions.models import Action
from participation.actions.services import published_feed
from participation.api.models import ApiToken
from participation.audit.services import record
from participation.extensions import db
from participation.i18n.languages import localise
from participation.privacy import keyed_hash, new_token
from participation.staff.models import Partner
from participation.suppression import Cell, protect
from participation.surveys import results
from participation.surveys.labels import answer_key, answer_label
from participation.surveys.models import Survey
from participation.surveys.queries import shown_to_participants


def _hash(token: str) -> str:
    return keyed_hash("api-token", "v1", token)


def create_token(partner: Partner, name: str) -> tuple[ApiToken, str]:
    """A new token for a partner; the clear text is returned once and never stored."""
    clear = new_token()
    with db.transaction():
        token = ApiToken(partner=partner, name=name.strip()[:120] or partner.name, token_hash=_hash(clear))
        db.session.add(token)
        db.session.flush()
        record("api_token_created", "api_token", token.id, partner=partner.name)
    return token, clear


def revoke(token: ApiToken) -> None:
    with db.transaction():
        token.revoked_at = datetime.now(UTC)
        record("api_token_revoked", "api_token", token.id, partner=token.partner.name)


def authenticate(header: str | None) -> ApiToken | None:
    """The live token in an 'Authorization: Bearer …' header, or None.

    The scheme is case-insensitive (RFC 9110, 11.1): 'bearer' and 'BEARER' are 'Bearer' too.
    """
    scheme, _blank, rest = (header or "").strip().partition(" ")
    if scheme.lower() != "bearer":
        return None
    clear = rest.strip()
    if not clear or len(clear) > 100:
        return None
    token = db.session.scalar(sa.select(ApiToken).where(ApiToken.token_hash == _hash(clear)))
    if token is None or token.revoked_at is not None:
        return None
    today = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    if token.last_used_day != today:
        # A day, not a time: enough to see which tokens are in use. Kept on its own, because a request
        # the API refuses (a 400, a 404) keeps nothing, yet the token was used.
        with db.independent_transaction() as session:
            session.execute(sa.update(ApiToken).where(ApiToken.id == token.id).values(last_used_day=today))
        set_committed_value(token, "last_used_day", today)
    return token


def all_tokens() -> list[ApiToken]:
    return list(db.session.scalars(sa.select(ApiToken).order_by(ApiToken.id.desc())))


def cell(value: Cell) -> dict[str, Any]:
    """A suppressed count as JSON: the number, or null with 'suppressed': true."""
    return {"count": value.count, "share": value.share, "suppressed": value.suppressed}


def surveys_list(k: int) -> list[dict[str, Any]]:
    rows = []
    for survey in db.session.scalars(sa.select(Survey).where(shown_to_participants()).order_by(Survey.id)):
        total = protect(results.released_responses(survey), k)
        rows.append(
            {
                "id": survey.id,
                "slug": survey.slug,
                "status": survey.status.value,
                "base_language": survey.base_language,
                "languages": survey.languages,
                "title": dict(survey.title),
                "responses": {"count": total, "suppressed": total is None},
            }
        )
    return rows


def survey_results(survey: Survey, k: int, lang: str) -> dict[str, Any]:
    return {
        "survey": survey.slug,
        "k": k,
        "questions": [
            {
                "key": result.question.key,
                "kind": result.question.kind.value,
                "prompt": localise(result.question.prompt, lang, survey.base_language).text,
                "base": result.base.count,
                "answers": [
                    {
                        "answer": answer_label(result.question, key, lang),
                        "key": answer_key(result.question, key),
                        **cell(value),
                    }
                    for key, value in result.cells
                ],
            }
            for result in results.community_results(survey, k)
        ],
    }


def actions_list(lang: str) -> list[dict[str, Any]]:
    return [_action(action, lang) for action in published_feed(limit=200)]


def _action(action: Action, lang: str) -> dict[str, Any]:
    return {
        "id": action.id,
        "status": action.status.value,
        "title": localise(action.title, lang, action.base_language).text,
        "text": localise(action.text, lang, action.base_language).text,
        "reason": localise(action.reason, lang, action.base_language).text or None,
        "partner": action.partner.name if action.partner else None,
        "decided_on": action.decided_on.isoformat(),
        "themes": [theme.slug for theme in action.themes],
    }
