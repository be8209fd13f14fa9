from flask_wtf import FlaskForm
from wtforms import (
    DateField,
    DateTimeLocalField,
    FloatField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from brott.models import SOURCE_LABELS, VISIBILITY_LABELS, NoteSource, Visibility
from brott.services.notes import MAX_TEXT

SOURCE_CHOICES = [SelectChoice(s.value, SOURCE_LABELS[s]) for s in NoteSource]
VISIBILITY_CHOICES = [SelectChoice(v.value, VISIBILITY_LABELS[v]) for v in Visibility]
ALL = SelectChoice("", "Alla")


class NoteForm(FlaskForm):
    observed_from = DateTimeLocalField(
        "Observerat från",
        format="%Y-%m-%dT%H:%M",
        validators=[InputRequired("Ange när det observerades (datum och tid).")],
    )
    observed_to = DateTimeLocalField(
        "till (valfritt)", format="%Y-%m-%dT%H:%M", validators=[Optional()]
    )
    place_id = SelectField("Plats", coerce=int)
    category_id = SelectField("Kategori", coerce=int)
    source = SelectField("Källa", choices=SOURCE_CHOICES)
    text = TextAreaField(
        "Vad observerades?",
        validators=[
            DataRequired("Skriv vad som observerades."),
            Length(max=MAX_TEXT, message=f"Texten får vara högst {MAX_TEXT} tecken."),
        ],
        description=(
            "Beskriv platser, tider och mönster – inte enskilda personer. "
            "Namn, personnummer, telefonnummer och e-postadresser hör inte hit."
        ),
    )
    visibility = SelectField("Synlighet", choices=VISIBILITY_CHOICES, default="internal")
    measure_id = SelectField("Kopplad insats (valfritt)", coerce=str, default="")


class NoteFilterForm(FlaskForm):
    class Meta:
        csrf = False

    start = DateField("Från", validators=[Optional()])
    end = DateField("Till och med", validators=[Optional()])
    place = SelectField("Plats", choices=[ALL], default="")
    category = SelectField("Kategori", choices=[ALL], default="")
    source = SelectField("Källa", choices=[ALL, *SOURCE_CHOICES], default="")
    visibility = SelectField("Synlighet", choices=[ALL, *VISIBILITY_CHOICES], default="")


class PlaceForm(FlaskForm):
    name = StringField("Ny plats", validators=[DataRequired("Ange ett namn."), Length(max=120)])
    latitude = FloatField(
        "Latitud (valfritt)",
        validators=[Optional(), NumberRange(-90, 90, "Latitud anges mellan -90 och 90.")],
    )
    longitude = FloatField(
        "Longitud (valfritt)",
        validators=[Optional(), NumberRange(-180, 180, "Longitud anges mellan -180 och 180.")],
    )


class CategoryForm(FlaskForm):
    name = StringField("Ny kategori", validators=[DataRequired("Ange ett namn."), Length(max=80)])


class RetentionForm(FlaskForm):
    months = SelectField(
        "Gallra anteckningar äldre än (månader)",
        coerce=int,
        choices=[SelectChoice(m, f"{m} månader") for m in (6, 12, 18, 24, 36, 48, 60)],
    )


class BareForm(FlaskForm):
    """Only the CSRF token, for POST buttons."""
