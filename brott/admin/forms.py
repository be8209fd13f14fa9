from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    EmailField,
    HiddenField,
    IntegerField,
    SelectChoice,
    SelectField,
    StringField,
)
from wtforms.validators import DataRequired, Email, Length

from brott.forms import Form
from brott.models import ROLE_LABELS, Role

ROLE_CHOICES = [SelectChoice(r.value, ROLE_LABELS[r]) for r in Role]


class NewMemberForm(Form):
    """Inviting a person: no password; they choose their own (services/invitations)."""

    email = EmailField(
        _l("Email"),
        validators=[
            DataRequired(_l("Enter an email address.")),
            Email(_l("Enter a valid email address.")),
            Length(max=254),
        ],
    )
    name = StringField(
        _l("Name"),
        validators=[
            DataRequired(_l("Enter a name.")),
            Length(max=200, message=_l("The name may be at most %(limit)d characters.", limit=200)),
        ],
    )
    role = SelectField(_l("Role"), choices=ROLE_CHOICES)


class MembershipForm(Form):
    role = SelectField(_l("Role"), choices=ROLE_CHOICES)
    active = BooleanField(_l("Active"))
    version = HiddenField()  # the version the form was loaded with


class InvitationActionForm(Form):
    """Sending a pending invitation again, or withdrawing it: a button on each row."""

    invitation_id = IntegerField()


class PartnerForm(Form):
    name = StringField(
        _l("Name"),
        validators=[
            DataRequired(_l("Enter the organisation's name.")),
            Length(max=200, message=_l("The name may be at most %(limit)d characters.", limit=200)),
        ],
    )
    kind = StringField(
        _l("Type"),
        validators=[
            Length(max=80, message=_l("The type may be at most %(limit)d characters.", limit=80))
        ],
    )
    version = HiddenField()  # when changing one: the version it was loaded with
