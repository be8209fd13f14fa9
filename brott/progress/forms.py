from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, SelectChoice, TextAreaField
from wtforms.validators import Length

from brott.forms import Form
from brott.measures.forms import MultiCheckboxField
from brott.models.measure import PUBLIC_FIELD_LABELS, PublicField
from brott.services.progress import MAX_SUMMARY

FIELD_CHOICES = [SelectChoice(f.value, PUBLIC_FIELD_LABELS[f]) for f in PublicField]


class PublishForm(Form):
    public_fields = MultiCheckboxField(
        _l("Shown on the public progress page"), choices=FIELD_CHOICES
    )
    public_summary = TextAreaField(
        _l("Plain-language summary"),
        validators=[Length(max=MAX_SUMMARY)],
        description=_l("What the measure is and does, told to residents in a few plain sentences."),
    )
    version = HiddenField()
