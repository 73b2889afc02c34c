"""Staff account rules: hashed passwords, throttled failed logins, sessions, roles within partners."""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from werkzeug.security import check_password_hash, generate_password_hash

from participation.audit.models import AuditEvent
from participation.audit.services import record, record_standing
from participation.database import UTCDateTime
from participation.extensions import db
from participation.privacy import keyed_hash
from participation.staff.models import LoginThrottle, Partner, Role, User

PASSWORD_MIN = 10
# Failed logins a (typed e-mail, client address) pair may make before it must wait, the first wait,
# and the longest: the waits double from one to the other.
FREE_FAILURES = 5
FIRST_WAIT = timedelta(minutes=1)
LONGEST_WAIT = timedelta(minutes=15)
# A pair nobody has tried for this long starts afresh.
FAILURE_MEMORY = timedelta(days=1)
EMAIL_PATTERN = r"^[^@\s]+@[^@\s]+\.[^@\s]+$"
_EMAIL = re.compile(EMAIL_PATTERN)
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
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
    """Create a staff account; raises AccountError with a reason when it cannot."""
    email = _check_email(email)
    _check_password(password)
    try:
        with db.transaction():
            partner = (
                get_or_create_partner(partner_name.strip()) if partner_name and partner_name.strip() else None
            )
            user = User(
                email=email, password_hash=hash_password(password), role=role, partner=partner, active=active
            )
            db.session.add(user)
            db.session.flush()
            record("user_created", "user", user.id, email=email, role=role.value)
    except IntegrityError:
        _raise_if_taken(email)  # another request made the account first: the unique index decided
        raise
    return user


def _raise_if_taken(email: str, exclude_id: int | None = None) -> None:
    """After a refused insert or update: the same answer as when the address was already taken."""
    _check_email(email, exclude_id)


def update_user(
    user: User, *, email: str, role: Role, partner_name: str | None, active: bool, by: User
) -> None:
    """Change an account's address, role, partner or whether it may sign in."""
    if user.id == by.id and (role is not Role.ADMIN or not active):
        raise AccountError(_("You cannot remove your own admin role or disable your own account."))
    email = _check_email(email, exclude_id=user.id)
    try:
        with db.transaction():
            _apply_user_changes(user, email=email, role=role, partner_name=partner_name, active=active)
    except IntegrityError:
        _raise_if_taken(email, exclude_id=user.id)
        raise


def _apply_user_changes(
    user: User, *, email: str, role: Role, partner_name: str | None, active: bool
) -> None:
    changes: dict[str, Any] = {}
    partner = get_or_create_partner(partner_name.strip()) if partner_name and partner_name.strip() else None
    for field, value in (("email", email), ("role", role), ("partner", partner), ("active", active)):
        if getattr(user, field) != value:
            changes[field] = getattr(value, "value", getattr(value, "name", value))
            setattr(user, field, value)
    if "active" in changes or "role" in changes:
        user.session_token = secrets.token_hex(16)  # sign the account out everywhere
    if changes:
        record("user_changed", "user", user.id, **changes)
        db.session.flush()


@dataclass(frozen=True)
class LoginResult:
    """The account signed in, or None; retry_after when this e-mail and address must wait to try again."""

    user: User | None
    retry_after: datetime | None = None
    # True when the password was not even checked, because the pair was already waiting.
    throttled: bool = False


def wait_after(failures: int) -> timedelta | None:
    """How long a pair waits after this many failures in a row: nothing at first, then 1, 2, 4… 15 minutes."""
    if failures < FREE_FAILURES:
        return None
    return min(FIRST_WAIT * 2 ** min(failures - FREE_FAILURES, 10), LONGEST_WAIT)


def _pair_hash(email: str, client: str) -> str:
    """The pair's key: an HMAC, so neither the client address nor the typed e-mail is stored."""
    return keyed_hash("login-throttle", email, client)


def _blocked_until_after(failures: sa.ColumnElement[int], now: datetime) -> sa.ColumnElement[datetime]:
    """In SQL: when the pair may try again once its failures reach the given count."""
    whens = []
    count = FREE_FAILURES
    while (wait := wait_after(count)) is not None and wait < LONGEST_WAIT:
        whens.append((failures == count, sa.literal(now + wait, UTCDateTime())))
        count += 1
    return sa.case(
        (failures < FREE_FAILURES, sa.null()), *whens, else_=sa.literal(now + LONGEST_WAIT, UTCDateTime())
    )


def _claim_attempt(pair: str, now: datetime) -> tuple[bool, datetime | None]:
    """Count an attempt for the pair before its password is checked, in one UPDATE that only matches a pair
    that is not waiting, so concurrent guesses queue on the row instead of each reading a stale count.
    Returns whether the password may be checked, and until when the pair waits (after this attempt if
    it fails, or already).

    The attempt is committed on its own, before the slow password check, so concurrent guesses see it,
    and it stands although the login page then answers 401 or 429 (whose request keeps nothing).
    """
    with db.independent_transaction() as session:
        session.execute(
            sa.delete(LoginThrottle).where(
                LoginThrottle.pair_hash == pair, LoginThrottle.last_attempt < now - FAILURE_MEMORY
            )
        )
        insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
        session.execute(
            insert(LoginThrottle)
            .values(pair_hash=pair, failures=0, last_attempt=now)
            .on_conflict_do_nothing(index_elements=[LoginThrottle.pair_hash])
        )
        failures = LoginThrottle.failures + 1
        claimed = session.execute(
            sa.update(LoginThrottle)
            .where(
                LoginThrottle.pair_hash == pair,
                sa.or_(LoginThrottle.blocked_until.is_(None), LoginThrottle.blocked_until <= now),
            )
            .values(failures=failures, blocked_until=_blocked_until_after(failures, now), last_attempt=now)
            .returning(LoginThrottle.blocked_until)
            .execution_options(synchronize_session=False)
        ).first()
        if claimed is None:
            waiting = session.scalar(
                sa.select(LoginThrottle.blocked_until).where(LoginThrottle.pair_hash == pair)
            )
            return False, waiting or now + FIRST_WAIT
    return True, claimed.blocked_until


def _forget_failures(pair: str, now: datetime) -> None:
    """A right password clears its pair; pairs nobody has tried for a day go too."""
    db.session.execute(
        sa.delete(LoginThrottle).where(
            sa.or_(LoginThrottle.pair_hash == pair, LoginThrottle.last_attempt < now - FAILURE_MEMORY)
        )
    )


def authenticate(email: str, password: str, client: str, now: datetime) -> LoginResult:
    """Check a login from a client address. Each (e-mail, address) pair gets five tries, then waits that
    double from one to fifteen minutes; a stranger's failures never slow the owner down elsewhere.
    An unknown e-mail address is counted and timed like a wrong password, and answered the same way."""
    email = email.strip().lower()
    pair = _pair_hash(email, client)
    allowed, retry_after = _claim_attempt(pair, now)
    if not allowed:
        return LoginResult(None, retry_after, throttled=True)
    user = None if _CONTROL.search(email) else db.session.scalar(sa.select(User).where(User.email == email))
    if user is None or not user.active:
        check_password_hash(_DUMMY_HASH, password)
        return LoginResult(None, retry_after)
    if not check_password_hash(user.password_hash, password):
        if retry_after is not None:
            record_standing("login_throttled", "user", user.id)
        return LoginResult(None, retry_after)
    with db.transaction():
        _forget_failures(pair, now)
        record("login", "user", user.id, user=user)
    return LoginResult(user)


def sign_out(user: User) -> None:
    """End the account's sessions on the server: a copy of the session cookie no longer signs anyone in."""
    with db.transaction():
        user.session_token = secrets.token_hex(16)
        record("logout", "user", user.id)


def change_password(user: User, current: str, new: str) -> None:
    """Set a new password after checking the current one; other browsers are signed out."""
    if not check_password_hash(user.password_hash, current):
        raise AccountError(_("The current password is not right."))
    _check_password(new)
    with db.transaction():
        user.password_hash = hash_password(new)
        user.session_token = secrets.token_hex(16)
        record("password_changed", "user", user.id)


def all_users() -> list[User]:
    return list(db.session.scalars(sa.select(User).order_by(User.email)))


AUDIT_PAGE = 100


def recent_events(limit: int = AUDIT_PAGE) -> list[tuple[AuditEvent, str | None]]:
    """The latest audit events, newest first, each with the e-mail of the account (None once removed)."""
    rows = db.session.execute(
        sa.select(AuditEvent, User.email)
        .outerjoin(User, User.id == AuditEvent.user_id)
        .order_by(AuditEvent.id.desc())
        .limit(limit)
    )
    return [(event, email) for event, email in rows]
