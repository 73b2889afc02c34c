"""Staff decide on held bursts: release them into the results, or discard them."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import Blueprint, abort, flash, redirect, request, url_for
from flask.blueprints import BlueprintSetupState
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user

from participation.core import floods
from participation.core.floods import BurstStatus, FloodBurst
from participation.extensions import db
from participation.i18n.routing import staff_language
from participation.quarantine import services
from participation.staff import ownership
from participation.staff.auth import STAFF_ROLES, roles_required
from participation.staff.forms import EmptyForm

bp = Blueprint("quarantine", __name__, url_prefix="/staff/quarantine")


bp.before_request(staff_language)  # the flash after a decision speaks the staff member's language


@bp.app_template_global("open_flood_bursts")
def _open_flood_bursts() -> list[services.BurstView]:
    """For the staff home: every burst waiting for a decision (staff and admins only)."""
    if not current_user.is_authenticated or not current_user.has_role(*STAFF_ROLES):
        return []
    return services.open_bursts(current_user)


@bp.post("/<int:burst_id>")
@roles_required(*STAFF_ROLES)
def decide(burst_id: int) -> ResponseReturnValue:
    """Release (the held rows count from now on) or discard (they are deleted) one open burst of one's partner."""
    if not EmptyForm().validate_on_submit():
        abort(400)
    action = request.form.get("action", "")
    if action not in {"release", "discard"}:
        abort(400)
    burst = db.session.get(FloodBurst, burst_id) or abort(404)
    # Another partner's survey or session: 404, as if there were no such burst.
    ownership.require_change(services.scope_object(burst))
    if burst.status is not BurstStatus.OPEN:
        flash(_("Someone already decided about these submissions."), "error")
        return redirect(url_for("staff.dashboard"))
    services.decide(burst, release=action == "release", user=current_user, now=datetime.now(UTC))
    flash(
        _("Released: these submissions count in the results now.")
        if action == "release"
        else _("Discarded: these submissions are deleted."),
        "info",
    )
    return redirect(url_for("staff.dashboard"))


@bp.record_once
def _check_ceilings(state: BlueprintSetupState) -> None:
    floods.check_configuration(state.app.config)
