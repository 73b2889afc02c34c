"""Forum rules: joining, proposing, voting and withdrawing, facilitating, and the live results."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import datetime

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError

from participation.audit.services import record
from participation.extensions import db
from participation.forum.models import (
    AGREE,
    DISAGREE,
    PASS,
    ForumItem,
    ForumMode,
    ForumParticipant,
    ForumSession,
    ForumVote,
    ItemStatus,
    SessionStatus,
)
from participation.moderation.detection import detect_flags
from participation.placements.models import Placement
from participation.placements.services import new_code
from participation.privacy import truncate_to_hour
from participation.themes.models import Theme

PROPOSAL_MAX = 200
PROPOSALS_PER_PARTICIPANT = 5
ITEMS_MAX = 100


class ForumError(Exception):
    """A participant's action that was refused; `status` is the HTTP status, the message says why."""

    def __init__(self, message: str, status: int = 409) -> None:
        super().__init__(message)
        self.status = status


def session_by_code(code: str) -> ForumSession | None:
    if not code or len(code) > 16:
        return None
    return db.session.scalar(sa.select(ForumSession).where(ForumSession.code == code.strip().upper()))


def _bump(session: ForumSession) -> None:
    """Tell every screen something changed, in the same transaction as the change."""
    db.session.execute(
        sa.update(ForumSession).where(ForumSession.id == session.id).values(version=ForumSession.version + 1)
    )


def current_version(session_id: int) -> int | None:
    return db.session.scalar(sa.select(ForumSession.version).where(ForumSession.id == session_id))


# --- Facilitator ---------------------------------------------------------------------------------


def create_session(
    *,
    title: str,
    base_language: str,
    languages: list[str],
    mode: ForumMode,
    dots_per_person: int | None,
    several_dots_per_item: bool,
    requires_approval: bool,
    items: list[str],
) -> ForumSession:
    """A new open session with its join code, a placement for the projector's QR, and its first items."""
    code = new_code(title)
    session = ForumSession(
        code=code,
        mode=mode,
        title={base_language: title.strip()},
        base_language=base_language,
        languages=list(languages),
        dots_per_person=(
            1 if mode is ForumMode.POLL else dots_per_person if mode is ForumMode.DOTS else None
        ),
        several_dots_per_item=several_dots_per_item and mode is ForumMode.DOTS,
        requires_approval=requires_approval,
        proposals_open=mode is ForumMode.TOPICS,
        # Statements and polls are ready to vote on at once; topics are proposed first.
        voting_open=mode is not ForumMode.TOPICS,
    )
    for position, text in enumerate(items[:ITEMS_MAX]):
        session.items.append(ForumItem(position=position, text={base_language: text.strip()}))
    db.session.add(session)
    db.session.flush()
    db.session.add(Placement(code=code, place=f"Forum: {title.strip()}"[:120], forum_session_id=session.id))
    record("forum_created", "forum_session", session.id, code=code, mode=mode.value)
    db.session.commit()
    return session


def add_item(session: ForumSession, text: str) -> ForumItem:
    text = text.strip()
    if not text or len(text) > PROPOSAL_MAX:
        raise ForumError(_("Write the text, at most %(max)d characters.", max=PROPOSAL_MAX), 422)
    item = ForumItem(position=len(session.items), text={session.base_language: text})
    session.items.append(item)
    _bump(session)
    db.session.flush()
    record("forum_item_added", "forum_item", item.id, session=session.code)
    db.session.commit()
    return item


def moderate_item(session: ForumSession, item: ForumItem, status: ItemStatus) -> None:
    """Approve or hide a proposal (also after the session, to tidy what feeds the needs map)."""
    item.status = status
    _bump(session)
    record(f"forum_item_{status.value}", "forum_item", item.id, session=session.code)
    db.session.commit()


def set_item_themes(item: ForumItem, theme_ids: list[int]) -> None:
    item.themes = list(db.session.scalars(sa.select(Theme).where(Theme.id.in_(theme_ids))))
    record("forum_item_themes", "forum_item", item.id, themes=",".join(str(t) for t in sorted(theme_ids)))
    db.session.commit()


class Control(enum.StrEnum):
    OPEN_VOTING = "open_voting"
    CLOSE_VOTING = "close_voting"
    OPEN_PROPOSALS = "open_proposals"
    CLOSE_PROPOSALS = "close_proposals"
    CLOSE_SESSION = "close_session"


def control(session: ForumSession, action: Control, now: datetime) -> None:
    """The facilitator's switches; closing the session freezes its results for good."""
    if not session.is_open:
        raise ForumError(_("This session is closed; its results are frozen."))
    if action is Control.CLOSE_SESSION:
        session.status = SessionStatus.CLOSED
        session.voting_open = session.proposals_open = False
        session.closed_at = now
    else:
        session.voting_open = {Control.OPEN_VOTING: True, Control.CLOSE_VOTING: False}.get(
            action, session.voting_open
        )
        session.proposals_open = {Control.OPEN_PROPOSALS: True, Control.CLOSE_PROPOSALS: False}.get(
            action, session.proposals_open
        )
    _bump(session)
    record(f"forum_{action.value}", "forum_session", session.id, code=session.code)
    db.session.commit()


# --- Participants --------------------------------------------------------------------------------


def participant_for(session: ForumSession, participant_hash: str, now: datetime) -> ForumParticipant:
    """This device's participant row in the session, created on its first action."""
    query = sa.select(ForumParticipant).where(
        ForumParticipant.session_id == session.id, ForumParticipant.participant_hash == participant_hash
    )
    participant = db.session.scalar(query)
    if participant is not None:
        return participant
    participant = ForumParticipant(
        session_id=session.id,
        participant_hash=participant_hash,
        dots_allowed=session.dots_per_person,
        joined_hour=truncate_to_hour(now),
    )
    db.session.add(participant)
    try:
        db.session.commit()
    except IntegrityError:  # the same device joined in a parallel request
        db.session.rollback()
        participant = db.session.scalar(query)
        assert participant is not None
    return participant


def find_participant(session: ForumSession, participant_hash: str | None) -> ForumParticipant | None:
    if participant_hash is None:
        return None
    return db.session.scalar(
        sa.select(ForumParticipant).where(
            ForumParticipant.session_id == session.id, ForumParticipant.participant_hash == participant_hash
        )
    )


def propose(session: ForumSession, participant: ForumParticipant, text: str, language: str) -> ForumItem:
    """A participant's topic; it waits for the facilitator when the session asks for that or when flagged."""
    if not session.is_open or not session.proposals_open or session.mode is not ForumMode.TOPICS:
        raise ForumError(_("Proposals are closed right now."))
    text = " ".join(text.split())
    if not text:
        raise ForumError(_("Write your topic first."), 422)
    if len(text) > PROPOSAL_MAX:
        raise ForumError(_("Please write at most %(max)d characters.", max=PROPOSAL_MAX), 422)
    if len(session.items) >= ITEMS_MAX:
        raise ForumError(_("This session has as many topics as it can take."))
    flags = detect_flags(text)
    item = ForumItem(
        position=len(session.items),
        text={language: text},
        proposed=True,
        flags=flags,
        status=ItemStatus.PENDING if session.requires_approval or flags else ItemStatus.APPROVED,
    )
    session.items.append(item)
    _bump(session)
    db.session.commit()
    return item


def _votable_item(session: ForumSession, item_id: int) -> ForumItem:
    if not session.is_open:
        raise ForumError(_("This session is closed; its results are frozen."), 410)
    if not session.voting_open:
        raise ForumError(_("Voting is not open right now. Wait for the facilitator."))
    item = db.session.get(ForumItem, item_id)
    if item is None or item.session_id != session.id or item.status is not ItemStatus.APPROVED:
        raise ForumError(_("That is not something you can vote on in this session."), 404)
    return item


def vote(session: ForumSession, participant: ForumParticipant, item_id: int, value: int = AGREE) -> None:
    """Cast (or, for statements, change) a vote; the database refuses a second vote or a dot too many."""
    item = _votable_item(session, item_id)
    if value not in (AGREE, PASS, DISAGREE) or (session.mode is not ForumMode.STATEMENTS and value != AGREE):
        raise ForumError(_("That is not something you can vote on in this session."), 400)
    try:
        _cast(session, participant, item, value)
        _bump(session)
        db.session.commit()
    except IntegrityError:
        # The database refused: a second vote on the item, or a dot beyond the budget.
        db.session.rollback()
        if _my_vote(item, participant) is not None or session.dots_per_person is None:
            raise ForumError(_("You have already voted for this.")) from None
        raise ForumError(
            _("You have used all your votes. Take one back to vote for something else.")
            if session.mode is ForumMode.POLL
            else _("You have used all your dots. Take one back to put it somewhere else.")
        ) from None


def _my_vote(item: ForumItem, participant: ForumParticipant) -> ForumVote | None:
    return db.session.scalar(
        sa.select(ForumVote).where(ForumVote.item_id == item.id, ForumVote.participant_id == participant.id)
    )


def _cast(session: ForumSession, participant: ForumParticipant, item: ForumItem, value: int) -> None:
    existing = _my_vote(item, participant)
    if session.mode is ForumMode.STATEMENTS and existing is not None:
        existing.value = value  # changing one's mind is allowed while voting is open
        return
    if existing is not None and not (session.mode is ForumMode.DOTS and session.several_dots_per_item):
        raise ForumError(_("You have already voted for this."))
    if existing is not None:
        existing.weight = ForumVote.weight + 1
    else:
        db.session.add(
            ForumVote(session_id=session.id, item_id=item.id, participant_id=participant.id, value=value)
        )
    if session.dots_per_person is not None:
        # Spend a dot; the CHECK constraint on the participant row refuses overspending.
        db.session.execute(
            sa.update(ForumParticipant)
            .where(ForumParticipant.id == participant.id)
            .values(dots_used=ForumParticipant.dots_used + 1)
        )


def withdraw(session: ForumSession, participant: ForumParticipant, item_id: int) -> None:
    """Take a vote (or one dot) back while voting is open."""
    item = _votable_item(session, item_id)
    existing = _my_vote(item, participant)
    if existing is None:
        raise ForumError(_("You have no vote here to take back."))
    if existing.weight > 1:
        existing.weight = ForumVote.weight - 1
    else:
        db.session.delete(existing)
    if session.dots_per_person is not None:
        db.session.execute(
            sa.update(ForumParticipant)
            .where(ForumParticipant.id == participant.id)
            .values(dots_used=ForumParticipant.dots_used - 1)
        )
    _bump(session)
    db.session.commit()


# --- Results -------------------------------------------------------------------------------------


@dataclass
class ItemResult:
    item: ForumItem
    votes: int = 0  # weight: dots, votes or poll choices
    agree: int = 0
    disagree: int = 0
    passed: int = 0


@dataclass
class SessionResults:
    session: ForumSession
    items: list[ItemResult]
    participants: int
    version: int
    mine: dict[int, tuple[int, int]] = field(default_factory=dict)  # item id → (weight, value)


def results(session: ForumSession, participant: ForumParticipant | None = None) -> SessionResults:
    """Approved items ranked by votes (statements by agreement), counted in SQL."""
    rows = db.session.execute(
        sa.select(ForumVote.item_id, ForumVote.value, sa.func.sum(ForumVote.weight))
        .where(ForumVote.session_id == session.id)
        .group_by(ForumVote.item_id, ForumVote.value)
    ).all()
    by_item = {item.id: ItemResult(item) for item in session.items if item.status is ItemStatus.APPROVED}
    for item_id, value, weight in rows:
        result = by_item.get(item_id)
        if result is None:
            continue
        weight = int(weight or 0)
        result.votes += weight if value == AGREE else 0
        result.agree += weight if value == AGREE else 0
        result.disagree += weight if value == DISAGREE else 0
        result.passed += weight if value == PASS else 0
    ranked = sorted(by_item.values(), key=lambda r: (-r.votes, r.disagree, r.item.position))
    participants = db.session.scalar(
        sa.select(sa.func.count(ForumParticipant.id)).where(ForumParticipant.session_id == session.id)
    )
    mine: dict[int, tuple[int, int]] = {}
    if participant is not None:
        mine = {
            item_id: (weight, value)
            for item_id, weight, value in db.session.execute(
                sa.select(ForumVote.item_id, ForumVote.weight, ForumVote.value).where(
                    ForumVote.participant_id == participant.id
                )
            )
        }
    return SessionResults(session, ranked, int(participants or 0), session.version, mine)


def dots_left(session: ForumSession, participant: ForumParticipant | None) -> int | None:
    if session.dots_per_person is None:
        return None
    if participant is None:
        return session.dots_per_person
    db.session.refresh(participant)
    return session.dots_per_person - participant.dots_used


def pending_items(session: ForumSession) -> list[ForumItem]:
    return [item for item in session.items if item.status is ItemStatus.PENDING]


def all_sessions() -> list[ForumSession]:
    return list(db.session.scalars(sa.select(ForumSession).order_by(ForumSession.id.desc())))


def record_export(session: ForumSession, kind: str) -> None:
    record("forum_exported", "forum_session", session.id, format=kind)
    db.session.commit()
