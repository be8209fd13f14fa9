"""Forms of the safety walks: a walk, a finding with its action, the owner's answer."""

from datetime import datetime
from typing import Any

from flask_babel import lazy_gettext as _l
from wtforms import (
    DateField,
    FloatField,
    HiddenField,
    IntegerField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from brott.forms import Form
from brott.input_guard import is_id
from brott.measures.forms import MultiCheckboxField
from brott.places.forms import place_choices
from brott.policy import Viewer
from brott.services import places as place_service
from brott.services import walks as service
from brott.services.users import active_members

NO_PLACE = SelectChoice("", _l("No particular place"))
NO_MEASURE = SelectChoice("", _l("None"))
NO_PARTNER = SelectChoice("", _l("No organisation: the owner's own work"))
CHOOSE = SelectChoice("", _l("Choose…"))


def _limit(limit: int) -> Length:
    return Length(max=limit, message=_l("At most %(limit)d characters.", limit=limit))


class WalkForm(Form):
    title = StringField(_l("Name of the walk"), validators=[_limit(200)])
    area = StringField(
        _l("Area"),
        description=_l("The district or housing area the walk goes through."),
        validators=[_limit(120)],
    )
    place_id = SelectField(_l("Place (optional)"), coerce=str, default="")
    route = TextAreaField(
        _l("Route"),
        description=_l("Where the walk starts, which way it goes and where it ends."),
        validators=[_limit(service.MAX_TEXT)],
    )
    preparation_date = DateField(_l("Preparatory meeting"), validators=[Optional()])
    # the service names a missing date, together with every other problem of the walk
    walk_date = DateField(_l("Date of the walk"), validators=[Optional()])
    follow_up_date = DateField(
        _l("Follow-up meeting"),
        description=_l("Normally two or three weeks after the walk."),
        validators=[Optional()],
    )
    participant_ids = MultiCheckboxField(_l("Participants from the council"), coerce=int)
    partner_ids = MultiCheckboxField(_l("Partner organisations taking part"), coerce=int)
    other_participants = IntegerField(
        _l("Other participants (residents and others)"),
        default=0,
        validators=[
            Optional(),
            NumberRange(
                0,
                service.MAX_OTHER_PARTICIPANTS,
                _l("Enter a number from 0 to %(limit)d.", limit=service.MAX_OTHER_PARTICIPANTS),
            ),
        ],
    )
    measure_id = SelectField(_l("Measure (optional)"), coerce=str, default="")
    previous_walk_id = HiddenField()  # a re-walk: the walk it follows up
    version = HiddenField()  # on the edit form: the version it was loaded with


def walk_form(viewer: Viewer, **kwargs: Any) -> WalkForm:
    """The walk form with the council's places, people, partners and walk measures."""
    form = WalkForm(**kwargs)
    council_id = viewer.council_id
    form.place_id.choices = [NO_PLACE, *place_choices(place_service.places(council_id))]
    form.participant_ids.choices = [SelectChoice(u.id, u.name) for u in active_members(council_id)]
    form.partner_ids.choices = [
        SelectChoice(p.id, p.name) for p in service.partner_candidates(council_id)
    ]
    form.measure_id.choices = [
        NO_MEASURE,
        *(SelectChoice(str(m.id), m.title) for m in service.walk_measures(viewer)),
    ]
    return form


def fill_walk_form(form: WalkForm, data: service.WalkData) -> None:
    """Show `data` (a re-walk's copy) in an unsubmitted form."""
    form.title.data = data.title
    form.area.data = data.area
    form.place_id.data = str(data.place_id) if data.place_id else ""
    form.route.data = data.route
    form.participant_ids.data = data.participant_ids
    form.partner_ids.data = data.partner_ids
    form.other_participants.data = data.other_participants
    form.measure_id.data = str(data.measure_id) if data.measure_id else ""
    form.previous_walk_id.data = str(data.previous_walk_id or "")


def walk_data(form: WalkForm) -> service.WalkData:
    """The walk a filled-in form describes."""
    previous = form.previous_walk_id.data or ""
    return service.WalkData(
        title=form.title.data or "",
        area=form.area.data or "",
        walk_date=form.walk_date.data,
        place_id=int(form.place_id.data) if form.place_id.data else None,
        route=form.route.data or "",
        preparation_date=form.preparation_date.data,
        follow_up_date=form.follow_up_date.data,
        participant_ids=list(form.participant_ids.data or []),
        partner_ids=list(form.partner_ids.data or []),
        other_participants=form.other_participants.data or 0,
        measure_id=int(form.measure_id.data) if form.measure_id.data else None,
        previous_walk_id=int(previous) if is_id(previous) else None,
    )


class FindingForm(Form):
    # place, category and due date are checked by the service with everything else
    place_id = SelectField(_l("Place"), coerce=str, default="")
    latitude = FloatField(
        _l("Latitude (optional)"),
        validators=[Optional(), NumberRange(-90, 90, _l("Latitude is between -90 and 90."))],
    )
    longitude = FloatField(
        _l("Longitude (optional)"),
        validators=[Optional(), NumberRange(-180, 180, _l("Longitude is between -180 and 180."))],
    )
    description = TextAreaField(
        _l("What the walk found"),
        description=_l("Describe the place and the problem, not persons."),
        validators=[_limit(service.MAX_TEXT)],
    )
    category_id = SelectField(_l("Category"), coerce=str, default="")
    action_title = StringField(_l("What is to be done"), validators=[_limit(300)])
    owner_id = SelectField(_l("Responsible"), coerce=str, default="")
    owner_partner_id = SelectField(_l("Organisation that does the work"), coerce=str, default="")
    due_date = DateField(_l("Due by"), validators=[Optional()])


def finding_form(viewer: Viewer, default_owner_id: int) -> FindingForm:
    """The finding form with the council's places, categories, people and partners."""
    form = FindingForm()
    council_id = viewer.council_id
    form.place_id.choices = [CHOOSE, *place_choices(place_service.places(council_id))]
    form.category_id.choices = [CHOOSE, *place_choices(place_service.categories(council_id))]
    form.owner_id.choices = [SelectChoice(str(u.id), u.name) for u in active_members(council_id)]
    form.owner_partner_id.choices = [
        NO_PARTNER,
        *(SelectChoice(str(p.id), p.name) for p in service.partner_candidates(council_id)),
    ]
    if not form.is_submitted():
        form.owner_id.data = str(default_owner_id)
    return form


def finding_data(form: FindingForm) -> service.FindingData:
    """The finding a filled-in form describes."""

    def number(value: str | None) -> int | None:
        return int(value) if value and is_id(value) else None

    return service.FindingData(
        place_id=number(form.place_id.data),
        description=form.description.data or "",
        category_id=number(form.category_id.data),
        action_title=form.action_title.data or "",
        owner_id=number(form.owner_id.data),
        due_date=form.due_date.data,
        latitude=form.latitude.data,
        longitude=form.longitude.data,
        owner_partner_id=number(form.owner_partner_id.data),
    )


class AnswerForm(Form):
    answer = TextAreaField(
        _l("The owner's answer"),
        description=_l("What they said at the follow-up meeting that they will do."),
        validators=[DataRequired(_l("Write what the owner will do.")), _limit(service.MAX_ANSWER)],
    )
    # when the answer the user saw was saved ("": none yet), so another's is not overwritten
    seen = HiddenField()

    @staticmethod
    def seen_value(answered_at: datetime | None) -> str:
        return answered_at.isoformat() if answered_at is not None else ""

    def seen_answer(self) -> datetime | None:
        """The moment the seen answer was saved; an unreadable value counts as none seen."""
        try:
            return datetime.fromisoformat(self.seen.data) if self.seen.data else None
        except ValueError:
            return None
