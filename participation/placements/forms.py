"""Staff forms for placements."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_wtf import FlaskForm
from wtforms import SelectField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, ValidationError

from participation.placements.kiosk import KIOSK_HOURS
from participation.placements.services import PLACES_MAX


class NewPlacementsForm(FlaskForm):
    survey = SelectField(_l("Survey"), coerce=int, validators=[DataRequired()])
    places = TextAreaField(
        _l("Places, one per line"),
        validators=[DataRequired(), Length(max=PLACES_MAX * 121)],
        render_kw={"rows": 6},
    )
    language = SelectField(_l("Pinned language (optional)"))

    def place_list(self) -> list[str]:
        return [line.strip() for line in (self.places.data or "").splitlines() if line.strip()]

    def validate_places(self, _field: TextAreaField) -> None:
        places = self.place_list()
        if not places:
            raise ValidationError(_l("Write at least one place."))
        if len(places) > PLACES_MAX:
            raise ValidationError(_l("At most %(max)d places at a time.", max=PLACES_MAX))
        if any(len(place) > 120 for place in places):
            raise ValidationError(_l("A place name can have at most 120 characters."))


class KioskForm(FlaskForm):
    """Start kiosk mode on this device, for so many hours."""

    hours = SelectField(_l("Kiosk mode ends after"), coerce=int, default=3, validators=[InputRequired()])

    def __init__(self) -> None:
        super().__init__()
        self.hours.choices = [(n, ngettext("%(num)d hour", "%(num)d hours", n)) for n in KIOSK_HOURS]
