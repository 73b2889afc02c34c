"""Participant pages of a survey: the form, the submission and the thank-you page."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from flask import Blueprint, Response, abort, current_app, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_limiter import RateLimitExceeded
from flask_wtf.csrf import CSRFError
from werkzeug.datastructures import MultiDict

from participation.core import signals
from participation.core.floods import Flow, retry_after_seconds, try_again_message, within_ceiling
from participation.extensions import csrf, limiter
from participation.i18n.languages import current_language, set_language_cookie
from participation.privacy import device_key, device_token, is_token, keyed_hash, new_token, set_device_cookie
from participation.suppression import protect, threshold
from participation.surveys import answering, queries, results
from participation.surveys.models import FREE_TEXT_MAX, QuestionKind, Survey

bp = Blueprint("surveys", __name__, url_prefix="/<lang>")

# On a kiosk tablet the thank-you page returns to a fresh form by itself after this long: time to read
# it, and (WCAG 2.2.1) at least 20 seconds to choose "wait" on the warning it shows from the start.
KIOSK_RETURN_SECONDS = 20


def _now() -> datetime:
    return datetime.now(UTC)


def _survey_or_404(slug: str) -> Survey:
    survey = queries.published_survey(slug)
    if survey is None:
        abort(404)
    return survey


def _respondent_hash(survey: Survey, token: str | None) -> str | None:
    return None if token is None else keyed_hash("respondent", survey.id, token)


def _kiosk(survey: Survey) -> answering.Place | None:
    """The placement, when this device is a kiosk for this survey (placements answer, a layer above).

    A kiosk keeps no device token: each person at the tablet gives a response of their own.
    """
    found: answering.Place | None = signals.first_answer(signals.kiosk_placement, survey_id=survey.id)
    return found


def _closed(survey: Survey) -> Response:
    page = render_template("surveys/closed.html", survey=survey, open_surveys=queries.open_surveys(_now()))
    not_yet = survey.opens_at is not None and _now() < survey.opens_at
    return Response(page, status=403 if not_yet else 410)


@dataclass(frozen=True)
class ThanksPart:
    """A part of the thank-you page that a higher capability adds (the follow-up offer, the latest actions).

    `position` orders the parts: below 50 they come after the thanks and "what happens next" and before
    the summary of the community's results ("you said – we did" at 30), from 50 right after the results
    (the follow-up offer at 50).
    The page includes `template`, which sees the page's own variables (survey, k) and this part as `part`.
    """

    position: int
    template: str
    values: Mapping[str, Any] = field(default_factory=dict)


def thanks_parts(survey: Survey, *, already: bool, kiosk: bool = False) -> list[ThanksPart]:
    parts = signals.answers(signals.thanks_parts, survey=survey, already=already, kiosk=kiosk)
    return sorted(parts, key=lambda part: part.position)


def _results_page(
    survey: Survey, *, already: bool, status: int = 200, kiosk: bool = False, stay: bool = False
) -> Response:
    k = threshold()
    page = render_template(
        "surveys/thanks.html",
        survey=survey,
        already=already,
        results=results.community_results(survey, k),
        total=protect(results.released_responses(survey), k),
        k=k,
        kiosk=kiosk,
        stay=stay,
        return_seconds=KIOSK_RETURN_SECONDS,
        parts=thanks_parts(survey, already=already, kiosk=kiosk),
    )
    response = Response(page, status=status)
    if kiosk and not stay:
        # A header, not a <meta>: the page itself warns and offers to wait, which a <meta> refresh cannot
        # show a checker; browsers follow both alike, with or without JavaScript.
        fresh = url_for("surveys.survey", slug=survey.slug)
        response.headers["Refresh"] = f"{KIOSK_RETURN_SECONDS}; url={fresh}"
    return response


def requested_screen(raw: str | None, survey: Survey) -> int | None:
    """The stepper screen (0-based) a posted form was on, if it is one this survey could show.

    It only tells the page which screen to open at, so anything odd is dropped rather than refused.
    """
    if raw is None or not (raw.isascii() and raw.isdigit()) or len(raw) > 3:
        return None
    screen = int(raw)
    return screen if screen <= len(survey.questions) else None  # the questions, then the profile screen


def client_checks(survey: Survey) -> dict[str, dict[str, str]]:
    """Per question, the data attributes with which static/js/survey.js checks a screen as the server would.

    The messages are answering.py's own, in the page's language, so the script holds no text of its own.
    """
    checks: dict[str, dict[str, str]] = {}
    for question in survey.questions:
        name = answering.field_name(question)
        if question.kind is QuestionKind.MULTIPLE_CHOICE and question.max_choices:
            checks[name] = {
                "data-max-choices": str(question.max_choices),
                "data-error-max": ngettext(
                    "Choose at most %(num)d answer.", "Choose at most %(num)d answers.", question.max_choices
                ),
            }
        elif question.kind is QuestionKind.NUMBER:
            low, high = answering.number_range(question)
            checks[name] = {
                "data-min": str(low),
                "data-max": str(high),
                "data-error-range": _("Please write a number from %(low)d to %(high)d.", low=low, high=high),
            }
    return checks


def _form_messages() -> dict[str, str]:
    """The survey-wide messages of answering.py, as data attributes of the form."""
    return {
        "data-error-rank": _("Choose each thing only once."),
        "data-error-number": _("Please write a whole number, for example 3."),
        # Left unformatted: the script fills in the count as the participant types.
        "data-error-long": _("Please write at most %(max)d characters. You wrote %(count)d."),
        "data-text-max": str(FREE_TEXT_MAX),
    }


def _offline_attributes() -> dict[str, str]:
    """Where static/js/survey.js finds the service worker, and what it says when this phone is offline."""
    return {
        "data-worker": url_for("surveys.service_worker"),
        "data-offline-queued": _(
            "No connection. Your answers are saved on this phone and will be sent when you are online again."
        ),
        "data-offline-arrived": _("Your answers have arrived."),
    }


def _form_page(
    survey: Survey,
    *,
    values: MultiDict[str, str],
    submission_key: str,
    placement_code: str | None,
    errors: dict[str, str] | None = None,
    problem: str | None = None,
    status: int = 200,
    screen: int | None = None,
) -> Response:
    page = render_template(
        "surveys/survey.html",
        switch_form={
            "id": "survey-form",
            "endpoint": "surveys.switch_language",
            "args": {"slug": survey.slug},
        },
        survey=survey,
        values=values,
        errors=errors or {},
        problem=problem,
        submission_key=submission_key,
        placement_code=placement_code,
        screen=screen,
        checks=client_checks(survey),
        form_messages=_form_messages() | _offline_attributes(),
    )
    return Response(page, status=status)


@bp.get("/s/sw.js")
def service_worker() -> Response:
    """The survey pages' service worker (static/js/sw.js); served here, so that its scope is /<lang>/s/.

    A slug is letters, digits and hyphens, so no survey can be called sw.js.
    """
    # Read whole (3 KB), not streamed: the browser fetches it after the page and may go before it ends.
    if current_app.static_folder is None:  # pragma: no cover - the app always has its static folder
        abort(404)
    script = Path(current_app.static_folder, "js", "sw.js").read_bytes()
    response = Response(script, mimetype="application/javascript")
    # Checked on each visit (a 304 when unchanged), so a fixed worker reaches phones at once.
    response.headers["Cache-Control"] = "no-cache"
    response.add_etag()
    response.make_conditional(request)  # a 304 in place when the phone's copy is this one
    return response


@bp.get("/s/<slug>")
def survey(slug: str) -> Response:
    """The survey form, or a kind page when it is closed or this device already answered."""
    survey = _survey_or_404(slug)
    if not survey.is_open(_now()):
        return _closed(survey)
    kiosk = _kiosk(survey)
    token = None if kiosk else device_token()
    if answering.has_answered(survey, _respondent_hash(survey, token)):
        return _results_page(survey, already=True)
    placement = kiosk or answering.placement_for(request.args.get("p"), survey)
    response = _form_page(
        survey,
        values=MultiDict(),
        submission_key=new_token(),
        placement_code=placement.code if placement else None,
    )
    if token is None and kiosk is None:
        set_device_cookie(response, new_token())
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.post("/s/<slug>")
@limiter.limit("30 per minute", key_func=device_key)
@csrf.exempt  # checked below, so that a failed check can keep the participant's answers
def submit(slug: str) -> ResponseReturnValue:
    """Validate and store a response once; on any problem show the form again with every answer kept."""
    survey = _survey_or_404(slug)
    form = request.form
    submission_key = form.get("submission_key", "")
    placement_code = form.get("placement") or None
    keep: dict[str, Any] = {
        "values": form,
        "placement_code": placement_code,
        "screen": requested_screen(form.get("screen"), survey),
    }
    if not survey.is_open(_now()):
        return _closed(survey)
    if not is_token(submission_key):
        return _form_page(
            survey,
            submission_key=new_token(),
            problem=_("Something in the form was not right."),
            status=400,
            **keep,
        )
    try:
        csrf.protect()
    except CSRFError:
        problem = _(
            "This page had been open for a long time. Your answers are still here: please send them again."
        )
        return _form_page(survey, submission_key=submission_key, problem=problem, status=400, **keep)
    parsed = answering.parse_submission(survey, form)
    if parsed.tampered:
        problem = _("Something in the form was not right. Please check your answers and send them again.")
        return _form_page(survey, submission_key=submission_key, problem=problem, status=400, **keep)
    if parsed.errors:
        problem = _("Some answers need a look. They are marked below.")
        return _form_page(
            survey, submission_key=submission_key, errors=parsed.errors, problem=problem, status=422, **keep
        )
    kiosk = _kiosk(survey)
    token = None if kiosk else device_token()
    new_device_token = new_token() if token is None and kiosk is None else None
    respondent_hash = _respondent_hash(survey, token or new_device_token)
    idempotency_hash = keyed_hash("submission", survey.id, submission_key)
    # Only a response that would be stored counts against the address's ceiling; beyond it, it is held.
    held = answering.is_new_response(survey, respondent_hash, idempotency_hash) and not within_ceiling(
        Flow.RESPONSE, survey.id
    )
    outcome = answering.store_response(
        survey,
        parsed,
        placement=kiosk or answering.placement_for(placement_code, survey),
        respondent_hash=respondent_hash,
        idempotency_hash=idempotency_hash,
        language=current_language(),
        now=_now(),
        quarantined=held,
    )
    if outcome is answering.StoreOutcome.ALREADY_ANSWERED:
        return _results_page(survey, already=True, status=409)
    response = redirect(url_for("surveys.thanks", slug=survey.slug), code=303)
    if new_device_token is not None:
        set_device_cookie(response, new_device_token)
    return response


@bp.errorhandler(RateLimitExceeded)
def _too_many(_error: RateLimitExceeded) -> Response:
    """Too many sends from this phone: the form again with every answer kept, and when to try again."""
    survey = queries.published_survey((request.view_args or {}).get("slug", ""))
    if survey is None:  # an error handler cannot abort: the not-found page, as the view would give
        return Response(render_template("errors/error.html", status=404), status=404)
    form = request.form
    submission_key = form.get("submission_key", "")
    seconds = retry_after_seconds()
    response = _form_page(
        survey,
        values=form,
        submission_key=submission_key if is_token(submission_key) else new_token(),
        placement_code=form.get("placement") or None,
        problem=try_again_message(seconds),
        screen=requested_screen(form.get("screen"), survey),
        status=429,
    )
    response.headers["Retry-After"] = str(seconds)
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.post("/s/<slug>/language")
@csrf.exempt  # stores nothing: it only shows the same form, answers kept, in the language in the URL
def switch_language(slug: str) -> Response:
    """The survey in another language, with every answer typed so far still in place."""
    survey = _survey_or_404(slug)
    if not survey.is_open(_now()):
        return _closed(survey)
    form = request.form
    submission_key = form.get("submission_key", "")
    response = _form_page(
        survey,
        values=form,
        submission_key=submission_key if is_token(submission_key) else new_token(),
        placement_code=form.get("placement") or None,
        screen=requested_screen(form.get("screen"), survey),
    )
    set_language_cookie(response, current_language())
    return response


@bp.get("/s/<slug>/thanks")
def thanks(slug: str) -> Response:
    """Thank-you page with the community's results, shown only for cells large enough to be safe."""
    survey = _survey_or_404(slug)
    kiosk = _kiosk(survey) is not None
    return _results_page(survey, already=False, kiosk=kiosk, stay=kiosk and request.args.get("stay") == "1")
