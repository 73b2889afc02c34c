"""'You said – we did': the public feed, and the staff pages to record and translate actions."""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa
from flask import Blueprint, flash, g, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user

from participation.actions import services
from participation.actions.forms import STATUS_LABELS, ActionForm
from participation.actions.models import Action, ActionStatus
from participation.extensions import db
from participation.forum.models import ForumItem, ForumSession, ItemStatus, SessionStatus
from participation.i18n.languages import (
    content,
)
from participation.i18n.routing import staff_language
from participation.staff import ownership
from participation.staff.auth import ALL_ROLES, STAFF_ROLES, roles_required
from participation.staff.models import Role
from participation.staff.translate import translation_view
from participation.themes.services import theme_choices

bp = Blueprint("actions", __name__)


def status_label(status: ActionStatus) -> str:
    return str(STATUS_LABELS[status])


bp.add_app_template_global(status_label, "action_status_label")
bp.add_app_template_global(ownership.may_change, "may_change")


@bp.get("/<lang>/actions")
def feed() -> str:
    """What partners did about what young people said, newest first, in the page's language."""
    return render_template("actions/feed.html", actions=services.published_feed())


def _form(action: Action | None) -> ActionForm:
    form = (
        ActionForm(obj=None)
        if request.method == "POST"
        else ActionForm(
            data=None
            if action is None
            else {
                "title": action.title.get(action.base_language, ""),
                "text": action.text.get(action.base_language, ""),
                "status": action.status.value,
                "reason": action.reason.get(action.base_language, ""),
                "partner_id": action.partner_id,
                "decided_on": action.decided_on,
                "theme_ids": [theme.id for theme in action.themes],
                "forum_item_ids": [item.id for item in action.forum_items],
                "published": action.published,
            }
        )
    )
    if action is None and request.method == "GET":
        form.decided_on.data = datetime.now(UTC).date()
        if current_user.partner_id:
            form.partner_id.data = current_user.partner_id
    # Only admins may give an action to another partner; everyone else records their own partner's.
    form.partner_id.choices = ownership.partner_choices()
    form.theme_ids.choices = theme_choices()
    topics = db.session.execute(
        sa.select(ForumItem, ForumSession)
        .join(ForumSession, ForumSession.id == ForumItem.session_id)
        .where(
            ForumSession.status == SessionStatus.CLOSED,
            ForumItem.status == ItemStatus.APPROVED,
            ForumItem.quarantined.is_(False),  # held back from a flood: not a topic to answer
        )
        .order_by(ForumSession.closed_at.desc())
        .limit(100)
    ).all()
    form.forum_item_ids.choices = [
        (item.id, f"{content(item.text, session.base_language).text} ({session.code})")
        for item, session in topics
    ]
    return form


@bp.get("/staff/actions/")
@roles_required(*ALL_ROLES)
def staff_index() -> str:
    staff_language()
    return render_template(
        "actions/staff_index.html", actions=services.all_actions(), rate=services.answer_rate()
    )


@bp.route("/staff/actions/new", methods=["GET", "POST"])
@bp.route("/staff/actions/<int:action_id>", methods=["GET", "POST"])
@roles_required(*ALL_ROLES)
def edit(action_id: int | None = None) -> ResponseReturnValue:
    """Partners record what they do; staff and admins publish it."""
    staff_language()
    action = ownership.require_change(db.session.get(Action, action_id)) if action_id is not None else None
    form = _form(action)
    if form.validate_on_submit():
        assert form.decided_on.data is not None  # DataRequired
        may_publish = current_user.has_role(Role.ADMIN, Role.STAFF)
        partner_id = (
            ownership.owner_for_new(form.partner_id.data)
            if action is None
            else ownership.owner_after_edit(action, form.partner_id.data)
        )
        try:
            services.save_action(
                action,
                title=form.title.data or "",
                text=form.text.data or "",
                reason=form.reason.data or "",
                status=ActionStatus(form.status.data),
                partner_id=partner_id,
                decided_on=form.decided_on.data,
                published=bool(form.published.data) if may_publish else bool(action and action.published),
                theme_ids=form.theme_ids.data or [],
                base_language=g.lang,
                forum_item_ids=form.forum_item_ids.data or [],
            )
        except services.ActionError as error:
            form.title.errors = [str(error)]
        else:
            flash(_("Saved."), "info")
            return redirect(url_for("actions.staff_index"))
    status = 422 if request.method == "POST" else 200
    return render_template("actions/staff_edit.html", form=form, action=action), status


@bp.route("/staff/actions/<int:action_id>/translate", methods=["GET", "POST"])
@roles_required(*STAFF_ROLES)
def translate(action_id: int) -> ResponseReturnValue:
    staff_language()
    action = ownership.require_change(db.session.get(Action, action_id))
    return translation_view(
        texts=lambda: services.action_texts(action),
        base=action.base_language,
        link=lambda code: url_for("actions.translate", action_id=action.id, lang=code),
        save=lambda lang, submitted: services.translate_action(action, lang, submitted),
        refused=services.ActionError,
        template="actions/staff_translate.html",
        action=action,
    )
