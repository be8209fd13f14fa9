from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, EmailField, PasswordField, SelectChoice, SelectField, StringField
from wtforms.validators import DataRequired, Email, Length, Optional

from brott.forms import Form
from brott.models import ROLE_LABELS, Role

ROLE_CHOICES = [SelectChoice(r.value, ROLE_LABELS[r]) for r in Role]


class NewMemberForm(Form):
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
    password = PasswordField(
        _l("Password (for a new account)"),
        validators=[Optional(), Length(max=200)],
        description=_l("Only needed if the person does not have an account yet."),
    )
    role = SelectField(_l("Role"), choices=ROLE_CHOICES)


class MembershipForm(Form):
    role = SelectField(_l("Role"), choices=ROLE_CHOICES)
    active = BooleanField(_l("Active"))


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
