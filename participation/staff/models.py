"""Partner organisations, the staff accounts that belong to them, and the throttling of failed logins."""

from __future__ import annotations

import enum
import secrets
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from participation.database import Base, UTCDateTime, enum_column, utcnow


class Role(enum.StrEnum):
    ADMIN = "admin"
    STAFF = "staff"
    ANALYST = "analyst"


class Partner(Base):
    """An organisation taking part in the initiative (youth organisation, housing company, city…)."""

    __tablename__ = "partner"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(120), unique=True)
    kind: Mapped[str] = mapped_column(sa.String(40), default="other")
    users: Mapped[list[User]] = relationship(back_populates="partner")


class User(Base):
    """A staff account. Participants never have one."""

    __tablename__ = "user_account"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(sa.String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(sa.String(255))
    role: Mapped[Role] = mapped_column(enum_column(Role))
    partner_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("partner.id", ondelete="SET NULL"), index=True
    )
    active: Mapped[bool] = mapped_column(default=True)
    # Changing it (new password, disabled account) signs the account out of every browser.
    session_token: Mapped[str] = mapped_column(sa.String(64), default=lambda: secrets.token_hex(16))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    partner: Mapped[Partner | None] = relationship(back_populates="users")

    # Flask-Login's user interface.
    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_active(self) -> bool:
        return self.active

    @property
    def is_anonymous(self) -> bool:
        return False

    def get_id(self) -> str:
        return f"{self.id}:{self.session_token}"

    def has_role(self, *roles: Role) -> bool:
        return self.role in roles


class LoginThrottle(Base):
    """Failed logins for one (e-mail address, client address) pair, known only by an HMAC of the pair.

    Keyed per pair rather than per account, so a stranger's wrong passwords slow down the stranger and
    not the account's owner; keyed on the typed address rather than the account, so an unknown e-mail
    address is throttled exactly like a known one and the answers do not tell them apart.
    """

    __tablename__ = "login_throttle"
    __table_args__ = (sa.CheckConstraint("failures >= 0", name="failures_not_negative"),)

    pair_hash: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    failures: Mapped[int] = mapped_column(default=0)
    blocked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_attempt: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
