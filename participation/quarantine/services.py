"""The staff side of flood quarantine: each open burst's size and hour, and releasing or discarding it.

Holding rows is `participation.core.floods`, used by the surveys and the forum while they store.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa

from participation.audit.services import record
from participation.core.changes import execute_counted
from participation.core.floods import BurstKind, BurstStatus, FloodBurst
from participation.extensions import db
from participation.forum.models import ForumItem, ForumParticipant, ForumSession, ForumVote
from participation.staff import ownership
from participation.staff.models import User
from participation.surveys.models import Response, Survey
from participation.surveys.releases import release_if_due


@dataclass
class BurstView:
    """An open burst as the staff home shows it: what it came to, how many rows, since when."""

    burst: FloodBurst
    title: dict[str, str]
    base_language: str
    responses: int = 0
    joins: int = 0
    votes: int = 0
    proposals: int = 0


def _count(model: type, *conditions: sa.ColumnExpressionArgument[bool]) -> int:
    return int(db.session.scalar(sa.select(sa.func.count()).select_from(model).where(*conditions)) or 0)


def scope_object(burst: FloodBurst) -> Survey | ForumSession | None:
    """The survey or forum session the burst came to (its partner decides about it)."""
    if burst.kind is BurstKind.SURVEY:
        return db.session.get(Survey, burst.scope_id)
    return db.session.get(ForumSession, burst.scope_id)


def _view(burst: FloodBurst, scope: Survey | ForumSession) -> BurstView:
    view = BurstView(burst, scope.title, scope.base_language)
    if burst.kind is BurstKind.SURVEY:
        view.responses = _count(Response, Response.survey_id == burst.scope_id, Response.quarantined)
        return view
    view.joins = _count(
        ForumParticipant, ForumParticipant.session_id == burst.scope_id, ForumParticipant.quarantined
    )
    view.votes = _count(ForumVote, ForumVote.session_id == burst.scope_id, ForumVote.quarantined)
    view.proposals = _count(ForumItem, ForumItem.session_id == burst.scope_id, ForumItem.quarantined)
    return view


def open_bursts(user: User) -> list[BurstView]:
    """The bursts waiting for this user's decision, newest first: their partner's (an admin's: all)."""
    bursts = db.session.scalars(
        sa.select(FloodBurst).where(FloodBurst.status == BurstStatus.OPEN).order_by(FloodBurst.id.desc())
    )
    views = []
    for burst in bursts:
        scope = scope_object(burst)
        if scope is not None and ownership.can_change(user, scope):
            views.append(_view(burst, scope))
    return views


def _held(model: type, scope_column: sa.SQLColumnExpression[int], scope_id: int) -> sa.ColumnElement[bool]:
    return sa.and_(scope_column == scope_id, model.quarantined)  # type: ignore[attr-defined]


def _release_rows(burst: FloodBurst) -> None:
    # Every bulk statement goes through execute_counted, which tells the needs map if it moves a count.
    if burst.kind is BurstKind.SURVEY:
        execute_counted(
            sa.update(Response)
            .where(_held(Response, Response.survey_id, burst.scope_id))
            .values(quarantined=False)
            .execution_options(synchronize_session=False)
        )
        return
    for model in (ForumParticipant, ForumVote, ForumItem):
        execute_counted(
            sa.update(model)
            .where(_held(model, model.session_id, burst.scope_id))
            .values(quarantined=False)
            .execution_options(synchronize_session=False)
        )


def _discard_rows(burst: FloodBurst) -> None:
    if burst.kind is BurstKind.SURVEY:
        # Answers go with their response (ON DELETE CASCADE).
        execute_counted(
            sa.delete(Response)
            .where(_held(Response, Response.survey_id, burst.scope_id))
            .execution_options(synchronize_session=False)
        )
        return
    session = db.session.get(ForumSession, burst.scope_id)
    if session is not None and session.dots_per_person is not None:
        # Give back the dots that admitted participants spent on votes that are now thrown away.
        spent = db.session.execute(
            sa.select(ForumVote.participant_id, sa.func.sum(ForumVote.weight))
            .join(ForumParticipant, ForumParticipant.id == ForumVote.participant_id)
            .where(_held(ForumVote, ForumVote.session_id, burst.scope_id), ~ForumParticipant.quarantined)
            .group_by(ForumVote.participant_id)
        ).all()
        for participant_id, weight in spent:
            execute_counted(
                sa.update(ForumParticipant)
                .where(ForumParticipant.id == participant_id)
                .values(dots_used=ForumParticipant.dots_used - int(weight or 0))
                .execution_options(synchronize_session=False)
            )
    # Votes first, then items and participants (whose remaining votes go with them by cascade).
    for model in (ForumVote, ForumItem, ForumParticipant):
        execute_counted(
            sa.delete(model)
            .where(_held(model, model.session_id, burst.scope_id))
            .execution_options(synchronize_session=False)
        )


def decide(burst: FloodBurst, *, release: bool, user: User, now: datetime) -> None:
    """Release a burst (its rows count from now on) or discard it (its rows are deleted); audited."""
    with db.transaction():
        if release:
            _release_rows(burst)
        else:
            _discard_rows(burst)
        if burst.kind is BurstKind.FORUM:
            execute_counted(
                sa.update(ForumSession)
                .where(ForumSession.id == burst.scope_id)
                .values(version=ForumSession.version + 1)
                .execution_options(synchronize_session=False)
            )
        burst.status = BurstStatus.RELEASED if release else BurstStatus.DISCARDED
        burst.decided_at = now
        burst.decided_by_id = user.id
        record(
            "flood_burst_released" if release else "flood_burst_discarded",
            "flood_burst",
            burst.id,
            user=user,
            kind=burst.kind.value,
            scope=burst.scope_id,
            count=burst.count,
        )
        db.session.flush()
    db.session.expire_all()  # the bulk statements changed rows the session may hold
    if release and burst.kind is BurstKind.SURVEY:
        release_if_due()  # released responses wait for the next release of results, like any others
