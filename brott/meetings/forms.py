import re

from flask_wtf import FlaskForm
from wtforms import (
    DateField,
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

from brott.measures.forms import MultiCheckboxField

WEEKDAYS = ["måndag", "tisdag", "onsdag", "torsdag", "fredag", "lördag", "söndag"]


def parse_reminder_hours(text: str) -> list[int]:
    """'48, 2' or '24 0.5' (hours before the meeting) → minutes; ValueError if not numbers."""
    return [round(float(part) * 60) for part in re.split(r"[,;\s]+", text.strip()) if part]


class SeriesForm(FlaskForm):
    title = StringField(
        "Namn",
        default="EST – effektiv samordning för trygghet",
        validators=[DataRequired("Ange ett namn."), Length(max=200)],
    )
    weekday = SelectField(
        "Veckodag",
        choices=[SelectChoice(str(i), d.capitalize()) for i, d in enumerate(WEEKDAYS)],
        default="1",
    )
    local_time = TimeField("Klockslag", validators=[InputRequired("Ange ett klockslag.")])
    duration_minutes = IntegerField(
        "Längd (minuter)",
        default=90,
        validators=[
            InputRequired("Ange mötets längd i minuter."),
            NumberRange(15, 480, "Mötet ska vara mellan 15 och 480 minuter."),
        ],
    )
    interval_weeks = IntegerField(
        "Var …:e vecka",
        default=2,
        validators=[
            InputRequired("Ange hur ofta mötet återkommer."),
            NumberRange(1, 8, "Ange var 1:a till var 8:e vecka."),
        ],
    )
    first_date = DateField("Första datum", validators=[InputRequired("Ange första datum.")])
    until_date = DateField("Sista datum (valfritt)", validators=[Optional()])
    location = StringField("Plats", validators=[Length(max=200)])
    video_url = URLField(
        "Videolänk",
        validators=[
            Optional(),
            URL(message="Ange en fullständig adress (https://…)."),
            Length(max=500),
        ],
    )
    reminder_hours = StringField(
        "Påminnelser (timmar före)",
        default="48, 2",
        validators=[Length(max=100)],
        description="Till exempel 48, 2. Går till samordnarna och de inbjudna.",
    )
    invitee_ids = MultiCheckboxField("Inbjudna", coerce=int)
    partner_ids = MultiCheckboxField("Inbjudna organisationer", coerce=int)

    def validate_reminder_hours(self, field) -> None:
        try:
            minutes = parse_reminder_hours(field.data or "")
        except ValueError as error:
            raise ValidationError("Skriv timmar som tal, till exempel 48, 2.") from error
        if not minutes:
            raise ValidationError("Ange minst en påminnelse, till exempel 48, 2.")


class MoveForm(FlaskForm):
    day = DateField("Nytt datum", validators=[InputRequired("Ange ett datum.")])
    time = TimeField("Nytt klockslag", validators=[InputRequired("Ange ett klockslag.")])
    location = StringField("Plats", validators=[Length(max=200)])


class AgendaForm(FlaskForm):
    agenda = TextAreaField("Dagordning", validators=[Length(max=10000)])
    situation_summary = TextAreaField(
        "Gemensam lägesbild (sammanfattning)",
        validators=[Length(max=10000)],
        description="Platser, tider och mönster – inga uppgifter om enskilda personer.",
    )


class DecisionForm(FlaskForm):
    title = StringField(
        "Beslut / åtgärd",
        validators=[DataRequired("Beskriv vad som ska göras."), Length(max=300)],
    )
    place = StringField("Var", validators=[Length(max=200)])
    owner_id = SelectField("Ansvarig", coerce=int, validate_choice=True)
    due_date = DateField("Klart senast", validators=[InputRequired("Ange ett datum.")])
    measure_id = SelectField("Kopplad insats (valfritt)", coerce=str, default="")


class CancelForm(FlaskForm):
    """Only the CSRF token: cancelling is a POST."""
