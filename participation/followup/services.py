"""Follow-up rules: who may opt in, making and checking codes, withdrawing, and the panel's changes."""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from flask_babel import gettext as _

from participation.core.changes import execute_counted
from participation.core.terms import term_of
from participation.extensions import db
from participation.followup.models import FollowUp
from participation.privacy import keyed_hash, truncate_to_hour
from participation.suppression import Cell, Count, cell
from participation.surveys.models import Answer, Question, QuestionKind, Response
from participation.surveys.releases import released

# Bump when the consent text changes; every link records the version its holder agreed to.
CONSENT_VERSION = "2026-11"
OLD_ENOUGH = {"13_15", "16_19", "20_25", "over_25"}  # 13 or more may consent on their own (Swedish law)
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
CODE_GROUPS = 3
_CODE = re.compile(r"^[A-Z0-9]{12}$")


class FollowUpError(ValueError):
    """The follow-up step was refused; the message says why, in the participant's language."""


def may_opt_in(response: Response | None) -> bool:
    return response is not None and response.age_band in OLD_ENOUGH and response.follow_up_id is None


def normalise(code: str) -> str:
    return re.sub(r"[\s-]", "", code or "").upper()


def _hash(code: str) -> str:
    return keyed_hash("follow-up", "v1", normalise(code))


def _new_code() -> str:
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(4 * CODE_GROUPS))
    return "-".join(raw[i : i + 4] for i in range(0, len(raw), 4))


def opt_in(response: Response, now: datetime) -> str:
    """Create a code for this response's holder and link the response; the code itself is never stored."""
    if response.age_band not in OLD_ENOUGH:
        raise FollowUpError(_("Follow-up codes are for people aged 13 or older."))
    if response.follow_up_id is not None:
        raise FollowUpError(_("These answers are already linked to a follow-up code."))
    code = _new_code()
    with db.transaction():
        link = FollowUp(
            code_hash=_hash(code), consent_version=CONSENT_VERSION, created_hour=truncate_to_hour(now)
        )
        db.session.add(link)
        db.session.flush()
        response.follow_up_id = link.id
    return code


def find(code: str) -> FollowUp | None:
    normalised = normalise(code)
    if not _CODE.match(normalised):
        return None
    return db.session.scalar(sa.select(FollowUp).where(FollowUp.code_hash == _hash(normalised)))


def withdraw(code: str) -> int:
    """Delete the link: every response keeps its answers but is no longer joined to the others."""
    link = find(code)
    if link is None:
        raise FollowUpError(_("We do not know that code. Check it and try again."))
    with db.transaction():
        count = (
            db.session.scalar(sa.select(sa.func.count(Response.id)).where(Response.follow_up_id == link.id))
            or 0
        )
        execute_counted(sa.update(Response).where(Response.follow_up_id == link.id).values(follow_up_id=None))
        db.session.delete(link)
    return int(count)


@dataclass(frozen=True)
class PanelChange:
    improved: Cell
    same: Cell
    worsened: Cell
    members: int | None  # protected like the rest: None when fewer than k (or perturbed below k)


def panel_change(question: Question, first_term: int, second_term: int, k: int) -> PanelChange | None:
    """For a scale question: how many panel members answered higher, the same or lower in the later term."""
    if question.kind is not QuestionKind.SCALE:
        return None

    term = term_of(Response.submitted_hour)
    rows = db.session.execute(
        sa.select(Response.follow_up_id, term.label("term"), sa.func.avg(Answer.value_int))
        .join(Answer, Answer.response_id == Response.id)
        .where(
            Answer.question_id == question.id,
            Response.follow_up_id.is_not(None),
            released(),
            term.in_((first_term, second_term)),
        )
        .group_by(Response.follow_up_id, sa.literal_column("term"))
    ).all()
    by_member: dict[int, dict[int, float]] = {}
    for member, period, value in rows:
        by_member.setdefault(member, {})[int(period)] = float(value)
    groups: dict[str, list[int]] = {"improved": [], "same": [], "worsened": []}
    for member, values in by_member.items():
        if first_term in values and second_term in values:
            delta = values[second_term] - values[first_term]
            groups["improved" if delta > 0 else "worsened" if delta < 0 else "same"].append(member)
    everyone = Count.of(member for ids in groups.values() for member in ids)
    members = cell(everyone, None, k)
    cells = {name: cell(Count.of(ids), everyone, k) for name, ids in groups.items()}
    return PanelChange(cells["improved"], cells["same"], cells["worsened"], members.count)
