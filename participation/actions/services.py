"""'You said – we did': recording what partners do, publishing it, and how quickly needs get an answer."""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from flask_babel import gettext as _

from participation.actions.models import TEXT_LIMITS, Action, ActionStatus, action_theme
from participation.audit.services import record
from participation.extensions import db
from participation.forum.models import ForumItem, ForumSession, SessionStatus, forum_item_theme
from participation.i18n import editor
from participation.i18n.editor import Text
from participation.staff.models import Partner
from participation.themes.models import Theme

FEED_SIZE = 30
THANKS_SIZE = 3


class ActionError(ValueError):
    """The action could not be saved as asked; the message says why."""


def save_action(
    action: Action | None,
    *,
    title: str,
    text: str,
    reason: str,
    status: ActionStatus,
    partner_id: int | None,
    decided_on: date,
    published: bool,
    theme_ids: list[int],
    base_language: str,
    forum_item_ids: list[int] | None = None,
) -> Action:
    """Create or change an action; 'not possible' needs a reason, in words young people can read.

    With forum_item_ids, the action answers exactly those forum topics (saved together with the rest).
    """
    title, text, reason = title.strip(), text.strip(), reason.strip()
    if (
        not title
        or len(title) > TEXT_LIMITS["title"]
        or len(text) > TEXT_LIMITS["text"]
        or len(reason) > TEXT_LIMITS["reason"]
    ):
        raise ActionError(_("Write a title (at most 200 characters) and keep the texts short."))
    if status is ActionStatus.NOT_POSSIBLE and not reason:
        raise ActionError(_("Say why it is not possible. Young people deserve a reason."))
    with db.transaction():
        if action is None:
            action = Action(base_language=base_language, title={}, text={}, reason={})
            db.session.add(action)
        action.title[action.base_language] = title
        action.text[action.base_language] = text
        if reason:
            action.reason[action.base_language] = reason
        else:
            action.reason.pop(action.base_language, None)
        action.has_reason = any(value.strip() for value in action.reason.values())
        action.status, action.decided_on, action.published = status, decided_on, published
        # None leaves a new action to get its owner at the flush (staff.ownership); routes always pass one.
        action.partner = db.session.get(Partner, partner_id) if partner_id else None  # type: ignore[assignment]
        action.themes = list(db.session.scalars(sa.select(Theme).where(Theme.id.in_(theme_ids))))
        if forum_item_ids is not None:
            link_forum_items(action, forum_item_ids)
        db.session.flush()
        record("action_saved", "action", action.id, status=status.value, published=published)
    return action


def link_forum_items(action: Action, item_ids: list[int]) -> None:
    with db.transaction():
        action.forum_items = list(db.session.scalars(sa.select(ForumItem).where(ForumItem.id.in_(item_ids))))


def published_feed(limit: int = FEED_SIZE) -> list[Action]:
    return list(
        db.session.scalars(
            sa.select(Action)
            .where(Action.published.is_(True))
            .order_by(Action.decided_on.desc(), Action.id.desc())
            .limit(limit)
        )
    )


def latest_for_themes(theme_ids: set[int], limit: int = THANKS_SIZE) -> list[Action]:
    """The newest published actions on the themes a participant just answered about."""
    if not theme_ids:
        return []
    return list(
        db.session.scalars(
            sa.select(Action)
            .join(action_theme, action_theme.c.action_id == Action.id)
            .where(Action.published.is_(True), action_theme.c.theme_id.in_(theme_ids))
            .group_by(Action.id)
            .order_by(Action.decided_on.desc(), Action.id.desc())
            .limit(limit)
        )
    )


def all_actions() -> list[Action]:
    return list(db.session.scalars(sa.select(Action).order_by(Action.decided_on.desc(), Action.id.desc())))


@dataclass(frozen=True)
class AnswerRate:
    needs: int  # themed topics from closed forum sessions
    answered: int  # of those, with a published action on the topic or its theme
    median_days: float | None  # from the session's close to the first published action

    @property
    def share(self) -> float | None:
        return self.answered / self.needs if self.needs else None


def answer_rate() -> AnswerRate:
    """How many of the needs young people raised in closed forum sessions got a published answer, how fast."""
    items = db.session.execute(
        sa.select(ForumItem.id, ForumSession.closed_at)
        .join(ForumSession, ForumSession.id == ForumItem.session_id)
        .where(
            ForumSession.status == SessionStatus.CLOSED,
            ForumItem.status == "approved",
            ForumItem.quarantined.is_(False),  # a topic held back from a flood is no need raised
        )
    ).all()
    if not items:
        return AnswerRate(0, 0, None)
    item_themes: dict[int, set[int]] = {}
    for item_id, theme_id in db.session.execute(
        sa.select(forum_item_theme.c.item_id, forum_item_theme.c.theme_id)
    ):
        item_themes.setdefault(item_id, set()).add(theme_id)
    published = [a for a in all_actions() if a.published]
    days = []
    answered = 0
    for item_id, closed_at in items:
        matches = [
            a
            for a in published
            if item_id in {i.id for i in a.forum_items}
            or item_themes.get(item_id, set()) & {t.id for t in a.themes}
        ]
        if matches:
            answered += 1
            first = min(a.created_at for a in matches)
            assert closed_at is not None  # forum.sessions.control sets it as it closes the session
            days.append(max((first - closed_at).total_seconds() / 86400, 0))
    return AnswerRate(len(items), answered, statistics.median(days) if days else None)


def action_texts(action: Action) -> list[Text]:
    """The action's texts for the translation editor: its title, what was done and why not."""
    return [
        Text(field, getattr(action, field), action.base_language, limit)
        for field, limit in TEXT_LIMITS.items()
    ]


def translate_action(action: Action, lang: str, values: dict[str, str]) -> None:
    """One language's texts of an action; an empty box falls back to the base language. A text longer
    than its field is refused (ActionError), nothing cut and nothing stored."""
    texts = action_texts(action)
    if editor.too_long(texts, values):
        raise ActionError(_("Some texts are too long. They are marked below."))
    with db.transaction():
        editor.store(texts, lang, values)
        action.has_reason = any(value.strip() for value in action.reason.values())
        record("action_translated", "action", action.id, language=lang)
