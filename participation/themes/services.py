"""The theme taxonomy: vision goals and the themes under them, with names in every language."""

from __future__ import annotations

import re

import sqlalchemy as sa
from flask_babel import gettext as _

from participation.audit.services import record
from participation.core import signals
from participation.extensions import db
from participation.i18n.languages import content, default_language
from participation.themes.models import Theme, VisionGoal

SLUG = re.compile(r"^[a-z][a-z0-9_-]{1,59}$")
COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")
NAME_MAX = 120


class ThemeError(ValueError):
    """A taxonomy change that was refused; the message says why."""


def goals() -> list[VisionGoal]:
    return list(db.session.scalars(sa.select(VisionGoal).order_by(VisionGoal.id)))


def themes() -> list[Theme]:
    return list(db.session.scalars(sa.select(Theme).order_by(Theme.goal_id, Theme.id)))


def theme_name(theme: Theme) -> str:
    """A theme's name in the page's language, else in the configured default language."""
    return content(theme.name, default_language()).text


def theme_choices() -> list[tuple[int, str]]:
    """Every theme as (id, name) for a staff form's chooser, in the order they were made."""
    return [
        (theme.id, theme_name(theme)) for theme in db.session.scalars(sa.select(Theme).order_by(Theme.id))
    ]


def _names(names: dict[str, str]) -> dict[str, str]:
    cleaned = {lang: text.strip() for lang, text in names.items() if text and text.strip()}
    if not cleaned:
        raise ThemeError(_("Write the name in at least one language."))
    if any(len(text) > NAME_MAX for text in cleaned.values()):
        raise ThemeError(_("A name can have at most %(max)d characters.", max=NAME_MAX))
    return cleaned


def _slug(model: type[Theme] | type[VisionGoal], slug: str, own_id: int | None) -> str:
    slug = slug.strip().lower()
    if not SLUG.match(slug):
        raise ThemeError(
            _("The short name uses lowercase letters, digits, - and _, for example summer_jobs.")
        )
    taken = db.session.scalar(sa.select(model.id).where(model.slug == slug, model.id != (own_id or 0)))
    if taken is not None:
        raise ThemeError(_("The short name “%(slug)s” is already used.", slug=slug))
    return slug


def save_goal(goal: VisionGoal | None, slug: str, names: dict[str, str]) -> VisionGoal:
    slug, cleaned = _slug(VisionGoal, slug, goal.id if goal else None), _names(names)
    with db.transaction():
        if goal is None:
            goal = VisionGoal(slug="", name={})
            db.session.add(goal)
        goal.slug, goal.name = slug, cleaned
        db.session.flush()
        record("goal_saved", "vision_goal", goal.id, slug=goal.slug)
    return goal


def save_theme(
    theme: Theme | None, *, slug: str, goal_id: int, parent_id: int | None, colour: str, names: dict[str, str]
) -> Theme:
    """Create or change a theme; the coding codebook gets a new version so earlier codes stay traceable."""
    if db.session.get(VisionGoal, goal_id) is None:
        raise ThemeError(_("Choose the vision goal the theme belongs under."))
    if not COLOUR.match(colour.strip()):
        raise ThemeError(_("The colour is written like #1d4f91."))
    if parent_id is not None and (
        db.session.get(Theme, parent_id) is None or (theme is not None and parent_id == theme.id)
    ):
        raise ThemeError(_("Choose another theme as the parent, or none."))
    slug, cleaned = _slug(Theme, slug, theme.id if theme else None), _names(names)
    created = theme is None
    with db.transaction():
        if theme is None:
            theme = Theme(slug="", name={}, goal_id=goal_id)
            db.session.add(theme)
        theme.slug, theme.name = slug, cleaned
        theme.goal_id, theme.parent_id, theme.colour = goal_id, parent_id, colour.strip()
        db.session.flush()
        record("theme_saved", "theme", theme.id, slug=theme.slug)
        signals.send(signals.themes_changed, note=f"theme {'added' if created else 'changed'}: {theme.slug}")
    return theme
