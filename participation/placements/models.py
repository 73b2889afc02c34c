"""Placements (one poster, sticker or screen at one place) and their daily scan counts."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from participation.database import Base, UTCDateTime, utcnow
from participation.staff.models import Partner
from participation.staff.ownership import Owned
from participation.surveys.models import Survey


class Placement(Owned, Base):
    """A QR code at a named place, pointing to a survey, optionally with a pinned language."""

    __tablename__ = "placement"
    # At most one target, not exactly one: deleting the survey or forum session (SET NULL) leaves a
    # placement pointing nowhere, which the scan page answers as an unknown code.
    __table_args__ = (
        sa.CheckConstraint("survey_id IS NULL OR forum_session_id IS NULL", name="at_most_one_target"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(16), unique=True)
    survey_id: Mapped[int | None] = mapped_column(sa.ForeignKey("survey.id", ondelete="SET NULL"), index=True)
    # A placement leads to a survey or to a forum session (the QR on the projector). The forum, a higher
    # layer, creates its session's placement with the session's own code and partner; placements know the
    # session only by its id, so that the forum may build on placements and not the other way round.
    forum_session_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("forum_session.id", ondelete="SET NULL"), index=True
    )
    place: Mapped[str] = mapped_column(sa.String(120))
    language: Mapped[str | None] = mapped_column(sa.String(10))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    retired_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The partner that put the poster up: by default its survey's or forum session's.
    partner_id: Mapped[int] = mapped_column(sa.ForeignKey("partner.id", ondelete="RESTRICT"), index=True)

    partner: Mapped[Partner] = relationship()
    survey: Mapped[Survey | None] = relationship()

    def owner_parent(self) -> Owned | None:
        return self.survey


class PlacementScan(Base):
    """How many times a placement's code was opened on one day. Nothing about who scanned."""

    __tablename__ = "placement_scan"
    __table_args__ = (sa.CheckConstraint("count >= 0", name="count_not_negative"),)

    placement_id: Mapped[int] = mapped_column(
        sa.ForeignKey("placement.id", ondelete="CASCADE"), primary_key=True
    )
    day: Mapped[date] = mapped_column(sa.Date, primary_key=True)
    count: Mapped[int] = mapped_column(default=0)
