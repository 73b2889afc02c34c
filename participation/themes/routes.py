"""Admin pages of the theme taxonomy."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from participation.core.hygiene import parse_id
from participation.extensions import db
from participation.i18n.languages import native_name, shipped_languages
from participation.i18n.routing import staff_language
from participation.staff.auth import roles_required
from participation.staff.forms import EmptyForm
from participation.staff.models import Role
from participation.themes import services
from participation.themes.models import Theme, VisionGoal

bp = Blueprint("themes", __name__, url_prefix="/staff/themes")


bp.before_request(staff_language)


def _names_from_form() -> dict[str, str]:
    return {
        code: request.form.get(f"name-{code}", "")[: services.NAME_MAX * 2] for code in shipped_languages()
    }


def _int_or_none(value: str | None) -> int | None:
    if not value:
        return None
    number = parse_id(value)
    if number is None:  # not an id a form could have sent (letters, 5,000 digits): refused, never a 500
        abort(400)
    return number


@bp.get("/")
@roles_required(Role.ADMIN)
def index() -> str:
    return render_template("themes/index.html", goals=services.goals(), themes=services.themes())


def _edit(
    kind: str, item: Theme | VisionGoal | None, save: Callable[[], object], saved: str, **extra: Any
) -> ResponseReturnValue:
    """The one form for goals and themes: save on a valid POST, else show it again with what was typed."""
    error = None
    if request.method == "POST":
        if not EmptyForm().validate_on_submit():
            abort(400)
        try:
            save()
        except services.ThemeError as exc:
            error = str(exc)
        else:
            flash(saved, "info")
            return redirect(url_for("themes.index"))
    return render_template(
        "themes/edit.html",
        kind=kind,
        item=item,
        form=EmptyForm(),
        error=error,
        values=request.form,
        languages=[(code, native_name(code)) for code in shipped_languages()],
        **extra,
    ), 422 if error else 200


@bp.route("/goals/new", methods=["GET", "POST"])
@bp.route("/goals/<int:goal_id>", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def goal(goal_id: int | None = None) -> ResponseReturnValue:
    item = db.session.get(VisionGoal, goal_id) if goal_id is not None else None
    if goal_id is not None and item is None:
        abort(404)
    return _edit(
        "goal",
        item,
        lambda: services.save_goal(item, request.form.get("slug", ""), _names_from_form()),
        _("Saved."),
    )


@bp.route("/new", methods=["GET", "POST"])
@bp.route("/<int:theme_id>", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def theme(theme_id: int | None = None) -> ResponseReturnValue:
    item = db.session.get(Theme, theme_id) if theme_id is not None else None
    if theme_id is not None and item is None:
        abort(404)

    def save() -> object:
        return services.save_theme(
            item,
            slug=request.form.get("slug", ""),
            goal_id=_int_or_none(request.form.get("goal")) or 0,
            parent_id=_int_or_none(request.form.get("parent")),
            colour=request.form.get("colour", ""),
            names=_names_from_form(),
        )

    return _edit(
        "theme",
        item,
        save,
        _("Saved. Free-text coding continues under a new codebook version."),
        goals=services.goals(),
        themes=services.themes(),
    )
