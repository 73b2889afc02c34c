"""Forms of the staff workspace."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, EqualTo, Length, Regexp

from participation.core.hygiene import to_id
from participation.staff.models import Role
from participation.staff.services import EMAIL_PATTERN, PASSWORD_MIN


def role_choices() -> list[tuple[str, str]]:
    labels = {Role.ADMIN: _l("Admin"), Role.STAFF: _l("Staff"), Role.ANALYST: _l("Analyst")}
    return [(role.value, str(labels[role])) for role in Role]


class EmptyForm(FlaskForm):
    """A bare POST button still carries a CSRF token."""


def _partner_id(value: object) -> int | None:
    """A choice's partner id: the choices are ids already; a posted one must be an id the database can hold."""
    if isinstance(value, int) or value is None:
        return value
    return to_id(value) if value else None


def owner_field() -> SelectField:
    """The owning partner of something new; only admins see it (see participation.staff.ownership)."""
    return SelectField(_l("Owning partner"), coerce=_partner_id, validate_choice=False)


class LoginForm(FlaskForm):
    email = EmailField(_l("E-mail"), validators=[DataRequired(), Length(max=254)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=200)])


class PasswordForm(FlaskForm):
    current = PasswordField(_l("Current password"), validators=[DataRequired(), Length(max=200)])
    new = PasswordField(
        _l("New password"),
        validators=[
            DataRequired(),
            Length(min=PASSWORD_MIN, max=200, message=_l("At least %(min)d characters.", min=PASSWORD_MIN)),
        ],
    )
    confirm = PasswordField(
        _l("New password again"),
        validators=[EqualTo("new", message=_l("The two passwords are not the same."))],
    )


class UserForm(FlaskForm):
    email = EmailField(
        _l("E-mail"),
        validators=[
            DataRequired(),
            Length(max=254),
            Regexp(EMAIL_PATTERN, message=_l("Write an e-mail address.")),
        ],
    )
    role = SelectField(_l("Role"), choices=role_choices)
    partner = StringField(_l("Partner organisation"), validators=[Length(max=120)])
    active = BooleanField(_l("Account is active"), default=True)


class NewUserForm(UserForm):
    password = PasswordField(
        _l("First password"),
        validators=[
            DataRequired(),
            Length(min=PASSWORD_MIN, max=200, message=_l("At least %(min)d characters.", min=PASSWORD_MIN)),
        ],
    )
