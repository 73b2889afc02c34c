"""The survey builder: the list, templates, settings and status, questions and options.

Translations, the preview and XLSForm are in participation.surveys.staff_texts, on the same blueprint.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup

from participation.core.links import page_url, short_form
from participation.core.qr import qr_svg
from participation.extensions import db
from participation.i18n.languages import content, shipped_languages
from participation.staff import confirm, ownership
from participation.staff.auth import STAFF_ROLES, roles_required
from participation.staff.forms import EmptyForm
from participation.surveys import questions, settings, staff_options, staff_texts, translations
from participation.surveys.editing import EditError, has_answers
from participation.surveys.forms import NewSurveyForm, SettingsForm
from participation.surveys.models import Survey, SurveyStatus
from participation.surveys.queries import response_count
from participation.surveys.staff_common import (
    bp,
    language_choices,
    owned_survey,
    question_of,
    zone,
)
from participation.surveys.starters import STARTERS

__all__ = ["bp", "staff_texts"]  # staff_texts and staff_options are imported for their views, on bp


@bp.get("/")
@roles_required(*STAFF_ROLES)
def index() -> str:
    surveys = list(
        db.session.scalars(
            ownership.visible(sa.select(Survey), Survey).order_by(Survey.status, Survey.id.desc())
        )
    )
    return render_template(
        "surveys_staff/index.html",
        surveys=surveys,
        counts={survey.id: response_count(survey) for survey in surveys},
        completeness={s.id: translations.completeness(s, s.languages) for s in surveys},
    )


@bp.route("/new", methods=["GET", "POST"])
@roles_required(*STAFF_ROLES)
def new() -> ResponseReturnValue:
    form = NewSurveyForm()
    form.starter.choices = [(key, str(name)) for key, (name, _spec) in STARTERS.items()]
    form.partner_id.choices = ownership.partner_choices()
    if request.method == "GET":
        form.partner_id.data = current_user.partner_id
    if form.validate_on_submit():
        try:
            with ownership.new_objects_belong_to(ownership.owner_for_new(form.partner_id.data)):
                survey = settings.create_from_starter(
                    STARTERS[form.starter.data][1],
                    form.starter.data,
                    form.title.data or "",
                    form.slug.data or "",
                )
        except EditError as error:
            form.slug.errors = [str(error)]
        else:
            flash(_("The survey is created as a draft. Nobody can see it until you publish it."), "info")
            return redirect(url_for("surveys_staff.edit", survey_id=survey.id))
    status = 422 if request.method == "POST" else 200
    return render_template("surveys_staff/new.html", form=form), status


def _settings_form(survey: Survey) -> SettingsForm:
    if request.method == "POST":
        form = SettingsForm()
    else:
        base = survey.base_language
        local = zone()
        form = SettingsForm(
            data={
                "slug": survey.slug,
                "base_language": base,
                "languages": survey.languages,
                "title": survey.title.get(base, ""),
                "intro": survey.intro.get(base, ""),
                "thanks": survey.thanks.get(base, ""),
                "profile_fields": survey.profile_fields,
                "opens_at": survey.opens_at.astimezone(local).replace(tzinfo=None)
                if survey.opens_at
                else None,
                "closes_at": survey.closes_at.astimezone(local).replace(tzinfo=None)
                if survey.closes_at
                else None,
                "retention_days": survey.retention_days,
                "offer_incomplete": survey.offer_incomplete,
                "partner_id": survey.partner_id,
            }
        )
    form.partner_id.choices = ownership.partner_choices()
    form.base_language.choices = language_choices()
    form.languages.choices = language_choices()
    return form


def _public_link(survey: Survey) -> dict[str, Any] | None:
    """Where participants find a published survey: its address, the address to type, and a QR of it."""
    if survey.status is not SurveyStatus.PUBLISHED:
        return None
    url = page_url(url_for("surveys.survey", lang=survey.base_language, slug=survey.slug))
    # qrcode's own SVG of an address made here: safe to put in the page as it is.
    return {"url": url, "short": short_form(url), "qr": Markup(qr_svg(url))}  # nosec B704


def _edit_page(survey: Survey, form: SettingsForm, status: int = 200) -> tuple[str, int]:
    languages = shipped_languages()
    return render_template(
        "surveys_staff/edit.html",
        survey=survey,
        form=form,
        actions=EmptyForm(),
        completeness=translations.completeness(survey, languages),
        answered=has_answers(survey=survey),
        problems=settings.publish_problems(survey),
        public=_public_link(survey),
    ), status


@bp.route("/<int:survey_id>", methods=["GET", "POST"])
@roles_required(*STAFF_ROLES)
def edit(survey_id: int) -> ResponseReturnValue:
    survey = owned_survey(survey_id)
    form = _settings_form(survey)
    if not form.validate_on_submit():
        return _edit_page(survey, form, 422 if request.method == "POST" else 200)
    local = zone()
    values: dict[str, Any] = {
        **form.data,
        "opens_at": form.opens_at.data.replace(tzinfo=local) if form.opens_at.data else None,
        "closes_at": form.closes_at.data.replace(tzinfo=local) if form.closes_at.data else None,
        "partner_id": ownership.owner_after_edit(survey, form.partner_id.data),  # only admins move it
    }
    try:
        settings.update_settings(survey, values)
    except EditError as error:
        form.slug.errors = [str(error)]
        return _edit_page(survey, form, 422)
    flash(_("Saved."), "info")
    return redirect(url_for("surveys_staff.edit", survey_id=survey.id))


@bp.post("/<int:survey_id>/status")
@roles_required(*STAFF_ROLES)
def status(survey_id: int) -> ResponseReturnValue:
    survey = owned_survey(survey_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    if request.form.get("status") == SurveyStatus.ARCHIVED.value and not confirm.confirmed():
        return confirm.ask(
            title=_("Archive this survey?"),
            thing=content(survey.title, survey.base_language).text,
            consequence=_(
                "Nobody can answer it any more, and its posters lead to a page that says it is closed. "
                "The answers are kept."
            ),
            button=_("Archive"),
            cancel_url=url_for("surveys_staff.edit", survey_id=survey.id),
            fields={"status": SurveyStatus.ARCHIVED.value},
        )
    try:
        settings.set_status(survey, SurveyStatus(request.form.get("status", "")))
    except ValueError as error:  # EditError is a ValueError; so is an unknown status
        if not isinstance(error, EditError):
            abort(400)
        flash(str(error), "error")
        return _edit_page(survey, _settings_form(survey), 422)
    if survey.status is SurveyStatus.PUBLISHED:
        flash(_("Published. Here is the link and its QR code. Next: make posters for the places."), "info")
        return redirect(url_for("surveys_staff.edit", survey_id=survey.id) + "#public")
    flash(_("Saved."), "info")
    return redirect(url_for("surveys_staff.edit", survey_id=survey.id))


@bp.post("/<int:survey_id>/duplicate")
@roles_required(*STAFF_ROLES)
def duplicate(survey_id: int) -> ResponseReturnValue:
    survey = owned_survey(survey_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    with ownership.new_objects_belong_to(survey.partner_id):  # a copy stays with the survey's partner
        copy = settings.duplicate(survey)
    flash(_("This is a copy, saved as a draft. The answers stay with the original."), "info")
    return redirect(url_for("surveys_staff.edit", survey_id=copy.id))


@bp.route("/<int:survey_id>/questions/new", methods=["GET", "POST"])
@bp.route("/<int:survey_id>/questions/<int:question_id>", methods=["GET", "POST"])
@roles_required(*STAFF_ROLES)
def question(survey_id: int, question_id: int | None = None) -> ResponseReturnValue:
    survey = owned_survey(survey_id)
    item = question_of(survey, question_id) if question_id is not None else None
    form = staff_options.question_form(survey, item, submitted=request.method == "POST")
    if form.validate_on_submit():
        try:
            saved = questions.save_question(survey, item, form.data)
        except questions.ScaleEndsError as error:
            form.scale_low.errors = [str(error)]
        except EditError as error:
            form.prompt.errors = [str(error)]
        else:
            if staff_options.wants_fragment():  # builder.js: the saved question's page, in place
                return staff_options.question_page(survey, saved, message=_("Saved."))
            flash(_("Saved."), "info")
            return redirect(url_for("surveys_staff.question", survey_id=survey.id, question_id=saved.id))
    return staff_options.question_page(survey, item, form, 422 if request.method == "POST" else 200)


def _after_question_change(survey: Survey, message: str, error: str = "") -> ResponseReturnValue:
    """The list of questions for builder.js, or a redirect back to it (with the message) for a plain form."""
    if staff_options.wants_fragment():
        db.session.expire(survey, ["questions"])  # read again in their new order, without a deleted one
        page = render_template(
            "surveys_staff/_questions.html",
            survey=survey,
            actions=EmptyForm(),
            question_message=message,
            question_error=error,
        )
        return page, 422 if error else 200
    flash(error or message, "error" if error else "info")
    return redirect(url_for("surveys_staff.edit", survey_id=survey.id) + "#questions")


@bp.post("/<int:survey_id>/questions/<int:question_id>/move")
@roles_required(*STAFF_ROLES)
def move_question(survey_id: int, question_id: int) -> ResponseReturnValue:
    survey = owned_survey(survey_id)
    item = question_of(survey, question_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    questions.move(survey.questions, item, -1 if request.form.get("direction") == "up" else 1)
    prompt = content(item.prompt, survey.base_language).text or item.key
    return _after_question_change(survey, _("“%(question)s” is moved.", question=prompt))


@bp.post("/<int:survey_id>/questions/<int:question_id>/delete")
@roles_required(*STAFF_ROLES)
def delete_question(survey_id: int, question_id: int) -> ResponseReturnValue:
    survey = owned_survey(survey_id)
    item = question_of(survey, question_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        questions.delete_question(item)
    except EditError as error:
        return _after_question_change(survey, "", str(error))
    return _after_question_change(survey, _("The question is deleted."))
