"""'You said – we did': what partners do about the needs young people named, with a visible status."""

from __future__ import annotations

import enum
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from participation.database import Base, TranslatedText, UTCDateTime, enum_column, utcnow
from participation.forum.models import ForumItem
from participation.i18n.languages import default_language
from participation.staff.models import Partner
from participation.staff.ownership import Owned
from participation.themes.models import Theme

# Characters of an action's texts, for the form, the service and the translation editor alike.
TEXT_LIMITS = {"title": 200, "text": 2000, "reason": 1000}


class ActionStatus(enum.StrEnum):
    HEARD = "heard"
    DECIDED = "decided"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    NOT_POSSIBLE = "not_possible"


action_theme = sa.Table(
    "action_theme",
    Base.metadata,
    sa.Column("action_id", sa.ForeignKey("action.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("theme_id", sa.ForeignKey("theme.id", ondelete="CASCADE"), primary_key=True),
)

action_forum_item = sa.Table(
    "action_forum_item",
    Base.metadata,
    sa.Column("action_id", sa.ForeignKey("action.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("item_id", sa.ForeignKey("forum_item.id", ondelete="CASCADE"), primary_key=True),
)


class Action(Owned, Base):
    """An answer to a need: heard, decided, in progress, done, or not possible (with the reason why)."""

    __tablename__ = "action"
    analysts_write = True  # partner analysts record the actions their organisation takes
    __table_args__ = (
        sa.CheckConstraint("status != 'not_possible' OR has_reason", name="reason_when_not_possible"),
        sa.Index("ix_action_published_decided_on", "published", "decided_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[dict[str, str]] = mapped_column(TranslatedText, default=dict)
    text: Mapped[dict[str, str]] = mapped_column(TranslatedText, default=dict)
    reason: Mapped[dict[str, str]] = mapped_column(TranslatedText, default=dict)
    # Kept beside the reason texts so the database itself can insist on a reason for "not possible".
    has_reason: Mapped[bool] = mapped_column(default=False)
    base_language: Mapped[str] = mapped_column(sa.String(10), default=default_language)
    status: Mapped[ActionStatus] = mapped_column(enum_column(ActionStatus), default=ActionStatus.HEARD)
    # The responsible partner, which owns the action (see participation.staff.ownership).
    partner_id: Mapped[int] = mapped_column(sa.ForeignKey("partner.id", ondelete="RESTRICT"), index=True)
    decided_on: Mapped[date] = mapped_column(sa.Date)
    published: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    partner: Mapped[Partner] = relationship()
    themes: Mapped[list[Theme]] = relationship(secondary=action_theme)
    forum_items: Mapped[list[ForumItem]] = relationship(secondary=action_forum_item)
