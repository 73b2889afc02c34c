"""The question page and its options, changed in place: with JavaScript (static/js/builder.js) each form
is sent in the background and the options' part of the page comes back; without it, as plain forms.

Both go to the same routes. A background request says so with the X-Builder-Fragment header and gets the
fragment (200, or 422 with the refusal and what was typed); a plain form gets a redirect, or the whole page
at 422 with the refusal and what was typed.
"""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from participation.extensions import db
from participation.i18n.languages import content
from participation.staff import confirm
from participation.staff.auth import STAFF_ROLES, roles_required
from participation.staff.forms import EmptyForm
from participation.surveys import questions
from participation.surveys.editing import EditError, has_answers
from participation.surveys.forms import OptionForm, QuestionForm
from participation.surveys.models import Question, Survey
from participation.surveys.staff_common import bp, option_of, owned_survey, question_of
from participation.themes.services import theme_choices

FRAGMENT_HEADER = "X-Builder-Fragment"


def question_form(survey: Survey, question: Question | None, submitted: bool) -> QuestionForm:
    if submitted or question is None:
        form = QuestionForm() if submitted else QuestionForm(formdata=None)
    else:
        form = QuestionForm(
            formdata=None,
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
            },
        )
    position = question.position if question is not None else len(survey.questions)
    earlier = [q for q in survey.questions if q.position < position and q.kind.has_options]
    form.show_if_option_id.choices = [("", _("Always show"))] + [
        (o.id, f"{q.key}: {content(o.label, survey.base_language).text}") for q in earlier for o in q.options
    ]
    form.theme_ids.choices = theme_choices()
    return form


def question_page(
    survey: Survey,
    item: Question | None,
    form: QuestionForm | None = None,
    status: int = 200,
    *,
    message: str = "",
    **options: Any,
) -> tuple[str, int]:
    """The question's page, or for builder.js only its editor (the part it swaps in place); `message`
    says what was just done there, `options` are what the options' part needs beyond the defaults."""
    return render_template(
        "surveys_staff/_question_editor.html" if wants_fragment() else "surveys_staff/question.html",
        survey=survey,
        question=item,
        form=form or question_form(survey, item, submitted=False),
        actions=EmptyForm(),
        answered=item is not None and has_answers(question=item),
        editor_message=message,
        **options_context(item, **options),
    ), status


def options_context(
    _question: Question | None = None,
    *,
    message: str = "",
    error: str = "",
    error_for: int | None = None,
    typed: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """What the options' part of the question page shows: the themes to choose from, the last message,
    and a refusal with the text that was typed, beside the option it is about (None: the new option)."""
    return {
        "theme_list": theme_choices(),
        "option_message": message,
        "option_error": error,
        "error_for": error_for,
        "typed": typed or {},
    }


def wants_fragment() -> bool:
    return request.headers.get(FRAGMENT_HEADER) == "1"


def _after_option_change(
    survey: Survey, question: Question, message: str, error: str = "", error_for: int | None = None
) -> ResponseReturnValue:
    """The answer to an option's form: the fragment or a redirect; on a refusal a 422 that keeps the text."""
    typed = {key: request.form.getlist(key) for key in ("label", "key", "theme_ids")} if error else {}
    db.session.expire(question, ["options"])  # read again in their new order, without the deleted one
    if wants_fragment():
        page = render_template(
            "surveys_staff/_options.html",
            survey=survey,
            question=question,
            actions=EmptyForm(),
            **options_context(question, message=message, error=error, error_for=error_for, typed=typed),
        )
        return page, 422 if error else 200
    if error:
        return question_page(survey, question, status=422, error=error, error_for=error_for, typed=typed)
    flash(message, "info")
    return redirect(
        url_for("surveys_staff.question", survey_id=survey.id, question_id=question.id) + "#options"
    )


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
        if not request.form.get("csrf_token"):
            abort(400)
        return _after_option_change(
            survey, item, "", _("Write the option's text (at most 200 characters)."), option_id
        )
    try:
        saved = questions.save_option(
            item, option, form.label.data or "", form.key.data or None, form.theme_ids.data or []
        )
    except EditError as error:
        return _after_option_change(survey, item, "", str(error), option_id)
    label = content(saved.label, survey.base_language).text
    done = (
        _("“%(option)s” is added.", option=label)
        if option is None
        else _("“%(option)s” is saved.", option=label)
    )
    return _after_option_change(survey, item, done)


@bp.post("/<int:survey_id>/options/<int:option_id>/move")
@roles_required(*STAFF_ROLES)
def move_option(survey_id: int, option_id: int) -> ResponseReturnValue:
    survey = owned_survey(survey_id)
    option = option_of(survey, option_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    questions.move(option.question.options, option, -1 if request.form.get("direction") == "up" else 1)
    label = content(option.label, survey.base_language).text
    return _after_option_change(survey, option.question, _("“%(option)s” is moved.", option=label))


@bp.post("/<int:survey_id>/options/<int:option_id>/delete")
@roles_required(*STAFF_ROLES)
def delete_option(survey_id: int, option_id: int) -> ResponseReturnValue:
    survey = owned_survey(survey_id)
    option = option_of(survey, option_id)
    item: Question = option.question
    if not EmptyForm().validate_on_submit():
        abort(400)
    if not confirm.confirmed():  # with JavaScript the builder asks in the page and sends confirm=yes
        return confirm.ask(
            title=_("Delete this option?"),
            thing=content(option.label, survey.base_language).text,
            consequence=_("The option is removed from the question. This cannot be undone."),
            button=_("Delete"),
            cancel_url=url_for("surveys_staff.question", survey_id=survey_id, question_id=item.id)
            + "#options",
        )
    try:
        questions.delete_option(option)
    except EditError as error:
        return _after_option_change(survey, item, "", str(error), option_id)
    return _after_option_change(survey, item, _("The option is deleted."))
