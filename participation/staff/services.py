"""Staff account rules: hashed passwords, lockout after repeated failures, roles within partners."""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask_babel import gettext as _
from werkzeug.security import check_password_hash, generate_password_hash

from participation.audit.services import record
from participation.extensions import db
from participation.staff.models import Partner, Role, User

PASSWORD_MIN = 10
MAX_FAILURES = 5
LOCKOUT = timedelta(minutes=15)
EMAIL_PATTERN = r"^[^@\s]+@[^@\s]+\.[^@\s]+$"
_EMAIL = re.compile(EMAIL_PATTERN)
# Checked against when the e-mail is unknown, so a wrong address takes as long as a wrong password.
_DUMMY_HASH = generate_password_hash("not a real password", method="scrypt")


class AccountError(ValueError):
    """A staff account could not be created or changed as asked; the message says why."""


def hash_password(password: str) -> str:
    return generate_password_hash(password, method="scrypt")


def get_or_create_partner(name: str, kind: str = "other") -> Partner:
    partner = db.session.scalar(sa.select(Partner).where(Partner.name == name))
    if partner is None:
        partner = Partner(name=name, kind=kind)
        db.session.add(partner)
        db.session.flush()
    return partner


def _check_email(email: str, exclude_id: int | None = None) -> str:
    email = email.strip().lower()
    if not _EMAIL.match(email) or len(email) > 254:
        raise AccountError(_("“%(email)s” is not an e-mail address.", email=email))
    query = sa.select(User.id).where(User.email == email)
    if exclude_id is not None:
        query = query.where(User.id != exclude_id)
    if db.session.scalar(query) is not None:
        raise AccountError(_("An account for %(email)s already exists.", email=email))
    return email


def _check_password(password: str) -> None:
    if len(password) < PASSWORD_MIN:
        raise AccountError(_("The password must have at least %(min)d characters.", min=PASSWORD_MIN))


def create_user(
    email: str, password: str, role: Role, partner_name: str | None, *, active: bool = True
) -> User:
    """Create and commit a staff account; raises AccountError with a reason when it cannot."""
    email = _check_email(email)
    _check_password(password)
    partner = get_or_create_partner(partner_name.strip()) if partner_name and partner_name.strip() else None
    user = User(email=email, password_hash=hash_password(password), role=role, partner=partner, active=active)
    db.session.add(user)
    db.session.flush()
    record("user_created", "user", user.id, email=email, role=role.value)
    db.session.commit()
    return user


def update_user(
    user: User, *, email: str, role: Role, partner_name: str | None, active: bool, by: User
) -> None:
    """Change an account's address, role, partner or whether it may sign in."""
    if user.id == by.id and (role is not Role.ADMIN or not active):
        raise AccountError(_("You cannot remove your own admin role or disable your own account."))
    changes = {}
    email = _check_email(email, exclude_id=user.id)
    partner = get_or_create_partner(partner_name.strip()) if partner_name and partner_name.strip() else None
    for field, value in (("email", email), ("role", role), ("partner", partner), ("active", active)):
        if getattr(user, field) != value:
            changes[field] = getattr(value, "value", getattr(value, "name", value))
            setattr(user, field, value)
    if "active" in changes or "role" in changes:
        user.session_token = secrets.token_hex(16)  # sign the account out everywhere
    if changes:
        record("user_changed", "user", user.id, **changes)
    db.session.commit()


@dataclass(frozen=True)
class LoginResult:
    user: User | None
    locked_until: datetime | None = None


def authenticate(email: str, password: str, now: datetime) -> LoginResult:
    """Check a login; five failures in a row lock the account for fifteen minutes."""
    user = db.session.scalar(sa.select(User).where(User.email == email.strip().lower()))
    if user is None or not user.active:
        check_password_hash(_DUMMY_HASH, password)
        return LoginResult(None)
    if user.locked_until is not None and now < user.locked_until:
        return LoginResult(None, user.locked_until)
    if not check_password_hash(user.password_hash, password):
        user.failed_logins += 1
        locked = None
        if user.failed_logins >= MAX_FAILURES:
            user.failed_logins = 0
            user.locked_until = locked = now + LOCKOUT
            record("account_locked", "user", user.id, user=user)
        db.session.commit()
        return LoginResult(None, locked)
    user.failed_logins = 0
    user.locked_until = None
    record("login", "user", user.id, user=user)
    db.session.commit()
    return LoginResult(user)


def change_password(user: User, current: str, new: str) -> None:
    """Set a new password after checking the current one; other browsers are signed out."""
    if not check_password_hash(user.password_hash, current):
        raise AccountError(_("The current password is not right."))
    _check_password(new)
    user.password_hash = hash_password(new)
    user.session_token = secrets.token_hex(16)
    record("password_changed", "user", user.id)
    db.session.commit()


def all_users() -> list[User]:
    return list(db.session.scalars(sa.select(User).order_by(User.email)))
