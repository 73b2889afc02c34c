"""Staff pages of shared measurement: indicators with turn-the-curve charts, data points, programs."""

from __future__ import annotations

import math
from typing import Any

import sqlalchemy as sa
from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user

from participation.core.hygiene import MAX_ID
from participation.extensions import db
from participation.followup.services import panel_change
from participation.i18n.languages import content, default_language
from participation.i18n.routing import staff_language
from participation.measurement import services
from participation.measurement.chart import curve_chart
from participation.measurement.models import DataPoint, Indicator, Polarity, Program, ProgramQuestion
from participation.staff import ownership
from participation.staff.auth import ALL_ROLES, STAFF_ROLES, roles_required
from participation.staff.forms import EmptyForm
from participation.staff.models import Role
from participation.suppression import threshold
from participation.surveys.models import Question, QuestionKind, SurveyStatus
from participation.themes.models import VisionGoal

bp = Blueprint("measurement", __name__, url_prefix="/staff/measurement")
bp.add_app_template_global(ownership.may_change, "may_change")


@bp.app_template_global()
def may_enter_point(indicator: Indicator) -> bool:
    """Whether to show the form for a new value: admins, and the owning partner's staff and analysts."""
    return ownership.can_add(current_user, indicator, DataPoint)


bp.before_request(staff_language)


def _checked_form() -> None:
    if not EmptyForm().validate_on_submit():
        abort(400)


def _number(name: str, *, integer: bool = False, required: bool = False) -> Any:
    raw = (request.form.get(name) or "").strip().replace(",", ".")
    if not raw:
        if required:
            raise services.MeasurementError(_("Please write a number."))
        return None
    try:
        number = int(raw) if integer else float(raw)
    except ValueError:
        raise services.MeasurementError(_("Please write a number.")) from None
    if not math.isfinite(number) or abs(number) > MAX_ID:  # what the database's columns can hold
        raise services.MeasurementError(_("Please write a number."))
    return number


def _goal_id() -> int:
    goal_id = _number("goal_id", integer=True, required=True)
    if db.session.get(VisionGoal, goal_id) is None:
        raise services.MeasurementError(_("Choose the vision goal the indicator measures."))
    return int(goal_id)


def _choices() -> dict[str, Any]:
    return {
        "goals": list(db.session.scalars(sa.select(VisionGoal).order_by(VisionGoal.id))),
        "partners": ownership.partner_choices(),
        # Another partner's draft is its own business; published surveys are shared measurement.
        "questions": [
            question
            for question in db.session.scalars(
                sa.select(Question).where(Question.kind.in_((QuestionKind.SCALE, QuestionKind.YES_NO)))
            )
            if question.survey.status is not SurveyStatus.DRAFT
            or ownership.can_change(current_user, question.survey)
        ],
    }


@bp.get("/")
@roles_required(*ALL_ROLES)
def index() -> str:
    items = services.indicators()
    return render_template(
        "measurement/index.html",
        indicators=items,
        curves={indicator.id: services.curve(indicator) for indicator in items},
        programs=services.programs(),
        goals=_choices()["goals"],
    )


@bp.route("/indicators/new", methods=["GET", "POST"])
@bp.route("/indicators/<int:indicator_id>/edit", methods=["GET", "POST"])
@roles_required(*STAFF_ROLES)
def edit_indicator(indicator_id: int | None = None) -> ResponseReturnValue:
    indicator = (
        ownership.require_change(db.session.get(Indicator, indicator_id))
        if indicator_id is not None
        else None
    )
    error = None
    if request.method == "POST":
        _checked_form()
        try:
            goal_id = _goal_id()
            polarity = request.form.get("polarity", "")
            if polarity not in {p.value for p in Polarity}:
                abort(400)
            question_id = _number("question_id", integer=True)
            if question_id is not None and question_id not in {q.id for q in _choices()["questions"]}:
                abort(400)  # only a question the form offered
            saved = services.save_indicator(
                indicator,
                {
                    "name": request.form.get("name"),
                    "definition": request.form.get("definition"),
                    "goal_id": goal_id,
                    "unit": request.form.get("unit"),
                    "polarity": polarity,
                    "source": request.form.get("source"),
                    "owner_partner_id": ownership.owner_for_new(_number("owner_partner_id", integer=True))
                    if indicator is None
                    else ownership.owner_after_edit(indicator, _number("owner_partner_id", integer=True)),
                    "baseline_period": _number("baseline_period", integer=True),
                    "baseline_value": _number("baseline_value"),
                    "target_period": _number("target_period", integer=True),
                    "target_value": _number("target_value"),
                    "question_id": question_id,
                    "language": g.lang,
                },
            )
        except services.MeasurementError as exc:
            error = str(exc)
        else:
            flash(_("Saved."), "info")
            return redirect(url_for("measurement.indicator", indicator_id=saved.id))
    return render_template(
        "measurement/indicator_form.html",
        indicator=indicator,
        error=error,
        values=request.form,
        form=EmptyForm(),
        **_choices(),
    ), 422 if error else 200


@bp.get("/indicators/<int:indicator_id>")
@roles_required(*ALL_ROLES)
def indicator(indicator_id: int) -> str:
    item = db.session.get(Indicator, indicator_id) or abort(404)
    return _indicator_page(item, error=None, values={})


def _indicator_page(item: Indicator, *, error: str | None, values: Any) -> str:
    curve = services.curve(item)
    return render_template(
        "measurement/indicator.html",
        indicator=item,
        curve=curve,
        chart=curve_chart(item, curve),
        form=EmptyForm(),
        error=error,
        values=values,
        panel=_panel(item),
    )


def _panel(indicator: Indicator) -> tuple[int, int, Any] | None:
    """Panel members' change between the last two terms with values, for indicators from a scale question."""
    terms = [point.period for point in indicator.points]
    if indicator.question is None or len(terms) < 2:
        return None
    change = panel_change(indicator.question, terms[-2], terms[-1], threshold())
    return (terms[-2], terms[-1], change) if change is not None else None


@bp.post("/indicators/<int:indicator_id>/points")
@roles_required(*ALL_ROLES)
def enter_point(indicator_id: int) -> ResponseReturnValue:
    item = ownership.require_add(db.session.get(Indicator, indicator_id), DataPoint)
    _checked_form()
    try:
        period = _number("period", integer=True, required=True)
        value = _number("value", required=True)
        services.enter_point(item, period, value, request.form.get("story", ""), current_user, g.lang)
    except services.MeasurementError as exc:
        return _indicator_page(item, error=str(exc), values=request.form), 422
    flash(
        _("Saved. It counts once an admin has approved it.")
        if current_user.role is not Role.ADMIN
        else _("Saved."),
        "info",
    )
    return redirect(url_for("measurement.indicator", indicator_id=item.id))


@bp.post("/indicators/<int:indicator_id>/compute")
@roles_required(*STAFF_ROLES)
def compute(indicator_id: int) -> ResponseReturnValue:
    item = ownership.require_change(db.session.get(Indicator, indicator_id))
    _checked_form()
    try:
        stored = services.compute_points(item, threshold())
    except services.MeasurementError as exc:
        flash(str(exc), "error")
    else:
        flash(_("%(num)d terms computed from the answers.", num=stored), "info")
    return redirect(url_for("measurement.indicator", indicator_id=item.id))


@bp.post("/points/<int:point_id>/approve")
@roles_required(Role.ADMIN)
def approve(point_id: int) -> ResponseReturnValue:
    point = db.session.get(DataPoint, point_id) or abort(404)
    _checked_form()
    services.approve(point, current_user)
    return redirect(url_for("measurement.indicator", indicator_id=point.indicator_id))


@bp.post("/points/<int:point_id>/story")
@roles_required(*ALL_ROLES)
def story(point_id: int) -> ResponseReturnValue:
    point = ownership.require_change(db.session.get(DataPoint, point_id))
    _checked_form()
    services.save_story(point, request.form.get("story", ""), g.lang)
    flash(_("Saved."), "info")
    return redirect(url_for("measurement.indicator", indicator_id=point.indicator_id))


@bp.route("/programs/new", methods=["GET", "POST"])
@roles_required(*STAFF_ROLES)
def new_program() -> ResponseReturnValue:
    error = None
    if request.method == "POST":
        _checked_form()
        try:
            goal_id = _goal_id()
            owner = ownership.owner_for_new(_number("partner_id", integer=True))
            program = services.save_program(None, request.form.get("name", ""), goal_id, owner, g.lang)
        except services.MeasurementError as exc:
            error = str(exc)
        else:
            return redirect(url_for("measurement.program", program_id=program.id))
    return render_template(
        "measurement/program_form.html", error=error, values=request.form, form=EmptyForm(), **_choices()
    ), 422 if error else 200


@bp.route("/programs/<int:program_id>", methods=["GET", "POST"])
@roles_required(*ALL_ROLES)
def program(program_id: int) -> ResponseReturnValue:
    """How much did we do, how well did we do it, is anyone better off: per term."""
    item = db.session.get(Program, program_id) or abort(404)
    error = None
    if request.method == "POST":
        ownership.require_change(item)
        _checked_form()
        question = request.form.get("question", "")
        if question not in {q.value for q in ProgramQuestion}:
            abort(400)
        try:
            services.add_measure(
                item,
                _number("period", integer=True, required=True),
                ProgramQuestion(question),
                request.form.get("label", ""),
                _number("value", required=True),
                request.form.get("unit", ""),
            )
        except services.MeasurementError as exc:
            error = str(exc)
        else:
            flash(_("Saved."), "info")
            return redirect(url_for("measurement.program", program_id=item.id))
    return render_template(
        "measurement/program.html",
        program=item,
        error=error,
        values=request.form,
        form=EmptyForm(),
        name=content(item.name, default_language()),
    ), 422 if error else 200
