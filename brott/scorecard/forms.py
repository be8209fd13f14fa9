from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, SelectChoice, SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length

from brott.forms import Form
from brott.measures.forms import MultiCheckboxField
from brott.models.follow_up import JUDGEMENT_LABELS, Judgement
from brott.services.scorecard import MAX_JUSTIFICATION


class JudgementForm(Form):
    period = SelectField(_l("Follow-up period"), choices=[])
    judgement = SelectField(
        _l("Judgement"),
        choices=[
            SelectChoice("", _l("Choose…")),
            *(SelectChoice(j.value, JUDGEMENT_LABELS[j]) for j in Judgement),
        ],
        validators=[InputRequired(_l("Choose a judgement."))],
    )
    justification = TextAreaField(
        _l("Justification"),
        validators=[
            InputRequired(
                _l("Write why the measure is judged so: a judgement needs its justification.")
            ),
            Length(max=MAX_JUSTIFICATION),
        ],
    )
    # the judgement the form was loaded with: its period and version (a period judged before
    # is replaced only by someone who has seen that judgement)
    version_period = HiddenField()
    indicator_ids = MultiCheckboxField(
        _l("Indicators the judgement rests on"), coerce=int, choices=[]
    )
    version = HiddenField()


class FollowUpSettingsForm(Form):
    follow_up_months = SelectField(
        _l("Follow-up period"),
        choices=[SelectChoice("6", _l("Half-yearly")), SelectChoice("12", _l("Yearly"))],
    )
    public_contact = StringField(
        _l("Contact on the public progress page"),
        validators=[Length(max=300)],
        description=_l(
            "The council's address or telephone number for residents, e.g. a shared mailbox."
        ),
    )
    version = HiddenField()
