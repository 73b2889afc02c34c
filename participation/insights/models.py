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
