"""Admins' page for data protection requests: erase responses, remove a follow-up link, export a code's data."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import TypeVar

import sqlalchemy as sa
from flask import Blueprint, Response, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField
from wtforms.validators import DataRequired, Length

from participation.core.hygiene import to_id
from participation.extensions import db
from participation.i18n.languages import content
from participation.i18n.routing import staff_language
from participation.lifecycle import services
from participation.placements.models import Placement
from participation.staff.auth import roles_required
from participation.staff.models import Role
from participation.surveys.models import Survey

T = TypeVar("T")

bp = Blueprint("lifecycle", __name__, url_prefix="/staff/data-requests")
bp.before_request(staff_language)


def _id(value: object) -> int | None:
    if isinstance(value, int) or value is None:
        return value
    return to_id(value) if value else None


class EraseSurveyForm(FlaskForm):
    survey = SelectField(_l("Survey"), coerce=_id, validators=[DataRequired()])
    confirm = StringField(
        _l("Type the survey's address to confirm"), validators=[DataRequired(), Length(max=80)]
    )


class ErasePlacementForm(FlaskForm):
    placement = SelectField(_l("Placement"), coerce=_id, validators=[DataRequired()])
    confirm = StringField(
        _l("Type the placement's code to confirm"), validators=[DataRequired(), Length(max=16)]
    )


class CodeForm(FlaskForm):
    code = StringField(_l("Follow-up code"), validators=[DataRequired(), Length(max=40)])


def _with_surveys(form: EraseSurveyForm) -> EraseSurveyForm:
    surveys = db.session.scalars(sa.select(Survey).order_by(Survey.slug))
    form.survey.choices = [(s.id, f"{content(s.title, s.base_language)} ({s.slug})") for s in surveys]
    return form


def _with_placements(form: ErasePlacementForm) -> ErasePlacementForm:
    placements = db.session.scalars(sa.select(Placement).order_by(Placement.place, Placement.code))
    form.placement.choices = [(p.id, f"{p.place} ({p.code})") for p in placements]
    return form


def _page(status: int = 200, **given: FlaskForm) -> ResponseReturnValue:
    """The page with every form, the ones given (as posted, with their errors) and the others empty."""
    forms = {
        "survey_form": _with_surveys(EraseSurveyForm(prefix="survey", formdata=None)),
        "placement_form": _with_placements(ErasePlacementForm(prefix="placement", formdata=None)),
        "unlink_form": CodeForm(prefix="unlink", formdata=None),
        "access_form": CodeForm(prefix="access", formdata=None),
    }
    return render_template("lifecycle/requests.html", **{**forms, **given}), status


def _erased_message(erased: services.Erased) -> str:
    return ngettext("%(num)d response was erased.", "%(num)d responses were erased.", erased.responses)


@bp.get("/")
@roles_required(Role.ADMIN)
def index() -> ResponseReturnValue:
    return _page()


@bp.post("/erase-survey")
@roles_required(Role.ADMIN)
def erase_survey() -> ResponseReturnValue:
    form = _with_surveys(EraseSurveyForm(prefix="survey"))
    survey = db.session.get(Survey, form.survey.data) if form.validate() else None
    if survey is None or (form.confirm.data or "").strip() != survey.slug:
        if survey is not None:
            form.confirm.errors = [str(_l("This is not the survey's address."))]
        return _page(422, survey_form=form)
    flash(_erased_message(services.erase_survey_responses(survey)), "success")
    return redirect(url_for("lifecycle.index"), code=303)


@bp.post("/erase-placement")
@roles_required(Role.ADMIN)
def erase_placement() -> ResponseReturnValue:
    form = _with_placements(ErasePlacementForm(prefix="placement"))
    placement = db.session.get(Placement, form.placement.data) if form.validate() else None
    if placement is None or (form.confirm.data or "").strip().upper() != placement.code:
        if placement is not None:
            form.confirm.errors = [str(_l("This is not the placement's code."))]
        return _page(422, placement_form=form)
    flash(_erased_message(services.erase_placement_responses(placement)), "success")
    return redirect(url_for("lifecycle.index"), code=303)


def _with_code(prefix: str, act: Callable[[str], T]) -> T | ResponseReturnValue:
    """Validate a follow-up code form and act on its code; on a problem the page again, code kept, 422."""
    form = CodeForm(prefix=prefix)
    if form.validate():
        try:
            return act(form.code.data or "")
        except services.LifecycleError as error:
            form.code.errors = [str(error)]
    return _page(422, **{f"{prefix}_form": form})


@bp.post("/unlink")
@roles_required(Role.ADMIN)
def unlink() -> ResponseReturnValue:
    def removed(code: str) -> ResponseReturnValue:
        unlinked = services.erase_follow_up_link(code)
        flash(
            ngettext(
                "The link was removed: %(num)d response is no longer joined.",
                "The link was removed: %(num)d responses are no longer joined.",
                unlinked,
            ),
            "success",
        )
        return redirect(url_for("lifecycle.index"), code=303)

    return _with_code("unlink", removed)


@bp.post("/access")
@roles_required(Role.ADMIN)
def access() -> ResponseReturnValue:
    def download(code: str) -> ResponseReturnValue:
        document = services.access_export(code)
        response = Response(json.dumps(document, ensure_ascii=False, indent=2), mimetype="application/json")
        response.headers["Content-Disposition"] = 'attachment; filename="delaktig-follow-up-data.json"'
        return response

    return _with_code("access", download)
