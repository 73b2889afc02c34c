"""Partners own their data: which partner owns a row, and who may change or read it.

Every survey, placement, forum session, action, indicator, data point (with the story behind the curve
written on it) and program belongs to one partner. The rule, asked by every staff route through this module:

- admins (the backbone) change anything;
- staff change their own partner's objects, and read their own partner's data (forum results and exports,
  a placement's scans, the survey builder, the moderation queue);
- analysts change nothing but their own partner's actions and data points (entered by a partner, as
  DESIGN.md says) with the story behind the curve on them.

A foreign object answers **404**, exactly like one that does not exist, so an id tells nobody what another
partner has. A role that may not do a thing at all still gets 403 from `roles_required`. Lists of shared
things (actions, indicators, programs) show others' objects read-only, without edit buttons; lists of a
partner's own data (surveys, placements, forum sessions, texts to moderate or code) show only its own.

New objects get the creating user's partner (an admin may choose another); an object made for another
(a placement for a survey or a forum session, a data point of an indicator) gets that one's owner; what a
command or the demo makes outside a request goes to the backbone partner (the first admin's partner).
That happens at each flush, by a listener the app factory installs (`init_app`), not by an import.
The public pages and the API's aggregates (needs map, action feed) are not partner data and stay shared.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, ClassVar, TypeVar

import sqlalchemy as sa
from flask import Flask, abort, has_request_context
from flask_login import current_user
from sqlalchemy.orm import Session

from participation.extensions import db
from participation.staff.models import Partner, Role, User

T = TypeVar("T", bound="Owned")
BACKBONE_NAME = "Backbone"

_new_owner: ContextVar[int | None] = ContextVar("new_owner", default=None)


class Owned:
    """A row with an owning partner; models name the column and relationship if not `partner(_id)`."""

    owner_column: ClassVar[str] = "partner_id"
    owner_relation: ClassVar[str] = "partner"
    # Analysts record their own partner's actions and data points; everything else is staff's work.
    analysts_write: ClassVar[bool] = False

    @property
    def owner_id(self) -> int | None:
        return getattr(self, self.owner_column)

    def owner_parent(self) -> Owned | None:
        """The object this one was made for, whose owner it shares when none is given."""
        return None


def _user(user: Any = None) -> User | None:
    user = current_user if user is None else user
    return user if getattr(user, "is_authenticated", False) else None


def is_admin(user: Any = None) -> bool:
    found = _user(user)
    return found is not None and found.role is Role.ADMIN


def owns(user: Any, obj: Owned) -> bool:
    """The user belongs to the partner that owns the object."""
    found = _user(user)
    return found is not None and found.partner_id is not None and found.partner_id == obj.owner_id


def can_read(user: Any, obj: Owned) -> bool:
    """May see a partner's own data about the object (results, exports, scans, the builder)."""
    return is_admin(user) or owns(user, obj)


def _may(user: Any, owned: Owned, analysts_write: bool) -> bool:
    """Admins always; analysts only where they may write at all; otherwise the owner's own people."""
    found = _user(user)
    if found is None:
        return False
    if found.role is Role.ADMIN:
        return True
    if found.role is Role.ANALYST and not analysts_write:
        return False
    return owns(found, owned)


def can_change(user: Any, obj: Owned) -> bool:
    """May change the object: admins any, staff their own partner's, analysts their own actions and points."""
    return _may(user, obj, obj.analysts_write)


def can_add(user: Any, parent: Owned, child: type[Owned]) -> bool:
    """May add a child (a data point to an indicator, a measure to a program) to the parent."""
    return _may(user, parent, child.analysts_write)


def _never(kind: type[Owned]) -> bool:
    """The signed-in user's role may never change such objects (an analyst and a program)."""
    found = _user()
    return found is not None and found.role is Role.ANALYST and not kind.analysts_write


def require_change(obj: T | None) -> T:
    """The object if the signed-in user may change it; 404 if it is missing or another partner's.

    A role that may never change such objects gets 403 (they are listed to it anyway).
    """
    if obj is None:
        abort(404)
    if _never(type(obj)):
        abort(403)
    if not can_change(current_user, obj):
        abort(404)
    return obj


def require_add(parent: T | None, child: type[Owned]) -> T:
    """The parent if the signed-in user may add a `child` to it (a data point to an indicator)."""
    if parent is None:
        abort(404)
    if _never(child):
        abort(403)
    if not can_add(current_user, parent, child):
        abort(404)
    return parent


def visible(query: sa.Select[Any], model: type[Owned]) -> sa.Select[Any]:
    """A select narrowed to the signed-in user's partner's rows, unless the user is an admin."""
    partner_id = scope_partner()
    return query if partner_id is None else query.where(getattr(model, model.owner_column) == partner_id)


def owner_for_new(chosen: int | None = None) -> int:
    """The partner a new object gets: an admin's choice, else the signed-in user's own partner.

    Staff and analysts cannot choose: whatever they send, it is their own. An account without a partner
    (other than an admin) cannot create partner data, which is a 403.
    """
    found = _user()
    if found is not None and found.role is Role.ADMIN:
        if chosen is not None and db.session.get(Partner, chosen) is not None:
            return chosen
        return found.partner_id or backbone_partner(db.session()).id
    if found is None or found.partner_id is None:
        abort(403)
    return found.partner_id


@contextmanager
def new_objects_belong_to(partner_id: int) -> Iterator[None]:
    """Within the block, new partner data without an owner is flushed as this partner's."""
    token = _new_owner.set(partner_id)
    try:
        yield
    finally:
        _new_owner.reset(token)


def backbone_partner(session: Session) -> Partner:
    """The backbone's partner: the first admin's, else the first partner; made when there is none."""
    with session.no_autoflush:
        partner_id = session.scalar(
            sa.select(User.partner_id)
            .where(User.role == Role.ADMIN, User.partner_id.is_not(None))
            .order_by(User.id)
            .limit(1)
        ) or session.scalar(sa.select(Partner.id).order_by(Partner.id).limit(1))
        if partner_id is not None:
            return session.get(Partner, partner_id)  # type: ignore[return-value]
        pending = next((obj for obj in session.new if isinstance(obj, Partner)), None)
        if pending is not None:
            return pending
        partner = Partner(name=BACKBONE_NAME, kind="backbone")
        session.add(partner)
        return partner


def _owner(obj: Owned) -> Partner | int | None:
    """The owner the object has, or will have at this flush: its column, or its relationship's partner."""
    return obj.owner_id or getattr(obj, obj.owner_relation)


def _default_owner(session: Session, obj: Owned) -> Partner | int:
    chosen = _new_owner.get()
    if chosen is not None:
        return chosen
    parent = obj.owner_parent()
    if parent is not None:
        return _owner(parent) or _default_owner(session, parent)
    if has_request_context():
        with session.no_autoflush:
            found = _user()
        if found is not None and found.partner_id is not None:
            return found.partner_id
    return backbone_partner(session)


def _give_new_objects_an_owner(session: Session, _context: object, _instances: object) -> None:
    """New partner data that names no owner gets one (see the module docstring) before it is written."""
    for obj in list(session.new):
        if isinstance(obj, Owned) and _owner(obj) is None:
            owner = _default_owner(session, obj)
            if isinstance(owner, Partner):
                setattr(obj, obj.owner_relation, owner)
            else:
                setattr(obj, obj.owner_column, owner)


def init_app(_app: Flask) -> None:
    """Give new partner data its owner at every flush (once per process: sessions are one class)."""
    if not sa.event.contains(Session, "before_flush", _give_new_objects_an_owner):
        sa.event.listen(Session, "before_flush", _give_new_objects_an_owner)


def partner_choices() -> list[tuple[int, str]]:
    """The partners a form may offer as owner: every partner to an admin, else only the user's own."""
    query = sa.select(Partner).order_by(Partner.name)
    if not is_admin():
        found = _user()
        query = query.where(Partner.id == (found.partner_id if found is not None else None))
    return [(partner.id, partner.name) for partner in db.session.scalars(query)]


def owner_after_edit(obj: Owned, chosen: int | None) -> int:
    """The owner an edited object keeps: an admin may hand it to another partner, nobody else can."""
    if is_admin() and chosen is not None and chosen in {pid for pid, _name in partner_choices()}:
        return chosen
    return obj.owner_id  # type: ignore[return-value]


def may_change(obj: Owned) -> bool:
    """For templates: whether to show the signed-in user the edit buttons of this object."""
    return can_change(current_user, obj)


def scope_partner() -> int | None:
    """The partner whose own data a list shows the signed-in user: None (all) for an admin.

    An account without a partner gets 0, which no partner has, so it sees nothing of anyone's.
    """
    if is_admin():
        return None
    found = _user()
    return found.partner_id if found is not None and found.partner_id is not None else 0
