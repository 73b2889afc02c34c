"""What the API adds beyond surveys and the needs map: indicators, placements and forum results.

Each goes through the same rule as the page that shows it:
- indicators are shared measurement (every partner's staff reads them on /staff/measurement/): only
  approved values leave, and a value computed from answers was stored only when its groups reached k
  (participation.measurement.services.computed_points);
- a placement's responses are protected counts (participation.placements.services.placement_stats), and
  its scans, which count page openings and no person, are shown as they are from k up and hidden below,
  per day as in total (suppression.exact_at_least);
- a forum session's results are its public counts (participation.forum.results.public_counts), exactly
  what the projector and results.json show.

Placements and forum sessions are a partner's own data: a token sees its own partner's only, and
another partner's answers 404 like one that does not exist (participation.staff.ownership).
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from participation.api.services import cell
from participation.extensions import db
from participation.forum import results as forum_results
from participation.forum.models import ForumSession
from participation.i18n.languages import localise
from participation.measurement import services as measurement
from participation.measurement.models import Indicator, PointStatus
from participation.placements.models import Placement, PlacementScan
from participation.placements.services import PlacementStats, placement_stats
from participation.suppression import exact_at_least

INDICATOR_LANGUAGE = "sv"  # indicators have no base language of their own: the staff pages fall back to it


def indicators(lang: str) -> list[dict[str, Any]]:
    return [_indicator(item, lang) for item in measurement.indicators()]


def _indicator(item: Indicator, lang: str) -> dict[str, Any]:
    curve = measurement.curve(item)
    return {
        "id": item.id,
        "name": localise(item.name, lang, INDICATOR_LANGUAGE).text,
        "definition": localise(item.definition, lang, INDICATOR_LANGUAGE).text,
        "goal": item.goal.slug,
        "unit": item.unit,
        "polarity": item.polarity.value,
        "source": item.source,
        "owner": item.owner.name,
        "baseline": _term_value(item.baseline_period, item.baseline_value),
        "target": _term_value(item.target_period, item.target_value),
        "values": [
            {
                "period": point.period,
                "value": point.value,
                "n": point.n,
                "computed": point.computed,
                "story": localise(point.story, lang, INDICATOR_LANGUAGE).text or None,
            }
            for point in item.points
            if point.status is PointStatus.APPROVED
        ],
        "forecast": [{"period": period, "value": value} for period, value in curve.forecast],
        "turning": curve.turning,
    }


def _term_value(period: int | None, value: float | None) -> dict[str, Any] | None:
    return {"period": period, "value": value} if period is not None and value is not None else None


def placements(partner_id: int, k: int) -> list[dict[str, Any]]:
    return [_placement(row, k) for row in placement_stats(k) if row.placement.partner_id == partner_id]


def placement(partner_id: int, placement_id: int, k: int) -> dict[str, Any] | None:
    """One of the partner's placements with its scans per day; None for another partner's or none."""
    found = db.session.get(Placement, placement_id)
    if found is None or found.partner_id != partner_id:
        return None
    row = next(row for row in placement_stats(k) if row.placement.id == placement_id)
    days = db.session.execute(
        sa.select(PlacementScan.day, PlacementScan.count)
        .where(PlacementScan.placement_id == placement_id, PlacementScan.count > 0)
        .order_by(PlacementScan.day)
    ).all()
    return {
        **_placement(row, k),
        "days": [{"day": day.isoformat(), **cell(exact_at_least(count, k))} for day, count in days],
    }


def _placement(row: PlacementStats, k: int) -> dict[str, Any]:
    item = row.placement
    return {
        "id": item.id,
        "code": item.code,
        "place": item.place,
        "survey": item.survey.slug if item.survey is not None else None,
        "forum_session": item.forum_session_id,
        "language": item.language,
        "retired": item.retired_at is not None,
        "scans": cell(exact_at_least(row.scans, k)),
        "responses": cell(row.responses),
        "conversion": row.conversion,
    }


def forum_sessions(partner_id: int, k: int, lang: str) -> list[dict[str, Any]]:
    found = db.session.scalars(
        sa.select(ForumSession).where(ForumSession.partner_id == partner_id).order_by(ForumSession.id)
    )
    return [_session(session, k, lang) for session in found]


def forum_session(partner_id: int, session_id: int, k: int, lang: str) -> dict[str, Any] | None:
    """One of the partner's forum sessions with its public results; None for another partner's or none."""
    session = db.session.get(ForumSession, session_id)
    if session is None or session.partner_id != partner_id:
        return None
    public = forum_results.public_counts(session, forum_results.session_results(session), k)
    return {
        **_session(session, k, lang, public),
        "items": [
            {
                "id": item.item.id,
                "text": localise(item.item.text, lang, session.base_language).text,
                "themes": [theme.slug for theme in item.item.themes],
                "counts": {name: cell(value) for name, value in item.cells.items()},
            }
            for item in public.items
        ],
    }


def _session(
    session: ForumSession, k: int, lang: str, public: forum_results.PublicCounts | None = None
) -> dict[str, Any]:
    if public is None:
        public = forum_results.public_counts(session, forum_results.session_results(session), k)
    return {
        "id": session.id,
        "code": session.code,
        "mode": session.mode.value,
        "status": session.status.value,
        "title": localise(session.title, lang, session.base_language).text,
        "created_at": session.created_at.isoformat(),
        "closed_at": session.closed_at.isoformat() if session.closed_at else None,
        "participants": cell(public.participants),
    }
