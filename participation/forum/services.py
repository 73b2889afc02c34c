"""Forum rules: joining, proposing, voting and withdrawing, facilitating, and the live results."""

from __future__ import annotations

import enum
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, cast

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy.exc import IntegrityError

from participation.audit.services import record
from participation.core.floods import BurstKind, Flow, hold, within_ceiling
from participation.core.hygiene import has_visible_text
from participation.core.textflags import detect_flags
from participation.database import utcnow
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
from participation.placements.models import Placement
from participation.placements.services import new_code
from participation.privacy import truncate_to_hour
from participation.suppression import Cell, Count, cell, exact_at_least, record_key_sql, threshold
from participation.themes.models import Theme

PROPOSAL_MAX = 200
ITEMS_MAX = 100
PROPOSAL_CAP_MAX = 50
# Control characters are never part of an honest topic; format characters (zero-width and direction
# marks) are kept in the text for scripts that need them, but removed before looking for personal data.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


class ForumError(Exception):
    """A participant's action that was refused; `status` is the HTTP status, the message says why."""

    def __init__(self, message: str, status: int = 409) -> None:
        super().__init__(message)
        self.status = status


def _without_format_characters(text: str) -> str:
    return "".join(char for char in text if unicodedata.category(char) != "Cf")


def proposals_allowed(session: ForumSession) -> int:
    """How many topics one participant may propose in this session."""
    if session.proposals_per_person is not None:
        return session.proposals_per_person
    return int(current_app.config["FORUM_PROPOSALS_PER_PERSON"])


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
    db.session.add(
        Placement(
            code=code,
            place=f"Forum: {title.strip()}"[:120],
            forum_session_id=session.id,
            partner_id=session.partner_id,
        )
    )
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


def set_proposal_cap(session: ForumSession, cap: int) -> None:
    """Set how many topics one participant may propose here (1 to PROPOSAL_CAP_MAX); audited."""
    if not 1 <= cap <= PROPOSAL_CAP_MAX:
        raise ValueError(cap)
    if not session.is_open:
        raise ForumError(_("This session is closed; its results are frozen."))
    session.proposals_per_person = cap
    record("forum_proposal_cap", "forum_session", session.id, cap=cap)
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
    # A join beyond the address's ceiling is held, and so is everything this participant does.
    held = not within_ceiling(Flow.JOIN, session.id)
    participant = ForumParticipant(
        session_id=session.id,
        participant_hash=participant_hash,
        dots_allowed=session.dots_per_person,
        joined_hour=truncate_to_hour(now),
        quarantined=held,
    )
    db.session.add(participant)
    try:
        if held:
            hold(BurstKind.FORUM, session.id, now)
        db.session.commit()
    except IntegrityError:  # the same device joined in a parallel request
        db.session.rollback()
        participant = db.session.scalar(query)
        assert participant is not None
    return participant


def take_back_join(participant: ForumParticipant) -> None:
    """A phone that joined only to have its first vote or topic refused: nothing of it is kept.

    Only while it has neither a vote nor a topic; a join held in quarantine stays with its burst, which
    counted it (staff discard it there).
    """
    db.session.rollback()
    if participant.quarantined:
        return
    db.session.execute(
        sa.delete(ForumParticipant).where(
            ForumParticipant.id == participant.id,
            ForumParticipant.proposals_made == 0,
            ~sa.exists().where(ForumVote.participant_id == ForumParticipant.id),
        )
    )
    db.session.commit()


def find_participant(session: ForumSession, participant_hash: str | None) -> ForumParticipant | None:
    if participant_hash is None:
        return None
    return db.session.scalar(
        sa.select(ForumParticipant).where(
            ForumParticipant.session_id == session.id, ForumParticipant.participant_hash == participant_hash
        )
    )


def propose(
    session: ForumSession,
    participant: ForumParticipant,
    text: str,
    language: str,
    *,
    now: datetime | None = None,
) -> ForumItem:
    """A participant's topic; it waits for the facilitator when the session asks for that or when flagged.

    Beyond the flood ceiling of the address it is stored but held: shown nowhere until staff release it.
    """
    if not session.is_open or not session.proposals_open or session.mode is not ForumMode.TOPICS:
        raise ForumError(_("Proposals are closed right now."))
    text = " ".join(_CONTROL.sub("", text).split())
    if not has_visible_text(text):
        raise ForumError(_("Write your topic first."), 422)
    if len(text) > PROPOSAL_MAX:
        raise ForumError(_("Please write at most %(max)d characters.", max=PROPOSAL_MAX), 422)
    # Held proposals do not fill the session: a flood cannot crowd out the room's own topics.
    if _count_items(session) >= ITEMS_MAX:
        raise ForumError(_("This session has as many topics as it can take."))
    allowed = proposals_allowed(session)
    spend = db.session.execute(
        sa.update(ForumParticipant)
        .where(ForumParticipant.id == participant.id, ForumParticipant.proposals_made < allowed)
        .values(proposals_made=ForumParticipant.proposals_made + 1)
        .execution_options(synchronize_session=False)
    )
    if not cast(sa.CursorResult[Any], spend).rowcount:  # an UPDATE's; the session only promises a Result
        db.session.rollback()
        raise ForumError(
            ngettext(
                "You have proposed %(num)d topic, as many as one person can in this session. You can still vote.",
                "You have proposed %(num)d topics, as many as one person can in this session. You can still vote.",
                allowed,
            ),
            409,
        )
    held = participant.quarantined or not within_ceiling(Flow.PROPOSAL, session.id)
    flags = detect_flags(_without_format_characters(text))
    item = ForumItem(
        position=len(session.items),
        text={language: text},
        proposed=True,
        flags=flags,
        status=ItemStatus.PENDING if session.requires_approval or flags else ItemStatus.APPROVED,
        quarantined=held,
    )
    session.items.append(item)
    if held:
        hold(BurstKind.FORUM, session.id, now or utcnow())
    else:
        _bump(session)
    db.session.commit()
    return item


def _count_items(session: ForumSession) -> int:
    return int(
        db.session.scalar(
            sa.select(sa.func.count(ForumItem.id)).where(
                ForumItem.session_id == session.id, ~ForumItem.quarantined
            )
        )
        or 0
    )


def _votable_item(session: ForumSession, item_id: int) -> ForumItem:
    if not session.is_open:
        raise ForumError(_("This session is closed; its results are frozen."), 410)
    if not session.voting_open:
        raise ForumError(_("Voting is not open right now. Wait for the facilitator."))
    item = db.session.get(ForumItem, item_id)
    if item is None or item.session_id != session.id or item.status is not ItemStatus.APPROVED:
        raise ForumError(_("That is not something you can vote on in this session."), 404)
    return item


def vote(
    session: ForumSession,
    participant: ForumParticipant,
    item_id: int,
    value: int = AGREE,
    *,
    now: datetime | None = None,
) -> None:
    """Cast (or, for statements, change) a vote; the database refuses a second vote or a dot too many.

    A new vote beyond the flood ceiling of the address, or by a held participant, is stored but held.
    """
    item = _votable_item(session, item_id)
    if value not in (AGREE, PASS, DISAGREE) or (session.mode is not ForumMode.STATEMENTS and value != AGREE):
        raise ForumError(_("That is not something you can vote on in this session."), 400)
    try:
        held = _cast(session, participant, item, value)
        if held:
            hold(BurstKind.FORUM, session.id, now or utcnow())
        else:
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


def _cast(session: ForumSession, participant: ForumParticipant, item: ForumItem, value: int) -> bool:
    """Add or change the vote; True when it is a new vote held in quarantine."""
    existing = _my_vote(item, participant)
    if session.mode is ForumMode.STATEMENTS and existing is not None:
        existing.value = value  # changing one's mind is allowed while voting is open
        return False
    if existing is not None and not (session.mode is ForumMode.DOTS and session.several_dots_per_item):
        raise ForumError(_("You have already voted for this."))
    held = False
    if existing is not None:
        existing.weight = ForumVote.weight + 1  # one more dot on a vote already counted (or held)
        held = existing.quarantined
    else:
        held = participant.quarantined or not within_ceiling(Flow.VOTE, session.id)
        db.session.add(
            ForumVote(
                session_id=session.id,
                item_id=item.id,
                participant_id=participant.id,
                value=value,
                quarantined=held,
            )
        )
    if session.dots_per_person is not None:
        # Spend a dot; the CHECK constraint on the participant row refuses overspending.
        db.session.execute(
            sa.update(ForumParticipant)
            .where(ForumParticipant.id == participant.id)
            .values(dots_used=ForumParticipant.dots_used + 1)
        )
    return held and existing is None


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
    # Per count, the sum of its votes' record keys (a vote of several dots counts its key as often).
    keys: dict[str, int] = field(
        default_factory=lambda: dict.fromkeys(("votes", "agree", "disagree", "pass"), 0)
    )

    def count(self, name: str) -> Count:
        value = {"votes": self.votes, "agree": self.agree, "disagree": self.disagree, "pass": self.passed}[
            name
        ]
        return Count(value, self.keys[name])


@dataclass
class SessionResults:
    session: ForumSession
    items: list[ItemResult]
    participants: int
    version: int
    mine: dict[int, tuple[int, int]] = field(default_factory=dict)  # item id → (weight, value)


def results(session: ForumSession, participant: ForumParticipant | None = None) -> SessionResults:
    """Approved items ranked by votes (statements by agreement), counted in SQL; held rows left out.

    These are the true counts: anything shown outside the database goes through public_counts first.
    """
    rows = db.session.execute(
        sa.select(
            ForumVote.item_id,
            ForumVote.value,
            sa.func.sum(ForumVote.weight),
            sa.func.sum(record_key_sql(ForumVote.id) * ForumVote.weight),
        )
        .where(ForumVote.session_id == session.id, ~ForumVote.quarantined)
        .group_by(ForumVote.item_id, ForumVote.value)
    ).all()
    by_item = {item.id: ItemResult(item) for item in session.items if _shown(item)}
    for item_id, value, weight, keys in rows:
        result = by_item.get(item_id)
        if result is None:
            continue
        weight, keys = int(weight or 0), int(keys or 0)
        name = {AGREE: "agree", DISAGREE: "disagree", PASS: "pass"}.get(value)
        if name is None:
            continue
        result.votes += weight if value == AGREE else 0
        result.agree += weight if value == AGREE else 0
        result.disagree += weight if value == DISAGREE else 0
        result.passed += weight if value == PASS else 0
        result.keys[name] += keys
        if value == AGREE:
            result.keys["votes"] += keys
    ranked = sorted(by_item.values(), key=lambda r: (-r.votes, r.disagree, r.item.position))
    participants = db.session.scalar(
        sa.select(sa.func.count(ForumParticipant.id)).where(
            ForumParticipant.session_id == session.id, ~ForumParticipant.quarantined
        )
    )
    mine: dict[int, tuple[int, int]] = {}
    if participant is not None:
        # A participant always sees their own votes, held or not.
        mine = {
            item_id: (weight, value)
            for item_id, weight, value in db.session.execute(
                sa.select(ForumVote.item_id, ForumVote.weight, ForumVote.value).where(
                    ForumVote.participant_id == participant.id
                )
            )
        }
    return SessionResults(session, ranked, int(participants or 0), session.version, mine)


def _shown(item: ForumItem) -> bool:
    """Approved by the facilitator (or unflagged with approval off), and not held in quarantine."""
    return item.status is ItemStatus.APPROVED and not item.quarantined


STATEMENT_FIELDS = ("agree", "disagree", "pass")


@dataclass(frozen=True)
class PublicItem:
    """One item's counts as they may be shown: each a Cell, None inside when hidden."""

    item: ForumItem
    cells: dict[str, Cell]  # "votes", or "agree", "disagree", "pass" for statements


@dataclass(frozen=True)
class PublicCounts:
    """A session's results as they may leave the database: ranked by what is shown, small counts hidden."""

    session: ForumSession
    items: list[PublicItem]
    participants: Cell
    k: int
    version: int


def public_counts(session: ForumSession, results: SessionResults, k: int | None = None) -> PublicCounts:
    """The one place forum counts pass the disclosure rule, for the projector, phones, results.json and exports.

    Statements and polls are answers about oneself ("I have been threatened at school"): each of their
    counts is protected like every other figure (participation.suppression), perturbed by the noise of its
    own votes and hidden below k, so neither a small count nor "total minus the others" comes out. Topic
    and dot votes rank the room's proposals and say nothing about the voter, and a meeting must see which
    topic won: they are shown as they are from k up (`exact_at_least`), as is how many joined. The ranking
    follows the shown counts, hidden ones as zero, so the order gives nothing away that the numbers hide.
    """
    k = threshold() if k is None else k
    statements = session.mode is ForumMode.STATEMENTS
    about_oneself = session.mode in (ForumMode.STATEMENTS, ForumMode.POLL)
    names = ("agree", "disagree", "pass") if statements else ("votes",)

    def figure(result: ItemResult, name: str) -> Cell:
        count = result.count(name)
        return cell(count, None, k) if about_oneself else exact_at_least(count.n, k)

    items = [
        PublicItem(result.item, {name: figure(result, name) for name in names}) for result in results.items
    ]

    def shown(name: str, public: PublicItem) -> int:
        cell = public.cells.get(name)
        return cell.count or 0 if cell is not None else 0

    first = "agree" if statements else "votes"
    items.sort(key=lambda p: (-shown(first, p), shown("disagree", p), p.item.position))
    participants = exact_at_least(results.participants, k)
    return PublicCounts(session, items, participants, k, results.version)


def dots_left(session: ForumSession, participant: ForumParticipant | None) -> int | None:
    if session.dots_per_person is None:
        return None
    if participant is None:
        return session.dots_per_person
    db.session.refresh(participant)
    return session.dots_per_person - participant.dots_used


def pending_items(session: ForumSession) -> list[ForumItem]:
    """Proposals waiting for the facilitator; held ones wait on the staff home instead."""
    return [item for item in session.items if item.status is ItemStatus.PENDING and not item.quarantined]


def all_sessions() -> list[ForumSession]:
    return list(db.session.scalars(sa.select(ForumSession).order_by(ForumSession.id.desc())))


def record_export(session: ForumSession, kind: str) -> None:
    record("forum_exported", "forum_session", session.id, format=kind)
    db.session.commit()
