"""Taking part in a forum session: joining, proposing topics, voting and taking votes or dots back.

Each action is one `db.transaction()` block. Where two requests can race (the same phone joining twice,
a second vote on an item, a dot beyond the budget) the database's constraints decide: the block's
savepoint is rolled back and the loser reads what won. Inside a request nothing is committed here: a
refused first action answers 4xx, and the request's rollback takes the join it made with it.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import datetime
from typing import Any, cast

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy.exc import IntegrityError

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
)
from participation.forum.sessions import (
    ITEMS_MAX,
    PROPOSAL_MAX,
    ForumError,
    bump,
    proposals_allowed,
    time_is_up,
)
from participation.privacy import truncate_to_hour

# Control characters are never part of an honest topic; format characters (zero-width and direction
# marks) are kept in the text for scripts that need them, but removed before looking for personal data.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def _without_format_characters(text: str) -> str:
    return "".join(char for char in text if unicodedata.category(char) != "Cf")


def _rows_changed(statement: sa.Update | sa.Delete) -> int:
    """Run a guarded UPDATE or DELETE; how many rows it matched says whether its guard held."""
    return int(cast("sa.CursorResult[Any]", db.session.execute(statement)).rowcount or 0)


# --- Participants --------------------------------------------------------------------------------


# Built once, as every phone's request runs them (building a statement costs more than running it).
_PARTICIPANT = sa.select(ForumParticipant).where(
    ForumParticipant.session_id == sa.bindparam("session_id"),
    ForumParticipant.participant_hash == sa.bindparam("participant_hash"),
)
_NEW_VOTE = sa.insert(ForumVote)
_ITEM_AND_MY_VOTE = (
    sa.select(ForumItem, ForumVote)
    .outerjoin(
        ForumVote,
        sa.and_(
            ForumVote.item_id == ForumItem.id, ForumVote.participant_id == sa.bindparam("participant_id")
        ),
    )
    .where(ForumItem.id == sa.bindparam("item_id"))
)
_MY_VOTE = sa.select(ForumVote).where(
    ForumVote.item_id == sa.bindparam("item_id"), ForumVote.participant_id == sa.bindparam("participant_id")
)


def find_participant(session: ForumSession, participant_hash: str | None) -> ForumParticipant | None:
    if participant_hash is None:
        return None
    return db.session.scalar(_PARTICIPANT, {"session_id": session.id, "participant_hash": participant_hash})


def participant_for(session: ForumSession, participant_hash: str, now: datetime) -> ForumParticipant:
    """This device's participant row in the session, created on its first action."""
    participant = find_participant(session, participant_hash)
    if participant is not None:
        return participant
    # A join beyond the address's ceiling is held, and so is everything this participant does.
    held = not within_ceiling(Flow.JOIN, session.id)
    try:
        with db.transaction():
            participant = ForumParticipant(
                session_id=session.id,
                participant_hash=participant_hash,
                dots_allowed=session.dots_per_person,
                joined_hour=truncate_to_hour(now),
                quarantined=held,
            )
            db.session.add(participant)
            if held:
                hold(BurstKind.FORUM, session.id, now)
            else:
                bump(session)  # the screens show how many joined
            db.session.flush()
    except IntegrityError:  # the same device joined in a parallel request: the unique key decided
        participant = find_participant(session, participant_hash)
        assert participant is not None
    return participant


def dots_left(session: ForumSession, participant: ForumParticipant | None) -> int | None:
    if session.dots_per_person is None:
        return None
    if participant is None:
        return session.dots_per_person
    db.session.refresh(participant)
    return session.dots_per_person - participant.dots_used


# --- Proposing -----------------------------------------------------------------------------------


def _count_items(session: ForumSession) -> int:
    return int(
        db.session.scalar(
            sa.select(sa.func.count(ForumItem.id)).where(
                ForumItem.session_id == session.id, ~ForumItem.quarantined
            )
        )
        or 0
    )


def _topic_text(session: ForumSession, text: str) -> str:
    """The topic as it will be stored, once the session may take it; else a ForumError saying why."""
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
    return text


def _spend_a_proposal(session: ForumSession, participant: ForumParticipant) -> None:
    """Count one more topic against the participant's allowance, in one statement so that races cannot pass."""
    allowed = proposals_allowed(session)
    spent = _rows_changed(
        sa.update(ForumParticipant)
        .where(ForumParticipant.id == participant.id, ForumParticipant.proposals_made < allowed)
        .values(proposals_made=ForumParticipant.proposals_made + 1)
        .execution_options(synchronize_session=False)
    )
    if not spent:
        raise ForumError(
            ngettext(
                "You have proposed %(num)d topic, as many as one person can in this session. You can still vote.",
                "You have proposed %(num)d topics, as many as one person can in this session. You can still vote.",
                allowed,
            ),
            409,
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
    text = _topic_text(session, text)
    with db.transaction():
        _spend_a_proposal(session, participant)
        held = participant.quarantined or not within_ceiling(Flow.PROPOSAL, session.id)
        flags = detect_flags(_without_format_characters(text))
        item = ForumItem(
            position=len(session.items),
            text={language: text},
            language=language,  # shown with its own lang and dir on phones in other languages
            proposed=True,
            flags=flags,
            status=ItemStatus.PENDING if session.requires_approval or flags else ItemStatus.APPROVED,
            quarantined=held,
        )
        session.items.append(item)
        if held:
            hold(BurstKind.FORUM, session.id, now or utcnow())
        else:
            bump(session)
        db.session.flush()
    return item


# --- Voting --------------------------------------------------------------------------------------


def _votable_item(
    session: ForumSession, participant: ForumParticipant, item_id: int, now: datetime
) -> tuple[ForumItem, ForumVote | None]:
    """The item to vote on, with the participant's vote on it if there is one: one statement."""
    if not session.is_open:
        raise ForumError(_("This session is closed; its results are frozen."), 410)
    if time_is_up(session, now):
        raise ForumError(_("Time is up. Voting is closed."))
    if not session.voting_open:
        raise ForumError(_("Voting is not open right now. Wait for the facilitator."))
    found = db.session.execute(
        _ITEM_AND_MY_VOTE, {"item_id": item_id, "participant_id": participant.id}
    ).first()
    item = found[0] if found is not None else None
    if item is None or item.session_id != session.id or item.status is not ItemStatus.APPROVED:
        raise ForumError(_("That is not something you can vote on in this session."), 404)
    return item, found[1] if found is not None else None


def _my_vote(item: ForumItem, participant: ForumParticipant) -> ForumVote | None:
    return db.session.scalar(_MY_VOTE, {"item_id": item.id, "participant_id": participant.id})


def _spend_dots(participant: ForumParticipant, dots: int) -> None:
    """Spend (or, negative, give back) dots; the CHECK constraint on the participant row refuses overspending."""
    db.session.execute(
        sa.update(ForumParticipant)
        .where(ForumParticipant.id == participant.id)
        .values(dots_used=ForumParticipant.dots_used + dots)
    )


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
    Once the facilitator's countdown has ended no vote is taken (sessions.time_is_up).
    """
    now = now or utcnow()
    try:
        with db.transaction():
            # Read in the block, as the vote it may change: on SQLite under the writer's lock.
            item, existing = _votable_item(session, participant, item_id, now)
            if value not in (AGREE, PASS, DISAGREE) or (
                session.mode is not ForumMode.STATEMENTS and value != AGREE
            ):
                raise ForumError(_("That is not something you can vote on in this session."), 400)
            held = _cast(session, participant, item, value, existing)
            if held:
                hold(BurstKind.FORUM, session.id, now)
            else:
                bump(session)
            db.session.flush()
    except IntegrityError:
        # The database refused: a second vote on the item, or a dot beyond the budget.
        if _my_vote(item, participant) is not None or session.dots_per_person is None:
            raise ForumError(_("You have already voted for this.")) from None
        raise ForumError(
            _("You have used all your votes. Take one back to vote for something else.")
            if session.mode is ForumMode.POLL
            else _("You have used all your dots. Take one back to put it somewhere else.")
        ) from None


def _cast(
    session: ForumSession,
    participant: ForumParticipant,
    item: ForumItem,
    value: int,
    existing: ForumVote | None,
) -> bool:
    """Add or change the vote (`existing`, the participant's vote on the item); True when it is a new vote
    held in quarantine."""
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
        # One statement, not an object for the unit of work to flush: nothing in this request reads the
        # vote back, and the unique key refuses a second one here as it would at the flush.
        db.session.execute(
            _NEW_VOTE,
            {
                "session_id": session.id,
                "item_id": item.id,
                "participant_id": participant.id,
                "value": value,
                "quarantined": held,
            },
        )
    if session.dots_per_person is not None:
        _spend_dots(participant, 1)
    return held and existing is None


def withdraw(
    session: ForumSession, participant: ForumParticipant, item_id: int, *, now: datetime | None = None
) -> None:
    """Take a vote (or one dot) back while voting is open (not after the countdown has ended).

    Each change is one statement guarded by what it expects to find, so that two parallel take-backs of
    a single vote give back one dot, not two: the second finds nothing left and is refused.
    """
    _item, existing = _votable_item(session, participant, item_id, now or utcnow())
    if existing is None:
        raise ForumError(_("You have no vote here to take back."))
    with db.transaction():
        taken = _rows_changed(
            sa.update(ForumVote)
            .where(ForumVote.id == existing.id, ForumVote.weight > 1)
            .values(weight=ForumVote.weight - 1)
        ) or _rows_changed(sa.delete(ForumVote).where(ForumVote.id == existing.id, ForumVote.weight == 1))
        if not taken:
            raise ForumError(_("You have no vote here to take back."))
        if session.dots_per_person is not None:
            _spend_dots(participant, -1)
        bump(session)
