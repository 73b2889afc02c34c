"""Staff account rules: creating accounts with hashed passwords, in a partner organisation."""

from __future__ import annotations

import re

import sqlalchemy as sa
from werkzeug.security import generate_password_hash

from participation.extensions import db
from participation.staff.models import Partner, Role, User

PASSWORD_MIN = 10
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


class AccountError(ValueError):
    """A staff account could not be created as asked."""


def hash_password(password: str) -> str:
    return generate_password_hash(password, method="scrypt")


def get_or_create_partner(name: str, kind: str = "other") -> Partner:
    partner = db.session.scalar(sa.select(Partner).where(Partner.name == name))
    if partner is None:
        partner = Partner(name=name, kind=kind)
        db.session.add(partner)
        db.session.flush()
    return partner


def create_user(email: str, password: str, role: Role, partner_name: str | None) -> User:
    """Create and commit a staff account; raises AccountError with a reason when it cannot."""
    email = email.strip().lower()
    if not _EMAIL.match(email) or len(email) > 254:
        raise AccountError(f"'{email}' is not an e-mail address.")
    if len(password) < PASSWORD_MIN:
        raise AccountError(f"The password must have at least {PASSWORD_MIN} characters.")
    if db.session.scalar(sa.select(User.id).where(User.email == email)) is not None:
        raise AccountError(f"An account for {email} already exists.")
    partner = get_or_create_partner(partner_name) if partner_name else None
    user = User(email=email, password_hash=hash_password(password), role=role, partner=partner)
    db.session.add(user)
    db.session.commit()
    return user
