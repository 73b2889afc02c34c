"""A forum session's counts: the true ones from SQL, and the public ones for the projector, phones and exports."""

from __future__ import annotations

from dataclasses import dataclass, field

import sqlalchemy as sa

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
)
from participation.suppression import Cell, Count, cell, exact_at_least, record_key_sql, threshold

_COUNT_OF_VALUE = {AGREE: "agree", DISAGREE: "disagree", PASS: "pass"}


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

    def add(self, value: int, weight: int, keys: int) -> None:
        """Add the votes of one value; agreeing is what votes, dots and poll choices count as."""
        name = _COUNT_OF_VALUE[value]
        if value == AGREE:
            self.votes += weight
            self.agree += weight
            self.keys["votes"] += keys
        elif value == DISAGREE:
            self.disagree += weight
        else:
            self.passed += weight
        self.keys[name] += keys


@dataclass
class SessionResults:
    session: ForumSession
    items: list[ItemResult]
    participants: int
    version: int
    mine: dict[int, tuple[int, int]] = field(default_factory=dict)  # item id → (weight, value)


def _shown(item: ForumItem) -> bool:
    """Approved by the facilitator (or unflagged with approval off), and not held in quarantine."""
    return item.status is ItemStatus.APPROVED and not item.quarantined


# Built once: every page and results.json body runs them, and building a statement costs more than
# running it. Each takes the session's (or participant's) id as its parameter.
_COUNTS = (
    sa.select(
        ForumVote.item_id,
        ForumVote.value,
        sa.func.sum(ForumVote.weight),
        sa.func.sum(record_key_sql(ForumVote.id) * ForumVote.weight),
    )
    .where(ForumVote.session_id == sa.bindparam("session_id"), ~ForumVote.quarantined)
    .group_by(ForumVote.item_id, ForumVote.value)
)
# count(*): the id is never null, and without it PostgreSQL can count from the index alone too.
_PARTICIPANTS = (
    sa.select(sa.func.count())
    .select_from(ForumParticipant)
    .where(ForumParticipant.session_id == sa.bindparam("session_id"), ~ForumParticipant.quarantined)
)
_MINE = sa.select(ForumVote.item_id, ForumVote.weight, ForumVote.value).where(
    ForumVote.participant_id == sa.bindparam("participant_id")
)


def _item_results(session: ForumSession) -> list[ItemResult]:
    """The shown items with their counted votes, ranked by votes (statements by agreement)."""
    rows = db.session.execute(_COUNTS, {"session_id": session.id}).all()
    by_item = {item.id: ItemResult(item) for item in session.items if _shown(item)}
    for item_id, value, weight, keys in rows:
        result = by_item.get(item_id)
        if result is not None and value in _COUNT_OF_VALUE:
            result.add(value, int(weight or 0), int(keys or 0))
    return sorted(by_item.values(), key=lambda r: (-r.votes, r.disagree, r.item.position))


def _participants(session: ForumSession) -> int:
    return int(db.session.scalar(_PARTICIPANTS, {"session_id": session.id}) or 0)


def _votes_of(participant: ForumParticipant) -> dict[int, tuple[int, int]]:
    """A participant always sees their own votes, held or not: item id → (weight, value)."""
    return {
        item_id: (weight, value)
        for item_id, weight, value in db.session.execute(_MINE, {"participant_id": participant.id})
    }


def session_results(session: ForumSession, participant: ForumParticipant | None = None) -> SessionResults:
    """Approved items ranked by votes (statements by agreement), counted in SQL; held rows left out.

    These are the true counts: anything shown outside the database goes through public_counts first.
    """
    mine = _votes_of(participant) if participant is not None else {}
    return SessionResults(session, _item_results(session), _participants(session), session.version, mine)


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


def record_export(session: ForumSession, kind: str) -> None:
    with db.transaction():
        record("forum_exported", "forum_session", session.id, format=kind)
