"""Facilitator forms for forum sessions."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from flask import current_app
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateTimeLocalField,
    Field,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional, ValidationError

from participation.core.hygiene import has_visible_text
from participation.forum.models import ForumMode
from participation.forum.sessions import DOTS_MAX, ITEMS_MAX, PROMPT_MAX, PROPOSAL_MAX, TITLE_MAX
from participation.staff.forms import owner_field
from participation.surveys.forms import CheckboxesField


def mode_choices() -> list[tuple[str, str]]:
    labels = {
        ForumMode.TOPICS: _l("Topic proposals and voting"),
        ForumMode.DOTS: _l("Dot voting"),
        ForumMode.STATEMENTS: _l("Agree, disagree or pass on statements"),
        ForumMode.POLL: _l("Quick poll"),
    }
    return [(mode.value, str(labels[mode])) for mode in ForumMode]


def visible_text(_form: FlaskForm, field: Field) -> None:
    """A title or item made only of blank or zero-width characters would show as nothing on the screen."""
    if field.data and not has_visible_text(field.data):
        raise ValidationError(_l("Write some text that can be seen."))


def visible_lines(_form: FlaskForm, field: Field) -> None:
    """Every line that is not plainly empty becomes an item, so each must show something."""
    for line in (field.data or "").splitlines():
        if line.strip() and not has_visible_text(line):
            raise ValidationError(_l("One of the lines shows no text. Write something on it or remove it."))


class NewSessionForm(FlaskForm):
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=TITLE_MAX), visible_text])
    prompt = TextAreaField(
        _l("The question to the room (optional)"),
        validators=[Optional(), Length(max=PROMPT_MAX), visible_text],
        render_kw={"rows": 2},
    )
    partner_id = owner_field()
    planned_at = DateTimeLocalField(_l("When it takes place (optional)"), validators=[Optional()])
    mode = SelectField(_l("Mode"), choices=mode_choices)
    base_language = SelectField(_l("Base language"))
    languages = CheckboxesField(_l("Languages"), validators=[DataRequired()])
    dots_per_person = IntegerField(
        _l("Dots per person"), default=3, validators=[Optional(), NumberRange(min=1, max=DOTS_MAX)]
    )
    several_dots_per_item = BooleanField(_l("Several dots on one item are allowed"))
    requires_approval = BooleanField(_l("Proposals wait for my approval"), default=True)
    items = TextAreaField(
        _l("Items, one per line (statements, poll options or your own first topics)"),
        validators=[Length(max=ITEMS_MAX * (PROPOSAL_MAX + 1)), visible_lines],
        render_kw={"rows": 6},
    )

    def validate_planned_at(self, field: Field) -> None:
        """A time in the local zone (as typed), kept in UTC; earlier today is fine, an earlier day is a typo."""
        if field.data is None:
            return
        local = ZoneInfo(current_app.config["TIMEZONE"])
        field.data = field.data.replace(tzinfo=local)
        if field.data.date() < datetime.now(local).date():
            raise ValidationError(_l("That day has passed. Choose today or a later day, or leave it empty."))


class ItemForm(FlaskForm):
    text = StringField(_l("Text"), validators=[DataRequired(), Length(max=PROPOSAL_MAX), visible_text])
