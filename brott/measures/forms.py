from flask_wtf import FlaskForm
from wtforms import (
    DateField,
    HiddenField,
    IntegerField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from brott.models import STATUS_LABELS, MeasureStatus

STATUS_CHOICES = [SelectChoice(s.value, STATUS_LABELS[s]) for s in MeasureStatus]
ALL = SelectChoice("", "Alla")


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def measure_choices(titles: list[tuple[int, str]]) -> list[SelectChoice]:
    """Choices for an optional link to a measure: "Ingen" first, then by promise order."""
    return [SelectChoice("", "Ingen"), *(SelectChoice(str(i), title) for i, title in titles)]


class FilterForm(FlaskForm):
    """Filters of the measure list; read from the query string."""

    class Meta:
        csrf = False

    status = SelectField("Status", choices=[ALL, *STATUS_CHOICES], default="")
    owner = SelectField("Ansvarig", choices=[ALL], default="")
    category = SelectField("Kategori", choices=[ALL], default="")


class UpdateForm(FlaskForm):
    """Status and progress, with the comment that explains the change."""

    status = SelectField("Status", choices=STATUS_CHOICES)
    progress = IntegerField(
        "Framsteg (%)",
        validators=[
            InputRequired("Ange framsteget i procent."),
            NumberRange(0, 100, "Framsteget anges i procent, 0–100."),
        ],
    )
    comment = TextAreaField(
        "Kommentar",
        validators=[
            DataRequired("Skriv en kommentar som förklarar ändringen."),
            Length(max=4000, message="Kommentaren får vara högst 4000 tecken."),
        ],
    )
    version = HiddenField()


class MeasureForm(FlaskForm):
    title = StringField(
        "Titel",
        validators=[
            DataRequired("Ange en titel."),
            Length(max=200, message="Titeln får vara högst 200 tecken."),
        ],
    )
    category = StringField(
        "Kategori", validators=[Length(max=80, message="Kategorin får vara högst 80 tecken.")]
    )
    description = TextAreaField(
        "Beskrivning",
        validators=[Length(max=10000, message="Beskrivningen får vara högst 10000 tecken.")],
    )
    start_date = DateField("Startdatum", validators=[Optional()])
    end_date = DateField("Slutdatum", validators=[Optional()])
    next_review_date = DateField("Nästa uppföljning", validators=[Optional()])
    owner_ids = MultiCheckboxField("Ansvariga", coerce=int)
    partner_ids = MultiCheckboxField("Partnerorganisationer", coerce=int)
    comment = TextAreaField(
        "Kommentar till ändringen",
        validators=[Length(max=4000, message="Kommentaren får vara högst 4000 tecken.")],
    )
    version = HiddenField()
