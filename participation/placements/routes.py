"""The short links printed on posters: /q/<code>."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import Blueprint, Response, abort, flash, g, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, logout_user

from participation.core import links
from participation.core.qr import qr_png, qr_svg
from participation.extensions import db
from participation.i18n.languages import choose_language, content, native_name, shipped_languages
from participation.i18n.routing import staff_language
from participation.placements import posters, services
from participation.placements.forms import KioskForm, NewPlacementsForm
from participation.placements.kiosk import current_kiosk, end_here, kiosk_until, set_kiosk_cookie
from participation.placements.models import Placement
from participation.placements.services import CODE_MAX, live_placement, record_scan
from participation.staff import confirm, ownership
from participation.staff.auth import ALL_ROLES, STAFF_ROLES, roles_required
from participation.staff.forms import EmptyForm, LoginForm
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
        groups=services.grouped(
            [
                row
                for row in services.placement_stats(threshold())
                if ownership.can_read(current_user, row.placement)
            ]
        ),
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
    if request.method == "GET":  # coming from a survey's "create places and print posters"
        form.survey.data = request.args.get("survey", type=int)
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


def kiosk_ready(placement: Placement) -> bool:
    """Kiosk mode is for a live placement that leads to a survey (a forum has its own projector)."""
    return placement.survey is not None and placement.retired_at is None


@staff_bp.get("/<int:placement_id>")
@roles_required(*STAFF_ROLES)
def placement(placement_id: int) -> str:
    """One placement: where it is, where it leads, and kiosk mode for a tablet at the place."""
    found = _placement_or_404(placement_id)
    return render_template(
        "placements/placement.html",
        placement=found,
        scans=services.scan_total(found),
        kiosk_ready=kiosk_ready(found),
        form=KioskForm(),
    )


@staff_bp.post("/<int:placement_id>/kiosk")
@roles_required(*STAFF_ROLES)
def start_kiosk(placement_id: int) -> ResponseReturnValue:
    """Turn this device into a kiosk for the placement's survey, and log its staff member out here."""
    found = _placement_or_404(placement_id)
    if not kiosk_ready(found):
        abort(404)
    form = KioskForm()
    if not form.validate_on_submit():
        page = render_template(
            "placements/placement.html",
            placement=found,
            scans=services.scan_total(found),
            kiosk_ready=True,
            form=form,
        )
        return page, 422
    now = datetime.now(UTC)
    services.start_kiosk(found, form.hours.data)
    # The tablet is handed to participants next: nobody may reach the staff pages on it from here on.
    logout_user()
    target = destination(found, choose_language(pinned=found.language))
    response = redirect(target or url_for("staff.login"), code=303)
    set_kiosk_cookie(response, found, kiosk_until(form.hours.data, now), now)
    return response


@staff_bp.get("/kiosk")
def leave_kiosk() -> ResponseReturnValue:
    """The way out of kiosk mode: a staff login, after which the tablet is an ordinary device again."""
    kiosk = current_kiosk()
    if kiosk is None:
        return redirect(url_for("staff.login"))
    if current_user.is_authenticated:  # logged in already (in another tab since): that is the login
        end_here(current_user)
        return redirect(url_for("placements_staff.index"))
    # The login form goes to the staff login itself, with its checks and limits; logging in ends kiosk
    # mode (participation.placements.init_app).
    return render_template("placements/leave_kiosk.html", kiosk=kiosk, form=LoginForm())
