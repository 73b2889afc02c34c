"""Staff forms of the survey builder."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    DateTimeLocalField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    widgets,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from participation.staff.forms import owner_field
from participation.surveys.models import (
    CHOICES_MAX,
    KEY_MAX,
    NUMBER_LIMIT,
    RETENTION_DAYS,
    SLUG_MAX,
    TEXT_LIMITS,
    QuestionKind,
)


class CheckboxesField(SelectMultipleField):
    """Several choices as a list of checkboxes, usable without JavaScript."""

    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


def kind_choices() -> list[tuple[str, str]]:
    labels = {
        QuestionKind.SINGLE_CHOICE: _l("Single choice"),
        QuestionKind.MULTIPLE_CHOICE: _l("Multiple choice"),
        QuestionKind.SCALE: _l("Emoji scale (5 faces)"),
        QuestionKind.YES_NO: _l("Yes or no"),
        QuestionKind.RANKING: _l("Ranking (pick and order up to 3)"),
        QuestionKind.FREE_TEXT: _l("Short free text"),
        QuestionKind.NUMBER: _l("Number"),
    }
    return [(kind.value, str(labels[kind])) for kind in QuestionKind]


def profile_choices() -> list[tuple[str, str]]:
    return [
        ("age_band", str(_l("Age band"))),
        ("gender", str(_l("Gender"))),
        ("lives_in_area", str(_l("Lives in the area"))),
    ]


class NewSurveyForm(FlaskForm):
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=TEXT_LIMITS["title"])])
    slug = StringField(_l("Web address (the part after /s/)"), validators=[Optional(), Length(max=SLUG_MAX)])
    starter = SelectField(_l("Start from"))
    partner_id = owner_field()


class SettingsForm(FlaskForm):
    slug = StringField(
        _l("Web address (the part after /s/)"), validators=[DataRequired(), Length(max=SLUG_MAX)]
    )
    partner_id = owner_field()
    base_language = SelectField(_l("Base language"))
    languages = CheckboxesField(_l("Languages offered"), validators=[DataRequired()])
    offer_incomplete = BooleanField(_l("Also offer languages that are not fully translated"))
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=TEXT_LIMITS["title"])])
    intro = TextAreaField(_l("Introduction"), validators=[Length(max=TEXT_LIMITS["intro"])])
    thanks = TextAreaField(_l("Thank-you text"), validators=[Length(max=TEXT_LIMITS["thanks"])])
    profile_fields = CheckboxesField(_l("Ask about (optional for participants)"), choices=profile_choices)
    opens_at = DateTimeLocalField(_l("Opens"), validators=[Optional()])
    closes_at = DateTimeLocalField(_l("Closes"), validators=[Optional()])
    retention_days = IntegerField(
        _l("Keep answers for (days)"), validators=[Optional(), NumberRange(*RETENTION_DAYS)]
    )


class QuestionForm(FlaskForm):
    kind = SelectField(_l("Kind"), choices=kind_choices)
    key = StringField(_l("Short name (for exports)"), validators=[Optional(), Length(max=KEY_MAX)])
    prompt = TextAreaField(_l("Question"), validators=[DataRequired(), Length(max=TEXT_LIMITS["prompt"])])
    required = BooleanField(_l("An answer is required"))
    max_choices = IntegerField(
        _l("At most this many choices"), validators=[Optional(), NumberRange(min=1, max=CHOICES_MAX)]
    )
    min_value = IntegerField(
        _l("Smallest number"), validators=[Optional(), NumberRange(min=-NUMBER_LIMIT, max=NUMBER_LIMIT)]
    )
    max_value = IntegerField(
        _l("Largest number"), validators=[Optional(), NumberRange(min=-NUMBER_LIMIT, max=NUMBER_LIMIT)]
    )
    scale_low = StringField(
        _l("Words for the lowest face"), validators=[Optional(), Length(max=TEXT_LIMITS["label"])]
    )
    scale_high = StringField(
        _l("Words for the highest face"), validators=[Optional(), Length(max=TEXT_LIMITS["label"])]
    )
    show_if_option_id = SelectField(
        _l("Show only if this was chosen"), coerce=lambda v: int(v) if v else None
    )
    theme_ids = CheckboxesField(_l("Themes"), coerce=int)


class OptionForm(FlaskForm):
    label = StringField(_l("Option text"), validators=[DataRequired(), Length(max=TEXT_LIMITS["label"])])
    key = StringField(_l("Short name (for exports)"), validators=[Optional(), Length(max=KEY_MAX)])
    theme_ids = CheckboxesField(_l("Themes"), coerce=int)


class ImportForm(FlaskForm):
    file = FileField(_l("XLSForm file (.xlsx or .xls)"), validators=[FileRequired()])
    partner_id = owner_field()
