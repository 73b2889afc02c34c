"""Participant and projector pages of a forum session, and the live results they poll."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import Blueprint, Response, abort, jsonify, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_limiter import RateLimitExceeded
from werkzeug.wrappers import Response as WerkzeugResponse

from participation.core.floods import retry_after_seconds, try_again_message
from participation.core.hygiene import to_id
from participation.core.links import public_url, short_url
from participation.core.qr import qr_svg
from participation.extensions import limiter
from participation.forum import results, sessions, voting
from participation.forum.models import ForumParticipant, ForumSession
from participation.forum.sessions import PROPOSAL_MAX, ForumError
from participation.i18n.languages import content, current_language
from participation.privacy import device_key, device_token, keyed_hash, new_token, set_device_cookie

bp = Blueprint("forum", __name__, url_prefix="/<lang>/f")


def _now() -> datetime:
    return datetime.now(UTC)


def _session_or_404(code: str) -> ForumSession:
    session = sessions.session_by_code(code)
    if session is None:
        abort(404)
    return session


def _participant_hash(session: ForumSession, token: str) -> str:
    return keyed_hash("forum", session.id, token)


def _page(
    session: ForumSession,
    *,
    error: str | None = None,
    notice: str | None = None,
    status: int = 200,
    proposal: str = "",
) -> Response:
    token = device_token()
    participant = voting.find_participant(session, _participant_hash(session, token) if token else None)
    counts = results.session_results(session, participant)
    page = render_template(
        "forum/session.html",
        session=session,
        results=counts,
        public=results.public_counts(session, counts),
        dots_left=voting.dots_left(session, participant),
        error=error,
        notice=notice,
        proposal=proposal,
    )
    response = Response(page, status=status)
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("", methods=["GET", "POST"])
def join() -> ResponseReturnValue:
    """Join by typing the code shown on the projector."""
    code = (request.form.get("code") or request.args.get("code") or "").strip().upper()
    if request.method == "POST" or code:
        session = sessions.session_by_code(code)
        if session is not None:
            return redirect(url_for("forum.session", code=session.code), code=303)
        page = render_template(
            "forum/join.html",
            code=code,
            error=_("There is no session with that code. Check it on the screen."),
        )
        return Response(page, status=404)
    return Response(render_template("forum/join.html", code="", error=None))


@bp.get("/<code>")
def session(code: str) -> Response:
    session = _session_or_404(code)
    response = _page(session, notice=request.args.get("done") and _("Saved."))
    if device_token() is None:
        set_device_cookie(response, new_token())
    return response


def _acting_participant(session: ForumSession) -> tuple[ForumParticipant, str | None]:
    """The participant behind this request, joining now if this is the device's first action.

    A join is part of the request's unit of work: when the action it came for is refused (4xx), the
    request rolls back and no join is left behind.
    """
    token = device_token()
    fresh = None
    if token is None:
        token = fresh = new_token()
    return voting.participant_for(session, _participant_hash(session, token), _now()), fresh


def _after(session: ForumSession, fresh_token: str | None, anchor: str = "") -> WerkzeugResponse:
    response = redirect(url_for("forum.session", code=session.code, done=1) + anchor, code=303)
    if fresh_token is not None:
        set_device_cookie(response, fresh_token)
    return response


@bp.post("/<code>/vote")
@limiter.limit("120 per minute", key_func=device_key)
def vote(code: str) -> ResponseReturnValue:
    """Vote, take a vote back, or (for statements) agree, disagree or pass."""
    session = _session_or_404(code)
    try:
        item_id = to_id(request.form.get("item", ""))
        value = int(request.form.get("value", "1"))
    except ValueError:
        return _page(session, error=_("That is not something you can vote on in this session."), status=400)
    participant, fresh = _acting_participant(session)
    try:
        if request.form.get("action") == "withdraw":
            voting.withdraw(session, participant, item_id)
        else:
            voting.vote(session, participant, item_id, value, now=_now())
    except ForumError as error:
        return _page(session, error=str(error), status=error.status)
    return _after(session, fresh, f"#item-{item_id}")


@bp.post("/<code>/propose")
@limiter.limit("20 per minute", key_func=device_key)
def propose(code: str) -> ResponseReturnValue:
    session = _session_or_404(code)
    text = request.form.get("text", "")[: PROPOSAL_MAX * 4]
    participant, fresh = _acting_participant(session)
    try:
        item = voting.propose(session, participant, text, current_language(), now=_now())
    except ForumError as error:
        return _page(session, error=str(error), status=error.status, proposal=text)
    response = _after(session, fresh)
    if item.status.value == "pending":
        response.headers["Location"] = url_for("forum.session", code=session.code, done="waiting")
    return response


@bp.get("/<code>/results.json")
@limiter.exempt
def results_json(code: str) -> Response:
    """Live results for screens and phones; a poll that has seen this version gets a bodiless 304."""
    session = _session_or_404(code)
    etag = f"{session.id}-{session.version}-{current_language()}"
    if request.if_none_match.contains(etag):
        response = Response(status=304)
    else:
        public = results.public_counts(session, results.session_results(session))
        response = jsonify(
            version=session.version,
            status=session.status.value,
            voting_open=session.voting_open,
            participants=public.participants.count,
            # What a hidden count is shown as; a hidden count itself is null.
            hidden=_("fewer than %(k)d", k=public.k),
            items=[
                {
                    "id": p.item.id,
                    "text": content(p.item.text, session.base_language).text,
                    **{name: cell.count for name, cell in p.cells.items()},
                }
                for p in public.items
            ],
        )
    response.set_etag(etag)
    response.headers["Cache-Control"] = "no-cache"
    return response


@bp.get("/<code>/screen")
def screen(code: str) -> Response:
    """The projector: large type, the join QR and code, the live ranking."""
    session = _session_or_404(code)
    page = render_template(
        "forum/screen.html",
        session=session,
        public=results.public_counts(session, results.session_results(session)),
        join_url=short_url(session.code),
    )
    return Response(page)


@bp.errorhandler(RateLimitExceeded)
def _too_many(_error: RateLimitExceeded) -> Response:
    """Too many votes or topics from this phone: the page again, the typed topic kept, and when to retry."""
    session = sessions.session_by_code((request.view_args or {}).get("code", ""))
    if session is None:  # an error handler cannot abort: the not-found page, as the view would give
        return Response(render_template("errors/error.html", status=404), status=404)
    seconds = retry_after_seconds()
    response = _page(
        session,
        error=try_again_message(seconds),
        status=429,
        proposal=request.form.get("text", "")[: PROPOSAL_MAX * 4],
    )
    response.headers["Retry-After"] = str(seconds)
    return response


@bp.get("/<code>/qr.svg")
def join_qr(code: str) -> Response:
    session = _session_or_404(code)
    return Response(qr_svg(public_url(session.code)), mimetype="image/svg+xml")
