"""Partner organisations and the staff accounts that belong to them."""

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
    failed_logins: Mapped[int] = mapped_column(default=0)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
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
