"""Forms of the council's administration: inviting a person, a membership, a partner."""

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
from brott.models.reports import ResponsibleBody

ROLE_CHOICES = [SelectChoice(r.value, ROLE_LABELS[r]) for r in Role]
NO_BODY = SelectChoice("", _l("— none —"))
BODY_HINT = _l("Only for staff of a responsible body: the body whose reports they see and handle.")


def body_field() -> SelectField:
    """The responsible body a body's staff member works for; ignored for other roles."""
    # the service checks the choice, with a message that says what to choose
    return SelectField(
        _l("Body"), choices=[NO_BODY], description=BODY_HINT, default="", validate_choice=False
    )


def offer_bodies(form: "NewMemberForm | MembershipForm", bodies: list[ResponsibleBody]) -> None:
    """Let the form choose among `bodies` (the council's active ones, and a member's own)."""
    form.body_id.choices = [NO_BODY, *(SelectChoice(str(b.id), b.name) for b in bodies)]


def chosen_body(form: "NewMemberForm | MembershipForm") -> int | None:
    """The body chosen, as an id; None when none (or nothing readable) was."""
    raw = form.body_id.data or ""
    return int(raw) if raw.isascii() and raw.isdigit() else None


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
    body_id = body_field()


class MembershipForm(Form):
    role = SelectField(_l("Role"), choices=ROLE_CHOICES)
    body_id = body_field()
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
