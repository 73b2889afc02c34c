"""Participant pages of follow-up: opting in after a survey, and withdrawing."""

from __future__ import annotations

import base64
import io
from datetime import UTC, datetime

from flask import Blueprint, Response, abort, render_template, request
from flask_babel import gettext as _
from markupsafe import Markup
from PIL import Image, ImageDraw, ImageFont

from participation.core.qr import qr_png, qr_svg
from participation.extensions import db
from participation.followup import services
from participation.privacy import device_token, keyed_hash
from participation.suppression import threshold
from participation.surveys.models import Response as SurveyResponse
from participation.surveys.models import Survey
from participation.surveys.queries import published_survey

bp = Blueprint("followup", __name__, url_prefix="/<lang>")


def own_response(survey: Survey) -> SurveyResponse | None:
    """This device's response to the survey, found through the per-survey HMAC of its cookie token."""
    token = device_token()
    if token is None:
        return None
    return (
        db.session.query(SurveyResponse)
        .filter_by(survey_id=survey.id, respondent_hash=keyed_hash("respondent", survey.id, token))
        .one_or_none()
    )


@bp.post("/s/<slug>/follow-up")
def opt_in(slug: str) -> Response:
    """Create a personal follow-up code for the answers this phone just gave; shown once, never stored."""
    survey = published_survey(slug)
    if survey is None:
        abort(404)
    response = own_response(survey)
    if response is None:
        page = render_template(
            "followup/problem.html", message=_("We could not find your answers on this phone.")
        )
        return Response(page, status=404)
    if request.form.get("consent") != "yes":
        # Back to the box itself, with the reason next to it: not a page that only says what went wrong.
        page = render_template(
            "followup/offer.html",
            survey=survey,
            k=threshold(),
            consent_error=_("Tick the box if you want a code. It is your choice."),
        )
        return Response(page, status=422)
    try:
        code = services.opt_in(response, datetime.now(UTC))
    except services.FollowUpError as error:
        return Response(render_template("followup/problem.html", message=str(error)), status=403)
    # The QR holds only the code, so it can be saved as a picture; it is drawn inline and never requested again.
    svg = qr_svg(code)  # qrcode's own SVG of a code made here: safe to put in the page as it is
    qr = Markup(svg)  # nosec B704
    page = render_template("followup/code.html", code=code, qr=qr, picture=code_picture(code), survey=survey)
    result = Response(page)
    result.headers["Cache-Control"] = "no-store"
    return result


def code_picture(code: str) -> str:
    """The code and its QR as one PNG, for the "save as image" link, as a data: URL inside the page.

    The code is shown once and only its HMAC is kept, so the picture must not have an address of its
    own: a URL carrying the code would end up in access logs, the browser history and proxies. Drawn
    here and carried in the (no-store) page itself, it never leaves the response that shows the code.
    """
    qr = Image.open(io.BytesIO(qr_png(code, box_size=10))).convert("RGB")
    font = ImageFont.load_default(size=44)
    margin = 24
    left, top, right, bottom = (int(edge) for edge in font.getbbox(code))
    text_width, text_height = right - left, bottom - top
    width = max(qr.width, text_width + 2 * margin)
    picture = Image.new("RGB", (width, qr.height + text_height + 2 * margin), "white")
    ImageDraw.Draw(picture).text(
        ((width - text_width) // 2 - left, margin - top), code, fill="black", font=font
    )
    picture.paste(qr, ((width - qr.width) // 2, text_height + margin + margin // 2))
    buffer = io.BytesIO()
    picture.save(buffer, format="PNG", optimize=True)
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


@bp.route("/follow-up/withdraw", methods=["GET", "POST"])
def withdraw() -> Response:
    """Anyone holding a code can end the follow-up; the link is deleted, the anonymous answers stay."""
    if request.method == "GET":
        return Response(render_template("followup/withdraw.html", done=None, error=None, code=""))
    code = request.form.get("code", "")[:40]
    try:
        unlinked = services.withdraw(code)
    except services.FollowUpError as error:
        return Response(
            render_template("followup/withdraw.html", done=None, error=str(error), code=code), status=404
        )
    return Response(render_template("followup/withdraw.html", done=unlinked, error=None, code=""))
