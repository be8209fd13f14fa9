from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    EmailField,
    HiddenField,
    PasswordField,
    SelectChoice,
    SelectField,
    StringField,
)
from wtforms.validators import DataRequired, Length

from brott.forms import Form
from brott.i18n import LANGUAGE_NAMES
from brott.measures.forms import MultiCheckboxField
from brott.services import mail_preferences


class LoginForm(Form):
    email = EmailField(
        _l("Email"),
        validators=[
            DataRequired(_l("Enter your email address.")),
            Length(max=254),
        ],
    )
    password = PasswordField(
        _l("Password"),
        validators=[DataRequired(_l("Enter your password.")), Length(max=200)],
    )
    remember = BooleanField(_l("Remember me"))
    next = HiddenField()


class CodeForm(Form):
    """The six digits of an authenticator app."""

    code = StringField(
        _l("Code from your authenticator app"),
        validators=[DataRequired(_l("Enter the 6-digit code.")), Length(max=20)],
    )


class TwoFactorOffForm(CodeForm):
    password = PasswordField(
        _l("Password"),
        validators=[DataRequired(_l("Enter your password.")), Length(max=200)],
    )


class TwoFactorRolesForm(Form):
    """A council's admin chooses the roles that must log in with a second factor."""

    roles = MultiCheckboxField(
        _l("Roles that must use two-step login"),
        validate_choice=False,  # the service names what is not allowed
    )
    version = HiddenField()


class LogoutForm(Form):
    """Only the CSRF token: for POST-only buttons such as logging out."""


class LanguageForm(Form):
    """The header's language switch. Any code is accepted: one the app does not speak
    means Swedish."""

    language = StringField(validators=[Length(max=35)])
    next = HiddenField()


class ProfileForm(Form):
    language = SelectField(
        _l("Language of pages and e-mails"),
        choices=[SelectChoice(code, name) for code, name in LANGUAGE_NAMES.items()],
        validate_choice=False,  # an unknown code falls back to Swedish
    )
    emails = MultiCheckboxField(
        _l("E-mails you choose to receive"),
        choices=[SelectChoice(kind, label) for kind, label in mail_preferences.OPTIONAL.items()],
        validate_choice=False,  # the service names what is not offered
    )
