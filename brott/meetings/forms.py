import math
import re

from flask_babel import LazyString
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import (
    DateField,
    HiddenField,
    IntegerField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
    TimeField,
    URLField,
)
from wtforms.validators import (
    URL,
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    ValidationError,
)

from brott.forms import Form
from brott.measures.forms import MultiCheckboxField
from brott.services.meetings import DEFAULT_TITLE, MAX_REMINDER_MINUTES

# weekday names as they appear inside a sentence ("tisdag kl. 09:00" in Swedish); Monday = 0
WEEKDAYS = [
    _l("Monday"),
    _l("Tuesday"),
    _l("Wednesday"),
    _l("Thursday"),
    _l("Friday"),
    _l("Saturday"),
    _l("Sunday"),
]


def _capitalised(text) -> str:
    return str(text).capitalize()


# as a choice on its own: capitalised when shown, in whatever language is current then
WEEKDAY_CHOICES = [
    SelectChoice(str(i), LazyString(_capitalised, day)) for i, day in enumerate(WEEKDAYS)
]


HOURS_CAP = 1e12


def parse_reminder_hours(text: str) -> list[int]:
    """'48, 2' or '24 0.5' (hours before the meeting) → minutes; ValueError if not finite
    numbers ('inf', 'nan' and '1e309' are floats to Python, but no number of hours)."""
    hours = [float(part) for part in re.split(r"[,;\s]+", text.strip()) if part]
    if not all(math.isfinite(h) for h in hours):
        raise ValueError("not a finite number of hours")
    # 3e306 hours is finite, but not once in minutes: any such number is far out of range
    # anyway, so it is capped before multiplying and the range check refuses it
    return [round(max(-HOURS_CAP, min(h, HOURS_CAP)) * 60) for h in hours]


class SeriesForm(Form):
    title = StringField(
        _l("Name"),
        default=DEFAULT_TITLE,
        validators=[DataRequired(_l("Enter a name.")), Length(max=200)],
    )
    weekday = SelectField(
        _l("Weekday"),
        choices=WEEKDAY_CHOICES,
        default="1",
    )
    local_time = TimeField(_l("Time"), validators=[InputRequired(_l("Enter a time."))])
    duration_minutes = IntegerField(
        _l("Duration (minutes)"),
        default=90,
        validators=[
            InputRequired(_l("Enter the meeting's duration in minutes.")),
            NumberRange(
                15,
                480,
                _l("The meeting must last between %(min)d and %(max)d minutes.", min=15, max=480),
            ),
        ],
    )
    interval_weeks = IntegerField(
        _l("Every … weeks"),
        default=2,
        validators=[
            InputRequired(_l("Enter how often the meeting recurs.")),
            NumberRange(1, 8, _l("Enter an interval of 1 to 8 weeks.")),
        ],
    )
    first_date = DateField(
        _l("First date"), validators=[InputRequired(_l("Enter the first date."))]
    )
    until_date = DateField(_l("Last date (optional)"), validators=[Optional()])
    location = StringField(_l("Location"), validators=[Length(max=200)])
    video_url = URLField(
        _l("Video link"),
        validators=[
            Optional(),
            URL(message=_l("Enter a full address (https://…).")),
            Length(max=500),
        ],
    )
    reminder_hours = StringField(
        _l("Reminders (hours before)"),
        default="48, 2",
        validators=[Length(max=100)],
        description=_l("For example 48, 2. Sent to the coordinators and the invitees."),
    )
    invitee_ids = MultiCheckboxField(_l("Invitees"), coerce=int)
    partner_ids = MultiCheckboxField(_l("Invited organisations"), coerce=int)

    def validate_reminder_hours(self, field) -> None:
        try:
            minutes = parse_reminder_hours(field.data or "")
        except ValueError as error:
            raise ValidationError(_("Write hours as numbers, for example 48, 2.")) from error
        if not minutes:
            raise ValidationError(_("Enter at least one reminder, for example 48, 2."))
        if not all(0 < m <= MAX_REMINDER_MINUTES for m in minutes):
            raise ValidationError(
                _(
                    "Give each reminder in hours before the meeting: more than 0 and at most "
                    "14 days (%(hours)d hours).",
                    hours=MAX_REMINDER_MINUTES // 60,
                )
            )


class MoveForm(Form):
    day = DateField(_l("New date"), validators=[InputRequired(_l("Enter a date."))])
    time = TimeField(_l("New time"), validators=[InputRequired(_l("Enter a time."))])
    location = StringField(_l("Location"), validators=[Length(max=200)])
    version = HiddenField()  # the meeting's version the move was made from


class AgendaForm(Form):
    agenda = TextAreaField(_l("Agenda"), validators=[Length(max=10000)])
    situation_summary = TextAreaField(
        _l("Joint situation picture (summary)"),
        validators=[Length(max=10000)],
        description=_l("Places, times and patterns – no information about individual persons."),
    )
    version = HiddenField()  # the meeting's version the text was written from


class CancelForm(Form):
    """The CSRF token and the meeting's version the page showed: cancelling is a POST."""

    version = HiddenField()


class SeriesChangeForm(SeriesForm):
    """The series form for a change from one meeting on, with the series' fingerprint."""

    first_date = DateField(
        _l("New schedule from"),
        validators=[InputRequired(_l("Enter the first date of the new schedule."))],
        description=_l("The first meeting on the new schedule; on the weekday chosen above."),
    )
    fingerprint = HiddenField()  # the series as the form showed it (services/series_changes)


class EndSeriesForm(Form):
    """Ending a series: no meetings after the last day."""

    last_date = DateField(
        _l("Last meeting day"),
        validators=[InputRequired(_l("Enter the last day of the series."))],
        description=_l("Meetings planned after this day are cancelled."),
    )
    fingerprint = HiddenField()


class HolidayMoveForm(Form):
    """The one-click move of a meeting off a public holiday: the CSRF token, the meeting's
    version the page showed, and where the user pressed it."""

    version = HiddenField()
    back = HiddenField()  # "index" (the meetings list) or the meeting page
