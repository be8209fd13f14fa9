from flask_wtf import FlaskForm
from wtforms import HiddenField, SelectChoice, SelectField, TextAreaField
from wtforms.validators import Length

from brott.models import ACTION_STATUS_LABELS, ActionStatus

ACTION_STATUS_CHOICES = [SelectChoice(s.value, ACTION_STATUS_LABELS[s]) for s in ActionStatus]


class ActionStatusForm(FlaskForm):
    status = SelectField("Status", choices=ACTION_STATUS_CHOICES)
    comment = TextAreaField(
        "Kommentar", validators=[Length(max=2000, message="Högst 2000 tecken.")]
    )
    meeting_id = HiddenField()  # set when the action is followed up at a meeting
    next = HiddenField()


class ConfirmForm(FlaskForm):
    comment = TextAreaField(
        "Kommentar (valfritt)", validators=[Length(max=2000, message="Högst 2000 tecken.")]
    )
