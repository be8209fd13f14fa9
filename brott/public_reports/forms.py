"""Forms of the public report pages: a report, "me too", the answer whether a fix held, and a
safety mark. They check the shape of what was typed (numbers, one line); the rules (which
category, where, how long, no personal data) are the services' (services/reports,
services/safety_marks), so the web form and Open311 refuse the same things."""

from flask_babel import lazy_gettext as _l
from wtforms import (
    EmailField,
    HiddenField,
    RadioField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Length, Optional

from brott.forms import DegreesField, Form
from brott.models.reports import FEELING_LABELS, FEELING_REASON_LABELS, TIME_OF_DAY_LABELS
from brott.services.report_handling import TEXT_MAX
from brott.services.reports import DESCRIPTION_MAX, EMAIL_MAX
from brott.services.safety_marks import COMMENT_MAX

HONEYPOT_LABEL = _l("Leave this field empty")


class PlaceFields(Form):
    """Where: words, and optionally a point that the map (or the visitor) fills in."""

    address = StringField(
        _l("Where is it?"),
        description=_l(
            "An address, a street corner or a place people know, e.g. “Sveagatan 12” or "
            "“the footpath behind the school”."
        ),
    )
    latitude = DegreesField(_l("Latitude"), validators=[Optional()])
    longitude = DegreesField(_l("Longitude"), validators=[Optional()])
    # a honeypot: hidden from people, filled in by form-filling robots
    website = StringField(HONEYPOT_LABEL)


class ReportForm(PlaceFields):
    category_id = RadioField(_l("What is it about?"), validate_choice=False)
    description = TextAreaField(
        _l("What is wrong?"),
        description=_l(
            "Describe the problem, not the people involved: no names, phone numbers or "
            "personal identity numbers. At most %(n)d characters.",
            n=DESCRIPTION_MAX,
        ),
    )
    email = EmailField(
        _l("E-mail for updates (optional)"),
        description=_l("Only if you want to hear when something happens."),
        validators=[Length(max=EMAIL_MAX, message=_l("The e-mail address is too long."))],
    )
    # "1" after the visitor saw similar reports nearby and chose to send theirs anyway
    confirm_new = HiddenField()


class SupportForm(Form):
    """ "Me too" on a report found nearby; the address comes from the report form."""

    email = HiddenField()


ANSWER_CHOICES = [
    SelectChoice("yes", _l("Yes, it is fixed")),
    SelectChoice("no", _l("No, it is not fixed")),
]


class AnswerForm(Form):
    fixed = RadioField(
        _l("Is it fixed?"),
        choices=ANSWER_CHOICES,
        validators=[InputRequired(_l("Answer yes or no."))],
    )
    text = TextAreaField(
        _l("Comment (optional)"),
        validators=[
            Length(max=TEXT_MAX, message=_l("Write at most %(n)d characters.", n=TEXT_MAX))
        ],
    )


class MarkForm(PlaceFields):
    feeling = RadioField(
        _l("How does the place feel?"),
        choices=[SelectChoice(k.value, label) for k, label in FEELING_LABELS.items()],
        validate_choice=False,
    )
    time_of_day = RadioField(
        _l("When?"),
        choices=[SelectChoice(k.value, label) for k, label in TIME_OF_DAY_LABELS.items()],
        validate_choice=False,
    )
    reason = SelectField(
        _l("Main reason"),
        choices=[
            SelectChoice("", _l("Choose…")),
            *(SelectChoice(k.value, label) for k, label in FEELING_REASON_LABELS.items()),
        ],
        validate_choice=False,
    )
    comment = TextAreaField(
        _l("Comment (optional)"),
        description=_l(
            "About the place, not about people. At most %(n)d characters.", n=COMMENT_MAX
        ),
    )
