"""Staff form for an action."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from participation.actions.models import TEXT_LIMITS, ActionStatus
from participation.surveys.forms import CheckboxesField


def status_choices() -> list[tuple[str, str]]:
    return [(status.value, str(label)) for status, label in STATUS_LABELS.items()]


STATUS_LABELS = {
    ActionStatus.HEARD: _l("Heard"),
    ActionStatus.DECIDED: _l("Decided"),
    ActionStatus.IN_PROGRESS: _l("In progress"),
    ActionStatus.DONE: _l("Done"),
    ActionStatus.NOT_POSSIBLE: _l("Not possible"),
}


class ActionForm(FlaskForm):
    title = StringField(
        _l("What was done or decided"), validators=[DataRequired(), Length(max=TEXT_LIMITS["title"])]
    )
    text = TextAreaField(_l("More about it"), validators=[Length(max=TEXT_LIMITS["text"])])
    status = SelectField(_l("Status"), choices=status_choices)
    reason = TextAreaField(
        _l("Why it is not possible (needed for that status)"), validators=[Length(max=TEXT_LIMITS["reason"])]
    )
    partner_id = SelectField(_l("Responsible partner"), coerce=lambda v: int(v) if v else None)
    decided_on = DateField(_l("Date"), validators=[DataRequired()])
    theme_ids = CheckboxesField(_l("Themes"), coerce=int)
    forum_item_ids = CheckboxesField(_l("Forum topics it answers"), coerce=int, validators=[Optional()])
    published = BooleanField(_l("Publish in the feed young people see"))
