"""Bursts of submissions from one address beyond a ceiling: how many and when (to the hour), never from where."""

from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from participation.database import Base, UTCDateTime, enum_column
from participation.staff.models import User


class BurstKind(enum.StrEnum):
    SURVEY = "survey"  # responses to one survey; scope_id is the survey's id
    FORUM = "forum"  # joins, votes and proposals in one forum session; scope_id is the session's id


class BurstStatus(enum.StrEnum):
    OPEN = "open"  # its rows are held out of every result
    RELEASED = "released"  # a staff member let its rows count
    DISCARDED = "discarded"  # a staff member deleted its rows


class FloodBurst(Base):
    """Rows held in quarantine for one survey or forum session; one open burst per scope at a time.

    Every held row of a scope belongs to that scope's open burst, so releasing the burst releases
    exactly the rows with `quarantined` set in that scope. No address, no device: a count and an hour.
    """

    __tablename__ = "flood_burst"
    __table_args__ = (
        sa.CheckConstraint("count >= 0", name="count_not_negative"),
        sa.CheckConstraint("(status = 'open') = (decided_at IS NULL)", name="decided_when_closed"),
        sa.Index(
            "ix_flood_burst_one_open",
            "kind",
            "scope_id",
            unique=True,
            sqlite_where=sa.text("status = 'open'"),
            postgresql_where=sa.text("status = 'open'"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[BurstKind] = mapped_column(enum_column(BurstKind))
    scope_id: Mapped[int]
    started_hour: Mapped[datetime] = mapped_column(UTCDateTime)
    last_hour: Mapped[datetime] = mapped_column(UTCDateTime)
    count: Mapped[int] = mapped_column(default=0)
    status: Mapped[BurstStatus] = mapped_column(enum_column(BurstStatus), default=BurstStatus.OPEN)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decided_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id", ondelete="SET NULL"))

    decided_by: Mapped[User | None] = relationship()
