"""Shared measurement (results-based accountability): indicators per vision goal, data points, programs."""

from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from participation.database import Base, TranslatedText, UTCDateTime, enum_column, utcnow
from participation.staff.models import Partner
from participation.staff.ownership import Owned
from participation.surveys.models import Question
from participation.themes.models import VisionGoal


class Polarity(enum.StrEnum):
    HIGHER_IS_BETTER = "higher"
    LOWER_IS_BETTER = "lower"


class PointStatus(enum.StrEnum):
    PENDING = "pending"  # entered by a partner, waiting for the backbone
    APPROVED = "approved"


class Indicator(Owned, Base):
    """A measure of a result, owned by a partner; values per term, computed from a survey or entered."""

    __tablename__ = "indicator"
    owner_column = "owner_partner_id"
    owner_relation = "owner"

    id: Mapped[int] = mapped_column(primary_key=True)
    goal_id: Mapped[int] = mapped_column(sa.ForeignKey("vision_goal.id", ondelete="RESTRICT"), index=True)
    name: Mapped[dict[str, str]] = mapped_column(TranslatedText, default=dict)
    definition: Mapped[dict[str, str]] = mapped_column(TranslatedText, default=dict)
    unit: Mapped[str] = mapped_column(sa.String(40), default="%")
    polarity: Mapped[Polarity] = mapped_column(enum_column(Polarity), default=Polarity.HIGHER_IS_BETTER)
    source: Mapped[str] = mapped_column(sa.String(200), default="")
    owner_partner_id: Mapped[int] = mapped_column(
        sa.ForeignKey("partner.id", ondelete="RESTRICT"), index=True
    )
    baseline_period: Mapped[int | None]
    baseline_value: Mapped[float | None]
    target_period: Mapped[int | None]
    target_value: Mapped[float | None]
    # When set: the value per term is the share answering the top two faces (scale) or yes (yes/no).
    question_id: Mapped[int | None] = mapped_column(sa.ForeignKey("question.id", ondelete="SET NULL"))

    goal: Mapped[VisionGoal] = relationship()
    owner: Mapped[Partner] = relationship()
    question: Mapped[Question | None] = relationship()
    points: Mapped[list[DataPoint]] = relationship(
        back_populates="indicator", order_by="DataPoint.period", cascade="all, delete-orphan"
    )


class DataPoint(Owned, Base):
    """An indicator's value for one term, with the story behind the curve."""

    __tablename__ = "data_point"
    analysts_write = (
        True  # "entered by a partner": analysts enter points and write the story behind the curve
    )
    __table_args__ = (sa.UniqueConstraint("indicator_id", "period"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    indicator_id: Mapped[int] = mapped_column(sa.ForeignKey("indicator.id", ondelete="CASCADE"))
    period: Mapped[int]
    value: Mapped[float]
    n: Mapped[int | None]
    computed: Mapped[bool] = mapped_column(default=False)
    status: Mapped[PointStatus] = mapped_column(enum_column(PointStatus), default=PointStatus.PENDING)
    story: Mapped[dict[str, str]] = mapped_column(TranslatedText, default=dict)
    entered_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id", ondelete="SET NULL"))
    approved_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id", ondelete="SET NULL"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    # The partner that entered the value (a computed one: the indicator's owner); it owns the story too.
    partner_id: Mapped[int] = mapped_column(sa.ForeignKey("partner.id", ondelete="RESTRICT"), index=True)

    partner: Mapped[Partner] = relationship()
    indicator: Mapped[Indicator] = relationship(back_populates="points")

    def owner_parent(self) -> Owned | None:
        return self.indicator


class ProgramQuestion(enum.StrEnum):
    HOW_MUCH = "how_much"  # how much did we do?
    HOW_WELL = "how_well"  # how well did we do it?
    BETTER_OFF = "better_off"  # is anyone better off?


class Program(Owned, Base):
    """An activity such as the girls' forum or homework help, run by a partner under a vision goal."""

    __tablename__ = "program"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[dict[str, str]] = mapped_column(TranslatedText, default=dict)
    goal_id: Mapped[int] = mapped_column(sa.ForeignKey("vision_goal.id", ondelete="RESTRICT"), index=True)
    partner_id: Mapped[int] = mapped_column(sa.ForeignKey("partner.id", ondelete="RESTRICT"), index=True)

    goal: Mapped[VisionGoal] = relationship()
    partner: Mapped[Partner] = relationship()
    measures: Mapped[list[ProgramMeasure]] = relationship(
        back_populates="program", order_by="ProgramMeasure.period", cascade="all, delete-orphan"
    )


class ProgramMeasure(Base):
    """One answer to one of the three questions for one term, e.g. '24 evenings held' or '80 % felt safe'."""

    __tablename__ = "program_measure"
    __table_args__ = (sa.UniqueConstraint("program_id", "period", "question", "label"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    program_id: Mapped[int] = mapped_column(sa.ForeignKey("program.id", ondelete="CASCADE"))
    period: Mapped[int]
    question: Mapped[ProgramQuestion] = mapped_column(enum_column(ProgramQuestion))
    label: Mapped[str] = mapped_column(sa.String(200))
    value: Mapped[float]
    unit: Mapped[str] = mapped_column(sa.String(40), default="")

    program: Mapped[Program] = relationship(back_populates="measures")
