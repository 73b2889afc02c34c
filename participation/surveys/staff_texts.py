"""The survey builder's text and file pages: translations side by side, the preview, XLSForm in and out."""

from __future__ import annotations

from flask import Response, g, render_template, request, url_for
from flask.typing import ResponseReturnValue
from werkzeug.datastructures import MultiDict

from participation.exports import XLSX
from participation.i18n.languages import is_shipped, shipped_languages
from participation.privacy import new_token
from participation.security import CONTENT_SECURITY_POLICY
from participation.staff import ownership
from participation.staff.auth import STAFF_ROLES, roles_required
from participation.staff.translate import translation_view
from participation.surveys import settings, translations, xlsform
from participation.surveys.editing import EditError
from participation.surveys.forms import ImportForm
from participation.surveys.models import Survey
from participation.surveys.staff_common import bp, owned_survey


@bp.route("/<int:survey_id>/translate", methods=["GET", "POST"])
@roles_required(*STAFF_ROLES)
def translate(survey_id: int) -> ResponseReturnValue:
    """Side by side: the base language on one side, the chosen language's boxes on the other."""
    survey = owned_survey(survey_id)
    return translation_view(
        texts=lambda: translations.translatable_fields(survey),
        base=survey.base_language,
        link=lambda code: url_for("surveys_staff.translate", survey_id=survey.id, lang=code),
        save=lambda lang, submitted: translations.save_translations(survey, lang, submitted),
        refused=EditError,
        template="surveys_staff/translate.html",
        survey=survey,
    )


PREVIEW_WIDTHS = (360, 320)  # a common phone, and the narrowest one still sold
# Only the preview's frame may be shown inside a page, and only inside this site's own pages.
FRAMED_POLICY = CONTENT_SECURITY_POLICY.replace("frame-ancestors 'none'", "frame-ancestors 'self'")


def _preview_language(survey: Survey) -> str:
    lang = request.args.get("lang", survey.base_language)
    return lang if is_shipped(lang) else survey.base_language


@bp.get("/<int:survey_id>/preview")
@roles_required(*STAFF_ROLES)
def preview(survey_id: int) -> str:
    """The real survey page in a phone-sized frame, in any language, explained in the staff's language."""
    survey = owned_survey(survey_id)
    width = request.args.get("width", type=int)
    return render_template(
        "surveys_staff/preview.html",
        survey=survey,
        preview_lang=_preview_language(survey),
        width=width if width in PREVIEW_WIDTHS else PREVIEW_WIDTHS[0],
        widths=PREVIEW_WIDTHS,
        languages=shipped_languages(),
    )


@bp.get("/<int:survey_id>/preview/frame")
@roles_required(*STAFF_ROLES)
def preview_frame(survey_id: int) -> Response:
    """The survey exactly as a participant's phone shows it, for the preview's frame; sending is switched off."""
    survey = owned_survey(survey_id)
    g.lang = _preview_language(survey)
    page = render_template(
        "surveys/survey.html",
        survey=survey,
        values=MultiDict(),
        errors={},
        problem=None,
        submission_key=new_token(),
        placement_code=None,
        preview=True,
    )
    response = Response(page)
    response.headers["Content-Security-Policy"] = FRAMED_POLICY
    response.headers["X-Frame-Options"] = "SAMEORIGIN"
    return response


@bp.get("/<int:survey_id>/xlsform.xlsx", endpoint="export_xlsform")
@roles_required(*STAFF_ROLES)
def export_xlsform_view(survey_id: int) -> ResponseReturnValue:
    survey = owned_survey(survey_id)
    data = xlsform.export_xlsform(survey)
    settings.record_export(survey, "xlsform")
    response = Response(data, mimetype=XLSX)
    response.headers["Content-Disposition"] = f'attachment; filename="{survey.slug}.xlsx"'
    return response


@bp.route("/import", methods=["GET", "POST"], endpoint="import_xlsform")
@roles_required(*STAFF_ROLES)
def import_xlsform_view() -> ResponseReturnValue:
    """Bring a KoboToolbox/ODK form in as a draft; whatever could not come along is listed, not dropped silently."""
    form = ImportForm()
    form.partner_id.choices = ownership.partner_choices()
    result = None
    if form.validate_on_submit():
        result = xlsform.import_xlsform(form.file.data.read())
        if result.survey is not None:
            owner = ownership.owner_for_new(form.partner_id.data)
            settings.record_import(result.survey, result.problems, owner)
            return render_template(
                "surveys_staff/imported.html", survey=result.survey, problems=result.problems
            ), 201
    # A refused workbook keeps nothing: the request's unit of work rolls back whatever it began (4xx).
    status = 422 if request.method == "POST" else 200
    return render_template("surveys_staff/import.html", form=form, result=result), status
