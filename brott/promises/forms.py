"""The form that starts a new citizen-promise period."""

from flask_babel import lazy_gettext as _l
from wtforms import DateField, StringField, TextAreaField
from wtforms.validators import Optional

from brott.forms import Form
from brott.measures.forms import MultiCheckboxField


class PromiseForm(Form):
    title = StringField(_l("Title"), description=_l("For example: Citizen promise 2026–2027"))
    goal = TextAreaField(_l("What the promise aims at"))
    municipality = StringField(_l("Municipality"))
    police_area = StringField(_l("Local police area"))
    period_start = DateField(
        _l("Period from"), validators=[Optional()], render_kw={"autocomplete": "off"}
    )
    period_end = DateField(_l("Period until"), validators=[Optional()])
    signed_on = DateField(_l("Signed on (optional)"), validators=[Optional()])
    chair_signatory = StringField(_l("Signed for the municipality by (optional)"))
    police_signatory = StringField(_l("Signed for the police by (optional)"))
    carry_over = MultiCheckboxField(
        _l("Measures that go on in the new period"),
        coerce=int,
        description=_l(
            "Each chosen measure is copied into the new promise as planned, with its owners "
            "and partners. The old measure stays with the old promise and its history."
        ),
    )
