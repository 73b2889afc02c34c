"""Flood ceilings per address, and the quarantine of what goes beyond them until a staff member decides.

A ceiling never refuses anything: a submission beyond it is stored with `quarantined` set and counted in
its scope's open burst, and every result leaves quarantined rows out until the burst is released. The
counters live in the rate limiter's storage (memory://, or Redis shared by every process), keyed by an
HMAC of the address (`participation.privacy.client_key`); the database never sees the address.
"""

from __future__ import annotations

import enum
import logging
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache

import sqlalchemy as sa
from flask import current_app, has_request_context
from limits import RateLimitItem, parse_many
from limits.errors import StorageError
from limits.strategies import MovingWindowRateLimiter
from sqlalchemy.exc import IntegrityError

from participation.audit.services import record
from participation.extensions import db, limiter
from participation.forum.models import ForumItem, ForumParticipant, ForumSession, ForumVote
from participation.insights.models import DataChange
from participation.privacy import client_key, truncate_to_hour
from participation.quarantine.models import BurstKind, BurstStatus, FloodBurst
from participation.staff import ownership
from participation.staff.models import User
from participation.surveys.models import Response, Survey
from participation.surveys.releases import release_if_due

log = logging.getLogger(__name__)


class Flow(enum.StrEnum):
    """What a ceiling counts: each has its own limits, set by a PARTICIPATION_FLOOD_* variable."""

    RESPONSE = "response"
    JOIN = "join"
    VOTE = "vote"
    PROPOSAL = "proposal"


_SETTING = {
    Flow.RESPONSE: "FLOOD_RESPONSES",
    Flow.JOIN: "FLOOD_JOINS",
    Flow.VOTE: "FLOOD_VOTES",
    Flow.PROPOSAL: "FLOOD_PROPOSALS",
}
_STORAGE_FAILURES = (StorageError, ConnectionError, OSError)


@lru_cache(maxsize=32)
def _parse(setting: str) -> tuple[RateLimitItem, ...]:
    return tuple(parse_many(setting))


def ceilings(flow: Flow) -> tuple[RateLimitItem, ...]:
    """The configured limits of a flow, for example 150 per 10 minutes and 800 per 4 hours."""
    return _parse(current_app.config[_SETTING[flow]])


def check_configuration(config: dict[str, object]) -> None:
    """Refuse to start with a ceiling that does not parse, rather than fail on the first submission."""
    for setting in _SETTING.values():
        try:
            _parse(str(config[setting]))
        except ValueError as error:
            raise ValueError(f"PARTICIPATION_{setting}: {error}") from error


def _as_tuple(exceptions: type[Exception] | tuple[type[Exception], ...]) -> tuple[type[Exception], ...]:
    return exceptions if isinstance(exceptions, tuple) else (exceptions,)


def within_ceiling(flow: Flow, scope_id: int) -> bool:
    """Count this submission against the address's ceilings in this scope; False once it goes beyond.

    A moving window, so a burst cannot hide in the seam between two fixed windows. If the storage is
    unreachable the submission counts as usual: an outage must not quarantine a youth centre.
    """
    if not current_app.config["FLOOD_CEILINGS"] or not has_request_context():
        return True  # switched off, or not a request (the demo, a command): no address to count
    storage = limiter.storage
    strategy = MovingWindowRateLimiter(storage)
    identifiers = ("flood", flow.value, str(scope_id), client_key())
    try:
        return all(strategy.hit(item, *identifiers) for item in ceilings(flow))
    except (*_STORAGE_FAILURES, *_as_tuple(storage.base_exceptions)):
        log.warning("flood ceiling storage unavailable; %s not checked", flow.value)
        return True


def hold(kind: BurstKind, scope_id: int, now: datetime) -> None:
    """Count one more held row in the scope's open burst, opening one if none is; in the caller's transaction."""
    db.session.flush()  # the caller's rows first, so their own conflicts surface as theirs
    hour = truncate_to_hour(now)
    bump = (
        sa.update(FloodBurst)
        .where(
            FloodBurst.kind == kind, FloodBurst.scope_id == scope_id, FloodBurst.status == BurstStatus.OPEN
        )
        .values(count=FloodBurst.count + 1, last_hour=hour)
        .execution_options(synchronize_session=False)
    )
    if db.session.execute(bump).rowcount:
        return
    try:
        with db.session.begin_nested():
            db.session.add(
                FloodBurst(kind=kind, scope_id=scope_id, started_hour=hour, last_hour=hour, count=1)
            )
    except IntegrityError:  # a parallel request opened the burst first: the unique index decided
        db.session.execute(bump)


# --- Staff -----------------------------------------------------------------------------------------


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


def _count(model: type, *conditions: sa.ColumnElement[bool]) -> int:
    return int(db.session.scalar(sa.select(sa.func.count()).select_from(model).where(*conditions)) or 0)


def scope_object(burst: FloodBurst) -> Survey | ForumSession | None:
    """The survey or forum session the burst came to (its partner decides about it)."""
    return db.session.get(Survey if burst.kind is BurstKind.SURVEY else ForumSession, burst.scope_id)


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


def _held(model: type, scope_column: sa.ColumnElement[int], scope_id: int) -> sa.ColumnElement[bool]:
    return sa.and_(scope_column == scope_id, model.quarantined)  # type: ignore[attr-defined]


def _release_rows(burst: FloodBurst) -> None:
    if burst.kind is BurstKind.SURVEY:
        db.session.execute(
            sa.update(Response)
            .where(_held(Response, Response.survey_id, burst.scope_id))
            .values(quarantined=False)
            .execution_options(synchronize_session=False)
        )
        return
    for model in (ForumParticipant, ForumVote, ForumItem):
        db.session.execute(
            sa.update(model)
            .where(_held(model, model.session_id, burst.scope_id))
            .values(quarantined=False)
            .execution_options(synchronize_session=False)
        )


def _discard_rows(burst: FloodBurst) -> None:
    if burst.kind is BurstKind.SURVEY:
        # Answers go with their response (ON DELETE CASCADE).
        db.session.execute(
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
            db.session.execute(
                sa.update(ForumParticipant)
                .where(ForumParticipant.id == participant_id)
                .values(dots_used=ForumParticipant.dots_used - int(weight or 0))
                .execution_options(synchronize_session=False)
            )
    # Votes first, then items and participants (whose remaining votes go with them by cascade).
    for model in (ForumVote, ForumItem, ForumParticipant):
        db.session.execute(
            sa.delete(model)
            .where(_held(model, model.session_id, burst.scope_id))
            .execution_options(synchronize_session=False)
        )


def decide(burst: FloodBurst, *, release: bool, user: User, now: datetime) -> None:
    """Release a burst (its rows count from now on) or discard it (its rows are deleted); audited."""
    if release:
        _release_rows(burst)
    else:
        _discard_rows(burst)
    if burst.kind is BurstKind.FORUM:
        db.session.execute(
            sa.update(ForumSession)
            .where(ForumSession.id == burst.scope_id)
            .values(version=ForumSession.version + 1)
            .execution_options(synchronize_session=False)
        )
    # Bulk statements bypass the needs map's change listener: tell it to count everything again.
    db.session.add(DataChange(scope="all"))
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
    db.session.commit()
    db.session.expire_all()
    if release and burst.kind is BurstKind.SURVEY:
        release_if_due()  # released responses wait for the next release of results, like any others
