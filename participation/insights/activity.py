"""Activity per day for an administrator: responses, poster scans and forum joins, and what is held.

A day is a calendar day in the configured time zone. Responses (once released) and joins are people, so
each day's count is protected as every other count of people (perturbed, "fewer than k" below k); scans are visits to a
short link, kept per day and never per device, and are shown as counted, as on the placements page.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask import current_app

from participation.core.floods import BurstStatus, FloodBurst
from participation.extensions import db
from participation.forum.models import ForumParticipant
from participation.placements.models import PlacementScan
from participation.suppression import Count, counted_sql, protect
from participation.surveys.models import Response

DAYS = 14


@dataclass(frozen=True)
class Day:
    day: date
    responses: int | None  # None: fewer than k
    scans: int
    joins: int | None


@dataclass(frozen=True)
class Activity:
    days: list[Day]  # newest first
    held_responses: int | None  # waiting in quarantine, protected like the other counts of people
    open_bursts: int


def _zone() -> ZoneInfo:
    return ZoneInfo(current_app.config["TIMEZONE"])


def _per_day(hour_column: Any, id_column: Any, since: datetime, *where: Any) -> dict[date, Count]:
    """Counts of records per local day, from their hour (kept to the hour only) and their ids."""
    n, keys = counted_sql(id_column)
    rows = db.session.execute(
        sa.select(hour_column, n, keys).where(hour_column >= since, *where).group_by(hour_column)
    )
    days: dict[date, Count] = defaultdict(Count)
    zone = _zone()
    for hour, count, key in rows:
        day = hour.astimezone(zone).date()
        days[day] = Count(days[day].n + int(count), days[day].key + int(key))
    return days


def activity(now: datetime, k: int, days: int = DAYS) -> Activity:
    """The last `days` days up to today (local), and what waits in quarantine now."""
    today = now.astimezone(_zone()).date()
    first = today - timedelta(days=days - 1)
    since = datetime.combine(first, datetime.min.time(), _zone())
    # Released responses only, as everywhere counts of answers are shown: one new answer does not move a
    # figure on its own, so comparing the page before and after someone answers tells nothing about them.
    responses = _per_day(
        Response.submitted_hour,
        Response.id,
        since,
        Response.quarantined.is_(False),
        Response.release_id.is_not(None),
    )
    joins = _per_day(ForumParticipant.joined_hour, ForumParticipant.id, since)
    scans = {
        day: int(total or 0)
        for day, total in db.session.execute(
            sa.select(PlacementScan.day, sa.func.sum(PlacementScan.count))
            .where(PlacementScan.day >= first)
            .group_by(PlacementScan.day)
        )
    }
    held_n, held_keys = counted_sql(Response.id)
    held = db.session.execute(sa.select(held_n, held_keys).where(Response.quarantined.is_(True))).one()
    bursts = db.session.scalar(
        sa.select(sa.func.count(FloodBurst.id)).where(FloodBurst.status == BurstStatus.OPEN)
    )
    return Activity(
        days=[
            Day(
                day=day,
                responses=protect(responses.get(day, Count()), k),
                scans=scans.get(day, 0),
                joins=protect(joins.get(day, Count()), k),
            )
            for day in (today - timedelta(days=back) for back in range(days))
        ],
        held_responses=protect(Count(int(held[0]), int(held[1])), k),
        open_bursts=int(bursts or 0),
    )
