"""Placement rules: finding a live placement by code and counting its scans per day."""

from __future__ import annotations

import secrets
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError

from participation.audit.services import Actor, record
from participation.extensions import db
from participation.placements.models import Placement, PlacementScan
from participation.suppression import SHARE_MIN_BASE, Cell, Count, cell, counted_sql
from participation.surveys.models import Response, Survey
from participation.surveys.releases import released

CODE_MAX = 16
CODE_RACES = 5  # tries when concurrent requests draw the same new code


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
    with db.transaction():
        db.session.execute(statement)


def scan_total(placement: Placement) -> int:
    total = db.session.scalar(
        sa.select(sa.func.sum(PlacementScan.count)).where(PlacementScan.placement_id == placement.id)
    )
    return int(total or 0)


# Codes are letters then two digits without 0 and 1, so O, I and L can never be mistaken for digits.
CODE_LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
CODE_DIGITS = "23456789"
PLACES_MAX = 50


def new_code(hint: str) -> str:
    """A short free code a person can read and type: letters from the hint (a place, a title) and digits."""
    folded = unicodedata.normalize("NFKD", hint).encode("ascii", "ignore").decode().upper()
    letters = "".join(char for char in folded if char in CODE_LETTERS)[:6] or "".join(
        secrets.choice(CODE_LETTERS) for _ in range(4)
    )
    # Two digits give 64 codes per prefix; when those run out, codes grow a digit rather than fail.
    for digits in (2, 2, 2, 3, 3, 3, 4, 4, 4, 6):
        for _attempt in range(8):
            code = letters + "".join(secrets.choice(CODE_DIGITS) for _ in range(digits))
            if db.session.scalar(sa.select(Placement.id).where(Placement.code == code)) is None:
                return code
    raise RuntimeError("no free placement code")


def _create_placement(survey: Survey, place: str, language: str | None) -> Placement:
    """One placement with a free code; a code taken by a concurrent request at the same moment is drawn
    again (the unique index decides, and only this placement's savepoint is undone)."""
    for _attempt in range(CODE_RACES):
        try:
            with db.transaction():
                placement = Placement(
                    code=new_code(place), place=place, survey=survey, language=language or None
                )
                db.session.add(placement)
                db.session.flush()
        except IntegrityError:
            continue
        return placement
    raise RuntimeError("no free placement code")


def create_placements(survey: Survey, places: list[str], language: str | None) -> list[Placement]:
    """One placement per place, each with its own code, created together."""
    created = []
    with db.transaction():
        for place in places:
            placement = _create_placement(survey, place, language)
            record("placement_created", "placement", placement.id, code=placement.code, place=place)
            created.append(placement)
    return created


def retire(placement: Placement, now: datetime) -> None:
    if placement.retired_at is None:
        with db.transaction():
            placement.retired_at = now
            record("placement_retired", "placement", placement.id, code=placement.code)


def start_kiosk(placement: Placement, hours: int) -> None:
    """Kiosk mode is audited by who started it and for how long; it stores nothing else."""
    with db.transaction():
        record("kiosk_started", "placement", placement.id, hours=hours)


def end_kiosk(placement_id: int, user: Actor) -> None:
    with db.transaction():
        record("kiosk_ended", "placement", placement_id, user=user)


def record_poster(placement: Placement, layout: str, languages: list[str]) -> None:
    """Printing is audited: which poster went out, in which format and languages."""
    with db.transaction():
        record("poster_printed", "placement", placement.id, format=layout, languages=",".join(languages))


@dataclass(frozen=True)
class PlacementStats:
    placement: Placement
    scans: int
    responses: Cell
    conversion: float | None  # responses per scan, when both are shown and there are more scans than answers

    @property
    def typed(self) -> bool:
        """More answers than scans: people typed the address or a code instead of scanning."""
        return self.responses.count is not None and self.responses.count > self.scans


@dataclass(frozen=True)
class PlacementGroup:
    """The placements of one survey, or of the forum sessions, as the list shows them together."""

    survey: Survey | None  # None: forum sessions' placements
    rows: list[PlacementStats]


def grouped(rows: list[PlacementStats]) -> list[PlacementGroup]:
    """Rows grouped by their survey (surveys newest first), the forum sessions' placements last."""
    groups: dict[int | None, list[PlacementStats]] = {}
    for row in rows:
        groups.setdefault(row.placement.survey_id, []).append(row)
    surveys = {row.placement.survey_id: row.placement.survey for row in rows}
    order = sorted((key for key in groups if key is not None), reverse=True)
    return [PlacementGroup(surveys[key], groups[key]) for key in order] + (
        [PlacementGroup(None, groups[None])] if None in groups else []
    )


def placement_stats(k: int) -> list[PlacementStats]:
    """Scans and responses per placement, counted in SQL; response counts below k are hidden."""
    scans = dict(
        db.session.execute(
            sa.select(PlacementScan.placement_id, sa.func.sum(PlacementScan.count)).group_by(
                PlacementScan.placement_id
            )
        ).all()
    )
    responses = {
        placement_id: Count(int(n), int(keys))
        for placement_id, n, keys in db.session.execute(
            sa.select(Response.placement_id, *counted_sql(Response.id))
            .where(Response.placement_id.is_not(None), released())
            .group_by(Response.placement_id)
        )
    }
    placements = list(
        db.session.scalars(sa.select(Placement).order_by(Placement.retired_at.is_not(None), Placement.place))
    )
    result = []
    for placement in placements:
        scanned = int(scans.get(placement.id, 0))
        shown = cell(responses.get(placement.id, Count()), None, k)
        conversion = (
            shown.count / scanned
            if shown.count is not None and scanned >= SHARE_MIN_BASE and shown.count <= scanned
            else None
        )
        result.append(PlacementStats(placement, scanned, shown, conversion))
    return result
