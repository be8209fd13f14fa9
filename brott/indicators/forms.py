"""Forms of the indicators area: an indicator's definition and a dated value."""

from typing import Any

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    DateField,
    HiddenField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length

from brott.forms import Form
from brott.models.indicators import (
    DIRECTION_LABELS,
    PERIOD_LABELS,
    SOURCE_LABELS,
    IndicatorDirection,
    IndicatorPeriod,
    IndicatorSource,
)
from brott.services.charts import number
from brott.services.indicators import MAX_COMMENT, parse_number


class NumberText(StringField):
    """A number as people type it, "12,5" or "12.5"; what was typed is shown back on error."""

    def process_formdata(self, valuelist: list[Any]) -> None:
        if not valuelist:
            return
        try:
            self.data = parse_number(valuelist[0])
        except ValueError:
            self.data = None
            raise ValueError(str(_l("Enter a number, for example 12,5."))) from None

    def _value(self) -> str:
        if self.raw_data:
            return str(self.raw_data[0])
        return number(self.data) if isinstance(self.data, int | float) else ""


class IndicatorForm(Form):
    name = StringField(_l("Name"), validators=[DataRequired(_l("Enter a name.")), Length(max=120)])
    unit = StringField(
        _l("Unit (optional)"),
        description=_l(
            "For example participants, weeks or %. A percentage lies between 0 and 100."
        ),
        validators=[Length(max=40)],
    )
    baseline = NumberText(
        _l("Baseline"),
        description=_l("Where the measure started."),
        validators=[InputRequired(_l("Enter the baseline."))],
        default=0.0,
    )
    target = NumberText(_l("Target"), validators=[InputRequired(_l("Enter the target."))])
    direction = SelectField(
        _l("Direction"),
        choices=[SelectChoice(d.value, DIRECTION_LABELS[d]) for d in IndicatorDirection],
    )
    source = SelectField(
        _l("Values"),
        choices=[SelectChoice(s.value, SOURCE_LABELS[s]) for s in IndicatorSource],
        description=_l("Entered by hand, or counted from the records."),
    )
    period = SelectField(
        _l("Period"),
        choices=[SelectChoice(p.value, PERIOD_LABELS[p]) for p in IndicatorPeriod],
        description=_l("A counted indicator gets one value per period."),
    )
    activity_kind_id = SelectField(_l("Count only this kind of activity"), choices=[], default="")
    drives_progress = BooleanField(
        _l("This indicator sets the measure's progress"),
        description=_l(
            "The progress then follows the share of the way from baseline to target. "
            "Only one indicator per measure does this: choosing this one releases another."
        ),
    )
    version = HiddenField()  # on the edit form: the version it was loaded with


class ValueForm(Form):
    on_date = DateField(_l("Date"), validators=[InputRequired(_l("Enter a date."))])
    value = NumberText(_l("Value"), validators=[InputRequired(_l("Enter a value."))])
    comment = TextAreaField(
        _l("Comment (optional)"),
        validators=[
            Length(
                max=MAX_COMMENT,
                message=_l("The comment may be at most %(limit)d characters.", limit=MAX_COMMENT),
            )
        ],
    )
