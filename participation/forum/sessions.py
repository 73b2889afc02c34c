"""Forum sessions: creating one, finding it by its code, and the facilitator's items and switches."""

from __future__ import annotations

import enum
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _
from sqlalchemy.orm.attributes import set_committed_value

from participation.audit.services import record
from participation.extensions import db
from participation.forum.models import ForumItem, ForumMode, ForumSession, ItemStatus, SessionStatus
from participation.placements.models import Placement
from participation.placements.services import new_code
from participation.themes.models import Theme

# A session's limits, for the facilitator's forms and these rules alike.
TITLE_MAX = 200  # characters of a session's title
PROPOSAL_MAX = 200  # characters of an item: a topic, a statement, a poll option
ITEMS_MAX = 100  # items a facilitator writes in at the start
PROPOSAL_CAP_MAX = 50  # the most proposals per participant a facilitator may allow
DOTS_MAX = 20  # dots per person in dot voting
PROMPT_MAX = 500  # characters of the question put to the room
TIMER_MINUTES = (1, 2, 3, 5, 10, 15)  # the countdowns a facilitator can start


class ForumError(Exception):
    """A participant's action that was refused; `status` is the HTTP status, the message says why."""

    def __init__(self, message: str, status: int = 409) -> None:
        super().__init__(message)
        self.status = status


def proposals_allowed(session: ForumSession) -> int:
    """How many topics one participant may propose in this session."""
    if session.proposals_per_person is not None:
        return session.proposals_per_person
    return int(current_app.config["FORUM_PROPOSALS_PER_PERSON"])


# Built once: every phone's request looks its session up, every vote bumps it, and building a statement
# costs more than running it.
_BY_CODE = sa.select(ForumSession).where(ForumSession.code == sa.bindparam("code"))
_LIVE_STATE = sa.select(
    ForumSession.id, ForumSession.version, ForumSession.status, ForumSession.deadline
).where(ForumSession.code == sa.bindparam("code"))
_BUMP = (
    sa.update(ForumSession)
    .where(ForumSession.id == sa.bindparam("session_id"))
    .values(version=ForumSession.version + 1)
)


def session_by_code(code: str) -> ForumSession | None:
    if not code or len(code) > 16:
        return None
    return db.session.scalar(_BY_CODE, {"code": code.strip().upper()})


def live_state_by_code(code: str, now: datetime) -> tuple[int, int, bool] | None:
    """(id, version, whether a countdown has closed voting) of the session with this code, reading nothing
    else: what a conditional poll needs."""
    if not code or len(code) > 16:
        return None
    row = db.session.execute(_LIVE_STATE, {"code": code.strip().upper()}).first()
    return None if row is None else (row[0], row[1], _ended(row[2], row[3], now))


def all_sessions() -> list[ForumSession]:
    return list(db.session.scalars(sa.select(ForumSession).order_by(ForumSession.id.desc())))


def pending_items(session: ForumSession) -> list[ForumItem]:
    """Proposals waiting for the facilitator; held ones wait on the staff home instead."""
    return [item for item in session.items if item.status is ItemStatus.PENDING and not item.quarantined]


def bump(session: ForumSession) -> None:
    """Tell every screen something changed; call it inside the `db.transaction()` block of the change.

    Screens poll with the version as their ETag, so a bump committed apart from its change would let a
    screen cache a ranking the change has already made stale.
    """
    version = session.__dict__.get("version")  # as loaded; None when not loaded (or expired)
    db.session.execute(_BUMP, {"session_id": session.id}, execution_options={"synchronize_session": False})
    if version is not None:
        # What the ORM's own synchronisation would do, without evaluating the statement in Python
        # again on every vote: the page this request renders shows the version it wrote.
        set_committed_value(session, "version", version + 1)


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
    prompt: str = "",
    planned_at: datetime | None = None,
) -> ForumSession:
    """A new open session with its join code, a placement for the projector's QR, and its first items."""
    with db.transaction():
        code = new_code(title)
        session = ForumSession(
            code=code,
            mode=mode,
            title={base_language: title.strip()},
            prompt={base_language: prompt.strip()} if prompt.strip() else {},
            base_language=base_language,
            languages=list(languages),
            planned_at=planned_at,
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
    return session


def add_item(session: ForumSession, text: str) -> ForumItem:
    text = text.strip()
    if not text or len(text) > PROPOSAL_MAX:
        raise ForumError(_("Write the text, at most %(max)d characters.", max=PROPOSAL_MAX), 422)
    with db.transaction():
        item = ForumItem(position=len(session.items), text={session.base_language: text})
        session.items.append(item)
        bump(session)
        db.session.flush()
        record("forum_item_added", "forum_item", item.id, session=session.code)
    return item


def moderate_item(session: ForumSession, item: ForumItem, status: ItemStatus) -> None:
    """Approve or hide a proposal (also after the session, to tidy what feeds the needs map)."""
    with db.transaction():
        item.status = status
        bump(session)
        record(f"forum_item_{status.value}", "forum_item", item.id, session=session.code)


def set_proposal_cap(session: ForumSession, cap: int) -> None:
    """Set how many topics one participant may propose here (1 to PROPOSAL_CAP_MAX); audited."""
    if not 1 <= cap <= PROPOSAL_CAP_MAX:
        raise ValueError(cap)
    if not session.is_open:
        raise ForumError(_("This session is closed; its results are frozen."))
    with db.transaction():
        session.proposals_per_person = cap
        record("forum_proposal_cap", "forum_session", session.id, cap=cap)


def set_item_themes(item: ForumItem, theme_ids: list[int]) -> None:
    with db.transaction():
        item.themes = list(db.session.scalars(sa.select(Theme).where(Theme.id.in_(theme_ids))))
        record("forum_item_themes", "forum_item", item.id, themes=",".join(str(t) for t in sorted(theme_ids)))


class Control(enum.StrEnum):
    OPEN_VOTING = "open_voting"
    CLOSE_VOTING = "close_voting"
    OPEN_PROPOSALS = "open_proposals"
    CLOSE_PROPOSALS = "close_proposals"
    HIDE_RESULTS = "hide_results"
    REVEAL_RESULTS = "reveal_results"
    CLOSE_SESSION = "close_session"


def control(session: ForumSession, action: Control, now: datetime) -> None:
    """The facilitator's switches; closing the session freezes its results for good.

    Opening voting clears the countdown, so that voting a countdown closed can be opened again.
    """
    if not session.is_open:
        raise ForumError(_("This session is closed; its results are frozen."))
    with db.transaction():
        _settle_countdown(session, now)
        if action is Control.OPEN_VOTING:
            session.deadline = None
        if action is Control.CLOSE_SESSION:
            session.status = SessionStatus.CLOSED
            session.voting_open = session.proposals_open = False
            session.closed_at = now
            session.deadline = None  # the final results need no countdown
        elif action in (Control.HIDE_RESULTS, Control.REVEAL_RESULTS):
            session.results_hidden = action is Control.HIDE_RESULTS
        else:
            session.voting_open = {Control.OPEN_VOTING: True, Control.CLOSE_VOTING: False}.get(
                action, session.voting_open
            )
            session.proposals_open = {Control.OPEN_PROPOSALS: True, Control.CLOSE_PROPOSALS: False}.get(
                action, session.proposals_open
            )
        bump(session)
        record(f"forum_{action.value}", "forum_session", session.id, code=session.code)


def may_reopen(session: ForumSession, now: datetime) -> bool:
    """A session closed today (in the configured time zone) can be opened again by an admin; later not."""
    if session.is_open or session.closed_at is None:
        return False
    zone = ZoneInfo(current_app.config["TIMEZONE"])
    return session.closed_at.astimezone(zone).date() == now.astimezone(zone).date()


def reopen(session: ForumSession, now: datetime) -> None:
    """Undo a close the same day (admins only, checked by the route): open again, voting and proposals shut."""
    if not may_reopen(session, now):
        raise ForumError(_("Only a session closed today can be opened again."))
    with db.transaction():
        session.status = SessionStatus.OPEN
        session.closed_at = None
        bump(session)
        record("forum_reopen", "forum_session", session.id, code=session.code)


def start_timer(session: ForumSession, minutes: int | None, now: datetime) -> None:
    """Start a countdown of one of TIMER_MINUTES on every screen, or stop it (None); audited."""
    if minutes is not None and minutes not in TIMER_MINUTES:
        raise ValueError(minutes)
    if not session.is_open:
        raise ForumError(_("This session is closed; its results are frozen."))
    with db.transaction():
        _settle_countdown(session, now)
        session.deadline = None if minutes is None else now + timedelta(minutes=minutes)
        bump(session)
        # When voting closes by itself is part of the record: the end, computed from it, writes nothing.
        ends = session.deadline.isoformat() if session.deadline is not None else None
        record("forum_timer", "forum_session", session.id, minutes=minutes or 0, ends=ends)


def seconds_left(session: ForumSession, now: datetime) -> int | None:
    """Whole seconds until the countdown ends (0 once it has), None when none runs."""
    if session.deadline is None or not session.is_open:
        return None
    return max(0, int((session.deadline - now).total_seconds() + 0.999))


def time_is_up(session: ForumSession, now: datetime) -> bool:
    """Whether the facilitator's countdown has ended: from then on voting is closed.

    Computed from the stored end, with no job at zero: a vote a moment after the end is refused by the
    same rule that shows every screen voting closed. Opening voting again clears the countdown.
    """
    return _ended(session.status, session.deadline, now)


def _ended(status: SessionStatus, deadline: datetime | None, now: datetime) -> bool:
    return status is SessionStatus.OPEN and deadline is not None and now >= deadline


def voting_is_open(session: ForumSession, now: datetime) -> bool:
    """Whether a vote is taken now: the session and its voting are open and no countdown has ended."""
    return session.is_open and session.voting_open and not time_is_up(session, now)


def _settle_countdown(session: ForumSession, now: datetime) -> None:
    """Write down a close the countdown made, before a change that would otherwise undo it (stopping
    or replacing the countdown would open voting again)."""
    if time_is_up(session, now):
        session.voting_open = False
