"""Surveys, their questions and options, and the anonymous responses and answers to them."""

from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from participation.core.changes import RELEASED, TEXT, counted
from participation.database import Base, TranslatedText, UTCDateTime, enum_column, utcnow
from participation.i18n.languages import default_language
from participation.staff.models import Partner
from participation.staff.ownership import Owned
from participation.themes.models import Theme


class QuestionKind(enum.StrEnum):
    SINGLE_CHOICE = "single_choice"
    MULTIPLE_CHOICE = "multiple_choice"
    SCALE = "scale"
    YES_NO = "yes_no"
    RANKING = "ranking"
    FREE_TEXT = "free_text"
    NUMBER = "number"

    @property
    def has_options(self) -> bool:
        return self in {QuestionKind.SINGLE_CHOICE, QuestionKind.MULTIPLE_CHOICE, QuestionKind.RANKING}

    @property
    def is_closed(self) -> bool:
        """Closed questions have a fixed set of answers that can be counted."""
        return self not in {QuestionKind.FREE_TEXT, QuestionKind.NUMBER}


class SurveyStatus(enum.StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"
    ARCHIVED = "archived"


class DisplayStatus(enum.StrEnum):
    """What a survey is right now, read from its status and its opening and closing times."""

    DRAFT = "draft"
    SCHEDULED = "scheduled"  # published, opens later
    OPEN = "open"
    CLOSED = "closed"  # published, past its closing time
    ARCHIVED = "archived"


class ProfileField(enum.StrEnum):
    AGE_BAND = "age_band"
    GENDER = "gender"
    LIVES_IN_AREA = "lives_in_area"


PROFILE_CHOICES: dict[ProfileField, tuple[str, ...]] = {
    ProfileField.AGE_BAND: ("under_13", "13_15", "16_19", "20_25", "over_25"),
    ProfileField.GENDER: ("girl", "boy", "other", "rather_not_say"),
    ProfileField.LIVES_IN_AREA: ("yes", "nearby", "no"),
}

# The limits of a survey, in one place for the models, the builder's forms, the participant's form, the
# services and the XLSForm reader and writer.
SCALE_POINTS = 5
FREE_TEXT_MAX = 500  # characters of one free-text answer
RANKING_MAX = 3  # places in a ranking
NUMBER_LIMIT = 1_000_000  # a number answer lies within ±NUMBER_LIMIT unless the question narrows it
TEXT_LIMITS = {
    "title": 200,
    "intro": 1000,
    "thanks": 1000,
    "prompt": 500,
    "label": 200,
}  # staff-written texts
SLUG_MAX = 80  # characters of a survey's web address (the part after /s/)
KEY_MAX = 60  # characters of a question's or option's short name in exports
CHOICES_MAX = 10  # the most choices a question may allow
RETENTION_DAYS = (30, 3650)  # the range staff may keep answers for

# The needs map counts by these tags (participation.core.changes: every row and column counts).
question_theme = sa.Table(
    "question_theme",
    Base.metadata,
    sa.Column("question_id", sa.ForeignKey("question.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("theme_id", sa.ForeignKey("theme.id", ondelete="CASCADE"), primary_key=True),
    info=counted(),
)

option_theme = sa.Table(
    "option_theme",
    Base.metadata,
    sa.Column("option_id", sa.ForeignKey("option.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("theme_id", sa.ForeignKey("theme.id", ondelete="CASCADE"), primary_key=True),
    info=counted(),
)


class Survey(Owned, Base):
    """A short survey, with its text in every language it offers."""

    __tablename__ = "survey"
    __table_args__ = (
        sa.CheckConstraint(
            "opens_at IS NULL OR closes_at IS NULL OR closes_at > opens_at", name="closes_after_opens"
        ),
        sa.CheckConstraint("retention_days IS NULL OR retention_days > 0", name="retention_days_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(sa.String(SLUG_MAX), unique=True)
    status: Mapped[SurveyStatus] = mapped_column(enum_column(SurveyStatus), default=SurveyStatus.DRAFT)
    base_language: Mapped[str] = mapped_column(sa.String(10), default=default_language)
    languages: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    title: Mapped[dict[str, str]] = mapped_column(TranslatedText, default=dict)
    intro: Mapped[dict[str, str]] = mapped_column(TranslatedText, default=dict)
    thanks: Mapped[dict[str, str]] = mapped_column(TranslatedText, default=dict)
    profile_fields: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    opens_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closes_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    retention_days: Mapped[int | None]
    # Staff chose to offer languages that are not fully translated (their missing texts show in the base).
    offer_incomplete: Mapped[bool] = mapped_column(server_default=sa.false())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # The partner that runs the survey (see participation.staff.ownership); set on the first flush.
    partner_id: Mapped[int] = mapped_column(sa.ForeignKey("partner.id", ondelete="RESTRICT"), index=True)

    partner: Mapped[Partner] = relationship()

    questions: Mapped[list[Question]] = relationship(
        back_populates="survey", order_by="Question.position", cascade="all, delete-orphan"
    )

    def display_status(self, now: datetime) -> DisplayStatus:
        """The one answer to "what is this survey now?" for every staff page that shows it."""
        if self.status is SurveyStatus.DRAFT:
            return DisplayStatus.DRAFT
        if self.status is SurveyStatus.ARCHIVED:
            return DisplayStatus.ARCHIVED
        if self.opens_at is not None and now < self.opens_at:
            return DisplayStatus.SCHEDULED
        if self.closes_at is not None and now >= self.closes_at:
            return DisplayStatus.CLOSED
        return DisplayStatus.OPEN

    def is_open(self, now: datetime) -> bool:
        """Published, and now within the opening and closing times."""
        if self.status is not SurveyStatus.PUBLISHED:
            return False
        if self.opens_at is not None and now < self.opens_at:
            return False
        return self.closes_at is None or now < self.closes_at


class Question(Base):
    """One question of a survey. Options belong to choice and ranking questions only."""

    __tablename__ = "question"
    __table_args__ = (
        sa.UniqueConstraint("survey_id", "key"),
        sa.CheckConstraint(
            "min_value IS NULL OR max_value IS NULL OR min_value <= max_value", name="min_not_above_max"
        ),
        sa.CheckConstraint("max_choices IS NULL OR max_choices >= 1", name="max_choices_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(sa.ForeignKey("survey.id", ondelete="CASCADE"), index=True)
    key: Mapped[str] = mapped_column(sa.String(KEY_MAX))
    position: Mapped[int] = mapped_column(default=0)
    kind: Mapped[QuestionKind] = mapped_column(enum_column(QuestionKind), info=counted())  # scale or not
    prompt: Mapped[dict[str, str]] = mapped_column(TranslatedText, default=dict)
    # A scale's own words for point 1 and point 5 ("Inte alls trygg", "Mycket trygg"), per language; when
    # empty the generic words show. The answer stays a point 1–5 either way.
    scale_low: Mapped[dict[str, str] | None] = mapped_column(TranslatedText)
    scale_high: Mapped[dict[str, str] | None] = mapped_column(TranslatedText)
    required: Mapped[bool] = mapped_column(default=False)
    max_choices: Mapped[int | None]
    min_value: Mapped[int | None]
    max_value: Mapped[int | None]
    # use_alter: question and option refer to each other, so this key is added after both tables exist.
    show_if_option_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("option.id", ondelete="SET NULL", use_alter=True)
    )

    survey: Mapped[Survey] = relationship(back_populates="questions")
    options: Mapped[list[Option]] = relationship(
        back_populates="question",
        order_by="Option.position",
        cascade="all, delete-orphan",
        foreign_keys="Option.question_id",
    )
    show_if_option: Mapped[Option | None] = relationship(foreign_keys=[show_if_option_id])
    themes: Mapped[list[Theme]] = relationship(secondary=question_theme)

    @property
    def has_scale_ends(self) -> bool:
        """Whether this scale has its own end words in some language."""
        return any(
            (text or "").strip()
            for texts in (self.scale_low, self.scale_high)
            for text in (texts or {}).values()
        )


class Option(Base):
    """A choice in a single, multiple choice or ranking question."""

    __tablename__ = "option"
    __table_args__ = (sa.UniqueConstraint("question_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    question_id: Mapped[int] = mapped_column(
        sa.ForeignKey("question.id", ondelete="CASCADE"), index=True, info=counted()
    )
    key: Mapped[str] = mapped_column(sa.String(KEY_MAX))
    position: Mapped[int] = mapped_column(default=0)
    label: Mapped[dict[str, str]] = mapped_column(TranslatedText, default=dict)

    question: Mapped[Question] = relationship(back_populates="options", foreign_keys=[question_id])
    themes: Mapped[list[Theme]] = relationship(secondary=option_theme)


class ResultRelease(Base):
    """A release of results: the responses it made visible, at least k of them (participation.surveys.releases).

    Holds no personal data: when (to the hour) and how many.
    """

    __tablename__ = "result_release"
    __table_args__ = (sa.CheckConstraint("responses >= 0", name="responses_not_negative"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    released_hour: Mapped[datetime] = mapped_column(UTCDateTime)
    responses: Mapped[int] = mapped_column(default=0)


class Response(Base):
    """One anonymous submission. No name, IP or device id; the time is kept to the hour only."""

    __tablename__ = "response"
    __table_args__ = (
        # One response per device per survey; kiosk responses carry no respondent hash.
        sa.UniqueConstraint("survey_id", "respondent_hash"),
        sa.Index("ix_response_survey_id_submitted_hour", "survey_id", "submitted_hour"),
    )

    # Counted from its release on (which the needs map notices by the release's number); deleting it counts.
    id: Mapped[int] = mapped_column(primary_key=True, info=counted(inserted=RELEASED))
    survey_id: Mapped[int] = mapped_column(sa.ForeignKey("survey.id", ondelete="CASCADE"))
    placement_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("placement.id", ondelete="SET NULL"), index=True, info=counted()
    )
    # HMAC of the device's cookie token keyed per survey: cannot be linked across surveys.
    respondent_hash: Mapped[str | None] = mapped_column(sa.String(64))
    # HMAC of the key of the rendered form, so a double tap or a replay stores one response.
    idempotency_key: Mapped[str] = mapped_column(sa.String(64), unique=True)
    submitted_hour: Mapped[datetime] = mapped_column(UTCDateTime, info=counted())  # its term
    language: Mapped[str] = mapped_column(sa.String(10))
    age_band: Mapped[str | None] = mapped_column(sa.String(20), info=counted())
    gender: Mapped[str | None] = mapped_column(sa.String(20), info=counted())
    lives_in_area: Mapped[str | None] = mapped_column(sa.String(20))
    # Set only when the participant opted in to follow-up; withdrawing deletes the link row and this goes null.
    follow_up_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("follow_up.id", ondelete="SET NULL"), index=True
    )

    # The release that made it count in results (participation.surveys.releases); null until then.
    release_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("result_release.id"), index=True, info=counted(RELEASED)
    )

    # Beyond the flood ceiling of its address: stored, but left out of every result until staff release it.
    quarantined: Mapped[bool] = mapped_column(default=False, server_default=sa.false())

    answers: Mapped[list[Answer]] = relationship(back_populates="response", cascade="all, delete-orphan")


class ModerationStatus(enum.StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    HIDDEN = "hidden"
    REDACTED = "redacted"


# The free texts that may be shown beyond the moderators (quotes, coding, exports): approved as written,
# or redacted by a moderator. Pending and hidden texts never leave the moderation queue.
PUBLISHABLE = (ModerationStatus.APPROVED, ModerationStatus.REDACTED)


class Answer(Base):
    """One value of a response: an option (with a rank for ranking), a number, or a free text."""

    __tablename__ = "answer"
    __table_args__ = (
        sa.UniqueConstraint("response_id", "question_id", "option_id"),
        sa.Index("ix_answer_question_id_option_id", "question_id", "option_id"),
        sa.CheckConstraint("rank IS NULL OR (rank >= 1 AND rank <= 3)", name="rank_range"),
        # Exactly one of the three: a choice (ranked or not), a number (scale, yes/no, number) or a text.
        sa.CheckConstraint(
            "(CASE WHEN option_id IS NULL THEN 0 ELSE 1 END)"
            " + (CASE WHEN value_int IS NULL THEN 0 ELSE 1 END)"
            " + (CASE WHEN text_value IS NULL THEN 0 ELSE 1 END) = 1",
            name="one_value",
        ),
        sa.CheckConstraint("rank IS NULL OR option_id IS NOT NULL", name="rank_with_option"),
        # Every free text waits for a person's decision before it can be shown; nothing else is moderated.
        sa.CheckConstraint("(text_value IS NULL) = (moderation_status IS NULL)", name="moderated_when_text"),
    )

    id: Mapped[int] = mapped_column(primary_key=True, info=counted())
    response_id: Mapped[int] = mapped_column(
        sa.ForeignKey("response.id", ondelete="CASCADE"), index=True, info=counted()
    )
    question_id: Mapped[int] = mapped_column(sa.ForeignKey("question.id", ondelete="CASCADE"), info=counted())
    option_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("option.id", ondelete="RESTRICT"), info=counted()
    )
    rank: Mapped[int | None] = mapped_column(sa.SmallInteger)
    value_int: Mapped[int | None] = mapped_column(info=counted())
    text_value: Mapped[str | None] = mapped_column(sa.Text)
    # Moderation publishes a free text or takes it back: only the coded texts are counted again.
    moderation_status: Mapped[ModerationStatus | None] = mapped_column(
        enum_column(ModerationStatus), info=counted(TEXT)
    )
    # Reasons found automatically to look twice (personal data, abuse); only on free text.
    flags: Mapped[list[str] | None] = mapped_column(sa.JSON)
    # A moderator who cannot read the text's language leaves it for a colleague who can.
    needs_reader: Mapped[bool] = mapped_column(server_default=sa.false())

    response: Mapped[Response] = relationship(back_populates="answers")
