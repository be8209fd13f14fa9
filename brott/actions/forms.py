from flask_babel import lazy_gettext as _l
from wtforms import DateField, HiddenField, SelectChoice, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, StopValidation

from brott.forms import Form
from brott.measures.forms import measure_choices
from brott.models import ActionStatus
from brott.places.forms import place_choices
from brott.policy import Viewer
from brott.services import actions as service
from brott.services import measures as measure_service
from brott.services import meetings as meeting_service
from brott.services import places as place_service

# what a person may choose; late is never chosen, it follows from the due date (ActionState)
ACTION_STATUS_CHOICES = [
    SelectChoice(ActionStatus.OPEN.value, _l("Open")),
    SelectChoice(ActionStatus.DONE.value, _l("Done")),
    SelectChoice(ActionStatus.DELAYED.value, _l("Postpone")),
]
NEW_DUE_DATE = _l("New due date")
CHOOSE_NEW_DUE_DATE = _l("Choose the new due date.")
GIVE_A_REASON = _l("Write why the action is postponed.")  # the service says so too


def _needed_when_postponing(form: "ActionStatusForm", field: DateField) -> None:
    """The new due date is asked for only when postponing; else an empty field is fine."""
    if field.raw_data and field.raw_data[0].strip():
        return
    if form.status.data == ActionStatus.DELAYED.value:
        raise StopValidation(str(CHOOSE_NEW_DUE_DATE))
    field.errors[:] = []
    raise StopValidation()


def _reason_when_postponing(form: "ActionStatusForm", field: TextAreaField) -> None:
    """Asked here too, so a postponement without date and reason hears of both at once."""
    postponing = form.status.data == ActionStatus.DELAYED.value
    if postponing and not (field.data or "").strip():
        raise StopValidation(str(GIVE_A_REASON))


class ActionStatusForm(Form):
    status = SelectField(_l("Status"), choices=ACTION_STATUS_CHOICES)
    due_date = DateField(
        NEW_DUE_DATE,
        description=_l("Only when postponing."),
        validators=[_needed_when_postponing],
    )
    comment = TextAreaField(
        _l("Comment"),
        validators=[
            _reason_when_postponing,
            Length(max=2000, message=_l("At most %(limit)d characters.", limit=2000)),
        ],
    )
    meeting_id = HiddenField()  # set when the action is followed up at a meeting
    next = HiddenField()
    version = HiddenField()  # the action's version the page showed


class ConfirmForm(Form):
    comment = TextAreaField(
        _l("Comment (optional)"),
        validators=[Length(max=2000, message=_l("At most %(limit)d characters.", limit=2000))],
    )


class PostponeForm(Form):
    """The page of a one-click "postpone" link: the new date and why."""

    due_date = DateField(NEW_DUE_DATE, validators=[InputRequired(CHOOSE_NEW_DUE_DATE)])
    comment = TextAreaField(
        _l("Why is it postponed?"),
        validators=[
            DataRequired(GIVE_A_REASON),
            Length(max=2000, message=_l("At most %(limit)d characters.", limit=2000)),
        ],
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
