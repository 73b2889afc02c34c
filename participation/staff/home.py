"""The staff home: what needs doing now, told by the capabilities that know (participation.core.signals)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from participation.core import signals
from participation.extensions import db
from participation.staff.models import LoginThrottle


@dataclass(frozen=True)
class HomePart:
    """A section of the staff home that a higher capability adds; the page includes `template` with `part`.

    `position` orders the sections: open surveys at 10, texts to moderate at 20, forum at 30, actions at 40.
    """

    position: int
    template: str
    values: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Lockouts:
    """How many sign-ins the throttle holds back now, and when the last of them opens by itself."""

    count: int
    until: datetime | None


def lockouts(now: datetime) -> Lockouts:
    """The throttle keys pairs of (e-mail, address) by an HMAC, so it can say how many, never whose."""
    count, until = db.session.execute(
        sa.select(sa.func.count(), sa.func.max(LoginThrottle.blocked_until)).where(
            LoginThrottle.blocked_until > now
        )
    ).one()
    return Lockouts(int(count or 0), until)


def home_parts(user: Any, now: datetime) -> list[HomePart]:
    """Every section the capabilities add for this user, in order."""
    parts = signals.answers(signals.staff_home_parts, user=user, now=now)
    return sorted(parts, key=lambda part: part.position)
