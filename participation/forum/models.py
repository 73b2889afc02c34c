"""Forum sessions: live topic proposals and votes, with one vote per participant per item held by the database."""

from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from participation.database import Base, TranslatedText, UTCDateTime, enum_column, utcnow
from participation.i18n.languages import default_language
from participation.staff.models import Partner
from participation.staff.ownership import Owned
from participation.themes.models import Theme


class ForumMode(enum.StrEnum):
    TOPICS = "topics"  # participants propose topics and vote for as many as they like, one vote each
    DOTS = "dots"  # N dots per person, optionally several on one item
    STATEMENTS = "statements"  # agree / disagree / pass on short statements
    POLL = "poll"  # one choice among predefined options


class SessionStatus(enum.StrEnum):
    OPEN = "open"
    CLOSED = "closed"


class ItemStatus(enum.StrEnum):
    PENDING = "pending"  # a proposal waiting for the facilitator
    APPROVED = "approved"
    HIDDEN = "hidden"


AGREE, PASS, DISAGREE = 1, 0, -1

forum_item_theme = sa.Table(
    "forum_item_theme",
    Base.metadata,
    sa.Column("item_id", sa.ForeignKey("forum_item.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("theme_id", sa.ForeignKey("theme.id", ondelete="CASCADE"), primary_key=True),
)


class ForumSession(Owned, Base):
    """One forum evening (or one question on the projector at a big event)."""

    __tablename__ = "forum_session"
    __table_args__ = (
        sa.CheckConstraint("dots_per_person IS NULL OR dots_per_person >= 1", name="dots_positive"),
        sa.CheckConstraint(
            "proposals_per_person IS NULL OR proposals_per_person >= 1", name="proposals_per_person_positive"
        ),
        # A countdown runs only in an open session; closing stops it.
        sa.CheckConstraint("deadline IS NULL OR status = 'open'", name="deadline_only_when_open"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(16), unique=True)
    mode: Mapped[ForumMode] = mapped_column(enum_column(ForumMode))
    status: Mapped[SessionStatus] = mapped_column(enum_column(SessionStatus), default=SessionStatus.OPEN)
    title: Mapped[dict[str, str]] = mapped_column(TranslatedText, default=dict)
    # The question put to the room, per language like the title; empty when the title says it all.
    # Server-side defaults only, for this column and the next: rows written by code that predates them
    # (an older migration's data, tests/core/test_constraints.py) get them from the database.
    prompt: Mapped[dict[str, str]] = mapped_column(TranslatedText, server_default="{}")
    base_language: Mapped[str] = mapped_column(sa.String(10), default=default_language)
    languages: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    dots_per_person: Mapped[int | None]
    several_dots_per_item: Mapped[bool] = mapped_column(default=False)
    requires_approval: Mapped[bool] = mapped_column(default=True)
    # Topics one participant may propose here; None takes PARTICIPATION_FORUM_PROPOSALS_PER_PERSON.
    proposals_per_person: Mapped[int | None]
    proposals_open: Mapped[bool] = mapped_column(default=True)
    voting_open: Mapped[bool] = mapped_column(default=False)
    # "Hide results until I reveal them": counts stay in the database, every public view shows none.
    results_hidden: Mapped[bool] = mapped_column(server_default=sa.false())
    # When the facilitator's countdown ends; screens count down to it on their own clock.
    deadline: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Bumped in the same transaction as every change the screens show, so a poll can answer 304 cheaply.
    version: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # When the evening is planned to start, if the facilitator said: the staff home's "next forum session".
    planned_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The partner that holds the forum (see participation.staff.ownership); set on the first flush.
    partner_id: Mapped[int] = mapped_column(sa.ForeignKey("partner.id", ondelete="RESTRICT"), index=True)

    partner: Mapped[Partner] = relationship()
    items: Mapped[list[ForumItem]] = relationship(
        back_populates="session", order_by="ForumItem.position", cascade="all, delete-orphan"
    )

    @property
    def is_open(self) -> bool:
        return self.status is SessionStatus.OPEN

    @property
    def revealed(self) -> bool:
        """Whether counts may be shown now; a closed session always shows its final results."""
        return not self.results_hidden or not self.is_open


class ForumItem(Base):
    """A topic, statement or poll option; proposed by a participant or written by the facilitator."""

    __tablename__ = "forum_item"

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(sa.ForeignKey("forum_session.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    text: Mapped[dict[str, str]] = mapped_column(TranslatedText, default=dict)
    # The language the text was first written in: the page language of the phone that proposed it, else
    # the session's base language; other languages are translations the facilitator added.
    language: Mapped[str | None] = mapped_column(sa.String(10))
    proposed: Mapped[bool] = mapped_column(default=False)
    status: Mapped[ItemStatus] = mapped_column(enum_column(ItemStatus), default=ItemStatus.APPROVED)
    flags: Mapped[list[str] | None] = mapped_column(sa.JSON)
    # A proposal beyond the flood ceiling of its address: shown nowhere until staff release it.
    quarantined: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    # A moderator who cannot read the proposal's language left it for a colleague who can.
    needs_reader: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    session: Mapped[ForumSession] = relationship(back_populates="items")
    themes: Mapped[list[Theme]] = relationship(secondary=forum_item_theme)

    @property
    def source_language(self) -> str:
        return self.language or self.session.base_language


class ForumParticipant(Base):
    """Someone who joined, known only by an HMAC of a cookie token keyed to this session."""

    __tablename__ = "forum_participant"
    __table_args__ = (
        sa.UniqueConstraint("session_id", "participant_hash"),
        # The dot budget is a database rule, not an if: no transaction can spend more than was given.
        sa.CheckConstraint(
            "dots_used >= 0 AND (dots_allowed IS NULL OR dots_used <= dots_allowed)", name="dot_budget"
        ),
        sa.CheckConstraint("proposals_made >= 0", name="proposals_made_not_negative"),
        sa.CheckConstraint("dots_allowed IS NULL OR dots_allowed >= 1", name="dots_allowed_positive"),
        # How many joined is counted from the index alone (results.py), for every page and poll body.
        sa.Index("ix_forum_participant_session_counted", "session_id", "quarantined"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(sa.ForeignKey("forum_session.id", ondelete="CASCADE"))
    participant_hash: Mapped[str] = mapped_column(sa.String(64))
    dots_allowed: Mapped[int | None]
    dots_used: Mapped[int] = mapped_column(default=0)
    # Counted, not linked: no topic records who proposed it.
    proposals_made: Mapped[int] = mapped_column(default=0, server_default="0")
    joined_hour: Mapped[datetime] = mapped_column(UTCDateTime)
    # Joined beyond the flood ceiling of its address: not counted, and its votes and topics are held too.
    quarantined: Mapped[bool] = mapped_column(default=False, server_default=sa.false())


class ForumVote(Base):
    """One participant's vote on one item: a weight (dots) or a position (agree, pass, disagree)."""

    __tablename__ = "forum_vote"
    __table_args__ = (
        sa.UniqueConstraint("item_id", "participant_id"),
        sa.CheckConstraint("weight >= 1", name="weight_positive"),
        sa.CheckConstraint("value IN (-1, 0, 1)", name="value_range"),
        # Everything a session's counts read (results.py), in the order they are grouped by: counting a
        # room's votes never visits the rows. Its prefix serves the lookups by session and item.
        sa.Index("ix_forum_vote_session_counts", "session_id", "item_id", "value", "quarantined", "weight"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(sa.ForeignKey("forum_session.id", ondelete="CASCADE"))
    item_id: Mapped[int] = mapped_column(sa.ForeignKey("forum_item.id", ondelete="CASCADE"))
    participant_id: Mapped[int] = mapped_column(
        sa.ForeignKey("forum_participant.id", ondelete="CASCADE"), index=True
    )
    weight: Mapped[int] = mapped_column(default=1)
    value: Mapped[int] = mapped_column(default=AGREE)
    # Beyond the flood ceiling of its address, or cast by a held participant: counted nowhere until released.
    quarantined: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
