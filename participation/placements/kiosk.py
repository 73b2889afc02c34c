"""Kiosk mode: one tablet at one placement, where people answer one after another until a set time.

Staff start it on the tablet itself (participation.placements.routes). The tablet then carries a signed
cookie naming the placement and when kiosk mode ends; nothing about it is stored on the server. On a
request, kiosk mode is in force only while that cookie verifies under the app's secret key, has not
expired, and names a placement that is still live and leads to a survey. Surveys, a layer below, ask
through the `kiosk_placement` signal whether that is so for the survey they show.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from flask import after_this_request, current_app, flash, g, has_request_context, request
from flask_babel import gettext as _
from itsdangerous import BadData, URLSafeTimedSerializer
from werkzeug.wrappers import Response

from participation.audit.services import Actor
from participation.extensions import db
from participation.placements import services
from participation.placements.models import Placement
from participation.privacy import set_private_cookie

KIOSK_COOKIE = "delaktig_kiosk"
KIOSK_HOURS = (1, 2, 3, 4, 6, 8, 12)
KIOSK_HOURS_MAX = max(KIOSK_HOURS)
_SALT = "delaktig-kiosk"
_COOKIE_MAX = 200  # a signed payload of two numbers is far shorter; anything longer is not ours


@dataclass(frozen=True)
class Kiosk:
    """The kiosk mode in force on this device: for which placement, and until when."""

    placement: Placement
    until: datetime


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=_SALT)


def kiosk_until(hours: int, now: datetime) -> datetime:
    """When a kiosk started now for so many hours ends, never beyond the longest allowed."""
    return now + timedelta(hours=min(max(hours, 1), KIOSK_HOURS_MAX))


def set_kiosk_cookie(response: Response, placement: Placement, until: datetime, now: datetime) -> None:
    """Turn this device into a kiosk for the placement: a signed cookie the browser drops at `until`."""
    value = _serializer().dumps({"placement": placement.id, "until": int(until.timestamp())})
    seconds = max(int((until - now).total_seconds()), 1)
    # Strict: no other site can make the tablet send it; it only travels within Delaktig's own pages.
    set_private_cookie(response, KIOSK_COOKIE, value, seconds, samesite="Strict")


def clear_kiosk_cookie(response: Response) -> None:
    response.delete_cookie(KIOSK_COOKIE, httponly=True, samesite="Strict")


def _verified_payload(raw: str | None, now: datetime) -> tuple[int, datetime] | None:
    """The placement id and end time of a cookie that verifies and has not expired; else None."""
    if not raw or len(raw) > _COOKIE_MAX:
        return None
    try:
        # The signature's own age is a second bound: no cookie is honoured longer than the longest kiosk.
        payload = _serializer().loads(raw, max_age=KIOSK_HOURS_MAX * 3600)
    except BadData:
        return None
    if not isinstance(payload, dict):
        return None
    placement_id, until = payload.get("placement"), payload.get("until")
    if type(placement_id) is not int or type(until) is not int:
        return None
    ends = datetime.fromtimestamp(until, UTC)
    if not now < ends <= now + timedelta(hours=KIOSK_HOURS_MAX):
        return None
    return placement_id, ends


def read_kiosk(now: datetime) -> Kiosk | None:
    """The kiosk mode this request's cookie puts in force, if any (see the module's docstring)."""
    verified = _verified_payload(request.cookies.get(KIOSK_COOKIE), now)
    if verified is None:
        return None
    placement = db.session.get(Placement, verified[0])
    if placement is None or placement.retired_at is not None or placement.survey_id is None:
        return None
    return Kiosk(placement, verified[1])


def current_kiosk() -> Kiosk | None:
    """This request's kiosk mode, read once per request (none outside a request: a command's pages)."""
    if not has_request_context():
        return None
    if "kiosk" not in g:
        g.kiosk = read_kiosk(datetime.now(UTC))
    kiosk: Kiosk | None = g.kiosk
    return kiosk


def end_here(user: Actor) -> None:
    """A staff member logged in on this device: whatever kiosk mode it was in ends with this response."""
    if KIOSK_COOKIE not in request.cookies:
        return
    kiosk = current_kiosk()
    if kiosk is not None:
        services.end_kiosk(kiosk.placement.id, user)
        flash(_("Kiosk mode has ended on this device."), "info")

    @after_this_request
    def _clear(response: Response) -> Response:
        clear_kiosk_cookie(response)
        return response
