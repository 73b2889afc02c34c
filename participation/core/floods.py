"""Flood ceilings per address, and holding what goes beyond them in quarantine until a staff member decides.

A ceiling never refuses anything: a submission beyond it is stored with `quarantined` set and counted in
its scope's open burst, and every result leaves quarantined rows out until the burst is released (the staff
side is `participation.quarantine`). The counters live in the rate limiter's storage (memory://, or Redis
shared by every process), keyed by an HMAC of the address (`participation.privacy.client_key`); the
database never sees the address. No address, no device in a burst either: a count and an hour.
"""

from __future__ import annotations

import enum
import logging
import math
import time
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any, cast

import sqlalchemy as sa
from flask import current_app, has_request_context
from flask_babel import format_timedelta
from flask_babel import gettext as _
from limits import RateLimitItem, parse_many
from limits.errors import StorageError
from limits.strategies import MovingWindowRateLimiter
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, mapped_column

from participation.database import Base, UTCDateTime, enum_column
from participation.extensions import db, limiter
from participation.privacy import client_key, truncate_to_hour

log = logging.getLogger(__name__)


class BurstKind(enum.StrEnum):
    SURVEY = "survey"  # responses to one survey; scope_id is the survey's id
    FORUM = "forum"  # joins, votes and proposals in one forum session; scope_id is the session's id


class BurstStatus(enum.StrEnum):
    OPEN = "open"  # its rows are held out of every result
    RELEASED = "released"  # a staff member let its rows count
    DISCARDED = "discarded"  # a staff member deleted its rows


class FloodBurst(Base):
    """Rows held in quarantine for one survey or forum session; one open burst per scope at a time.

    Every held row of a scope belongs to that scope's open burst, so releasing the burst releases
    exactly the rows with `quarantined` set in that scope. No address, no device: a count and an hour.
    """

    __tablename__ = "flood_burst"
    __table_args__ = (
        sa.CheckConstraint("count >= 0", name="count_not_negative"),
        sa.CheckConstraint("(status = 'open') = (decided_at IS NULL)", name="decided_when_closed"),
        sa.Index(
            "ix_flood_burst_one_open",
            "kind",
            "scope_id",
            unique=True,
            sqlite_where=sa.text("status = 'open'"),
            postgresql_where=sa.text("status = 'open'"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[BurstKind] = mapped_column(enum_column(BurstKind))
    scope_id: Mapped[int]
    started_hour: Mapped[datetime] = mapped_column(UTCDateTime)
    last_hour: Mapped[datetime] = mapped_column(UTCDateTime)
    count: Mapped[int] = mapped_column(default=0)
    status: Mapped[BurstStatus] = mapped_column(enum_column(BurstStatus), default=BurstStatus.OPEN)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decided_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id", ondelete="SET NULL"))


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
    except _STORAGE_FAILURES + _as_tuple(storage.base_exceptions):
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
    # An UPDATE without RETURNING gives a CursorResult; the session's types only promise a Result.
    if cast(sa.CursorResult[Any], db.session.execute(bump)).rowcount:
        return
    try:
        with db.session.begin_nested():
            db.session.add(
                FloodBurst(kind=kind, scope_id=scope_id, started_hour=hour, last_hour=hour, count=1)
            )
    except IntegrityError:  # a parallel request opened the burst first: the unique index decided
        db.session.execute(bump)


# --- Telling a participant when to try again ----------------------------------------------------


def retry_after_seconds() -> int:
    """Seconds until the limit this request broke lets the next one through (at least one)."""
    current = limiter.current_limit
    if current is None:
        return 60
    # reset_at is rounded up a second; never promise more than one window.
    return min(max(1, math.ceil(current.reset_at - time.time())), current.limit.get_expiry())


def try_again_message(seconds: int) -> str:
    """'… please send it again in 40 seconds.', with the time in the participant's language."""
    when = format_timedelta(timedelta(seconds=seconds), add_direction=True, threshold=1)
    return _(
        "That was a lot in a short time. Everything you wrote is still here: please send it again %(when)s.",
        when=when,
    )
