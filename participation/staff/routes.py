"""The staff workspace's entry: signing in and out, passwords, accounts and the audit log."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import format_datetime
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user

from participation.extensions import db, limiter
from participation.i18n.routing import staff_language
from participation.security import local_path
from participation.staff import home, services
from participation.staff.auth import ALL_ROLES, roles_required
from participation.staff.forms import EmptyForm, LoginForm, NewUserForm, PasswordForm, UserForm
from participation.staff.models import Role, User

bp = Blueprint("staff", __name__, url_prefix="/staff")


bp.before_request(staff_language)


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit("20 per minute", methods=["POST"])
def login() -> ResponseReturnValue:
    if current_user.is_authenticated:
        return redirect(url_for("staff.dashboard"))
    form = LoginForm()
    if not form.validate_on_submit():
        status = 400 if request.method == "POST" else 200
        return render_template("staff/login.html", form=form), status
    now = datetime.now(UTC)
    result = services.authenticate(
        form.email.data or "", form.password.data or "", request.remote_addr or "unknown", now
    )
    if result.user is None:
        if not result.throttled:
            flash(_("The e-mail address or the password is wrong."), "error")
        if result.retry_after is not None:
            flash(
                _(
                    "Too many failed attempts. You can try again after %(time)s.",
                    time=format_datetime(result.retry_after, "short"),
                ),
                "error",
            )
        if not result.throttled:
            return render_template("staff/login.html", form=form), 401
        wait = max(1, int(((result.retry_after or now) - now).total_seconds()))
        return render_template("staff/login.html", form=form), 429, {"Retry-After": str(wait)}
    login_user(result.user)
    return redirect(local_path(request.args.get("next")) or url_for("staff.dashboard"))


@bp.post("/logout")
@roles_required(*ALL_ROLES)
def logout() -> ResponseReturnValue:
    if EmptyForm().validate_on_submit():
        services.sign_out(current_user)
        logout_user()
        flash(_("You are logged out."), "info")
    return redirect(url_for("staff.login"))


@bp.get("/")
@roles_required(*ALL_ROLES)
def dashboard() -> str:
    """What needs doing: open surveys, texts to moderate, the forum, actions, and for admins lockouts."""
    now = datetime.now(UTC)
    return render_template(
        "staff/dashboard.html",
        parts=home.home_parts(current_user, now),
        lockouts=home.lockouts(now) if current_user.role is Role.ADMIN else None,
    )


@bp.route("/password", methods=["GET", "POST"])
@roles_required(*ALL_ROLES)
def password() -> ResponseReturnValue:
    form = PasswordForm()
    if form.validate_on_submit():
        try:
            services.change_password(current_user, form.current.data or "", form.new.data or "")
        except services.AccountError as error:
            form.current.errors = [str(error)]
        else:
            login_user(current_user)  # keep this browser signed in under the new session token
            flash(_("Your password is changed. Other browsers are logged out."), "info")
            return redirect(url_for("staff.dashboard"))
    status = 422 if request.method == "POST" else 200
    return render_template("staff/password.html", form=form), status


@bp.get("/users")
@roles_required(Role.ADMIN)
def users() -> str:
    return render_template("staff/users.html", users=services.all_users(), form=EmptyForm())


@bp.route("/users/new", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def new_user() -> ResponseReturnValue:
    form = NewUserForm()
    if form.validate_on_submit():
        try:
            services.create_user(
                form.email.data or "",
                form.password.data or "",
                Role(form.role.data),
                form.partner.data,
                active=form.active.data,
            )
        except services.AccountError as error:
            form.email.errors = [str(error)]
        else:
            flash(_("The account is created."), "info")
            return redirect(url_for("staff.users"))
    status = 422 if request.method == "POST" else 200
    return render_template("staff/user_form.html", form=form, user=None), status


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def edit_user(user_id: int) -> ResponseReturnValue:
    user = db.session.get(User, user_id) or abort(404)
    form = UserForm(obj=user) if request.method == "GET" else UserForm()
    if request.method == "GET":
        form.role.data = user.role.value
        form.partner.data = user.partner.name if user.partner else ""
    if form.validate_on_submit():
        try:
            services.update_user(
                user,
                email=form.email.data or "",
                role=Role(form.role.data),
                partner_name=form.partner.data,
                active=form.active.data,
                by=current_user,
            )
        except services.AccountError as error:
            form.email.errors = [str(error)]
        else:
            flash(_("The account is saved."), "info")
            return redirect(url_for("staff.users"))
    status = 422 if request.method == "POST" else 200
    return render_template("staff/user_form.html", form=form, user=user), status


@bp.get("/audit")
@roles_required(Role.ADMIN)
def audit() -> str:
    return render_template("staff/audit.html", events=services.recent_events())
