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

from participation.extensions import db
from participation.i18n.languages import content, shipped_languages
from participation.staff import confirm, ownership
from participation.staff.auth import STAFF_ROLES, roles_required
from participation.staff.forms import EmptyForm
from participation.surveys import questions, settings, staff_texts, translations
from participation.surveys.editing import EditError, has_answers
from participation.surveys.forms import NewSurveyForm, OptionForm, QuestionForm, SettingsForm
from participation.surveys.models import Option, Question, Survey, SurveyStatus
from participation.surveys.queries import response_count
from participation.surveys.staff_common import (
    bp,
    language_choices,
    option_of,
    owned_survey,
    question_of,
    zone,
)
from participation.surveys.starters import STARTERS
from participation.themes.services import theme_choices

__all__ = ["bp", "staff_texts"]  # staff_texts is imported for its views, which join bp


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
                    STARTERS[form.starter.data][1], form.starter.data, form.slug.data or ""
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
                "partner_id": survey.partner_id,
            }
        )
    form.partner_id.choices = ownership.partner_choices()
    form.base_language.choices = language_choices()
    form.languages.choices = language_choices()
    return form


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
                "scale_low": (question.scale_low or {}).get(survey.base_language, ""),
                "scale_high": (question.scale_high or {}).get(survey.base_language, ""),
                "show_if_option_id": question.show_if_option_id,
                "theme_ids": [theme.id for theme in question.themes],
            }
        )
    position = question.position if question is not None else len(survey.questions)
    earlier = [q for q in survey.questions if q.position < position and q.kind.has_options]
    form.show_if_option_id.choices = [("", _("Always show"))] + [
        (o.id, f"{q.key}: {content(o.label, survey.base_language).text}") for q in earlier for o in q.options
    ]
    form.theme_ids.choices = theme_choices()
    return form


@bp.route("/<int:survey_id>/questions/new", methods=["GET", "POST"])
@bp.route("/<int:survey_id>/questions/<int:question_id>", methods=["GET", "POST"])
@roles_required(*STAFF_ROLES)
def question(survey_id: int, question_id: int | None = None) -> ResponseReturnValue:
    survey = owned_survey(survey_id)
    item = question_of(survey, question_id) if question_id is not None else None
    form = _question_form(survey, item)
    if form.validate_on_submit():
        try:
            saved = questions.save_question(survey, item, form.data)
        except questions.ScaleEndsError as error:
            form.scale_low.errors = [str(error)]
        except EditError as error:
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
        answered=item is not None and has_answers(question=item),
    ), status


def _option_form(option: Option | None = None) -> OptionForm:
    form = OptionForm(formdata=None) if option is None or request.method == "GET" else OptionForm()
    form.theme_ids.choices = theme_choices()
    return form


@bp.post("/<int:survey_id>/questions/<int:question_id>/move")
@roles_required(*STAFF_ROLES)
def move_question(survey_id: int, question_id: int) -> ResponseReturnValue:
    survey = owned_survey(survey_id)
    item = question_of(survey, question_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    questions.move(survey.questions, item, -1 if request.form.get("direction") == "up" else 1)
    return redirect(url_for("surveys_staff.edit", survey_id=survey.id) + "#questions")


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
    survey = owned_survey(survey_id)
    option = option_of(survey, option_id) if option_id is not None else None
    item = option.question if option is not None else question_of(survey, question_id or 0)
    form = OptionForm()
    form.theme_ids.choices = theme_choices()
    if not form.validate_on_submit():
        flash(_("Write the option's text (at most 200 characters)."), "error")
    else:
        try:
            questions.save_option(
                item, option, form.label.data or "", form.key.data or None, form.theme_ids.data or []
            )
        except EditError as error:
            flash(str(error), "error")
        else:
            flash(_("Saved."), "info")
    return redirect(url_for("surveys_staff.question", survey_id=survey.id, question_id=item.id) + "#options")


@bp.post("/<int:survey_id>/options/<int:option_id>/move")
@roles_required(*STAFF_ROLES)
def move_option(survey_id: int, option_id: int) -> ResponseReturnValue:
    option = option_of(owned_survey(survey_id), option_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    questions.move(option.question.options, option, -1 if request.form.get("direction") == "up" else 1)
    return redirect(
        url_for("surveys_staff.question", survey_id=survey_id, question_id=option.question_id) + "#options"
    )


@bp.post("/<int:survey_id>/options/<int:option_id>/delete")
@roles_required(*STAFF_ROLES)
def delete_option(survey_id: int, option_id: int) -> ResponseReturnValue:
    survey = owned_survey(survey_id)
    option = option_of(survey, option_id)
    question_id = option.question_id
    if not EmptyForm().validate_on_submit():
        abort(400)
    if not confirm.confirmed():
        return confirm.ask(
            title=_("Delete this option?"),
            thing=content(option.label, survey.base_language).text,
            consequence=_("The option is removed from the question. This cannot be undone."),
            button=_("Delete"),
            cancel_url=url_for("surveys_staff.question", survey_id=survey_id, question_id=question_id)
            + "#options",
        )
    try:
        questions.delete_option(option)
    except EditError as error:
        flash(str(error), "error")
    else:
        flash(_("The option is deleted."), "info")
    return redirect(
        url_for("surveys_staff.question", survey_id=survey_id, question_id=question_id) + "#options"
    )
