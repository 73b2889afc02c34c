"""Recording staff actions in the audit log, inside the caller's transaction."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask_login import current_user

from participation.audit.models import AuditEvent
from participation.extensions import db
from participation.staff.models import User

PAGE_SIZE = 100


def record(
    action: str, object_type: str, object_id: int | None = None, *, user: User | None = None, **detail: Any
) -> None:
    """Add an audit event to the session; it is committed with the change it describes."""
    actor = (
        user
        if user is not None
        else (current_user if getattr(current_user, "is_authenticated", False) else None)
    )
    db.session.add(
        AuditEvent(
            user_id=actor.id if actor is not None else None,
            action=action,
            object_type=object_type,
            object_id=object_id,
            detail=detail,
        )
    )


def recent_events(limit: int = PAGE_SIZE) -> list[AuditEvent]:
    return list(db.session.scalars(sa.select(AuditEvent).order_by(AuditEvent.id.desc()).limit(limit)))
