"""Staff pages of the needs map: the map itself, free-text coding and population figures."""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa
from flask import Blueprint, Response, abort, flash, g, jsonify, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user

from participation.core.hygiene import to_id
from participation.exports import MACHINE, Style, report_csv, report_xlsx
from participation.extensions import db
from participation.forum.models import ForumSession
from participation.i18n.routing import staff_language
from participation.insights import activity, coding, exports, labels, needs, sparks
from participation.insights import filters as needs_filters
from participation.moderation.services import survey_of
from participation.placements.models import Placement
from participation.staff import ownership
from participation.staff.auth import ALL_ROLES, STAFF_ROLES, roles_required
from participation.staff.forms import EmptyForm
from participation.staff.models import Role
from participation.suppression import threshold
from participation.surveys.models import PROFILE_CHOICES, ProfileField

POPULATION_MAX = 10_000_000  # young people of one age band in one area: more is a typing mistake
POPULATION_DIGITS = len(str(POPULATION_MAX))

bp = Blueprint("insights", __name__, url_prefix="/staff")


bp.before_request(staff_language)
bp.add_app_template_global(labels.group_label)
bp.add_app_template_global(labels.profile_label)


def _filters() -> needs_filters.Filters:
    """Filters from the query string; a value the form could not have sent is a 400."""
    try:
        return needs_filters.filters_from(request.args)
    except needs_filters.FilterError:
        abort(400)


def _breakdown() -> str | None:
    by = request.args.get("by") or None
    if by is not None and by not in needs.BREAKDOWNS:
        abort(400)
    return by


@bp.get("/needs")
@roles_required(*ALL_ROLES)
def needs_map() -> str:
    filters = _filters()
    k = threshold()
    by = _breakdown()
    return render_template(
        "insights/needs.html",
        by=by,
        breakdown=needs.breakdown(filters, by, k) if by else None,
        filters=filters,
        result=needs.needs_map(filters, k),
        trend=needs.trend(filters, k),
        reach=needs.reach(filters, k),
        terms=needs.terms(),
        placements=db.session.query(Placement).order_by(Placement.place).all(),
        age_bands=PROFILE_CHOICES[ProfileField.AGE_BAND],
        genders=PROFILE_CHOICES[ProfileField.GENDER],
        components=needs_filters.COMPONENTS,
        places=labels.placement_names(),
        # The forum's result exports are its partner's data: analysts find them here (issue 14, point 3).
        forum_sessions=list(
            db.session.scalars(
                ownership.visible(sa.select(ForumSession), ForumSession).order_by(ForumSession.id.desc())
            )
        ),
        delimiter=Style.named(None, g.lang),
        described=exports.describe(filters, by),
        spark=sparks.spark,
        made=datetime.now(UTC),
        k=k,
    )


@bp.route("/coding", methods=["GET", "POST"])
@roles_required(*STAFF_ROLES)
def code_texts() -> ResponseReturnValue:
    """Give approved free texts their themes; the coder, date and codebook version are kept."""
    form = EmptyForm()
    if request.method == "POST":
        if not form.validate_on_submit():
            abort(400)
        try:
            answer_id = to_id(request.form.get("answer", ""))
            theme_ids = [to_id(value) for value in request.form.getlist("theme_ids")]
        except ValueError:
            abort(400)
        ownership.require_change(survey_of(answer_id))  # only the survey's own partner codes its texts
        try:
            coding.set_codes(answer_id, theme_ids)
        except LookupError:
            abort(404)
        flash(_("Saved."), "info")
        return redirect(
            url_for("insights.code_texts", show=request.args.get("show", "uncoded")) + f"#text-{answer_id}"
        )
    show_all = request.args.get("show") == "all"
    return render_template(
        "insights/coding.html",
        items=[
            item
            for item in coding.texts_to_code(include_coded=show_all)
            if ownership.can_change(current_user, item.survey)
        ],
        themes=coding.all_themes(),
        version=coding.current_version(),
        show_all=show_all,
        form=form,
    )


@bp.route("/population", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def population() -> ResponseReturnValue:
    """Population per age band in the area, from official statistics, for 'who we are not hearing from'."""
    form = EmptyForm()
    bands = PROFILE_CHOICES[ProfileField.AGE_BAND]
    errors: dict[str, str] = {}
    if request.method == "POST":
        if not form.validate_on_submit():
            abort(400)
        values: dict[str, int | None] = {}
        for band in bands:
            raw = request.form.get(band, "").strip().replace(" ", "")
            whole = raw.isascii() and raw.isdigit() and len(raw) <= POPULATION_DIGITS
            if raw and not (whole and int(raw) <= POPULATION_MAX):
                errors[band] = _("Please write a whole number, for example 3.")
            values[band] = int(raw) if raw and whole else None
        if not errors:
            coding.save_population(values, request.form.get("source", "")[:200])
            flash(_("Saved."), "info")
            return redirect(url_for("insights.population"))
    return render_template(
        "insights/population.html",
        bands=bands,
        figures=coding.population(),
        form=form,
        errors=errors,
        values=request.form,
    ), 422 if errors else 200


@bp.get("/needs/export.<any(csv, xlsx, json):kind>")
@roles_required(*ALL_ROLES)
def export(kind: str) -> Response:
    """The needs map's tables as CSV, XLSX or JSON, suppressed exactly as on the page.

    `delimiter=semicolon|comma` chooses the spreadsheet's style (by default the staff language's);
    `format=machine` gives BI tools stable column keys, and in CSV one `table` (priorities by default).
    """
    filters, k = _filters(), threshold()
    by = _breakdown()
    coding.record_export(kind, filters)
    filename = f"needs-map.{kind}"
    if kind == "json":
        result = needs.needs_map(filters, k)
        response = jsonify(k=k, respondents=result.respondents.count, themes=needs.as_rows(result, g.lang))
    else:
        machine = request.args.get("format") == "machine"
        only = request.args.get("table", "priorities") if machine and kind == "csv" else None
        if only is not None and only not in exports.TABLES or (only == "breakdown" and not by):
            abort(400)
        report = exports.needs_report(filters, by, k, only)
        if kind == "xlsx":
            response = report_xlsx(report, machine=machine)
        else:
            style = MACHINE if machine else Style.named(request.args.get("delimiter"), g.lang)
            response = report_csv(report, style, machine=machine)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@bp.get("/activity")
@roles_required(Role.ADMIN)
def activity_page() -> str:
    """Responses, scans and forum joins per day, and what waits in quarantine: is the service in use?"""
    k = threshold()
    return render_template("insights/activity.html", activity=activity.activity(datetime.now(UTC), k), k=k)
