"""The read-only JSON API for partners' BI tools: /api/v1/, described at /api/v1/openapi.json."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

import sqlalchemy as sa
from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    g,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from werkzeug.exceptions import HTTPException, Unauthorized

from participation.api import figures, services
from participation.api.errors import json_error
from participation.api.models import ApiToken
from participation.api.openapi import openapi_document
from participation.core.hygiene import MAX_ID, parse_id
from participation.extensions import csrf, db, limiter
from participation.i18n.languages import default_language, is_shipped
from participation.i18n.routing import staff_language
from participation.insights import filters as needs_filters
from participation.insights import needs
from participation.insights.tally import DIMENSIONS
from participation.privacy import client_key
from participation.staff import confirm
from participation.staff.auth import roles_required
from participation.staff.forms import EmptyForm
from participation.staff.models import Partner, Role
from participation.suppression import threshold
from participation.surveys.models import Survey
from participation.surveys.queries import published_survey

bp = Blueprint("api", __name__, url_prefix="/api/v1")
csrf.exempt(bp)  # no cookies here: every call carries its partner's bearer token


def _request_token() -> ApiToken | None:
    """This request's live token, looked up once: the limiter asks for it before the view does."""
    if "api_token_lookup" not in g:
        g.api_token_lookup = services.authenticate(request.headers.get("Authorization"))
    return g.api_token_lookup


def _token_key() -> str:
    """Limits count per token, by its id, however the header spells it (trailing blanks buy nothing).

    A header that names no live token counts against the client's address instead, so varying it
    cannot open fresh buckets either.
    """
    token = _request_token()
    return f"api-token:{token.id}" if token is not None else client_key()


def token_required(view: Callable[..., Any]) -> Callable[..., Any]:
    @wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        token = _request_token()
        if token is None:
            return json_error(Unauthorized())
        g.api_token = token
        return view(*args, **kwargs)

    return wrapped


def _lang() -> str:
    lang = request.args.get("lang", default_language())
    if not is_shipped(lang):
        abort(400, description=f"Unknown language '{lang}'.")
    return lang


@bp.errorhandler(HTTPException)
def _json_error(error: HTTPException) -> Response:
    return json_error(error)


@bp.get("/openapi.json")
def openapi() -> Response:
    return jsonify(openapi_document())


@bp.get("/surveys")
@limiter.limit("120 per minute", key_func=_token_key)
@token_required
def surveys() -> Response:
    # A survey's results are its partner's own data: each token lists its own partner's surveys.
    ids = set(db.session.scalars(sa.select(Survey.id).where(Survey.partner_id == g.api_token.partner_id)))
    return jsonify(
        k=threshold(), surveys=[row for row in services.surveys_list(threshold()) if row["id"] in ids]
    )


@bp.get("/surveys/<slug>/results")
@limiter.limit("120 per minute", key_func=_token_key)
@token_required
def survey_results(slug: str) -> Response:
    survey = published_survey(slug)
    if survey is None or survey.partner_id != g.api_token.partner_id:  # another partner's: as if missing
        abort(404, description=f"No survey '{slug}'.")
    return jsonify(services.survey_results(survey, threshold(), _lang()))


def _filters() -> needs_filters.Filters:
    try:
        return needs_filters.filters_from(request.args, sources=False)
    except needs_filters.FilterError as exc:
        abort(400, description=str(exc))


@bp.get("/needs-map")
@limiter.limit("60 per minute", key_func=_token_key)
@token_required
def needs_map() -> Response:
    filters, k = _filters(), threshold()
    result = needs.needs_map(filters, k)
    return jsonify(
        k=k,
        filters={name: getattr(filters, name) for name in DIMENSIONS},
        respondents=services.cell(result.respondents),
        themes=needs.as_rows(result, _lang()),
    )


@bp.get("/actions")
@limiter.limit("120 per minute", key_func=_token_key)
@token_required
def actions() -> Response:
    return jsonify(actions=services.actions_list(_lang()))


@bp.get("/indicators")
@limiter.limit("120 per minute", key_func=_token_key)
@token_required
def indicators() -> Response:
    # Shared measurement, as every partner's staff reads it: approved values only.
    return jsonify(indicators=figures.indicators(_lang()))


# Ids as the database holds them (participation.core.hygiene.MAX_ID): a larger one is no such thing.
ID = f"int(min=1, max={MAX_ID})"


@bp.get("/placements")
@limiter.limit("120 per minute", key_func=_token_key)
@token_required
def placements() -> Response:
    k = threshold()
    return jsonify(k=k, placements=figures.placements(g.api_token.partner_id, k))


@bp.get(f"/placements/<{ID}:placement_id>")
@limiter.limit("120 per minute", key_func=_token_key)
@token_required
def placement(placement_id: int) -> Response:
    k = threshold()
    found = figures.placement(g.api_token.partner_id, placement_id, k)
    if found is None:  # another partner's: as if missing
        abort(404, description=f"No placement {placement_id}.")
    return jsonify(k=k, placement=found)


@bp.get("/forum/sessions")
@limiter.limit("120 per minute", key_func=_token_key)
@token_required
def forum_sessions() -> Response:
    k = threshold()
    return jsonify(k=k, sessions=figures.forum_sessions(g.api_token.partner_id, k, _lang()))


@bp.get(f"/forum/sessions/<{ID}:session_id>/results")
@limiter.limit("120 per minute", key_func=_token_key)
@token_required
def forum_results(session_id: int) -> Response:
    k, lang = threshold(), _lang()
    found = figures.forum_session(g.api_token.partner_id, session_id, k, lang)
    if found is None:  # another partner's: as if missing
        abort(404, description=f"No forum session {session_id}.")
    return jsonify(k=k, session=found)


tokens_bp = Blueprint("api_tokens", __name__, url_prefix="/staff/api-tokens")


tokens_bp.before_request(staff_language)


@tokens_bp.route("/", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def manage() -> str | tuple[str, int]:
    """Admins give each partner its own token; the token is shown once, then only its HMAC is kept."""
    form = EmptyForm()
    partners = list(db.session.scalars(sa.select(Partner).order_by(Partner.name)))
    clear = None
    status = 200
    if request.method == "POST":
        if not form.validate_on_submit():
            abort(400)
        partner_id = parse_id(request.form.get("partner"))
        partner = db.session.get(Partner, partner_id) if partner_id is not None else None
        if partner is None:
            flash(_("Choose the partner organisation the token is for."), "error")
            status = 422
        else:
            _token, clear = services.create_token(partner, request.form.get("name", ""))
    return render_template(
        "api/tokens.html", tokens=services.all_tokens(), partners=partners, form=form, clear=clear
    ), status


@tokens_bp.post("/<int:token_id>/revoke")
@roles_required(Role.ADMIN)
def revoke(token_id: int) -> ResponseReturnValue:
    if not EmptyForm().validate_on_submit():
        abort(400)
    token = db.session.get(ApiToken, token_id) or abort(404)
    if not confirm.confirmed():
        return confirm.ask(
            title=_("Revoke this API token?"),
            thing=token.name,
            consequence=_("Tools using it get no more data. A revoked token cannot be used again."),
            button=_("Revoke"),
            cancel_url=url_for("api_tokens.manage"),
        )
    services.revoke(token)
    flash(_("The token is revoked. Tools using it get no more data."), "info")
    return redirect(url_for("api_tokens.manage"))
