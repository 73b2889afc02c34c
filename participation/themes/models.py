"""Vision goals and the themes under them that tag options and questions."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from participation.database import Base, TranslatedText


class VisionGoal(Base):
    """A shared result of the initiative, such as 'young people have influence'."""

    __tablename__ = "vision_goal"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(sa.String(60), unique=True)
    name: Mapped[dict[str, str]] = mapped_column(TranslatedText, default=dict)
    themes: Mapped[list[Theme]] = relationship(back_populates="goal", order_by="Theme.id")


class Theme(Base):
    """A need in the shared taxonomy, under one vision goal."""

    __tablename__ = "theme"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(sa.String(60), unique=True)
    goal_id: Mapped[int] = mapped_column(sa.ForeignKey("vision_goal.id", ondelete="RESTRICT"), index=True)
    parent_id: Mapped[int | None] = mapped_column(sa.ForeignKey("theme.id", ondelete="SET NULL"))
    colour: Mapped[str] = mapped_column(sa.String(7), default="#1d4f91")
    name: Mapped[dict[str, str]] = mapped_column(TranslatedText, default=dict)

    goal: Mapped[VisionGoal] = relationship(back_populates="themes")
