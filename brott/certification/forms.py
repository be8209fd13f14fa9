"""Forms of the certification register: a business, a checklist point, the settings, an
inspection (one result per point of the council's checklist) and the register's filter."""

from flask_babel import lazy_gettext as _l
from wtforms import (
    DateField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from brott.forms import Form
from brott.models.certification import (
    OUTCOME_LABELS,
    STATUS_LABELS,
    ChecklistPoint,
    Outcome,
)

ALL = SelectChoice("", _l("All"))
OUTCOME_CHOICES = [SelectChoice(o.value, OUTCOME_LABELS[o]) for o in Outcome]


class BusinessForm(Form):
    name = StringField(_l("Name"), validators=[DataRequired(_l("Enter a name.")), Length(max=120)])
    unit = StringField(
        _l("Unit (optional)"),
        description=_l("The shop or branch, when one company has several in the register."),
        validators=[Length(max=120)],
    )
    orgnr = StringField(
        _l("Organisation number"),
        description=_l("Ten digits, e.g. 556677-8899."),
        validators=[DataRequired(_l("Enter the organisation number.")), Length(max=20)],
    )
    address = StringField(_l("Address (optional)"), validators=[Length(max=200)])
    contact_name = StringField(_l("Contact person (optional)"), validators=[Length(max=120)])
    contact_email = StringField(
        _l("Contact e-mail (optional)"),
        description=_l("Gets the reminder before the certificate runs out."),
        validators=[Length(max=254)],
    )
    phone = StringField(_l("Phone (optional)"), validators=[Length(max=40)])
    industry = StringField(_l("Industry (optional)"), validators=[Length(max=80)])
    place_id = SelectField(_l("Place (optional)"), default="")
    chain = StringField(
        _l("Chain (optional)"),
        description=_l("Shops of one chain may be approved by a sample inspection."),
        validators=[Length(max=120)],
    )
    offer_sent_on = DateField(_l("Offer sent (optional)"), validators=[Optional()])
    version = HiddenField()  # on the edit form: the version it was loaded with


class PointForm(Form):
    text = StringField(
        _l("Point"), validators=[DataRequired(_l("Enter the point's text.")), Length(max=200)]
    )
    version = HiddenField()


class SettingsForm(Form):
    interval_months = IntegerField(
        _l("A certificate holds for (months)"),
        description=_l("Re-inspection is due when it runs out; the programme suggests a year."),
        validators=[InputRequired(_l("Enter a number of months."))],
    )
    version = HiddenField()


class FilterForm(Form):
    class Meta:
        csrf = False

    status = SelectField(
        _l("Status"),
        choices=[ALL, *(SelectChoice(s.value, label) for s, label in STATUS_LABELS.items())],
        default="",
    )
    place = SelectField(_l("Place"), choices=[ALL], default="")
    q = StringField(_l("Name or organisation number"), validators=[Length(max=100)])


class InspectionBaseForm(Form):
    inspected_on = DateField(
        _l("Date of the inspection"),
        validators=[InputRequired(_l("Enter the date of the inspection."))],
    )
    inspector_id = SelectField(_l("Inspector"), default="")
    remarks = TextAreaField(
        _l("Remarks (optional)"),
        description=_l("What must be improved. No names or personal identity numbers."),
        validators=[Length(max=4000)],
    )
    follow_up_of = HiddenField()


def point_field(point: ChecklistPoint) -> str:
    return f"point_{point.id}"


def inspection_form(checklist: list[ChecklistPoint], **kwargs) -> InspectionBaseForm:
    """The inspection form with one result per point of `checklist`."""

    class InspectionForm(InspectionBaseForm):
        pass

    for point in checklist:
        setattr(
            InspectionForm,
            point_field(point),
            RadioField(
                point.text,
                choices=OUTCOME_CHOICES,
                validators=[InputRequired(_l("Choose a result."))],
            ),
        )
    return InspectionForm(**kwargs)
