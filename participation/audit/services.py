"""Recording staff actions in the audit log, inside the caller's transaction."""

from __future__ import annotations

from typing import Any, Protocol

from flask_login import current_user
from sqlalchemy.orm import Session

from participation.audit.models import AuditEvent
from participation.extensions import db


class Actor(Protocol):
    """Who did it: a staff account (the audit log sits below the accounts, so it names only the id)."""

    id: int


def record(
    action: str,
    object_type: str,
    object_id: int | None = None,
    *,
    user: Actor | None = None,
    session: Session | None = None,
    **detail: Any,
) -> None:
    """Add an audit event to the session; it is committed with the change it describes.

    `session` is for an event that must stand whatever the request does next (a refused login), given
    the session of a `db.independent_transaction()`.
    """
    actor = (
        user
        if user is not None
        else (current_user if getattr(current_user, "is_authenticated", False) else None)
    )
    (session or db.session()).add(
        AuditEvent(
            user_id=actor.id if actor is not None else None,
            action=action,
            object_type=object_type,
            object_id=object_id,
            detail=detail,
        )
    )
