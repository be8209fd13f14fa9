"""Forms of the places area: a place with its area and coordinates, a note category."""

from flask_babel import lazy_gettext as _l
from wtforms import FloatField, HiddenField, SelectChoice, StringField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from brott.forms import Form
from brott.models import NoteCategory, Place

NONE = ""


def place_choices(items: list[Place] | list[NoteCategory]) -> list[SelectChoice]:
    """Choices naming places (or categories) by id, as text, for filters and optional links."""
    return [SelectChoice(str(item.id), item.name) for item in items]


class PlaceForm(Form):
    name = StringField(
        _l("Name"),
        validators=[DataRequired(_l("Enter a name.")), Length(max=120)],
    )
    area = StringField(
        _l("Area (optional)"),
        description=_l("The district or housing area the place belongs to."),
        validators=[Length(max=120)],
    )
    latitude = FloatField(
        _l("Latitude (optional)"),
        validators=[Optional(), NumberRange(-90, 90, _l("Latitude is between -90 and 90."))],
    )
    longitude = FloatField(
        _l("Longitude (optional)"),
        validators=[Optional(), NumberRange(-180, 180, _l("Longitude is between -180 and 180."))],
    )
    version = HiddenField()  # on the edit form: the version it was loaded with


class CategoryForm(Form):
    name = StringField(
        _l("New category"),
        validators=[DataRequired(_l("Enter a name.")), Length(max=80)],
    )
