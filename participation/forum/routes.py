"""Participant and projector pages of a forum session, and the live results they poll."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from functools import partial
from typing import Any

from flask import Blueprint, Response, abort, current_app, redirect, render_template, request, url_for
from flask.blueprints import BlueprintSetupState
from flask.typing import ResponseReturnValue
from flask_babel import force_locale, ngettext
from flask_babel import gettext as _
from flask_limiter import RateLimitExceeded
from markupsafe import Markup
from werkzeug.wrappers import Response as WerkzeugResponse

from participation.core.floods import retry_after_seconds, try_again_message
from participation.core.hygiene import to_id
from participation.core.links import public_url, short_address
from participation.core.qr import qr_svg
from participation.extensions import limiter
from participation.forum import labels, live, opinions, results, sessions, voting
from participation.forum.models import ForumItem, ForumParticipant, ForumSession, ItemStatus
from participation.forum.sessions import PROPOSAL_MAX, ForumError
from participation.i18n.languages import (
    choose_language,
    content,
    current_language,
    is_shipped,
    localise,
    text_direction,
    to_babel,
)
from participation.privacy import device_key, device_token, keyed_hash, new_token, set_device_cookie

bp = Blueprint("forum", __name__, url_prefix="/<lang>/f")


@bp.record_once
def _short_join_address(state: BlueprintSetupState) -> None:
    """/f, the address the projector says aloud, leads to the join page in the phone's language."""
    state.app.add_url_rule("/f", "forum_join_short", _join_in_my_language)


def _join_in_my_language() -> WerkzeugResponse:
    return redirect(url_for("forum.join", lang=choose_language()))


def _now() -> datetime:
    return datetime.now(UTC)


def _session_or_404(code: str) -> ForumSession:
    session = sessions.session_by_code(code)
    if session is None:
        abort(404)
    return session


def _in_order(session: ForumSession) -> list[ForumItem]:
    """The shown items in the order they were added: a phone's list does not move under the thumb."""
    return [item for item in session.items if item.status is ItemStatus.APPROVED and not item.quarantined]


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
    public = results.public_counts(session, counts)
    now = _now()
    page = render_template(
        "forum/session.html",
        session=session,
        results=counts,
        public=public,
        rows=labels.rows(public),
        participants_label=labels.participants_label(public.participants, public.k),
        items=_in_order(session),
        state=labels.state_key(public, now),
        voting_open=sessions.voting_is_open(session, now),
        time_up=sessions.time_is_up(session, now),
        seconds_left=sessions.seconds_left(session, now),
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
    response = _page(session, notice=(request.args.get("done") or request.args.get("voted")) and _("Saved."))
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


def _after(session: ForumSession, fresh_token: str | None, item_id: int | None = None) -> WerkzeugResponse:
    """Back to the page; after a vote to the same item, which has not moved, with its new state."""
    if item_id is None:
        location = url_for("forum.session", code=session.code, done=1)
    else:
        location = url_for("forum.session", code=session.code, voted=item_id) + f"#item-{item_id}"
    response = redirect(location, code=303)
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
            voting.withdraw(session, participant, item_id, now=_now())
        else:
            voting.vote(session, participant, item_id, value, now=_now())
    except ForumError as error:
        return _page(session, error=str(error), status=error.status)
    return _after(session, fresh, item_id)


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
    """Live results for screens and phones; a poll that has seen this version gets a bodiless 304.

    That poll reads the session's version and nothing else: no counts, no session row, no catalog. In a
    big room a body counted a moment ago in this process is shared (participation.forum.live).
    """
    now = _now()
    found = sessions.live_state_by_code(code, now)
    if found is None:
        abort(404)
    session_id, version, up = found
    lang = current_language()
    if request.if_none_match.contains(_etag(session_id, version, up, lang)):
        return _results_response(None, _etag(session_id, version, up, lang))
    body = live.bodies().shared(session_id, code.strip().upper(), lang, version, up)
    if body is None:
        session = _session_or_404(code)
        counts = results.session_results(session)
        encoded = current_app.json.dumps(_live(session, counts)).encode("utf-8")
        up = sessions.time_is_up(session, now)
        body = live.Body(session.code, session.version, up, encoded, counts.participants, live.now())
        live.bodies().keep(session.id, lang, body)
    etag = _etag(session_id, body.version, body.up, lang)
    return _results_response(None if request.if_none_match.contains(etag) else body.data, etag)


def _etag(session_id: int, version: int, up: bool, lang: str) -> str:
    """The session's version, and whether its countdown has closed voting: the end of a countdown changes
    what every screen shows without a write, so it is part of the tag."""
    return f"{session_id}-{version}{'-up' if up else ''}-{lang}"


def _results_response(data: bytes | None, etag: str) -> Response:
    response = Response(status=304) if data is None else Response(data, mimetype="application/json")
    response.set_etag(etag)
    response.headers["Cache-Control"] = "no-cache"
    return response


def _live(session: ForumSession, counts: results.SessionResults) -> dict[str, object]:
    """results.json: the public counts with their words and bar lengths, nothing while results are hidden;
    and how long a phone waits before it polls again (`poll_after`, ms), which grows with the room."""
    public = results.public_counts(session, counts)
    shown = session.revealed
    now = _now()
    return {
        "version": session.version,
        "status": session.status.value,
        "voting_open": sessions.voting_is_open(session, now),
        "time_up": sessions.time_is_up(session, now),  # the countdown has ended and closed voting
        "revealed": shown,
        "state": labels.state_key(public, now),
        "seconds_left": sessions.seconds_left(session, now),
        "poll_after": live.room_poll_after_ms(counts.participants),
        "participants": public.participants.count,
        "participants_label": labels.participants_label(public.participants, public.k),
        # What a hidden count is shown as; a hidden count itself is null.
        "hidden": _("fewer than %(k)d", k=public.k),
        "items": [
            {
                "id": row.item.id,
                "text": content(row.item.text, row.item.source_language).text,
                **({**row.counts, "labels": row.labels, "widths": row.widths} if shown else {}),
            }
            for row in labels.rows(public)
        ],
    }


@dataclass(frozen=True)
class SecondLanguage:
    """The projector's `?lang2=`: the fixed words of its headings (the opinion groups') in that language."""

    lang: str

    @property
    def dir(self) -> str:
        return text_direction(self.lang)

    def gettext(self, message: str, **variables: Any) -> str:
        with force_locale(to_babel(self.lang)):
            return _(message, **variables)

    def ngettext(self, singular: str, plural: str, num: int, **variables: Any) -> str:
        with force_locale(to_babel(self.lang)):
            return ngettext(singular, plural, num, **variables)


@bp.get("/<code>/screen")
def screen(code: str) -> Response:
    """The projector: large type, the join QR and the address said plainly, the live bars, a countdown.

    `?lang2=ar` shows every text in a second language beside the page's own.
    """
    session = _session_or_404(code)
    public = results.public_counts(session, results.session_results(session))
    lang2 = request.args.get("lang2", "")
    second = lang2 if is_shipped(lang2) and lang2 != current_language() else None
    now = _now()
    page = render_template(
        "forum/screen.html",
        session=session,
        public=public,
        opinions=opinions.opinion_groups(session, public.k) if session.revealed else None,
        rows=labels.rows(public),
        participants_label=labels.participants_label(public.participants, public.k),
        state=labels.state_key(public, now),
        voting_open=sessions.voting_is_open(session, now),
        time_up=sessions.time_is_up(session, now),
        seconds_left=sessions.seconds_left(session, now),
        in_lang2=partial(localise, lang=lang2),
        lang2=second,
        second=SecondLanguage(second) if second else None,
        join_address=Markup('<strong class="join-url" dir="ltr">{}</strong>').format(short_address("/f")),
        join_code=Markup('<strong class="code" dir="ltr">{}</strong>').format(session.code),
        join_url=public_url(session.code),
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
