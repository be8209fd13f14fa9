"""Forms of the activity log: an entry, the list's filters, a new kind."""

from flask_babel import lazy_gettext as _l
from wtforms import (
    DateField,
    IntegerField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
    TimeField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from brott.forms import Form
from brott.services.activity import MAX_PEOPLE, MAX_TEXT

ALL = SelectChoice("", _l("All"))


class EntryForm(Form):
    on_date = DateField(_l("Date"), validators=[InputRequired(_l("Enter a date."))])
    at_time = TimeField(_l("Time (optional)"), validators=[Optional()])
    kind_id = SelectField(_l("Kind"), coerce=int)
    place_id = SelectField(_l("Place (optional)"), default="")
    people_reached = IntegerField(
        _l("People reached"),
        default=0,
        validators=[
            InputRequired(_l("Enter how many people were reached (0 if none).")),
            NumberRange(
                0,
                MAX_PEOPLE,
                _l("Enter a number between 0 and %(limit)d.", limit=MAX_PEOPLE),
            ),
        ],
    )
    text = TextAreaField(
        _l("What happened? (optional)"),
        description=_l(
            "A few words about places and what came of it – not about individual persons."
        ),
        validators=[
            Length(
                max=MAX_TEXT,
                message=_l("The text may be at most %(limit)d characters.", limit=MAX_TEXT),
            )
        ],
    )


class EntryFilterForm(Form):
    class Meta:
        csrf = False

    kind = SelectField(_l("Kind"), choices=[ALL], default="")
    start = DateField(_l("From"), validators=[Optional()])
    end = DateField(_l("Up to and including"), validators=[Optional()])
    page = IntegerField(_l("Page"), validators=[Optional(), NumberRange(1, 100_000)], default=1)


class KindForm(Form):
    name = StringField(
        _l("New kind"), validators=[DataRequired(_l("Enter a name.")), Length(max=80)]
    )
