"""Forms of the report service's setup: the settings, a category, a body, a routing rule.

They read what was typed (numbers, choices, one line); the rules (ranges, unique names and
codes, a body without open reports before it goes out of use) are services/report_setup's.
"""

from typing import Any

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    HiddenField,
    IntegerField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Optional

from brott.forms import DegreesField, Form
from brott.models.reports import BODY_KIND_LABELS, BodyKind, ResponsibleBody
from brott.services import report_setup as service
from brott.services import reports

NO_BODY = SelectChoice("", _l("None: coordinators route its reports by hand"))
NO_PARTNER = SelectChoice("", _l("— none —"))
CHOOSE = SelectChoice("", _l("— choose —"))
ENTER_NUMBER = _l("Enter a whole number.")


def _degrees(label: Any) -> DegreesField:
    return DegreesField(label, validators=[InputRequired(_l("Enter degrees as a number."))])


def _whole(label: Any, description: Any = None) -> IntegerField:
    return IntegerField(label, description=description, validators=[InputRequired(ENTER_NUMBER)])


class SettingsForm(Form):
    min_latitude = _degrees(_l("Southern limit (latitude)"))
    max_latitude = _degrees(_l("Northern limit (latitude)"))
    min_longitude = _degrees(_l("Western limit (longitude)"))
    max_longitude = _degrees(_l("Eastern limit (longitude)"))
    nearby_metres = _whole(
        _l("Nearby distance (metres)"),
        _l(
            "From 10 to 5000. Open reports of the same kind this close are shown before a "
            "resident files one."
        ),
    )
    follow_up_weeks = _whole(
        _l("Follow-up after (weeks)"),
        _l(
            "From 1 to 26. This long after a report is fixed, the resident is asked whether "
            "it still is."
        ),
    )
    email_retention_days = _whole(
        _l("Keep e-mail addresses for (days)"),
        _l(
            "From 7 to 730. A reporter's address is deleted this long after their report is closed."
        ),
    )
    open311_key_required = BooleanField(_l("Open311 apps need a key to send reports"))
    contact_text = TextAreaField(
        _l("Who runs the service (optional)"),
        description=_l(
            "Shown on the public report page and to Open311 apps, e.g. a phone number or "
            "an address for questions."
        ),
    )
    version = HiddenField()  # the version the form was loaded with


class CategoryForm(Form):
    name = StringField(_l("Name"))
    name_en = StringField(
        _l("Name in English (optional)"),
        description=_l("Shown to residents who read the pages in English."),
    )
    service_code = StringField(
        _l("Service code"),
        description=_l(
            "How report apps (Open311) name the category: a–z, 0–9, hyphen and underscore. "
            "Left empty, it is made from the name. It cannot change once reports exist."
        ),
    )
    description = TextAreaField(_l("Description (optional)"))
    body_id = SelectField(_l("Responsible body"), choices=[NO_BODY], validate_choice=False)
    position = IntegerField(
        _l("Position in the list"),
        default=0,
        validators=[Optional()],
        description=_l("Lower numbers come first."),
    )
    active = BooleanField(_l("In use"), default=True)
    version = HiddenField()  # on the edit form: the version it was loaded with


class BodyForm(Form):
    name = StringField(_l("Name"))
    kind = SelectField(
        _l("Kind"),
        choices=[SelectChoice(kind.value, BODY_KIND_LABELS[kind]) for kind in BodyKind],
    )
    partner_id = SelectField(
        _l("Partner organisation (optional)"), choices=[NO_PARTNER], validate_choice=False
    )
    contact_email = StringField(
        _l("Contact e-mail"),
        description=_l("Receives every new report routed to the body."),
    )
    active = BooleanField(_l("In use"), default=True)
    version = HiddenField()  # on the edit form: the version it was loaded with


class RuleForm(Form):
    category_id = SelectField(_l("Category"), choices=[CHOOSE], validate_choice=False)
    area = SelectField(_l("Area"), choices=[CHOOSE], validate_choice=False)
    body_id = SelectField(_l("Goes to"), choices=[CHOOSE], validate_choice=False)


def chosen_id(field: SelectField) -> int | None:
    """The id a select chose; None when none (or nothing readable) was."""
    raw = field.data or ""
    return int(raw) if raw.isascii() and raw.isdigit() else None


def _body_choices(bodies: list[ResponsibleBody]) -> list[SelectChoice]:
    return [SelectChoice(str(body.id), body.name) for body in bodies]


def category_form(
    council_id: int, current_body_id: int | None = None, **kwargs: Any
) -> CategoryForm:
    """The category form offering the council's active bodies (and the category's own)."""
    form = CategoryForm(**kwargs)
    offered = [
        body for body in service.bodies(council_id) if body.active or body.id == current_body_id
    ]
    form.body_id.choices = [NO_BODY, *_body_choices(offered)]
    return form


def body_form(council_id: int, partners: list[Any], **kwargs: Any) -> BodyForm:
    """The body form offering the council's partner organisations."""
    form = BodyForm(**kwargs)
    form.partner_id.choices = [
        NO_PARTNER,
        *(SelectChoice(str(partner.id), partner.name) for partner in partners),
    ]
    return form


def rule_form(council_id: int, **kwargs: Any) -> RuleForm:
    """The routing rule form: a category, an area of the council's places, an active body."""
    form = RuleForm(**kwargs)
    form.category_id.choices = [
        CHOOSE,
        *(
            SelectChoice(str(category.id), category.name)
            for category in reports.categories(council_id, include_inactive=True)
        ),
    ]
    form.area.choices = [CHOOSE, *(SelectChoice(area, area) for area in service.areas(council_id))]
    form.body_id.choices = [CHOOSE, *_body_choices(service.bodies(council_id, active_only=True))]
    return form


def settings_data(form: SettingsForm) -> service.SettingsData:
    return service.SettingsData(
        min_latitude=form.min_latitude.data or 0.0,
        max_latitude=form.max_latitude.data or 0.0,
        min_longitude=form.min_longitude.data or 0.0,
        max_longitude=form.max_longitude.data or 0.0,
        nearby_metres=form.nearby_metres.data or 0,
        follow_up_weeks=form.follow_up_weeks.data or 0,
        email_retention_days=form.email_retention_days.data or 0,
        open311_key_required=bool(form.open311_key_required.data),
        contact_text=form.contact_text.data or "",
    )


def category_data(form: CategoryForm) -> service.CategoryData:
    return service.CategoryData(
        name=form.name.data or "",
        name_en=form.name_en.data or "",
        service_code=form.service_code.data or "",
        description=form.description.data or "",
        body_id=chosen_id(form.body_id),
        position=form.position.data or 0,
        active=bool(form.active.data),
    )


def body_data(form: BodyForm) -> service.BodyData:
    return service.BodyData(
        name=form.name.data or "",
        kind=BodyKind(form.kind.data),
        partner_id=chosen_id(form.partner_id),
        contact_email=form.contact_email.data or "",
        active=bool(form.active.data),
    )
