"""Signing staff in: Flask-Login's user loader, and the role check every staff view declares."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask import Flask, abort
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from participation.extensions import db, login_manager
from participation.staff.models import Role, User

F = TypeVar("F", bound=Callable[..., Any])

STAFF_ROLES = (Role.ADMIN, Role.STAFF)
ALL_ROLES = (Role.ADMIN, Role.STAFF, Role.ANALYST)


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    """The account for a session, unless it was disabled or its password changed since."""
    identifier, _, token = user_id.partition(":")
    if not identifier.isdigit():
        return None
    user = db.session.get(User, int(identifier))
    if user is None or not user.active or user.session_token != token:
        return None
    return user


def roles_required(*roles: Role) -> Callable[[F], F]:
    """Only signed-in accounts with one of these roles; others get 403, anonymous visitors the login page."""

    def decorator(view: F) -> F:
        @wraps(view)
        @login_required
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            if not current_user.has_role(*roles):
                abort(403)
            return view(*args, **kwargs)

        return wrapped  # type: ignore[return-value]

    return decorator


def register_login(app: Flask) -> None:
    login_manager.init_app(app)
    login_manager.login_view = "staff.login"
    login_manager.login_message = _l("Please log in to see that page.")
    login_manager.session_protection = "strong"
