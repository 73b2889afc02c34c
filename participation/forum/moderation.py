"""Participants' proposed topics in the moderation queue, beside the survey answers.

The moderation capability sits below the forum, so it asks (`signals.moderation_sources`) and this
module answers with `ForumProposals`: the proposals waiting for approval, filtered as the queue asks,
and the decisions on them made with `sessions.moderate_item`, which audits them as the facilitator's
page does. Proposals can be approved or hidden; the forum has no redacted state, so none is offered.
A moderator who cannot read a proposal's language marks it for a colleague, as with free texts.
Held proposals (quarantined) wait on the staff home instead, as on the facilitator's page.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from flask import Flask
from flask_babel import gettext as _
from flask_babel import lazy_gettext

from participation.audit.services import record
from participation.core import signals
from participation.core.textflags import detect_flags
from participation.database import utcnow
from participation.extensions import db
from participation.forum.models import ForumItem, ForumSession, ItemStatus
from participation.forum.sessions import moderate_item
from participation.i18n.languages import Localised, content
from participation.moderation.queue import Filters, OtherItem, segments
from participation.moderation.services import Decision, ModerationError

KEY = "forum"
_STATUS = {Decision.APPROVE.value: ItemStatus.APPROVED, Decision.HIDE.value: ItemStatus.HIDDEN}


def init_app(app: Flask) -> None:
    signals.moderation_sources.connect(_answer, sender=app, weak=False)


def _answer(_app: Flask) -> ForumProposals:
    return ForumProposals()


def _original(item: ForumItem) -> str:
    """The proposal as its participant wrote it (translations the facilitator added are not moderated)."""
    return item.text.get(item.source_language) or next(iter(item.text.values()), "")


class ForumProposals:
    """The moderation queue's view of proposals waiting for approval (see participation.moderation.queue)."""

    key = KEY

    @property
    def label(self) -> str:
        return str(lazy_gettext("Forum sessions"))

    def _waiting(self, partner_id: int | None) -> sa.Select[ForumItem, ForumSession]:
        query = (
            sa.select(ForumItem, ForumSession)
            .join(ForumSession, ForumItem.session_id == ForumSession.id)
            .where(
                ForumItem.status == ItemStatus.PENDING, ForumItem.proposed.is_(True), ~ForumItem.quarantined
            )
        )
        return query if partner_id is None else query.where(ForumSession.partner_id == partner_id)

    def sessions(self, partner_id: int | None) -> list[tuple[int, Localised]]:
        waiting = self._waiting(partner_id).with_only_columns(ForumItem.session_id)
        found = db.session.scalars(
            sa.select(ForumSession).where(ForumSession.id.in_(waiting)).order_by(ForumSession.id.desc())
        )
        return [(session.id, content(session.title, session.base_language)) for session in found]

    def items(self, filters: Filters, partner_id: int | None) -> list[OtherItem]:
        if filters.survey is not None:
            return []  # a survey was chosen
        query = self._waiting(partner_id)
        if filters.needs_reader:
            query = query.where(ForumItem.needs_reader.is_(True))
        if filters.other is not None:
            kind, session_id = filters.other
            if kind != KEY:
                return []
            query = query.where(ForumSession.id == session_id)
        if filters.language:
            language = sa.func.coalesce(ForumItem.language, ForumSession.base_language)
            query = query.where(language == filters.language)
        age = filters.age.of(ForumItem.created_at, utcnow())
        if age is not None:
            query = query.where(age)
        items = []
        for item, session in db.session.execute(query.order_by(ForumItem.id)).all():
            text = _original(item)
            found = OtherItem(
                source=KEY,
                id=item.id,
                text=text,
                language=item.source_language,
                kind=_("Proposed topic"),
                where=content(session.title, session.base_language),
                sent=item.created_at,
                flags=tuple(item.flags or ()),
                segments=segments(text),
                needs_reader=item.needs_reader,
            )
            if not filters.flagged or found.flagged:
                items.append(found)
        return items

    def owner(self, item_id: int) -> ForumSession | None:
        item = db.session.get(ForumItem, item_id)
        return item.session if item is not None else None

    def decide(self, item_id: int, decision: str) -> None:
        item = db.session.get(ForumItem, item_id)
        if item is None:
            raise LookupError(item_id)
        if decision not in _STATUS:
            raise ModerationError(_("A forum proposal can only be approved or hidden."))
        moderate_item(item.session, item, _STATUS[decision])

    def approve_many(self, item_ids: Sequence[int]) -> int:
        wanted = set(item_ids)
        items = list(
            db.session.scalars(sa.select(ForumItem).where(ForumItem.id.in_(wanted)).order_by(ForumItem.id))
        )
        if len(items) != len(wanted):
            raise LookupError(item_ids)
        if any(item.flags or detect_flags(_original(item)) for item in items):
            raise ModerationError(
                _("A text you chose may hold personal data or abusive words. Read it and decide on it alone.")
            )
        waiting = [item for item in items if item.status is ItemStatus.PENDING]
        for item in waiting:
            moderate_item(item.session, item, ItemStatus.APPROVED)
        return len(waiting)

    def mark_reader(self, item_id: int, needed: bool) -> None:
        item = db.session.get(ForumItem, item_id)
        if item is None:
            raise LookupError(item_id)
        with db.transaction():
            item.needs_reader = needed
            record("proposal_needs_reader" if needed else "proposal_reader_found", "forum_item", item.id)
