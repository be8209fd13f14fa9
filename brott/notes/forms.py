from datetime import datetime

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_ngettext
from wtforms import (
    DateField,
    DateTimeLocalField,
    HiddenField,
    SelectChoice,
    SelectField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from brott import clock, policy
from brott.forms import Form
from brott.measures.forms import measure_choices
from brott.models import SOURCE_LABELS, VISIBILITY_LABELS, NoteSource, SituationNote, Visibility
from brott.policy import Permission, Viewer
from brott.services import measures as measure_service
from brott.services import places as place_service
from brott.services.notes import MAX_TEXT, NoteData

SOURCE_CHOICES = [SelectChoice(s.value, SOURCE_LABELS[s]) for s in NoteSource]
VISIBILITY_CHOICES = [SelectChoice(v.value, VISIBILITY_LABELS[v]) for v in Visibility]
ALL = SelectChoice("", _l("All"))


class NoteForm(Form):
    observed_from = DateTimeLocalField(
        _l("Observed from"),
        format="%Y-%m-%dT%H:%M",
        validators=[InputRequired(_l("Enter when it was observed (date and time)."))],
    )
    observed_to = DateTimeLocalField(
        _l("to (optional)"), format="%Y-%m-%dT%H:%M", validators=[Optional()]
    )
    place_id = SelectField(_l("Place"), coerce=int)
    category_id = SelectField(_l("Category"), coerce=int)
    source = SelectField(_l("Source"), choices=SOURCE_CHOICES)
    text = TextAreaField(
        _l("What was observed?"),
        validators=[
            DataRequired(_l("Describe what was observed.")),
            Length(
                max=MAX_TEXT,
                message=_l("Text may be at most %(limit)d characters.", limit=MAX_TEXT),
            ),
        ],
        description=_l(
            "Describe places, times and patterns – not individual persons. "
            "Names, personal identity numbers, phone numbers and email addresses "
            "do not belong here."
        ),
    )
    visibility = SelectField(_l("Visibility"), choices=VISIBILITY_CHOICES, default="internal")
    measure_id = SelectField(_l("Linked measure (optional)"), coerce=str, default="")
    version = HiddenField()  # on the edit form: the version it was loaded with


class NoteFilterForm(Form):
    class Meta:
        csrf = False

    start = DateField(_l("From"), validators=[Optional()])
    end = DateField(_l("Up to and including"), validators=[Optional()])
    place = SelectField(_l("Place"), choices=[ALL], default="")
    category = SelectField(_l("Category"), choices=[ALL], default="")
    source = SelectField(_l("Source"), choices=[ALL, *SOURCE_CHOICES], default="")
    visibility = SelectField(_l("Visibility"), choices=[ALL, *VISIBILITY_CHOICES], default="")


class RetentionForm(Form):
    months = SelectField(
        _l("Delete notes older than (months)"),
        coerce=int,
        choices=[
            SelectChoice(m, lazy_ngettext("%(num)d month", "%(num)d months", m))
            for m in (6, 12, 18, 24, 36, 48, 60)
        ],
    )
    version = HiddenField()  # the council's version the page showed


class BareForm(Form):
    """Only the CSRF token, for POST buttons."""


def prepared_note_form(viewer: Viewer, note: SituationNote | None = None) -> NoteForm:
    """The note form with the council's places, categories and measures to choose from; the
    police may only write notes shared with the police. Used for a new note, an edit and a
    note made from something else (an activity entry, a resident's report)."""
    form = NoteForm(obj=note)
    form.place_id.choices = [
        SelectChoice(p.id, p.name) for p in place_service.places(viewer.council_id)
    ]
    form.category_id.choices = [
        SelectChoice(c.id, c.name) for c in place_service.categories(viewer.council_id)
    ]
    form.measure_id.choices = measure_choices(measure_service.titles(viewer))
    if not policy.can(viewer, Permission.VIEW_INTERNAL_NOTES):
        form.visibility.choices = [
            c for c in form.visibility.choices if c.value == Visibility.SHARED.value
        ]
        if not form.is_submitted():
            form.visibility.data = Visibility.SHARED.value
    return form


def wall_clock(value: datetime | None) -> datetime | None:
    """An aware value as the Stockholm wall-clock time a datetime-local field shows."""
    return value.astimezone(clock.STOCKHOLM).replace(tzinfo=None) if value else None


def note_data(form: NoteForm) -> NoteData:
    """What the filled note form says."""

    def local(value: datetime | None) -> datetime | None:
        return value.replace(tzinfo=clock.STOCKHOLM) if value else None

    return NoteData(
        observed_from=form.observed_from.data.replace(tzinfo=clock.STOCKHOLM),
        observed_to=local(form.observed_to.data),
        place_id=form.place_id.data,
        category_id=form.category_id.data,
        source=NoteSource(form.source.data),
        text=form.text.data or "",
        visibility=Visibility(form.visibility.data),
        measure_id=int(form.measure_id.data) if form.measure_id.data else None,
    )
