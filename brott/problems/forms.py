from flask_babel import lazy_gettext as _l
from wtforms import DateField, HiddenField, SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional

from brott.forms import Form
from brott.measures.forms import MultiCheckboxField
from brott.services.problems import MAX_TEXT, MAX_TITLE


class ProblemForm(Form):
    title = StringField(
        _l("Problem"),
        validators=[InputRequired(_l("Name the problem.")), Length(max=MAX_TITLE)],
        description=_l(
            "What the situation analysis found, e.g. “Unsafe walk from the station at night”."
        ),
    )
    description = TextAreaField(_l("What and where"), validators=[Length(max=MAX_TEXT)])
    place_id = SelectField(_l("Place"), choices=[])
    evidence_from = DateField(_l("Evidence from"), validators=[Optional()])
    evidence_to = DateField(_l("Evidence to"), validators=[Optional()])
    evidence = TextAreaField(
        _l("Other evidence"),
        validators=[Length(max=MAX_TEXT)],
        description=_l("Survey figures, the police's statistics, what residents said at meetings."),
    )
    measure_ids = MultiCheckboxField(_l("Measures that address it"), coerce=int, choices=[])
    version = HiddenField()


class PeriodForm(Form):
    """A period of days, read from the query string (`fran`, `till`)."""

    class Meta:
        csrf = False

    fran = DateField(_l("From"), validators=[Optional()])
    till = DateField(_l("To"), validators=[Optional()])


class QuarterForm(Form):
    class Meta:
        csrf = False

    kvartal = SelectField(_l("Quarter"), choices=[])
