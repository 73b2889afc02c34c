"""Recording staff actions in the audit log: inside the caller's transaction, or on its own when it must stand."""

from __future__ import annotations

from typing import Any, Protocol

from flask_login import current_user

from participation.audit.models import AuditEvent
from participation.extensions import db


class Actor(Protocol):
    """Who did it: a staff account (the audit log sits below the accounts, so it names only the id)."""

    id: int


def _event(
    action: str, object_type: str, object_id: int | None, user: Actor | None, detail: dict[str, Any]
) -> AuditEvent:
    actor = (
        user
        if user is not None
        else (current_user if getattr(current_user, "is_authenticated", False) else None)
    )
    return AuditEvent(
        user_id=actor.id if actor is not None else None,
        action=action,
        object_type=object_type,
        object_id=object_id,
        detail=detail,
    )


def record(
    action: str, object_type: str, object_id: int | None = None, *, user: Actor | None = None, **detail: Any
) -> None:
    """Add an audit event to the session; it is committed with the change it describes."""
    db.session.add(_event(action, object_type, object_id, user, detail))


def record_standing(
    action: str, object_type: str, object_id: int | None = None, *, user: Actor | None = None, **detail: Any
) -> None:
    """An audit event committed on its own: it stands whatever the request does next (a refused login
    answers 401, and such a request keeps nothing of its own unit of work)."""
    with db.independent_transaction() as session:
        session.add(_event(action, object_type, object_id, user, detail))
