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

from brott.forms import Form
from brott.models import SOURCE_LABELS, VISIBILITY_LABELS, NoteSource, Visibility
from brott.services.notes import MAX_TEXT

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
