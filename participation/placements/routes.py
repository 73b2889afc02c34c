"""The short links printed on posters: /q/<code>."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import Blueprint, Response, abort, flash, g, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from participation.core import links
from participation.core.qr import qr_png, qr_svg
from participation.extensions import db
from participation.i18n.languages import choose_language, content, native_name, shipped_languages
from participation.i18n.routing import staff_language
from participation.placements import posters, services
from participation.placements.forms import NewPlacementsForm
from participation.placements.models import Placement
from participation.placements.services import CODE_MAX, live_placement, record_scan
from participation.staff import confirm, ownership
from participation.staff.auth import ALL_ROLES, STAFF_ROLES, roles_required
from participation.staff.forms import EmptyForm
from participation.suppression import threshold
from participation.surveys.queries import all_surveys

bp = Blueprint("placements", __name__)


def destination(placement: Placement, lang: str) -> str | None:
    """Where a placement's code leads in a language: its forum session or its survey; None if neither."""
    if placement.forum_session_id is not None:  # a forum placement carries its session's code
        return url_for("forum.session", lang=lang, code=placement.code)
    if placement.survey is not None:
        return url_for("surveys.survey", lang=lang, slug=placement.survey.slug, p=placement.code)
    return None


def counted_visit(placement: Placement, target: str) -> ResponseReturnValue:
    """Count the visit (a daily number, nothing about the device) and send the participant on."""
    record_scan(placement, datetime.now(UTC).date())
    response = redirect(target, code=302)
    # Every scan must reach the server to be counted: no browser or proxy may cache the redirect.
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/q/<code>")
def scan(code: str) -> ResponseReturnValue:
    placement = live_placement(code)
    lang = choose_language(pinned=placement.language if placement is not None else None)
    target = destination(placement, lang) if placement is not None else None
    if placement is None or target is None:
        # An old poster or a typo: the page says so and offers the box to type the code again.
        g.lang = lang
        return render_template("errors/error.html", status=404, typed_code=code[:CODE_MAX]), 404
    return counted_visit(placement, target)


staff_bp = Blueprint("placements_staff", __name__, url_prefix="/staff/placements")


staff_bp.before_request(staff_language)


def _placement_or_404(placement_id: int) -> Placement:
    """The placement, if it is the signed-in user's partner's (or the user is an admin); else 404."""
    return ownership.require_change(db.session.get(Placement, placement_id))


@staff_bp.get("/")
@roles_required(*ALL_ROLES)
def index() -> str:
    return render_template(
        "placements/index.html",
        # Scans and responses per poster are the partner's own data: each partner sees its own.
        stats=[
            row
            for row in services.placement_stats(threshold())
            if ownership.can_read(current_user, row.placement)
        ],
        local_address=links.is_local_address(),
        form=EmptyForm(),
    )


@staff_bp.route("/new", methods=["GET", "POST"])
@roles_required(*STAFF_ROLES)
def new() -> ResponseReturnValue:
    form = NewPlacementsForm()
    surveys = [survey for survey in all_surveys() if ownership.can_change(current_user, survey)]
    form.survey.choices = [(s.id, content(s.title, s.base_language).text) for s in surveys]
    form.language.choices = [("", _("No pinned language"))] + [
        (c, native_name(c)) for c in shipped_languages()
    ]
    if form.validate_on_submit():
        survey = next(s for s in surveys if s.id == form.survey.data)
        created = services.create_placements(survey, form.place_list(), form.language.data or None)
        flash(ngettext("%(num)d placement created.", "%(num)d placements created.", len(created)), "info")
        return redirect(url_for("placements_staff.index"))
    status = 422 if request.method == "POST" else 200
    return render_template("placements/new.html", form=form), status


@staff_bp.post("/<int:placement_id>/retire")
@roles_required(*STAFF_ROLES)
def retire(placement_id: int) -> ResponseReturnValue:
    placement = _placement_or_404(placement_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    if not confirm.confirmed():
        return confirm.ask(
            title=_("Retire this placement?"),
            thing=_("%(place)s – code %(code)s", place=placement.place, code=placement.code),
            consequence=_(
                "Its posters and stickers stop working: the code leads to a “not found” page. This cannot be undone."
            ),
            button=_("Retire"),
            cancel_url=url_for("placements_staff.index"),
        )
    if placement.retired_at is None:
        services.retire(placement, datetime.now(UTC))
        flash(
            _(
                "The placement %(code)s is retired; its code now leads to a “not found” page.",
                code=placement.code,
            ),
            "info",
        )
    return redirect(url_for("placements_staff.index"))


@staff_bp.get("/<int:placement_id>/qr.<any(svg, png):kind>")
@roles_required(*STAFF_ROLES)
def qr(placement_id: int, kind: str) -> Response:
    placement = _placement_or_404(placement_id)
    url = links.public_url(placement.code)
    if kind == "svg":
        response = Response(qr_svg(url), mimetype="image/svg+xml")
    else:
        response = Response(qr_png(url), mimetype="image/png")
    if request.args.get("download"):
        response.headers["Content-Disposition"] = f'attachment; filename="delaktig-{placement.code}.{kind}"'
    return response


@staff_bp.get("/<int:placement_id>/poster")
@roles_required(*STAFF_ROLES)
def poster(placement_id: int) -> str:
    """A printable A4 poster, A5 flyer or A4 sheet of stickers, with its form to choose what it shows."""
    placement = _placement_or_404(placement_id)
    if placement.survey is None or placement.retired_at is not None:
        abort(404)
    survey = placement.survey
    choice = posters.poster_choice(placement, survey, request.args)
    if choice is None:
        abort(400)
    services.record_poster(placement, choice.layout, choice.languages)
    short_url = links.short_url(placement.code)
    return render_template(
        "placements/poster.html",
        placement=placement,
        survey=survey,
        choice=choice,
        layout=choice.layout,
        blocks=posters.poster_blocks(survey, choice.languages),
        colour=posters.theme_colour(survey),
        short_url=short_url,
        address_parts=posters.address_parts(short_url),
        local_address=links.is_local_address(),
        sticker_count=posters.STICKERS_PER_SHEET,
        formats={"a4": _("A4 poster"), "a5": _("A5 flyer"), "stickers": _("A4 sheet of 18 stickers")},
        languages_max=posters.POSTER_LANGUAGES_MAX,
        line_max=posters.LINE_MAX,
        partners_max=posters.PARTNERS_MAX,
    )
