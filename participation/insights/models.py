"""What the needs map reads besides the answers: free-text codes, the codebook's versions, population figures."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from participation.core.changes import TEXT, counted
from participation.database import Base, UTCDateTime, utcnow
from participation.staff.models import User


class CodebookVersion(Base):
    """A numbered version of the theme list used to code free text; a new one starts when themes change."""

    __tablename__ = "codebook_version"

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    note: Mapped[str] = mapped_column(sa.String(200), default="")


class TextCode(Base):
    """One theme given to one approved free-text answer, by whom, when and under which codebook version."""

    __tablename__ = "text_code"
    __table_args__ = (
        sa.UniqueConstraint("answer_id", "theme_id"),
        # The needs map's quotes: a theme's latest coded texts, read backwards until three are found.
        sa.Index("ix_text_code_theme_id_answer_id", "theme_id", "answer_id"),
    )

    # The needs map's text component counts the codes: adding, removing or moving one counts them again.
    id: Mapped[int] = mapped_column(primary_key=True, info=counted(TEXT))
    answer_id: Mapped[int] = mapped_column(
        sa.ForeignKey("answer.id", ondelete="CASCADE"), index=True, info=counted(TEXT)
    )
    theme_id: Mapped[int] = mapped_column(sa.ForeignKey("theme.id", ondelete="CASCADE"), info=counted(TEXT))
    codebook_version_id: Mapped[int] = mapped_column(
        sa.ForeignKey("codebook_version.id", ondelete="RESTRICT")
    )
    coder_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id", ondelete="SET NULL"))
    coded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    coder: Mapped[User | None] = relationship()


class PopulationFigure(Base):
    """How many young people of an age band live in the area, entered by an admin from official figures."""

    __tablename__ = "population_figure"
    __table_args__ = (sa.CheckConstraint("count >= 0", name="count_not_negative"),)

    age_band: Mapped[str] = mapped_column(sa.String(20), primary_key=True)
    count: Mapped[int]
    source: Mapped[str] = mapped_column(sa.String(200), default="")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ArchivedCell(Base):
    """The needs map's counts of responses erased at the end of their retention, kept per cell and measure.

    Written by `flask retention` (participation.lifecycle.retention) just before the responses go, in the
    same transaction: the count and the sum of its records' keys of every measure of every cell, exactly as
    participation.insights.tally counted them. The tally adds these rows to what it counts from the answers
    that remain, so a term's figures, noise included, are the same after the erasure as before. They are as
    they were counted then: a theme tag changed later does not move them. No record of a person is kept.
    """

    __tablename__ = "archived_cell"

    term: Mapped[int] = mapped_column(primary_key=True, info=counted())
    age_band: Mapped[str] = mapped_column(sa.String(20), primary_key=True, info=counted())  # "" unanswered
    gender: Mapped[str] = mapped_column(sa.String(20), primary_key=True, info=counted())  # "" unanswered
    placement_id: Mapped[int] = mapped_column(primary_key=True, info=counted())  # 0: without a placement
    measure: Mapped[str] = mapped_column(
        sa.String(24), primary_key=True, info=counted()
    )  # "chose", "chose#" …
    theme_id: Mapped[int] = mapped_column(
        primary_key=True, info=counted()
    )  # 0 for "respondents" and the like
    value: Mapped[int] = mapped_column(sa.BigInteger, info=counted())
