from flask_babel import lazy_gettext as _l
from wtforms import DateField, HiddenField, SelectChoice, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length

from brott.forms import Form
from brott.measures.forms import measure_choices
from brott.models import ACTION_STATUS_LABELS, ActionStatus
from brott.places.forms import place_choices
from brott.policy import Viewer
from brott.services import actions as service
from brott.services import measures as measure_service
from brott.services import meetings as meeting_service
from brott.services import places as place_service

ACTION_STATUS_CHOICES = [SelectChoice(s.value, ACTION_STATUS_LABELS[s]) for s in ActionStatus]


class ActionStatusForm(Form):
    status = SelectField(_l("Status"), choices=ACTION_STATUS_CHOICES)
    comment = TextAreaField(
        _l("Comment"),
        validators=[Length(max=2000, message=_l("At most %(limit)d characters.", limit=2000))],
    )
    meeting_id = HiddenField()  # set when the action is followed up at a meeting
    next = HiddenField()
    version = HiddenField()  # the action's version the page showed


class ConfirmForm(Form):
    comment = TextAreaField(
        _l("Comment (optional)"),
        validators=[Length(max=2000, message=_l("At most %(limit)d characters.", limit=2000))],
    )


class ActionForm(Form):
    """An action: decided at a meeting, or entered by hand."""

    title = StringField(
        _l("Decision / action"),
        validators=[DataRequired(_l("Describe what is to be done.")), Length(max=300)],
    )
    place_id = SelectField(_l("Where"), coerce=str, default="")
    owner_id = SelectField(_l("Owner"), coerce=int, validate_choice=True)
    due_date = DateField(_l("Due by"), validators=[InputRequired(_l("Enter a date."))])
    measure_id = SelectField(_l("Linked measure (optional)"), coerce=str, default="")


def action_form(viewer: Viewer) -> ActionForm:
    """The action form with the council's people, places and measures to choose from."""
    form = ActionForm()
    council_id = viewer.council_id
    form.owner_id.choices = [
        SelectChoice(u.id, u.name) for u in meeting_service.member_candidates(council_id)
    ]
    form.place_id.choices = [
        SelectChoice("", _l("No particular place")),
        *place_choices(place_service.places(council_id)),
    ]
    form.measure_id.choices = measure_choices(measure_service.titles(viewer))
    return form


def action_data(form: ActionForm) -> service.ActionData:
    """The action a filled-in form describes."""
    return service.ActionData(
        title=form.title.data or "",
        owner_id=form.owner_id.data,
        due_date=form.due_date.data,
        place_id=int(form.place_id.data) if form.place_id.data else None,
        measure_id=int(form.measure_id.data) if form.measure_id.data else None,
    )
