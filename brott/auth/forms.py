from flask_babel import lazy_gettext as _l
from wtforms import EmailField, HiddenField, PasswordField, SelectChoice, SelectField, StringField
from wtforms.validators import DataRequired, Length

from brott.forms import Form
from brott.i18n import LANGUAGE_NAMES


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
    next = HiddenField()


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
