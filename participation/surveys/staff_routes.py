"""The survey builder: templates, settings, questions and options, translations, preview, XLSForm."""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.datastructures import MultiDict

from participation.exports import XLSX
from participation.extensions import db
from participation.i18n.languages import choose_language, content, is_shipped, native_name, shipped_languages
from participation.privacy import new_token
from participation.staff import ownership
from participation.staff.auth import STAFF_ROLES, roles_required
from participation.staff.forms import EmptyForm
from participation.surveys import editing, xlsform
from participation.surveys.forms import ImportForm, NewSurveyForm, OptionForm, QuestionForm, SettingsForm
from participation.surveys.models import Option, Question, Survey, SurveyStatus
from participation.surveys.queries import response_count
from participation.surveys.starters import STARTERS
from participation.themes.models import Theme

bp = Blueprint("surveys_staff", __name__, url_prefix="/staff/surveys")


@bp.before_request
def _staff_language() -> None:
    g.lang = choose_language()


def _zone() -> ZoneInfo:
    return ZoneInfo(current_app.config["TIMEZONE"])


def _survey(survey_id: int) -> Survey:
    """The survey, if the signed-in user's partner owns it (or the user is an admin); else 404."""
    return ownership.require_change(db.session.get(Survey, survey_id))


def _question(survey: Survey, question_id: int) -> Question:
    question = db.session.get(Question, question_id)
    if question is None or question.survey_id != survey.id:
        abort(404)
    return question


def _option(survey: Survey, option_id: int) -> Option:
    option = db.session.get(Option, option_id)
    if option is None or option.question.survey_id != survey.id:
        abort(404)
    return option


def _language_choices() -> list[tuple[str, str]]:
    return [(code, native_name(code)) for code in shipped_languages()]


def _theme_choices() -> list[tuple[int, str]]:
    themes = db.session.scalars(sa.select(Theme).order_by(Theme.id))
    return [(theme.id, content(theme.name, "sv").text) for theme in themes]


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
        completeness={s.id: editing.completeness(s, s.languages) for s in surveys},
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
                survey = editing.create_from_starter(
                    STARTERS[form.starter.data][1], form.starter.data, form.slug.data or ""
                )
        except editing.EditError as error:
            db.session.rollback()
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
        zone = _zone()
        form = SettingsForm(
            data={
                "slug": survey.slug,
                "base_language": base,
                "languages": survey.languages,
                "title": survey.title.get(base, ""),
                "intro": survey.intro.get(base, ""),
                "thanks": survey.thanks.get(base, ""),
                "profile_fields": survey.profile_fields,
                "opens_at": survey.opens_at.astimezone(zone).replace(tzinfo=None)
                if survey.opens_at
                else None,
                "closes_at": survey.closes_at.astimezone(zone).replace(tzinfo=None)
                if survey.closes_at
                else None,
                "retention_days": survey.retention_days,
                "partner_id": survey.partner_id,
            }
        )
    form.partner_id.choices = ownership.partner_choices()
    form.base_language.choices = _language_choices()
    form.languages.choices = _language_choices()
    return form


def _edit_page(survey: Survey, form: SettingsForm, status: int = 200) -> tuple[str, int]:
    languages = shipped_languages()
    return render_template(
        "surveys_staff/edit.html",
        survey=survey,
        form=form,
        actions=EmptyForm(),
        completeness=editing.completeness(survey, languages),
        answered=editing.has_answers(survey=survey),
        problems=editing.publish_problems(survey),
    ), status


@bp.route("/<int:survey_id>", methods=["GET", "POST"])
@roles_required(*STAFF_ROLES)
def edit(survey_id: int) -> ResponseReturnValue:
    survey = _survey(survey_id)
    form = _settings_form(survey)
    if not form.validate_on_submit():
        return _edit_page(survey, form, 422 if request.method == "POST" else 200)
    zone = _zone()
    values: dict[str, Any] = {
        **form.data,
        "opens_at": form.opens_at.data.replace(tzinfo=zone) if form.opens_at.data else None,
        "closes_at": form.closes_at.data.replace(tzinfo=zone) if form.closes_at.data else None,
    }
    try:
        survey.partner_id = ownership.owner_after_edit(survey, form.partner_id.data)  # only admins move it
        editing.update_settings(survey, values)
    except editing.EditError as error:
        db.session.rollback()
        form.slug.errors = [str(error)]
        return _edit_page(survey, form, 422)
    flash(_("Saved."), "info")
    return redirect(url_for("surveys_staff.edit", survey_id=survey.id))


@bp.post("/<int:survey_id>/status")
@roles_required(*STAFF_ROLES)
def status(survey_id: int) -> ResponseReturnValue:
    survey = _survey(survey_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        editing.set_status(survey, SurveyStatus(request.form.get("status", "")))
    except ValueError as error:  # EditError is a ValueError; so is an unknown status
        db.session.rollback()
        if not isinstance(error, editing.EditError):
            abort(400)
        flash(str(error), "error")
        return _edit_page(survey, _settings_form(survey), 422)
    flash(_("Saved."), "info")
    return redirect(url_for("surveys_staff.edit", survey_id=survey.id))


@bp.post("/<int:survey_id>/duplicate")
@roles_required(*STAFF_ROLES)
def duplicate(survey_id: int) -> ResponseReturnValue:
    survey = _survey(survey_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    with ownership.new_objects_belong_to(survey.partner_id):  # a copy stays with the survey's partner
        copy = editing.duplicate(survey)
    flash(_("This is a copy, saved as a draft. The answers stay with the original."), "info")
    return redirect(url_for("surveys_staff.edit", survey_id=copy.id))


def _question_form(survey: Survey, question: Question | None) -> QuestionForm:
    if request.method == "POST":
        form = QuestionForm()
    elif question is None:
        form = QuestionForm()
    else:
        form = QuestionForm(
            data={
                "kind": question.kind.value,
                "key": question.key,
                "prompt": question.prompt.get(survey.base_language, ""),
                "required": question.required,
                "max_choices": question.max_choices,
                "min_value": question.min_value,
                "max_value": question.max_value,
                "show_if_option_id": question.show_if_option_id,
                "theme_ids": [theme.id for theme in question.themes],
            }
        )
    position = question.position if question is not None else len(survey.questions)
    earlier = [q for q in survey.questions if q.position < position and q.kind.has_options]
    form.show_if_option_id.choices = [("", _("Always show"))] + [
        (o.id, f"{q.key}: {content(o.label, survey.base_language).text}") for q in earlier for o in q.options
    ]
    form.theme_ids.choices = _theme_choices()
    return form


@bp.route("/<int:survey_id>/questions/new", methods=["GET", "POST"])
@bp.route("/<int:survey_id>/questions/<int:question_id>", methods=["GET", "POST"])
@roles_required(*STAFF_ROLES)
def question(survey_id: int, question_id: int | None = None) -> ResponseReturnValue:
    survey = _survey(survey_id)
    item = _question(survey, question_id) if question_id is not None else None
    form = _question_form(survey, item)
    if form.validate_on_submit():
        try:
            saved = editing.save_question(survey, item, form.data)
        except editing.EditError as error:
            db.session.rollback()
            survey = _survey(survey_id)
            item = _question(survey, question_id) if question_id is not None else None
            form.prompt.errors = [str(error)]
        else:
            flash(_("Saved."), "info")
            return redirect(url_for("surveys_staff.question", survey_id=survey.id, question_id=saved.id))
    status = 422 if request.method == "POST" else 200
    return render_template(
        "surveys_staff/question.html",
        survey=survey,
        question=item,
        form=form,
        option_form=_option_form(),
        actions=EmptyForm(),
        answered=item is not None and editing.has_answers(question=item),
    ), status


def _option_form(option: Option | None = None) -> OptionForm:
    form = OptionForm(formdata=None) if option is None or request.method == "GET" else OptionForm()
    form.theme_ids.choices = _theme_choices()
    return form


@bp.post("/<int:survey_id>/questions/<int:question_id>/move")
@roles_required(*STAFF_ROLES)
def move_question(survey_id: int, question_id: int) -> ResponseReturnValue:
    survey = _survey(survey_id)
    item = _question(survey, question_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    editing.move(survey.questions, item, -1 if request.form.get("direction") == "up" else 1)
    return redirect(url_for("surveys_staff.edit", survey_id=survey.id) + "#questions")


@bp.post("/<int:survey_id>/questions/<int:question_id>/delete")
@roles_required(*STAFF_ROLES)
def delete_question(survey_id: int, question_id: int) -> ResponseReturnValue:
    survey = _survey(survey_id)
    item = _question(survey, question_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        editing.delete_question(item)
    except editing.EditError as error:
        flash(str(error), "error")
    else:
        flash(_("The question is deleted."), "info")
    return redirect(url_for("surveys_staff.edit", survey_id=survey.id) + "#questions")


@bp.post("/<int:survey_id>/questions/<int:question_id>/options")
@bp.post("/<int:survey_id>/options/<int:option_id>")
@roles_required(*STAFF_ROLES)
def save_option(
    survey_id: int, question_id: int | None = None, option_id: int | None = None
) -> ResponseReturnValue:
    survey = _survey(survey_id)
    option = _option(survey, option_id) if option_id is not None else None
    item = option.question if option is not None else _question(survey, question_id or 0)
    form = OptionForm()
    form.theme_ids.choices = _theme_choices()
    if not form.validate_on_submit():
        flash(_("Write the option's text (at most 200 characters)."), "error")
    else:
        try:
            editing.save_option(
                item, option, form.label.data or "", form.key.data or None, form.theme_ids.data or []
            )
        except editing.EditError as error:
            db.session.rollback()
            flash(str(error), "error")
        else:
            flash(_("Saved."), "info")
    return redirect(url_for("surveys_staff.question", survey_id=survey.id, question_id=item.id) + "#options")


@bp.post("/<int:survey_id>/options/<int:option_id>/move")
@roles_required(*STAFF_ROLES)
def move_option(survey_id: int, option_id: int) -> ResponseReturnValue:
    option = _option(_survey(survey_id), option_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    editing.move(option.question.options, option, -1 if request.form.get("direction") == "up" else 1)
    return redirect(
        url_for("surveys_staff.question", survey_id=survey_id, question_id=option.question_id) + "#options"
    )


@bp.post("/<int:survey_id>/options/<int:option_id>/delete")
@roles_required(*STAFF_ROLES)
def delete_option(survey_id: int, option_id: int) -> ResponseReturnValue:
    option = _option(_survey(survey_id), option_id)
    question_id = option.question_id
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        editing.delete_option(option)
    except editing.EditError as error:
        flash(str(error), "error")
    else:
        flash(_("The option is deleted."), "info")
    return redirect(
        url_for("surveys_staff.question", survey_id=survey_id, question_id=question_id) + "#options"
    )


@bp.route("/<int:survey_id>/translate", methods=["GET", "POST"])
@roles_required(*STAFF_ROLES)
def translate(survey_id: int) -> ResponseReturnValue:
    """Side by side: the base language on one side, the chosen language's boxes on the other."""
    survey = _survey(survey_id)
    lang = request.args.get("lang", "")
    if not is_shipped(lang) or lang == survey.base_language:
        others = [code for code in shipped_languages() if code != survey.base_language]
        return redirect(url_for("surveys_staff.translate", survey_id=survey.id, lang=others[0]))
    form = EmptyForm()
    errors: set[str] = set()
    if request.method == "POST" and form.validate_on_submit():
        submitted = {key: value for key, value in request.form.items() if key != "csrf_token"}
        try:
            editing.save_translations(survey, lang, submitted)
        except editing.EditError as error:
            db.session.rollback()
            flash(str(error), "error")
            limits = {name: limit for name, _texts, limit in editing.translatable_fields(survey)}
            errors = {name for name, value in submitted.items() if len(value.strip()) > limits.get(name, 0)}
        else:
            flash(_("Saved."), "info")
            return redirect(url_for("surveys_staff.translate", survey_id=survey.id, lang=lang))
    elif request.method == "POST":
        abort(400)
    return render_template(
        "surveys_staff/translate.html",
        survey=survey,
        lang=lang,
        fields=editing.translatable_fields(survey),
        values=request.form if errors else MultiDict(),
        errors=errors,
        form=form,
        completeness=editing.completeness(survey, shipped_languages()),
    ), 422 if errors else 200


@bp.get("/<int:survey_id>/preview")
@roles_required(*STAFF_ROLES)
def preview(survey_id: int) -> str:
    """The survey exactly as a participant's phone shows it, in any language; sending is switched off."""
    survey = _survey(survey_id)
    lang = request.args.get("lang", survey.base_language)
    g.lang = lang if is_shipped(lang) else survey.base_language
    return render_template(
        "surveys/survey.html",
        survey=survey,
        values=MultiDict(),
        errors={},
        problem=None,
        submission_key=new_token(),
        placement_code=None,
        preview=True,
    )


@bp.get("/<int:survey_id>/xlsform.xlsx", endpoint="export_xlsform")
@roles_required(*STAFF_ROLES)
def export_xlsform_view(survey_id: int) -> Response:
    survey = _survey(survey_id)
    data = xlsform.export_xlsform(survey)
    editing.record_export(survey, "xlsform")
    response = Response(data, mimetype=XLSX)
    response.headers["Content-Disposition"] = f'attachment; filename="{survey.slug}.xlsx"'
    return response


@bp.route("/import", methods=["GET", "POST"], endpoint="import_xlsform")
@roles_required(*STAFF_ROLES)
def import_xlsform_view() -> Response | tuple[str, int]:
    """Bring a KoboToolbox/ODK form in as a draft; whatever could not come along is listed, not dropped silently."""
    form = ImportForm()
    form.partner_id.choices = ownership.partner_choices()
    result = None
    if form.validate_on_submit():
        result = xlsform.import_xlsform(form.file.data.read())
        if result.survey is not None:
            result.survey.partner_id = ownership.owner_for_new(form.partner_id.data)
            editing.record_import(result.survey, result.problems)
            return render_template(
                "surveys_staff/imported.html", survey=result.survey, problems=result.problems
            ), 201
        db.session.rollback()
    status = 422 if request.method == "POST" else 200
    return render_template("surveys_staff/import.html", form=form, result=result), status
