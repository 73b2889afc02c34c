"""Staff pages of the moderation queue."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from participation.i18n.routing import staff_language
from participation.moderation import services
from participation.staff import ownership
from participation.staff.auth import STAFF_ROLES, roles_required
from participation.staff.forms import EmptyForm

bp = Blueprint("moderation", __name__, url_prefix="/staff/moderation")


bp.add_app_template_filter(services.flag_label, "flag_label")


bp.before_request(staff_language)


@bp.get("/")
@roles_required(*STAFF_ROLES)
def queue() -> str:
    partner_id = ownership.scope_partner()  # each partner moderates the answers to its own surveys
    return render_template(
        "moderation/queue.html",
        items=services.queue(partner_id=partner_id),
        pending=services.pending_count(partner_id=partner_id),
        form=EmptyForm(),
    )


@bp.post("/<int:answer_id>")
@roles_required(*STAFF_ROLES)
def decide(answer_id: int) -> ResponseReturnValue:
    ownership.require_change(services.survey_of(answer_id))
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        decision = services.Decision(request.form.get("decision", ""))
    except ValueError:
        abort(400)
    try:
        services.decide(answer_id, decision, request.form.get("text"))
    except LookupError:
        abort(404)
    except services.ModerationError as error:
        flash(str(error), "error")
        partner_id = ownership.scope_partner()
        page = render_template(
            "moderation/queue.html",
            items=services.queue(partner_id=partner_id),
            pending=services.pending_count(partner_id=partner_id),
            form=EmptyForm(),
            editing=answer_id,
            edited_text=request.form.get("text", ""),
        )
        return page, 422
    flash(_("Saved."), "info")
    return redirect(url_for("moderation.queue"))
