"""Placement rules: finding a live placement by code and counting its scans per day."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from participation.extensions import db
from participation.placements.models import Placement, PlacementScan

CODE_MAX = 16


def live_placement(code: str) -> Placement | None:
    """The placement with this code, unless it is unknown or retired. Codes are case-insensitive."""
    if not code or len(code) > CODE_MAX:
        return None
    placement = db.session.scalar(sa.select(Placement).where(Placement.code == code.upper()))
    if placement is None or placement.retired_at is not None:
        return None
    return placement


def record_scan(placement: Placement, day: date) -> None:
    """Add one to the placement's counter for the day, atomically, in a single statement."""
    dialect = db.session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = insert(PlacementScan).values(placement_id=placement.id, day=day, count=1)
    statement = statement.on_conflict_do_update(
        index_elements=[PlacementScan.placement_id, PlacementScan.day],
        set_={"count": PlacementScan.count + 1},
    )
    db.session.execute(statement)
    db.session.commit()


def scan_total(placement: Placement) -> int:
    total = db.session.scalar(
        sa.select(sa.func.sum(PlacementScan.count)).where(PlacementScan.placement_id == placement.id)
    )
    return int(total or 0)
