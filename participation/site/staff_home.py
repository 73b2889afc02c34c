"""The sections of the staff home that the higher capabilities know: open surveys with this week's
responses, texts waiting for moderation, forum sessions running now and actions with no news.

The staff capability owns the page (participation.staff.home) but sits below all of these; the site, at
the top, answers its signal. Every count of people goes through participation.suppression.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask import Flask, current_app

from participation.actions.models import Action, ActionStatus
from participation.core import signals
from participation.extensions import db
from participation.forum.models import ForumSession, SessionStatus
from participation.moderation import queue
from participation.staff import ownership
from participation.staff.home import HomePart
from participation.staff.models import Role
from participation.suppression import Count, counted_sql, protect, threshold
from participation.surveys.models import Response
from participation.surveys.queries import open_surveys
from participation.surveys.releases import released

STALE_ACTION_DAYS = 30
LIST_MAX = 5


def init_app(app: Flask) -> None:
    for receiver in (_surveys, _moderation, _forum, _actions):
        signals.staff_home_parts.connect(receiver, sender=app, weak=False)


def _mine(query: Any, model: Any) -> Any:
    """Only the signed-in user's partner's rows; an admin sees every partner's."""
    partner_id = ownership.scope_partner()
    return query if partner_id is None else query.where(model.partner_id == partner_id)


def _day_and_week_start(now: datetime) -> tuple[datetime, datetime]:
    """Midnight today and on this week's Monday, in the initiative's time zone."""
    local = now.astimezone(ZoneInfo(current_app.config["TIMEZONE"]))
    today = local.replace(hour=0, minute=0, second=0, microsecond=0)
    return today, today - timedelta(days=today.weekday())


def _released_since(survey_ids: list[int], since: datetime) -> dict[int, Count]:
    rows = db.session.execute(
        sa.select(Response.survey_id, *counted_sql(Response.id))
        .where(Response.survey_id.in_(survey_ids), released(), Response.submitted_hour >= since)
        .group_by(Response.survey_id)
    )
    return {survey_id: Count(int(n), int(key)) for survey_id, n, key in rows}


def _surveys(_app: Flask, *, user: Any, now: datetime) -> HomePart:
    surveys = [survey for survey in open_surveys(now) if ownership.can_read(user, survey)]
    today, monday = _day_and_week_start(now)
    ids = [survey.id for survey in surveys]
    day, week, k = _released_since(ids, today), _released_since(ids, monday), threshold()
    rows = [
        (survey, protect(day.get(survey.id, Count()), k), protect(week.get(survey.id, Count()), k))
        for survey in surveys
    ]
    return HomePart(10, "staff/_home_surveys.html", {"rows": rows, "k": k})


def _moderation(_app: Flask, *, user: Any, now: datetime) -> HomePart | None:
    if user.role is Role.ANALYST:
        return None  # analysts do not moderate
    partner_id = ownership.scope_partner()
    oldest = queue.oldest_pending_hour(partner_id=partner_id)
    waited = None if oldest is None else max(0, int((now - oldest).total_seconds() // 3600))
    return HomePart(
        20,
        "staff/_home_moderation.html",
        {"pending": queue.pending_count(partner_id=partner_id), "waited_hours": waited},
    )


def _forum(_app: Flask, *, user: Any, now: datetime) -> HomePart | None:
    if user.role is Role.ANALYST:
        return None  # the forum's staff pages are for staff and admins
    query = _mine(sa.select(ForumSession).where(ForumSession.status == SessionStatus.OPEN), ForumSession)
    started = sa.or_(ForumSession.planned_at.is_(None), ForumSession.planned_at <= now)
    running = list(db.session.scalars(query.where(started).order_by(ForumSession.created_at.desc())))
    upcoming = db.session.scalars(
        query.where(ForumSession.planned_at > now).order_by(ForumSession.planned_at, ForumSession.id).limit(1)
    ).first()
    return HomePart(
        30,
        "staff/_home_forum.html",
        {"running": running[:LIST_MAX], "more": len(running) > LIST_MAX, "upcoming": upcoming},
    )


def _actions(_app: Flask, *, user: Any, now: datetime) -> HomePart:
    """Actions still open with no news for a month, and ones not yet published: young people wait for both."""
    still_open = Action.status.in_([ActionStatus.HEARD, ActionStatus.DECIDED, ActionStatus.IN_PROGRESS])
    stale = Action.updated_at < now - timedelta(days=STALE_ACTION_DAYS)
    due = sa.or_(sa.and_(still_open, stale), Action.published.is_(False))
    query = _mine(sa.select(Action).where(due), Action).order_by(Action.updated_at)
    actions = list(db.session.scalars(query))
    return HomePart(
        40,
        "staff/_home_actions.html",
        {"due": actions[:LIST_MAX], "total": len(actions), "stale_days": STALE_ACTION_DAYS},
    )
