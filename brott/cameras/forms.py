from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    DateField,
    HiddenField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from brott.forms import Form
from brott.measures.forms import MultiCheckboxField
from brott.services.camera_need import MAX_RADIUS_M
from brott.services.cameras import MAX_TEXT

TEXT_LIMIT = Length(
    max=MAX_TEXT, message=_l("Text may be at most %(limit)d characters.", limit=MAX_TEXT)
)


class SiteForm(Form):
    title = StringField(
        _l("Title"), validators=[DataRequired(_l("Enter a title.")), Length(max=200)]
    )
    place_id = SelectField(_l("Place"), coerce=int)
    operator = StringField(
        _l("Responsible"),
        description=_l("Who runs the surveillance and answers for it."),
        validators=[Length(max=200)],
    )
    permit_needed = BooleanField(_l("A permit is needed"))
    permit_case_number = StringField(_l("Permit case number"), validators=[Length(max=60)])
    permit_date = DateField(_l("Permit date"), validators=[Optional()])
    camera_count = IntegerField(
        _l("Number of cameras"),
        validators=[
            Optional(),
            NumberRange(1, 1000, _l("Enter a number of cameras between 1 and 1000.")),
        ],
    )
    coverage = TextAreaField(
        _l("What the cameras cover"),
        description=_l("Areas and directions, not persons."),
        validators=[TEXT_LIMIT],
    )
    recording_hours = StringField(
        _l("Recording hours"), validators=[Length(max=200)], description=_l("e.g. 22–06 daily")
    )
    storage_days = IntegerField(
        _l("Storage time (days)"),
        validators=[
            Optional(),
            NumberRange(1, 3650, _l("Enter a storage time between 1 and 3650 days.")),
        ],
    )
    version = HiddenField()  # on the edit form: the version it was loaded with


class StageForm(Form):
    stage = SelectField(_l("New stage"))
    happened_on = DateField(
        _l("Date"), validators=[InputRequired(_l("Enter the date of the step."))]
    )
    text = TextAreaField(
        _l("Decision or comment"),
        description=_l("For a decision: the decision as it was made."),
        validators=[TEXT_LIMIT],
    )
    version = HiddenField()


class BalancingForm(Form):
    written_on = DateField(_l("Date"), validators=[InputRequired(_l("Enter the date."))])
    purpose = TextAreaField(
        _l("Purpose"),
        description=_l("What the surveillance is meant to prevent or solve, and why here."),
        validators=[DataRequired(_l("Fill in this part of the balancing.")), TEXT_LIMIT],
    )
    privacy_impact = TextAreaField(
        _l("Privacy impact"),
        description=_l("Who is filmed, when, and how intrusive it is for them."),
        validators=[DataRequired(_l("Fill in this part of the balancing.")), TEXT_LIMIT],
    )
    alternatives = TextAreaField(
        _l("Less intrusive alternatives considered"),
        validators=[DataRequired(_l("Fill in this part of the balancing.")), TEXT_LIMIT],
    )
    conclusion = TextAreaField(
        _l("Conclusion"),
        validators=[DataRequired(_l("Fill in this part of the balancing.")), TEXT_LIMIT],
    )


class PeriodForm(Form):
    class Meta:
        csrf = False

    start = DateField(_l("From"), validators=[Optional()])
    end = DateField(_l("Up to and including"), validators=[Optional()])
    radius = IntegerField(
        _l("Radius (metres)"),
        validators=[
            Optional(),
            NumberRange(
                0,
                MAX_RADIUS_M,
                _l("Enter a radius between 0 and %(max)d metres.", max=MAX_RADIUS_M),
            ),
        ],
    )


class GuardForm(Form):
    starts_on = DateField(_l("From"), validators=[InputRequired(_l("Enter the first day."))])
    ends_on = DateField(
        _l("Up to and including"), validators=[InputRequired(_l("Enter the last day."))]
    )
    hours = StringField(
        _l("Hours"),
        description=_l("e.g. Fri–Sat 21–03"),
        validators=[DataRequired(_l("Enter the hours.")), Length(max=120)],
    )
    company = StringField(
        _l("Company"), validators=[DataRequired(_l("Enter the company.")), Length(max=200)]
    )
    place_ids = MultiCheckboxField(_l("Places"), coerce=int)
    area = StringField(_l("Area"), validators=[Length(max=200)])
    decision_reference = StringField(_l("Decision reference"), validators=[Length(max=120)])
    version = HiddenField()
