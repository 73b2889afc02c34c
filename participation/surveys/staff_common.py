"""What the survey builder's pages share: the blueprint, the staff language, the lookups that 404."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from flask import Blueprint, abort, current_app

from participation.extensions import db
from participation.i18n.languages import (
    native_name,
    shipped_languages,
)
from participation.i18n.routing import staff_language
from participation.staff import ownership
from participation.surveys.models import Option, Question, Survey

# The builder's views are in participation.surveys.staff_routes (surveys, questions and options) and
# participation.surveys.staff_texts (translations, preview, XLSForm); both add to this one blueprint.
bp = Blueprint("surveys_staff", __name__, url_prefix="/staff/surveys")


bp.before_request(staff_language)


def zone() -> ZoneInfo:
    return ZoneInfo(current_app.config["TIMEZONE"])


def owned_survey(survey_id: int) -> Survey:
    """The survey, if the signed-in user's partner owns it (or the user is an admin); else 404."""
    return ownership.require_change(db.session.get(Survey, survey_id))


def question_of(survey: Survey, question_id: int) -> Question:
    question = db.session.get(Question, question_id)
    if question is None or question.survey_id != survey.id:
        abort(404)
    return question


def option_of(survey: Survey, option_id: int) -> Option:
    option = db.session.get(Option, option_id)
    if option is None or option.question.survey_id != survey.id:
        abort(404)
    return option


def language_choices() -> list[tuple[str, str]]:
    return [(code, native_name(code)) for code in shipped_languages()]
